//! The webhook's own protocol: the abuse-protection handshake, signatures, hubs, types.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::{spawn_app, TestApp};
use crate::support::domain::cid;
use crate::support::webhook::Event;

#[tokio::test]
async fn the_handshake_allows_the_configured_service() {
    let app = spawn_app().await;
    let response = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/api/eventHandler"))
        .header("WebHook-Request-Origin", "127.0.0.1")
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["webhook-allowed-origin"], "127.0.0.1");
}

#[tokio::test]
async fn the_handshake_refuses_any_other_origin() {
    let app = spawn_app().await;
    for origin in [Some("evil.example.com"), Some("*"), None] {
        let mut req = app
            .http
            .request(reqwest::Method::OPTIONS, app.url("/api/eventHandler"));
        if let Some(o) = origin {
            req = req.header("WebHook-Request-Origin", o);
        }
        let response = req.send().await.expect("OPTIONS");
        assert!(
            response.headers().get("webhook-allowed-origin").is_none(),
            "{origin:?}"
        );
        let body = response.json_with(400).await;
        assert_eq!(body["error"]["code"], "originNotAllowed", "{origin:?}");
    }
}

#[tokio::test]
async fn a_post_without_ce_signature_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut event = Event::user("userConnected", "c1", "alice", json!({}));
    event.signature = None;
    assert_eq!(app.post(event).await.status(), 401);
    let mut event = Event::system("connected", "c1", "alice");
    event.signature = None;
    assert_eq!(app.post(event).await.status(), 401);
    assert!(app.pubsub.calls().is_empty(), "nothing sent");
    assert!(
        app.app
            .store
            .get_binding(&cid("c1"))
            .await
            .expect("store")
            .is_none(),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_post_signed_with_another_key_is_refused() {
    let app = spawn_app().await;
    let mut event = Event::system("connected", "c1", "alice");
    let other = chatr::access_key::AccessKey::new("another-key").expect("key");
    event.signature = Some(chatr::webhook::signature::sign(&other, "c1"));
    let body = app.post(event).await.json_with(401).await;
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn a_signature_list_with_one_matching_key_is_accepted() {
    let app = spawn_app().await;
    let mut event = Event::system("connected", "c1", "alice");
    let good = event.signature.clone().expect("signed");
    event.signature = Some(format!("sha256={},{good}", "ab".repeat(32)));
    app.post(event).await.assert_accepted();
}

#[tokio::test]
async fn a_wrong_hub_is_refused_but_its_case_is_not_minded() {
    let app = spawn_app().await;
    let mut event = Event::system("connected", "c1", "alice");
    event.hub = "other".into();
    let body = app.post(event).await.json_with(400).await;
    assert_eq!(body["error"]["code"], "wrongHub");
    let mut event = Event::system("connected", "c1", "alice");
    event.hub = "CHAT".into();
    app.post(event).await.assert_accepted();
}

#[tokio::test]
async fn unknown_cloud_event_types_are_refused() {
    let app = spawn_app().await;
    let mut event = Event::system("connected", "c1", "alice");
    event.ce_type = "azure.webpubsub.sys.rebooted".into();
    event.event_name = "rebooted".into();
    let body = app.post(event).await.json_with(400).await;
    assert_eq!(body["error"]["code"], "unknownEventType");
}

#[tokio::test]
async fn a_connect_event_is_accepted_without_changes() {
    let app = spawn_app().await;
    app.post(Event::system("connect", "c1", "alice"))
        .await
        .assert_accepted();
    assert!(app.pubsub.calls().is_empty());
}

#[tokio::test]
async fn an_unknown_user_event_is_answered_200_with_action_refused() {
    let app = spawn_app().await;
    app.arrive("c1", "alice").await;
    let data = app
        .send("launchMissiles", "c1", "alice", json!({}))
        .await
        .refusal()
        .await;
    assert_eq!(data["action"], "launchMissiles");
    assert_eq!(data["reason"], "unknownEvent");
    assert!(data["message"]
        .as_str()
        .expect("message")
        .contains("launchMissiles"));
}

/// Posts `userConnected` from `user` on `connection`, expecting a refusal: its data.
async fn user_connected_refused(app: &TestApp, connection: &str, user: &str) -> serde_json::Value {
    app.user_connected(connection, user).await.refusal().await
}

#[tokio::test]
async fn an_event_claiming_another_user_on_a_bound_connection_is_refused() {
    let app = spawn_app().await;
    app.arrive("c1", "alice").await;
    app.pubsub.clear();
    let data = user_connected_refused(&app, "c1", "mallory").await;
    assert_eq!(data["reason"], "identityMismatch");
    assert!(app.pubsub.calls().is_empty(), "nothing sent for mallory");
}

#[tokio::test]
async fn a_user_event_from_an_anonymous_connection_is_refused() {
    let app = spawn_app().await;
    let mut event = Event::user("userConnected", "c1", "x", json!({}));
    event.user = None;
    assert_eq!(
        app.post(event).await.refusal().await["reason"],
        "notSignedIn"
    );
}

#[tokio::test]
async fn a_user_event_with_an_unusable_user_id_is_refused_with_invalid_id() {
    let app = spawn_app().await;
    let data = user_connected_refused(&app, "c1", "a#b").await;
    assert_eq!(data["reason"], "invalidId");
}

#[tokio::test]
async fn a_replayed_event_for_a_closed_connection_cannot_rebind_it_to_another_user() {
    let app = spawn_app().await;
    app.arrive("c1", "alice").await;
    app.disconnected("c1", "alice").await.assert_accepted();
    app.pubsub.clear();
    // The signature covers only the connection id: a captured one, replayed with another user.
    let data = user_connected_refused(&app, "c1", "mallory").await;
    assert_eq!(data["reason"], "identityMismatch");
    assert!(app.pubsub.calls().is_empty(), "nothing sent for the replay");
}
