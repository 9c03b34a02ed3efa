//! `joinChat`, `leaveChat` and a closing socket: only the sending connection moves, and the
//! chat hears who came and went.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::spawn_app;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::ROOM;

#[tokio::test]
async fn join_and_leave_move_only_the_sending_connection() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/groups/{ROOM}/connections/b1"),
            format!("PUT /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    assert_eq!(
        app.pubsub.calls()[2].json(),
        json!("💬 bob-name has joined the chat")
    );
    assert!(app.members(ROOM).await.contains(&"bob".to_string()));

    app.pubsub.clear();
    let leave = json!({"chatId": ROOM, "userName": "<b>Someone Else</b>"});
    app.send("leaveChat", "b1", "bob", leave)
        .await
        .assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("DELETE /api/hubs/chat/groups/{ROOM}/connections/b1"),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"
            ),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    assert_eq!(
        app.pubsub.calls()[2].json(),
        json!("💨 bob-name has left the chat"),
        "the name in the body is ignored"
    );
    assert!(!app.members(ROOM).await.contains(&"bob".to_string()));
}

#[tokio::test]
async fn a_closing_socket_leaves_its_chats_and_the_last_one_says_user_offline_once() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    app.disconnected("b1", "bob").await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
            "POST /api/hubs/chat/:send".to_string()
        ]
    );
    let calls = app.pubsub.calls();
    assert_eq!(calls[0].json(), json!("💨 bob-name has left the chat"));
    assert_eq!(
        calls[1].json(),
        json!({"chatEvent": "userOffline", "data": "bob"})
    );
    assert!(!app.members(ROOM).await.contains(&"bob".to_string()));
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
}
