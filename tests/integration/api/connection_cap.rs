//! The cap on one user's connections: getToken answers 429 `tooManyConnections` and `connect`
//! refuses the handshake, counting only connections the service confirms; ghosts are let go.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app_capped};
use crate::support::chat_events::{relaying_room_with_alice_and_bob, room_with_alice_and_bob};
use crate::support::domain::ROOM;

#[tokio::test]
async fn a_user_at_the_cap_gets_no_token_and_no_connection() {
    let app = spawn_app_capped(2).await;
    let alice = principal("alice", "alice-name");
    app.sign_in_and_arrive("a1", "alice").await;
    app.get_token(Some(&alice)).await.json_with(200).await;
    app.arrive("a2", "alice").await;
    let refused = app.get_token(Some(&alice)).await;
    assert_eq!(refused.status(), 429);
    let body: serde_json::Value = refused.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "tooManyConnections");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("text")
            .contains("at most 2"),
        "{body}"
    );
    let connect = app.connect("a3", "alice").await;
    assert_eq!(connect.status(), 429, "the handshake of a third is refused");
    // Another user is not held back by alice's connections.
    app.get_token(Some(&principal("bob", "bob-name")))
        .await
        .json_with(200)
        .await;
}

#[tokio::test]
async fn a_connection_the_service_no_longer_has_holds_no_place_and_is_let_go() {
    let app = spawn_app_capped(2).await;
    let alice = principal("alice", "alice-name");
    app.sign_in_and_arrive("a1", "alice").await;
    app.arrive("a2", "alice").await;
    app.pubsub.mark_dead("a1");
    app.get_token(Some(&alice)).await.json_with(200).await;
    let user = app.stored_user("alice").await.value;
    assert_eq!(
        user.connections
            .keys()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["a2"],
        "the ghost was handled as if disconnected"
    );
}

#[tokio::test]
async fn thirty_concurrent_connections_at_a_cap_of_twenty_keep_twenty_and_close_the_rest() {
    let app = spawn_app_capped(20).await;
    let app = &app;
    let posts = (0..30).map(|i| async move { app.connected(&format!("c{i}"), "alice").await });
    for response in futures_util::future::join_all(posts).await {
        response.assert_accepted();
    }
    let kept = app.stored_user("alice").await.value.connections.len();
    let closed = app
        .pubsub
        .calls()
        .iter()
        .filter(|c| c.method == "DELETE" && c.path.contains("/connections/"))
        .count();
    assert_eq!((kept, closed), (20, 10), "the cap holds under concurrency");
}

#[tokio::test]
async fn without_a_cap_nobody_is_refused() {
    let app = spawn_app_capped(0).await;
    let alice = principal("alice", "alice-name");
    for i in 0..30 {
        app.arrive(&format!("a{i}"), "alice").await;
    }
    app.get_token(Some(&alice)).await.json_with(200).await;
    assert_eq!(app.connect("a99", "alice").await.status(), 204);
}

#[tokio::test]
async fn connect_answers_a_member_with_the_groups_of_their_chats_and_the_right_to_publish() {
    let app = room_with_alice_and_bob().await;
    assert_eq!(
        app.connect("a8", "alice").await.json_with(200).await,
        json!({"groups": [ROOM], "roles": []}),
        "messages go through the server: no right to publish without the direct relay"
    );
    let app = relaying_room_with_alice_and_bob().await;
    let answer = app.connect("a9", "alice").await.json_with(200).await;
    assert_eq!(
        answer,
        json!({"groups": [ROOM], "roles": [format!("webpubsub.sendToGroup.{ROOM}")]})
    );
    assert_eq!(
        app.connect("b9", "bob").await.status(),
        204,
        "bob is in no chat yet: nothing to add"
    );
}
