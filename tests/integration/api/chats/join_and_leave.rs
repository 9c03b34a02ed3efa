//! `joinChat`, `leaveChat` and a closing socket: membership is the user's and lasts until they
//! leave; every connection of theirs moves with it; a socket that closes leaves no chat.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::spawn_app;
use crate::support::chat_events::{relaying_room_with_alice_and_bob, room_with_alice_and_bob};
use crate::support::domain::ROOM;

#[tokio::test]
async fn join_and_leave_move_every_connection_of_the_user() {
    // With the direct relay, so that each connection's right to publish shows.
    let app = relaying_room_with_alice_and_bob().await;
    app.arrive("b2", "bob").await;
    app.pubsub.clear();
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/users/bob/groups/{ROOM}"),
            format!("PUT /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"),
            format!("PUT /api/hubs/chat/permissions/sendToGroup/connections/b2?targetName={ROOM}"),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    assert_eq!(
        app.pubsub.calls()[3].json(),
        json!("💬 bob-name has joined the chat")
    );
    assert!(app.members(ROOM).await.contains(&"bob".to_string()));
    assert_eq!(app.member_count(ROOM).await, 2);

    app.pubsub.clear();
    app.join_chat("b2", "bob", ROOM).await.assert_accepted();
    assert!(
        !app.pubsub.lines().iter().any(|l| l.ends_with(":send")),
        "joining again announces nothing: {:?}",
        app.pubsub.lines()
    );
    assert_eq!(app.member_count(ROOM).await, 2);

    app.pubsub.clear();
    let leave = json!({"chatId": ROOM, "userName": "<b>Someone Else</b>"});
    app.send("leaveChat", "b1", "bob", leave)
        .await
        .assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("DELETE /api/hubs/chat/users/bob/groups/{ROOM}"),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"
            ),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/b2?targetName={ROOM}"
            ),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    assert_eq!(
        app.pubsub.calls()[3].json(),
        json!("💨 bob-name has left the chat"),
        "the name in the body is ignored"
    );
    assert!(!app.members(ROOM).await.contains(&"bob".to_string()));
    assert_eq!(app.member_count(ROOM).await, 1);
}

#[tokio::test]
async fn a_closing_socket_keeps_its_chats_and_the_last_one_says_user_offline_once() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    app.disconnected("b1", "bob").await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec!["POST /api/hubs/chat/:send".to_string()],
        "no notice, no group call: the service took the socket out of its groups"
    );
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "userOffline", "data": "bob"})
    );
    assert!(
        app.members(ROOM).await.contains(&"bob".to_string()),
        "bob is a member until he leaves"
    );
}

#[tokio::test]
async fn fifty_concurrent_joins_keep_fifty_members() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("owner-c", "owner").await;
    app.create_chat("owner-c", "owner", ROOM, "Busy")
        .await
        .assert_accepted();
    let joins = (0..50).map(|i| {
        let app = &app;
        async move {
            let (c, u) = (format!("c{i}"), format!("u{i}"));
            app.arrive(&c, &u).await;
            app.join_chat(&c, &u, ROOM).await
        }
    });
    for response in futures_util::future::join_all(joins).await {
        response.assert_accepted();
    }
    assert_eq!(app.members(ROOM).await.len(), 51, "the owner and all fifty");
    assert_eq!(app.member_count(ROOM).await, 51);
}

#[tokio::test]
async fn twenty_concurrent_joins_by_one_accounts_connections_all_succeed() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("owner-c", "owner").await;
    app.create_chat("owner-c", "owner", ROOM, "Busy")
        .await
        .assert_accepted();
    for i in 0..20 {
        app.arrive(&format!("m{i}"), "many").await;
    }
    let joins = (0..20).map(|i| {
        let app = &app;
        async move { app.join_chat(&format!("m{i}"), "many", ROOM).await }
    });
    for response in futures_util::future::join_all(joins).await {
        response.assert_accepted();
    }
    assert_eq!(app.member_count(ROOM).await, 2, "one account is one member");
}
