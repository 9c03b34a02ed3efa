//! `typing`: passed on to the chat's other members, never stored, at most one per 2 s per user
//! and chat.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::ROOM;

const OTHER: &str = "5c3b1f3e-8a4c-4e7e-9a57-0d7f1f2a9b10";

#[tokio::test]
async fn typing_reaches_the_others_is_not_stored_and_has_a_bucket_per_user_and_chat() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.create_chat("a1", "alice", OTHER, "Other")
        .await
        .assert_accepted();
    app.pubsub.clear();

    let first = std::time::Instant::now();
    app.send("typing", "a1", "alice", json!({"chatId": ROOM}))
        .await
        .assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![format!(
            "POST /api/hubs/chat/groups/{ROOM}/:send?excluded=a1"
        )]
    );
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "typing",
               "data": {"chatId": ROOM, "userId": "alice", "userName": "alice-name"}})
    );
    assert!(app.stored_messages(ROOM).await.is_empty(), "never stored");

    // Again at once: refused (the client shows nothing), and nothing is passed on. (On a
    // machine so loaded that 2 s went by, the bucket has refilled: nothing to check.)
    app.pubsub.clear();
    let again = app
        .send("typing", "a1", "alice", json!({"chatId": ROOM}))
        .await;
    if first.elapsed() < std::time::Duration::from_millis(1_900) {
        let refusal = again.refusal().await;
        assert_eq!(refusal["action"], "typing");
        assert_eq!(refusal["reason"], "rateLimited");
        assert!(app.pubsub.calls().is_empty());
    }

    // Its own bucket: another chat, another user, and messages are not held back by it.
    app.send("typing", "a1", "alice", json!({"chatId": OTHER}))
        .await
        .assert_accepted();
    app.send("typing", "b1", "bob", json!({"chatId": ROOM}))
        .await
        .assert_accepted();
    app.send_message("a1", "alice", ROOM, "still sent", None)
        .await
        .json_with(200)
        .await;

    // Only members: bob is not in the other chat.
    let outsider = app
        .send("typing", "b1", "bob", json!({"chatId": OTHER}))
        .await
        .refusal()
        .await;
    assert_eq!(outsider["reason"], "notMember");
}

#[tokio::test]
async fn naming_a_new_chat_each_time_does_not_get_around_the_limit() {
    let app = room_with_alice_and_bob().await;
    let started = std::time::Instant::now();
    let mut refused: u64 = 0;
    for n in 0..20 {
        let chat = format!("5c3b1f3e-8a4c-4e7e-9a57-{n:012}");
        let answer = app
            .send("typing", "a1", "alice", json!({"chatId": chat}))
            .await
            .refusal()
            .await;
        if answer["reason"] == "rateLimited" {
            refused += 1;
        } else {
            assert_eq!(answer["reason"], "chatNotFound");
        }
    }
    // Six at once per user whatever the chat, then one a second.
    let granted = 20 - refused;
    let most = 6 + started.elapsed().as_secs() + 1;
    assert!(
        (6..=most).contains(&granted),
        "{granted} granted, at most {most}"
    );
}
