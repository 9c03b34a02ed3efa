//! The emulator with the real handler behind it: a round trip through every layer, and a
//! shutdown that closes every socket with a close frame; its command line's refusals.

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::binary::chatr;
use crate::support::domain::ROOM;
use crate::support::stack::Stack;
use crate::support::ws_client::chat_data;

#[tokio::test]
async fn a_chat_round_trip_crosses_emulator_handler_and_store() {
    let stack = Stack::start().await;
    let mut alice = stack.client("alice").await;
    alice.user_connected(json!({"userName": "forged"})).await;
    let online = alice.chat_event("userOnline").await;
    assert_eq!(chat_data(&online)["userName"], "alice-name");

    alice.create_chat(ROOM, "Room").await;
    alice.chat_event("chatCreated").await;
    let notice = alice
        .until(|f| f["from"] == "group" && f["group"] == ROOM)
        .await;
    assert_eq!(notice["data"], "💬 alice-name has joined the chat");

    let mut bob = stack.client("bob").await;
    bob.user_connected(json!({})).await;
    bob.chat_event("userOnline").await;
    bob.join_chat(ROOM).await;
    bob.until(|f| f["group"] == ROOM && f["data"] == "💬 bob-name has joined the chat")
        .await;

    let sent = bob.send_message(ROOM, "hi").await;
    assert_eq!(sent["fromUserId"], "bob");
    let got = alice
        .until(|f| f["from"] == "group" && f["data"]["message"] == "hi")
        .await;
    assert_eq!(
        got["data"], sent,
        "the stored message, as the sender was answered"
    );
    // Messages go through the server: a member's socket may not publish to the group itself.
    bob.send(json!({"type": "sendToGroup", "group": ROOM, "dataType": "json", "data": {"message": "hi", "fromUserId": "alice"}, "ackId": 1})).await;
    assert_eq!(bob.ack().await["error"]["name"], "Forbidden");

    // A third user cannot publish into the room without joining it.
    let mut eve = stack.client("eve").await;
    eve.send(json!({"type": "sendToGroup", "group": ROOM, "dataType": "text", "data": "spam", "ackId": 7})).await;
    let refused = eve.ack().await;
    assert_eq!(refused["success"], false);
    assert_eq!(refused["error"]["name"], "Forbidden");
    eve.send(json!({"type": "joinGroup", "group": ROOM, "ackId": 8}))
        .await;
    assert_eq!(eve.ack().await["error"]["name"], "Forbidden");
}

#[tokio::test]
async fn a_members_new_connection_is_in_their_chats_as_it_opens_and_a_delete_empties_the_group() {
    let stack = Stack::start().await;
    let mut alice = stack.client("alice").await;
    alice.user_connected(json!({})).await;
    alice.chat_event("userOnline").await;
    alice.create_chat(ROOM, "Room").await;
    alice.chat_event("chatCreated").await;
    let mut bob = stack.client("bob").await;
    bob.user_connected(json!({})).await;
    bob.chat_event("userOnline").await;
    bob.join_chat(ROOM).await;
    bob.until(|f| f["group"] == ROOM && f["data"] == "💬 bob-name has joined the chat")
        .await;
    drop(bob);

    // bob comes back on a new socket and joins nothing: the connect answer put him in.
    let mut bob = stack.client("bob").await;
    bob.user_connected(json!({})).await;
    bob.chat_event("userOnline").await;
    alice.send_message(ROOM, "welcome back").await;
    bob.until(|f| f["group"] == ROOM && f["data"]["message"] == "welcome back")
        .await;
    let again = bob.send_message(ROOM, "hi again").await;
    assert_eq!(again["message"], "hi again", "and may write there");

    alice.delete_chat(ROOM).await;
    bob.chat_event("chatDeleted").await;
    let hub = chatr::emulator::hub_key::HubKey::new("chat");
    let left =
        stack
            .emulator
            .registry
            .select(&hub, chatr::emulator::registry::Scope::Group(ROOM), &[]);
    assert!(
        left.is_empty(),
        "nobody is left in a deleted chat's group: {left:?}"
    );
}

#[tokio::test]
async fn a_refused_user_event_comes_back_to_its_sender_as_action_refused() {
    let stack = Stack::start().await;
    let mut alice = stack.client("alice").await;
    alice.delete_chat(ROOM).await;
    let refused = alice.chat_event("actionRefused").await;
    assert_eq!(chat_data(&refused)["reason"], "chatNotFound");
    // The socket stays open.
    assert_eq!(alice.pong_or(|_| false).await, json!({"type": "pong"}));
}

#[tokio::test]
async fn shutdown_closes_every_socket_with_a_close_frame() {
    let mut stack = Stack::start().await;
    let mut clients = vec![
        stack.client("a").await,
        stack.client("b").await,
        stack.client("c").await,
    ];
    stack.stop_emulator().await;
    for c in &mut clients {
        let close = loop {
            match c.ws.next().await {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("{}: expected a close frame, got {other:?}", c.user),
            }
        };
        assert_eq!(
            u16::from(close.expect("a close frame with a code").code),
            1001
        );
    }
    assert!(stack.emulator.registry.is_empty());
}

#[tokio::test]
async fn a_refused_access_key_is_named_but_never_echoed() {
    // A pasted connection string is the likely mistake; its key must not reach the terminal.
    let pasted = "Endpoint=http://x;AccessKey=SECRET-0123456789abcdefghijklmnopqrstuvwxyz;";
    let output = chatr()
        .args(["emulator", "--port", "0", "--access-key", pasted])
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--access-key must be"), "{stderr}");
    assert!(!stderr.contains("SECRET"), "{stderr}");
}

#[tokio::test]
async fn a_hub_name_the_service_would_refuse_is_a_usage_error() {
    let output = chatr()
        .args(["emulator", "--port", "0", "--hub", "not a hub"])
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a hub name"), "{stderr}");
}
