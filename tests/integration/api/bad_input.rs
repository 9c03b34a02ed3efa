//! Bad input gets a clear 4xx (or, for user events, a 200 refusal), never a panic, and the
//! handler keeps serving afterwards.

use crate::support::spawn::{principal, spawn_app, Event};

#[tokio::test]
async fn a_two_mebibyte_body_is_refused_with_413() {
    let app = spawn_app().await;
    let mut event = Event::user("userConnected", "c1", "alice", serde_json::json!({}));
    event.body = vec![b'a'; 2 * 1024 * 1024];
    let response = app.post(event).await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.expect("JSON");
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
        &chatr::access_key::AccessKey::new(crate::support::spawn::KEY).expect("key"),
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
    let cases = vec![
        Event::user_text("userConnected", "c1", "alice", "\u{0}\u{1}not json"),
        {
            let mut e = Event::user("userConnected", "c1", "alice", serde_json::json!({}));
            e.content_type = "application/json";
            e.body = b"{\"unterminated".to_vec();
            e
        },
        {
            let mut e = Event::user("userConnected", "c1", "alice", serde_json::json!({}));
            e.content_type = "application/octet-stream";
            e.body = vec![0xff, 0x00, 0xfe];
            e
        },
        Event::user("", "c1", "alice", serde_json::json!({})),
        Event::user("a/b#c?", "c1", "alice", serde_json::json!([1, 2, 3])),
        Event::system("connected", "c1", "a/b"),
        Event::system("connected", "c1", &"u".repeat(2000)),
    ];
    for event in cases {
        let status = app.post(event).await.status().as_u16();
        assert!(matches!(status, 200 | 204 | 400), "answered {status}");
    }
    for garbled in ["", "=", "eyJ1c2VySWQiOm51bGx9", "Zm9v", "AAAA"] {
        assert_eq!(app.get("/api/getToken", Some(garbled)).await.status(), 401);
    }
    // Still serving, with nothing corrupted.
    app.arrive("c9", "alice").await;
    assert_eq!(
        app.get("/api/users", Some(&principal("x", "x")))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_invalid_connection_id_is_a_client_error() {
    let app = spawn_app().await;
    let event = Event::system("connected", "bad/id", "alice");
    let response = app.post(event).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "invalidConnectionId");
}
