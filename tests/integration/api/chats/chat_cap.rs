//! The cap on the chats one user is in (`CHATR_MAX_CHATS_PER_USER`): creating, joining and
//! being brought into a private chat past it are refused `tooManyChats`, storing nothing;
//! leaving a chat makes room; a member joining again is never refused.

use std::num::NonZeroU32;

use chatr::config::limits::Limits;

use crate::support::answer::Answer;
use crate::support::app::{spawn_app_with, TestApp};

const A: &str = "0a8fad5b-d9cb-469f-a165-70867728950e";
const B: &str = "0b8fad5b-d9cb-469f-a165-70867728950e";
const C: &str = "0c8fad5b-d9cb-469f-a165-70867728950e";

/// alice (a1) is in chats A and B, at a cap of two; bob (b1) is online and in none.
async fn alice_at_a_cap_of_two() -> TestApp {
    let app = spawn_app_with(Limits {
        max_chats_per_user: NonZeroU32::new(2),
        ..Limits::default()
    })
    .await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    for id in [A, B] {
        app.create_chat("a1", "alice", id, "Room")
            .await
            .assert_accepted();
    }
    app.pubsub.clear();
    app
}

/// Asserts a `tooManyChats` refusal; its message.
async fn too_many_chats(response: reqwest::Response) -> String {
    let refused = response.refusal().await;
    assert_eq!(refused["reason"], "tooManyChats", "{refused}");
    refused["message"].as_str().expect("text").to_string()
}

#[tokio::test]
async fn past_the_cap_creating_and_joining_are_refused_and_store_nothing() {
    let app = alice_at_a_cap_of_two().await;
    let message = too_many_chats(app.create_chat("a1", "alice", C, "Third").await).await;
    assert!(message.contains("You are in 2 chats"), "{message}");
    assert!(app.pubsub.calls().is_empty(), "{:?}", app.pubsub.lines());
    // bob's chat exists; alice cannot join it.
    app.create_chat("b1", "bob", C, "Bob's")
        .await
        .assert_accepted();
    too_many_chats(app.join_chat("a1", "alice", C).await).await;
    assert_eq!(app.members(C).await, ["bob"], "alice was not added");
    // A member joining again is a repair, never refused.
    app.join_chat("a1", "alice", A).await.assert_accepted();
    // Leaving one makes room.
    app.leave_chat("a1", "alice", A).await.assert_accepted();
    app.join_chat("a1", "alice", C).await.assert_accepted();
}

#[tokio::test]
async fn a_private_chat_with_someone_at_the_cap_is_refused_naming_them() {
    let app = alice_at_a_cap_of_two().await;
    let message = too_many_chats(app.create_private_chat("b1", "bob", "bob", "alice").await).await;
    assert!(message.starts_with("alice"), "{message}");
    assert!(
        app.members("private_alice_bob").await.is_empty(),
        "nobody was added"
    );
    assert!(
        app.app
            .store
            .get_chat(&crate::support::domain::chat_id("private_alice_bob"))
            .await
            .expect("read")
            .is_none(),
        "no chat was stored"
    );
}
