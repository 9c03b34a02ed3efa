//! Chat rooms through the whole handler: the exact REST calls of every event, refusals
//! answered 200 with `actionRefused`, and the holes of the original closed.

use std::sync::Arc;

use async_trait::async_trait;
use chatr::chat::model::{ChatId, ConnectionId, UserId};
use chatr::chat::outcome::{Change, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::User;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::{Store, StoreError};
use serde_json::json;

use crate::support::recording_pubsub::RecordingPubSub;
use crate::support::spawn::{principal, refusal, spawn_app, spawn_over, TestApp, KEY};

const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

async fn chats(app: &TestApp) -> serde_json::Value {
    app.get("/api/chats", Some(&principal("viewer", "viewer")))
        .await
        .json()
        .await
        .expect("JSON")
}

/// alice (a1) creates the room; bob (b1) is online.
async fn room_with_alice_and_bob() -> TestApp {
    let app = spawn_app().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    assert_eq!(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM})
        )
        .await
        .status(),
        204
    );
    app.pubsub.clear();
    app
}

#[tokio::test]
async fn create_chat_makes_exactly_the_calls_and_lists_the_chat() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.pubsub.clear();
    assert_eq!(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": " Room ", "id": ROOM})
        )
        .await
        .status(),
        204
    );
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
    let data: serde_json::Value =
        serde_json::from_str(created["data"].as_str().expect("string")).expect("JSON string");
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
    assert_eq!(chats(&app).await, json!({"chats": {ROOM: data}}));
}

#[tokio::test]
async fn join_and_leave_move_only_the_sending_connection() {
    let app = room_with_alice_and_bob().await;
    assert_eq!(
        app.send("joinChat", "b1", "bob", json!(ROOM))
            .await
            .status(),
        204
    );
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
    assert!(chats(&app).await["chats"][ROOM]["members"]
        .get("bob")
        .is_some());

    app.pubsub.clear();
    let leave = json!({"chatId": ROOM, "userName": "<b>Someone Else</b>"});
    assert_eq!(
        app.send("leaveChat", "b1", "bob", leave).await.status(),
        204
    );
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
    assert!(chats(&app).await["chats"][ROOM]["members"]
        .get("bob")
        .is_none());
}

#[tokio::test]
async fn refusals_are_answered_200_with_action_refused_and_send_nothing() {
    let app = room_with_alice_and_bob().await;
    let cases = [
        (
            "createChat",
            json!({"name": "Again", "id": ROOM}),
            "chatExists",
        ),
        (
            "createChat",
            json!({"name": "", "id": "1f8fad5b-d9cb-469f-a165-70867728950e"}),
            "invalidName",
        ),
        (
            "createChat",
            json!({"name": "x", "id": "private_alice_bob"}),
            "invalidId",
        ),
        ("createChat", json!("just text"), "invalidPayload"),
        (
            "joinChat",
            json!("1f8fad5b-d9cb-469f-a165-70867728950e"),
            "chatNotFound",
        ),
        ("joinChat", json!("a/b"), "invalidId"),
        ("leaveChat", json!({"chatId": ROOM}), "notMember"),
        ("deleteChat", json!(ROOM), "notOwner"),
        (
            "createPrivateChat",
            json!({"initiatorUserId": "bob", "targetUserId": "carol"}),
            "userOffline",
        ),
        (
            "createPrivateChat",
            json!({"initiatorUserId": "alice", "targetUserId": "bob"}),
            "identityMismatch",
        ),
        (
            "createPrivateChat",
            json!({"initiatorUserId": "bob", "targetUserId": "bob"}),
            "invalidPayload",
        ),
    ];
    for (event, body, reason) in cases {
        let data = refusal(app.send(event, "b1", "bob", body).await).await;
        assert_eq!(data["reason"], reason, "{event}");
        assert_eq!(data["action"], event);
        assert!(!data["message"].as_str().expect("message").is_empty());
    }
    assert!(app.pubsub.calls().is_empty(), "{:?}", app.pubsub.lines());
}

#[tokio::test]
async fn only_the_owner_deletes_and_then_every_connection_leaves_and_the_id_stays_taken() {
    let app = room_with_alice_and_bob().await;
    app.send("joinChat", "b1", "bob", json!(ROOM)).await;
    app.pubsub.clear();
    let data = refusal(app.send("deleteChat", "b1", "bob", json!(ROOM)).await).await;
    assert_eq!(data["reason"], "notOwner");
    assert!(app.pubsub.calls().is_empty());

    assert_eq!(
        app.send("deleteChat", "a1", "alice", json!(ROOM))
            .await
            .status(),
        204
    );
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
    assert_eq!(chats(&app).await, json!({"chats": {}}));
    let data = refusal(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Reborn", "id": ROOM}),
        )
        .await,
    )
    .await;
    assert_eq!(data["reason"], "chatExists");
}

