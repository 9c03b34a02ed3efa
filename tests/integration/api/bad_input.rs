//! Bad input gets a clear 4xx (or, for user events, a 200 refusal), never a panic, and the
//! handler keeps serving afterwards.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app, KEY};
use crate::support::webhook::Event;

#[tokio::test]
async fn a_two_mebibyte_body_is_refused_with_413() {
    let app = spawn_app().await;
    let mut event = Event::user("userConnected", "c1", "alice", json!({}));
    event.body = vec![b'a'; 2 * 1024 * 1024];
    let body = app.post(event).await.json_with(413).await;
    assert_eq!(body["error"]["code"], "payloadTooLarge");
    app.arrive("c1", "alice").await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_too() {
    let app = spawn_app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b'x'; 64 * 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let sig = chatr::webhook::signature::sign(
        &chatr::access_key::AccessKey::new(KEY).expect("key"),
        "c1",
    );
    let response = app
        .http
        .post(app.url("/api/eventHandler"))
        .header("ce-type", "azure.webpubsub.user.x")
        .header("ce-eventname", "x")
        .header("ce-connectionid", "c1")
        .header("ce-hub", "chat")
        .header("ce-signature", sig)
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn malformed_payloads_and_odd_headers_never_break_the_handler() {
    let app = spawn_app().await;
    let with_body = |content_type: &'static str, body: &[u8]| {
        let mut e = Event::user("userConnected", "c1", "alice", json!({}));
        e.content_type = content_type;
        e.body = body.to_vec();
        e
    };
    let cases = vec![
        Event::user_text("userConnected", "c1", "alice", "\u{0}\u{1}not json"),
        with_body("application/json", b"{\"unterminated"),
        with_body("application/octet-stream", &[0xff, 0x00, 0xfe]),
        Event::user("", "c1", "alice", json!({})),
        Event::user("a/b#c?", "c1", "alice", json!([1, 2, 3])),
        Event::system("connected", "c1", "a/b"),
        Event::system("connected", "c1", &"u".repeat(2000)),
    ];
    for event in cases {
        let status = app.post(event).await.status().as_u16();
        assert!(matches!(status, 200 | 204 | 400), "answered {status}");
    }
    for garbled in ["", "=", "eyJ1c2VySWQiOm51bGx9", "Zm9v", "AAAA"] {
        assert_eq!(app.get_token(Some(garbled)).await.status(), 401);
    }
    // Still serving, with nothing corrupted.
    app.arrive("c9", "alice").await;
    assert_eq!(
        app.get_users(Some(&principal("x", "x"))).await.status(),
        200
    );
}

#[tokio::test]
async fn an_invalid_connection_id_is_a_client_error() {
    let app = spawn_app().await;
    let body = app.connected("bad/id", "alice").await.json_with(400).await;
    assert_eq!(body["error"]["code"], "invalidConnectionId");
}
