//! `sendMessage`, `editMessage`, `deleteMessage` through the webhook.

use serde_json::{json, Value};

use crate::support::answer::Answer;
use crate::support::app::TestApp;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::{chat_id, ROOM};

impl TestApp {
    /// `sendMessage` `{chatId, text, clientId?}`.
    pub async fn send_message(
        &self,
        connection: &str,
        user: &str,
        chat: &str,
        text: &str,
        client_id: Option<&str>,
    ) -> reqwest::Response {
        let mut body = json!({"chatId": chat, "text": text});
        if let Some(c) = client_id {
            body["clientId"] = json!(c);
        }
        self.send("sendMessage", connection, user, body).await
    }

    /// The messages stored in a chat, newest first.
    pub async fn stored_messages(&self, chat: &str) -> Vec<chatr::chat::message::Message> {
        self.app
            .store
            .messages_before(&chat_id(chat), None, 1000)
            .await
            .expect("read")
    }
}

#[tokio::test]
async fn a_message_is_stored_then_answered_to_its_sender_and_sent_to_the_others() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    let body = json!({"chatId": ROOM, "text": "hi <b>bob</b>", "clientId": "c-1",
        "fromUserId": "mallory", "fromUserName": "Mallory", "mentions": ["bob"]});
    let answer = app
        .send("sendMessage", "a1", "alice", body)
        .await
        .json_with(200)
        .await;
    assert_eq!(answer["message"], "hi <b>bob</b>");
    assert_eq!(
        answer["fromUserId"], "alice",
        "the sender is the verified one"
    );
    assert_eq!(answer["fromUserName"], "alice-name");
    assert_eq!(answer["chatId"], ROOM);
    assert_eq!(answer["clientId"], "c-1");
    assert_eq!(answer["mentions"], json!(["bob"]));
    let time = answer["time"].as_str().expect("a time");
    assert!(time.ends_with('Z') && time.len() == 24, "{time}");
    let stored = app.stored_messages(ROOM).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(answer["id"], stored[0].id.as_str());
    assert_eq!(
        app.pubsub.lines(),
        vec![format!(
            "POST /api/hubs/chat/groups/{ROOM}/:send?excluded=a1"
        )]
    );
    let delivered = &app.pubsub.calls()[0];
    assert_eq!(delivered.content_type.as_deref(), Some("application/json"));
    assert_eq!(delivered.json(), answer);
}

#[tokio::test]
async fn a_resend_with_the_same_client_id_is_stored_once_and_delivered_again() {
    let app = room_with_alice_and_bob().await;
    let first = app
        .send_message("a1", "alice", ROOM, "once", Some("k"))
        .await
        .json_with(200)
        .await;
    app.pubsub.clear();
    let again = app
        .send_message("a1", "alice", ROOM, "once", Some("k"))
        .await
        .json_with(200)
        .await;
    assert_eq!(again, first);
    assert_eq!(app.stored_messages(ROOM).await.len(), 1);
    assert_eq!(app.pubsub.calls().len(), 1, "delivered again");
    let other = app
        .send_message("a1", "alice", ROOM, "twice", Some("k2"))
        .await
        .json_with(200)
        .await;
    assert!(
        other["id"].as_str() > first["id"].as_str(),
        "ids sort in send order"
    );
}

#[tokio::test]
async fn outsiders_are_refused_naming_the_chat_and_client_id_and_nothing_is_stored() {
    let app = room_with_alice_and_bob().await;
    let refusal = app
        .send_message("b1", "bob", ROOM, "let me in", Some("p-1"))
        .await
        .refusal()
        .await;
    assert_eq!(refusal["reason"], "notMember");
    assert_eq!(refusal["chatId"], ROOM);
    assert_eq!(refusal["clientId"], "p-1");
    let empty = app
        .send_message("a1", "alice", ROOM, " \n ", Some("p-2"))
        .await
        .refusal()
        .await;
    assert_eq!(empty["reason"], "emptyMessage");
    assert_eq!(empty["clientId"], "p-2");
    let long = app
        .send_message("a1", "alice", ROOM, &"x".repeat(4001), None)
        .await
        .refusal()
        .await;
    assert_eq!(long["reason"], "messageTooLong");
    assert!(app.stored_messages(ROOM).await.is_empty());
    assert!(app.pubsub.calls().is_empty());
}

#[tokio::test]
async fn a_private_message_is_sent_to_both_users_even_when_one_is_offline() {
    let app = room_with_alice_and_bob().await;
    app.create_private_chat("a1", "alice", "alice", "bob")
        .await
        .assert_accepted();
    app.disconnected("b1", "bob").await.assert_accepted();
    app.pubsub.clear();
    let chat = "private_alice_bob";
    let answer = app
        .send_message("a1", "alice", chat, "psst", None)
        .await
        .json_with(200)
        .await;
    assert_eq!(
        app.pubsub.lines(),
        vec![
            "POST /api/hubs/chat/users/alice/:send".to_string(),
            "POST /api/hubs/chat/users/bob/:send".to_string(),
        ]
    );
    assert_eq!(app.pubsub.calls()[1].json(), answer);
    let outsider = app
        .send_message("c1", "carol", chat, "hello?", None)
        .await
        .refusal()
        .await;
    assert_eq!(outsider["reason"], "chatNotFound");
}

fn event_data(answer: &Value, event: &str) -> Value {
    assert_eq!(answer["chatEvent"], event, "{answer}");
    answer["data"].clone()
}

#[tokio::test]
async fn the_author_edits_the_owner_deletes_and_others_may_not() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    let sent = app
        .send_message("b1", "bob", ROOM, "frist", None)
        .await
        .json_with(200)
        .await;
    let id = sent["id"].as_str().expect("id");
    let not_hers = app
        .send(
            "editMessage",
            "a1",
            "alice",
            json!({"chatId": ROOM, "id": id, "text": "x"}),
        )
        .await
        .refusal()
        .await;
    assert_eq!(not_hers["reason"], "notAuthor");
    app.pubsub.clear();
    let edited = app
        .send(
            "editMessage",
            "b1",
            "bob",
            json!({"chatId": ROOM, "id": id, "text": "first"}),
        )
        .await
        .json_with(200)
        .await;
    let data = event_data(&edited, "messageEdited");
    assert_eq!(data["message"], "first");
    assert!(data["editedAt"].is_string());
    assert_eq!(
        app.pubsub.lines(),
        vec![format!(
            "POST /api/hubs/chat/groups/{ROOM}/:send?excluded=b1"
        )]
    );
    // alice owns the chat: she may delete bob's message.
    let deleted = app
        .send(
            "deleteMessage",
            "a1",
            "alice",
            json!({"chatId": ROOM, "id": id}),
        )
        .await
        .json_with(200)
        .await;
    assert_eq!(
        event_data(&deleted, "messageDeleted"),
        json!({"id": id, "chatId": ROOM, "deleted": true, "time": sent["time"]})
    );
    let stored = app.stored_messages(ROOM).await;
    assert!(stored[0].deleted && stored[0].text.is_empty());
    let gone = app
        .send(
            "editMessage",
            "b1",
            "bob",
            json!({"chatId": ROOM, "id": id, "text": "back"}),
        )
        .await
        .refusal()
        .await;
    assert_eq!(gone["reason"], "messageNotFound");
}