#[tokio::test]
async fn a_private_chat_joins_both_users_and_no_third_user_gets_in() {
    let app = room_with_alice_and_bob().await;
    app.sign_in_and_arrive("e1", "eve").await;
    app.pubsub.clear();
    let open = json!({"initiatorUserId": "alice", "targetUserId": "bob"});
    assert_eq!(
        app.send("createPrivateChat", "a1", "alice", open)
            .await
            .status(),
        204
    );
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
    let data: serde_json::Value =
        serde_json::from_str(to_bob["data"].as_str().expect("string")).expect("JSON");
    assert_eq!(
        data,
        json!({"id": private, "name": "Chat with alice-name", "grabFocus": false})
    );
    assert_eq!(calls[6].json(), json!("💬 alice-name wants to chat"));
    assert_eq!(
        chats(&app).await["chats"],
        json!({ROOM: chats(&app).await["chats"][ROOM].clone()}),
        "never listed"
    );

    app.pubsub.clear();
    assert_eq!(
        refusal(app.send("joinChat", "e1", "eve", json!(private)).await).await["reason"],
        "notMember"
    );
    let forged = json!({"initiatorUserId": "alice", "targetUserId": "bob"});
    assert_eq!(
        refusal(app.send("createPrivateChat", "e1", "eve", forged).await).await["reason"],
        "identityMismatch"
    );
    assert!(
        app.pubsub.calls().is_empty(),
        "eve never enters: {:?}",
        app.pubsub.lines()
    );

    // bob rejoins from a new tab.
    app.arrive("b2", "bob").await;
    app.pubsub.clear();
    assert_eq!(
        app.send("joinChat", "b2", "bob", json!(private))
            .await
            .status(),
        204
    );
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
async fn idle_is_stored_and_broadcast_about_the_sender() {
    let app = room_with_alice_and_bob().await;
    assert_eq!(
        app.send("userEnterIdle", "b1", "bob", json!("alice"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "userIsIdle", "data": "bob"})
    );
    let users: serde_json::Value = app
        .get("/api/users", Some(&principal("x", "x")))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(users["users"]["bob"]["idle"], true);
    assert_eq!(users["users"]["alice"]["idle"], false);
    app.pubsub.clear();
    assert_eq!(
        app.send("userExitIdle", "b1", "bob", json!("alice"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "userNotIdle", "data": "bob"})
    );
}

#[tokio::test]
async fn a_closing_socket_leaves_its_chats_and_the_last_one_says_user_offline_once() {
    let app = room_with_alice_and_bob().await;
    app.send("joinChat", "b1", "bob", json!(ROOM)).await;
    app.pubsub.clear();
    assert_eq!(
        app.post(crate::support::spawn::Event::system(
            "disconnected",
            "b1",
            "bob"
        ))
        .await
        .status(),
        204
    );
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
    assert!(chats(&app).await["chats"][ROOM]["members"]
        .get("bob")
        .is_none());
}

#[tokio::test]
async fn fifty_concurrent_joins_keep_fifty_members() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("owner-c", "owner").await;
    app.send(
        "createChat",
        "owner-c",
        "owner",
        json!({"name": "Busy", "id": ROOM}),
    )
    .await;
    let joins = (0..50).map(|i| {
        let app = &app;
        async move {
            let (c, u) = (format!("c{i}"), format!("u{i}"));
            app.arrive(&c, &u).await;
            app.send("joinChat", &c, &u, json!(ROOM)).await.status()
        }
    });
    for status in futures_util::future::join_all(joins).await {
        assert_eq!(status, 204);
    }
    let members = chats(&app).await["chats"][ROOM]["members"]
        .as_object()
        .expect("members")
        .len();
    assert_eq!(members, 51, "the owner and all fifty");
}

/// A store whose writes fail: the event must get a 5xx and nothing may be sent.
struct BrokenWrites(EmbeddedStore);

#[async_trait]
impl Store for BrokenWrites {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        self.0.get_user(id).await
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.0.list_users().await
    }
    async fn get_binding(
        &self,
        c: &ConnectionId,
    ) -> Result<Option<chatr::store::Binding>, StoreError> {
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
    let store = Arc::new(BrokenWrites(
        EmbeddedStore::open(dir.path()).expect("store"),
    ));
    let app = spawn_over(RecordingPubSub::start(KEY).await, dir, store).await;
    let response = app
        .send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM}),
        )
        .await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "storeUnavailable");
    assert!(
        !body.to_string().contains("disk on fire"),
        "causes are logged, never sent"
    );
    assert!(app.pubsub.calls().is_empty());
}
