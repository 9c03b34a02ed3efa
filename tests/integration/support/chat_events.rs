//! The chat's user events, typed, as the original client sends them through the webhook: one
//! helper per event, each answering the handler's raw response; and the room most chat tests
//! start from.

use serde_json::json;

use super::answer::Answer;
use chatr::config::limits::Limits;

use super::app::{spawn_app, spawn_app_with, TestApp};
use super::domain::ROOM;

/// alice (a1) has created `ROOM`; bob (b1) is online; no call recorded yet.
pub async fn room_with_alice_and_bob() -> TestApp {
    room_on(spawn_app().await).await
}

/// The same room on a handler with the direct relay on (`CHATR_DIRECT_RELAY`): members'
/// connections get the right to publish to their chats' groups.
pub async fn relaying_room_with_alice_and_bob() -> TestApp {
    room_on(
        spawn_app_with(Limits {
            direct_relay: true,
            ..Limits::default()
        })
        .await,
    )
    .await
}

async fn room_on(app: TestApp) -> TestApp {
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .assert_accepted();
    app.pubsub.clear();
    app
}

impl TestApp {
    /// `createChat` `{name, id}`.
    pub async fn create_chat(
        &self,
        connection: &str,
        user: &str,
        id: &str,
        name: &str,
    ) -> reqwest::Response {
        self.send(
            "createChat",
            connection,
            user,
            json!({"name": name, "id": id}),
        )
        .await
    }

    /// `joinChat` (the chat id as text).
    pub async fn join_chat(&self, connection: &str, user: &str, id: &str) -> reqwest::Response {
        self.send("joinChat", connection, user, json!(id)).await
    }

    /// `leaveChat` `{chatId, userName}` (the name is ignored).
    pub async fn leave_chat(&self, connection: &str, user: &str, id: &str) -> reqwest::Response {
        let body = json!({"chatId": id, "userName": user});
        self.send("leaveChat", connection, user, body).await
    }

    /// `deleteChat` (the chat id as text).
    pub async fn delete_chat(&self, connection: &str, user: &str, id: &str) -> reqwest::Response {
        self.send("deleteChat", connection, user, json!(id)).await
    }

    /// `createPrivateChat` `{initiatorUserId, targetUserId}`.
    pub async fn create_private_chat(
        &self,
        connection: &str,
        user: &str,
        initiator: &str,
        target: &str,
    ) -> reqwest::Response {
        let body = json!({"initiatorUserId": initiator, "targetUserId": target});
        self.send("createPrivateChat", connection, user, body).await
    }

    /// `userEnterIdle`; the client sends a user id, which the handler ignores.
    pub async fn enter_idle(&self, connection: &str, user: &str, body: &str) -> reqwest::Response {
        self.send("userEnterIdle", connection, user, json!(body))
            .await
    }

    /// `userExitIdle`; the client sends a user id, which the handler ignores.
    pub async fn exit_idle(&self, connection: &str, user: &str, body: &str) -> reqwest::Response {
        self.send("userExitIdle", connection, user, json!(body))
            .await
    }
}
