//! `createChat`: the exact calls, the announced chat, and the list of chats.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::spawn_app;
use crate::support::domain::ROOM;

#[tokio::test]
async fn create_chat_makes_exactly_the_calls_and_lists_the_chat() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.pubsub.clear();
    app.create_chat("a1", "alice", ROOM, " Room ")
        .await
        .assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/users/alice/groups/{ROOM}"),
            format!("PUT /api/hubs/chat/permissions/sendToGroup/connections/a1?targetName={ROOM}"),
            "POST /api/hubs/chat/:send".to_string(),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    let calls = app.pubsub.calls();
    let created = calls[2].json();
    assert_eq!(created["chatEvent"], "chatCreated");
    let data = calls[2].chat_data();
    assert_eq!(
        data,
        json!({"id": ROOM, "name": "Room", "owner": "alice", "memberCount": 1, "members": {"alice": {"userId": "alice", "userName": "alice-name"}}})
    );
    assert_eq!(calls[3].json(), json!("💬 alice-name has joined the chat"));
    for call in &calls {
        assert_eq!(
            call.aud,
            format!(
                "http://127.0.0.1:{}{}?{}",
                app.pubsub.addr.port(),
                call.path,
                call.query
            )
        );
    }
    // Listed with its count; `members` holds only the caller's own entry.
    assert_eq!(
        app.chats().await,
        json!({"chats": {ROOM: {"id": ROOM, "name": "Room", "owner": "alice", "memberCount": 1, "members": {}}}, "direct": {}})
    );
    let alice = crate::support::app::principal("alice", "alice-name");
    let as_alice = app.get_chats(Some(&alice)).await.json_with(200).await;
    assert_eq!(
        as_alice["chats"][ROOM], data,
        "alice sees herself as a member"
    );
}
