//! Chat rooms through the whole handler: the exact REST calls of every event, refusals
//! answered 200 with `actionRefused`, and the holes of the original closed.

use std::sync::Arc;

use async_trait::async_trait;
use chatr::chat::model::{ChatId, ConnectionId, UserId};
use chatr::chat::outcome::{Change, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::User;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::{Binding, Store, StoreError};
use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::spawn_app;
use crate::support::app::spawn_app_on;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::{OTHER_ROOM, ROOM};

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
            format!("PUT /api/hubs/chat/groups/{ROOM}/connections/a1"),
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
        json!({"id": ROOM, "name": "Room", "owner": "alice", "members": {"alice": {"userId": "alice", "userName": "alice-name"}}})
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
    assert_eq!(app.chats().await, json!({"chats": {ROOM: data}}));
}

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

#[tokio::test]
async fn only_the_owner_deletes_and_then_every_connection_leaves_and_the_id_stays_taken() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    let data = app.delete_chat("b1", "bob", ROOM).await.refusal().await;
    assert_eq!(data["reason"], "notOwner");
    assert!(app.pubsub.calls().is_empty());

    app.delete_chat("a1", "alice", ROOM).await.assert_accepted();
    let mut lines = app.pubsub.lines();
    let last = lines.pop().expect("a broadcast last");
    assert_eq!(last, "POST /api/hubs/chat/:send");
    lines.sort();
    assert_eq!(
        lines,
        vec![
            format!("DELETE /api/hubs/chat/groups/{ROOM}/connections/a1"),
            format!("DELETE /api/hubs/chat/groups/{ROOM}/connections/b1"),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/a1?targetName={ROOM}"
            ),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"
            ),
        ]
    );
    assert_eq!(
        app.pubsub.calls().last().expect("call").json(),
        json!({"chatEvent": "chatDeleted", "data": ROOM})
    );
    assert_eq!(app.chats().await, json!({"chats": {}}));
    let data = app
        .create_chat("a1", "alice", ROOM, "Reborn")
        .await
        .refusal()
        .await;
    assert_eq!(data["reason"], "chatExists");
}

#[tokio::test]
async fn a_private_chat_joins_both_users_and_no_third_user_gets_in() {
    let app = room_with_alice_and_bob().await;
    app.sign_in_and_arrive("e1", "eve").await;
    app.pubsub.clear();
    app.create_private_chat("a1", "alice", "alice", "bob")
        .await
        .assert_accepted();
    let private = "private_alice_bob";
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/groups/{private}/connections/a1"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/a1?targetName={private}"
            ),
            format!("PUT /api/hubs/chat/groups/{private}/connections/b1"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={private}"
            ),
            "POST /api/hubs/chat/users/bob/:send".to_string(),
            "POST /api/hubs/chat/users/alice/:send".to_string(),
            format!("POST /api/hubs/chat/groups/{private}/:send"),
        ]
    );
    let calls = app.pubsub.calls();
    let to_bob = calls[4].json();
    assert_eq!(to_bob["chatEvent"], "joinPrivateChat");
    assert_eq!(
        calls[4].chat_data(),
        json!({"id": private, "name": "Chat with alice-name", "grabFocus": false})
    );
    assert_eq!(calls[6].json(), json!("💬 alice-name wants to chat"));
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
        app.pubsub.lines()[..2],
        [
            format!("PUT /api/hubs/chat/groups/{private}/connections/b2"),
            format!(
                "PUT /api/hubs/chat/permissions/sendToGroup/connections/b2?targetName={private}"
            ),
        ]
    );
}

#[tokio::test]
async fn refusals_are_answered_200_with_action_refused_and_send_nothing() {
    let app = room_with_alice_and_bob().await;
    let private = |initiator: &str, target: &str| json!({"initiatorUserId": initiator, "targetUserId": target});
    let cases = [
        (
            "createChat",
            json!({"name": "Again", "id": ROOM}),
            "chatExists",
        ),
        (
            "createChat",
            json!({"name": "", "id": OTHER_ROOM}),
            "invalidName",
        ),
        (
            "createChat",
            json!({"name": "x", "id": "private_alice_bob"}),
            "invalidId",
        ),
        ("createChat", json!("just text"), "invalidPayload"),
        ("joinChat", json!(OTHER_ROOM), "chatNotFound"),
        ("joinChat", json!("a/b"), "invalidId"),
        ("leaveChat", json!({"chatId": ROOM}), "notMember"),
        ("deleteChat", json!(ROOM), "notOwner"),
        ("createPrivateChat", private("bob", "carol"), "userOffline"),
        (
            "createPrivateChat",
            private("alice", "bob"),
            "identityMismatch",
        ),
        ("createPrivateChat", private("bob", "bob"), "invalidPayload"),
    ];
    for (event, body, reason) in cases {
        let data = app.send(event, "b1", "bob", body).await.refusal().await;
        assert_eq!(data["reason"], reason, "{event}");
        assert_eq!(data["action"], event);
        assert!(!data["message"].as_str().expect("message").is_empty());
    }
    assert!(app.pubsub.calls().is_empty(), "{:?}", app.pubsub.lines());
}

/// A store whose writes fail.
struct BrokenWrites(EmbeddedStore);

#[async_trait]
impl Store for BrokenWrites {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        self.0.get_user(id).await
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.0.list_users().await
    }
    async fn get_binding(&self, c: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        self.0.get_binding(c).await
    }
    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        self.0.list_bindings().await
    }
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        self.0.get_chat(id).await
    }
    async fn list_chats(&self) -> Result<Vec<Chat>, StoreError> {
        self.0.list_chats().await
    }
    async fn apply(&self, _changes: &[Change]) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("disk on fire".into()))
    }
}

#[tokio::test]
async fn when_storing_fails_the_event_gets_a_503_and_nothing_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let store = BrokenWrites(EmbeddedStore::open(dir.path()).expect("store"));
    let app = spawn_app_on(Arc::new(store)).await;
    let body = app
        .create_chat("a1", "alice", ROOM, "Room")
        .await
        .store_unavailable()
        .await;
    assert!(
        !body.to_string().contains("disk on fire"),
        "causes are logged, never sent"
    );
    assert!(app.pubsub.calls().is_empty());
}
