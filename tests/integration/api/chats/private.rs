//! `createPrivateChat`: both users are members and their connections join, nobody else ever
//! gets in, either user rejoins from a new tab, and a user who is offline is written to.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::principal;
use crate::support::chat_events::{relaying_room_with_alice_and_bob, room_with_alice_and_bob};
use crate::support::domain::{chat_id, uid, ROOM};

#[tokio::test]
async fn a_private_chat_joins_both_users_and_no_third_user_gets_in() {
    // With the direct relay, so that each connection's right to publish shows.
    let app = relaying_room_with_alice_and_bob().await;
    app.sign_in_and_arrive("e1", "eve").await;
    app.pubsub.clear();
    app.create_private_chat("a1", "alice", "alice", "bob")
        .await
        .assert_accepted();
    let private = "private_alice_bob";
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/users/alice/groups/{private}"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/a1?targetName={private}"
            ),
            format!("PUT /api/hubs/chat/users/bob/groups/{private}"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={private}"
            ),
            "POST /api/hubs/chat/users/bob/:send".to_string(),
            "POST /api/hubs/chat/users/alice/:send".to_string(),
        ]
    );
    let calls = app.pubsub.calls();
    let to_bob = calls[4].json();
    assert_eq!(to_bob["chatEvent"], "joinPrivateChat");
    assert_eq!(
        calls[4].chat_data(),
        json!({"id": private, "name": "Chat with alice-name", "grabFocus": false})
    );
    let chats = app.chats().await;
    assert_eq!(
        chats["chats"],
        json!({ROOM: chats["chats"][ROOM].clone()}),
        "never listed"
    );

    app.pubsub.clear();
    let joined = app.join_chat("e1", "eve", private).await.refusal().await;
    assert_eq!(joined["reason"], "notMember");
    let forged = app
        .create_private_chat("e1", "eve", "alice", "bob")
        .await
        .refusal()
        .await;
    assert_eq!(forged["reason"], "identityMismatch");
    assert!(
        app.pubsub.calls().is_empty(),
        "eve never enters: {:?}",
        app.pubsub.lines()
    );

    // bob rejoins from a new tab.
    app.arrive("b2", "bob").await;
    app.pubsub.clear();
    app.join_chat("b2", "bob", private).await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        [
            format!("PUT /api/hubs/chat/users/bob/groups/{private}"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={private}"
            ),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/b2?targetName={private}"
            ),
        ],
        "a member coming back announces nothing"
    );
    assert_eq!(app.members(private).await, ["alice", "bob"]);
}

#[tokio::test]
async fn a_private_chat_with_an_offline_user_makes_them_a_member_to_find_it_later() {
    let app = room_with_alice_and_bob().await;
    app.sign_in_and_arrive("c1", "carol").await;
    app.disconnected("c1", "carol").await.assert_accepted();
    app.pubsub.clear();
    app.create_private_chat("a1", "alice", "alice", "carol")
        .await
        .assert_accepted();
    assert_eq!(app.members("private_alice_carol").await, ["alice", "carol"]);
    assert_eq!(
        app.app.store.chats_of(&uid("carol")).await.expect("read"),
        vec![chat_id("private_alice_carol")]
    );
    // Coming back, carol finds it in her list, with who opened it; nobody else sees it.
    let as_carol = app
        .get_chats(Some(&principal("carol", "carol-name")))
        .await
        .json_with(200)
        .await;
    assert_eq!(
        as_carol["direct"],
        json!({"private_alice_carol": {"id": "private_alice_carol", "with": "alice", "withName": "alice-name", "unread": 0, "mentions": 0}})
    );
    assert_eq!(as_carol["chats"].get("private_alice_carol"), None);
    let as_bob = app
        .get_chats(Some(&principal("bob", "bob-name")))
        .await
        .json_with(200)
        .await;
    assert_eq!(
        as_bob["direct"],
        json!({}),
        "a private chat is its two users' only"
    );
    let nobody = app
        .create_private_chat("a1", "alice", "alice", "nobody-ever")
        .await
        .refusal()
        .await;
    assert_eq!(nobody["reason"], "unknownUser");
}
