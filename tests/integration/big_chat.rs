//! A chat of 10,000 members through the handler and the real emulator: 9,997 members join by
//! signed webhooks alone (their sockets would be elsewhere), alice, bob and carol are real
//! sockets. Join, the count, messages, typing, finding a member to mention, leave, a member's
//! new socket, delete and the purge all hold at that size. (How fast is measured by
//! `chatr-load joins`, not here.)

use futures_util::{stream, StreamExt};
use serde_json::json;

use crate::support::answer::Answer;
use crate::support::domain::{chat_id, ROOM};
use crate::support::stack::Stack;
use crate::support::webhook::Event;

const WEBHOOK_MEMBERS: usize = 9_997;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chat_of_ten_thousand_members_joins_talks_leaves_and_is_deleted() {
    let stack = Stack::start().await;
    let mut alice = stack.client("alice").await;
    alice.user_connected(json!({})).await;
    alice.chat_event("userOnline").await;
    alice.create_chat(ROOM, "Everyone").await;
    alice.chat_event("chatCreated").await;

    let joins = stream::iter(0..WEBHOOK_MEMBERS)
        .map(|i| {
            let stack = &stack;
            async move {
                let event =
                    Event::user_text("joinChat", &format!("w-{i}"), &format!("u{i:05}"), ROOM);
                stack.post(event).await.assert_accepted();
            }
        })
        .buffer_unordered(32);
    joins.collect::<Vec<()>>().await;

    let mut bob = stack.client("bob").await;
    let mut carol = stack.client("carol").await;
    for (person, name) in [(&mut bob, "bob"), (&mut carol, "carol")] {
        person.user_connected(json!({})).await;
        person.user_online(name).await;
        // Acked once the handler has answered: the join is stored.
        person.send(json!({"type": "event", "event": "joinChat", "dataType": "text", "data": ROOM, "ackId": 9})).await;
        person
            .until(|f| f["type"] == "ack" && f["ackId"] == 9)
            .await;
    }
    let listed = stack.chats_as("alice").await;
    assert_eq!(listed["chats"][ROOM]["memberCount"], 10_000);
    let members = stack
        .app
        .store
        .members_of(&chat_id(ROOM), None, usize::MAX)
        .await
        .expect("members");
    assert_eq!(members.len(), 10_000);

    alice.send_message(ROOM, "hello all").await;
    for person in [&mut bob, &mut carol] {
        // No joined notices past 200 members: the first group frame is the message.
        let first = person.until(|f| f["group"] == ROOM).await;
        assert_eq!(first["data"]["message"], "hello all");
    }

    alice.send(json!({"type": "event", "event": "typing", "dataType": "json", "data": {"chatId": ROOM}})).await;
    for person in [&mut bob, &mut carol] {
        let typing = person
            .until(|f| f["group"] == ROOM && f["data"]["chatEvent"] == "typing")
            .await;
        assert_eq!(typing["data"]["data"]["userId"], "alice");
    }
    // The @ picker finds carol among 10,000 members, reading a bounded page of the name search.
    let found = stack
        .get_as("alice", &format!("/api/users?q=car&chatId={ROOM}"))
        .await;
    assert_eq!(found["users"][0]["userId"], "carol", "{found}");

    bob.send(json!({"type": "event", "event": "leaveChat", "dataType": "json", "data": {"chatId": ROOM}, "ackId": 2})).await;
    bob.until(|f| f["type"] == "ack" && f["ackId"] == 2).await;
    assert_eq!(
        stack.chats_as("alice").await["chats"][ROOM]["memberCount"],
        9_999
    );

    drop(carol);
    let mut carol = stack.client("carol").await;
    carol.user_connected(json!({})).await;
    carol.user_online("carol").await;
    alice.send_message(ROOM, "still here?").await;
    let back = carol.until(|f| f["group"] == ROOM).await;
    assert_eq!(
        back["data"]["message"], "still here?",
        "a member's new socket is in the chat without joining"
    );

    alice.delete_chat(ROOM).await;
    carol.chat_event("chatDeleted").await;
    let hub = chatr::emulator::hub_key::HubKey::new("chat");
    let left =
        stack
            .emulator
            .registry
            .select(&hub, chatr::emulator::registry::Scope::Group(ROOM), &[]);
    assert!(left.is_empty(), "the group is empty: {left:?}");
    let report = chatr::functions::sweep::sweep_once(&stack.app)
        .await
        .expect("sweep");
    assert_eq!(
        report.purged,
        9_999 + 2,
        "the sweep removes every member row and both messages"
    );
    assert!(stack
        .app
        .store
        .messages_before(&chat_id(ROOM), None, 10)
        .await
        .expect("messages")
        .is_empty());
    assert!(stack
        .app
        .store
        .members_of(&chat_id(ROOM), None, 10)
        .await
        .expect("members")
        .is_empty());
}
