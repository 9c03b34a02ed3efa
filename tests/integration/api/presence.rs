//! Presence through the whole handler: the exact REST calls each event makes.

use chatr::chat::model::UserId;

use crate::support::spawn::{principal, spawn_app, Event, TestApp};

async fn users(app: &TestApp) -> serde_json::Value {
    app.get("/api/users", Some(&principal("viewer", "viewer")))
        .await
        .json()
        .await
        .expect("JSON")
}

fn data_of(call: &crate::support::recording_pubsub::Call) -> serde_json::Value {
    let body = call.json();
    serde_json::from_str(body["data"].as_str().expect("data is a string"))
        .unwrap_or(body["data"].clone())
}

#[tokio::test]
async fn the_first_connection_broadcasts_user_online_with_the_recorded_name() {
    let app = spawn_app().await;
    app.get(
        "/api/getToken",
        Some(&principal("alice", "Alice@example.com")),
    )
    .await;
    app.arrive("c1", "alice").await;
    let calls = app.pubsub.calls();
    assert_eq!(app.pubsub.lines(), vec!["POST /api/hubs/chat/:send"]);
    let call = &calls[0];
    assert_eq!(call.query, "api-version=2024-01-01");
    assert_eq!(
        call.aud,
        format!(
            "http://127.0.0.1:{}/api/hubs/chat/:send?api-version=2024-01-01",
            app.pubsub.addr.port()
        )
    );
    assert!(
        call.token_valid,
        "the server token is signed with the access key"
    );
    assert_eq!(call.content_type.as_deref(), Some("application/json"));
    assert_eq!(call.json()["chatEvent"], "userOnline");
    assert_eq!(
        data_of(call),
        serde_json::json!({"userId":"alice","userName":"Alice","userProvider":"github","idle":false})
    );
}

#[tokio::test]
async fn the_body_of_user_connected_never_names_the_user() {
    let app = spawn_app().await;
    app.get("/api/getToken", Some(&principal("alice", "alice")))
        .await;
    app.post(Event::system("connected", "c1", "alice")).await;
    let forged =
        serde_json::json!({"userName": "<img src=x onerror=alert(1)>", "userProvider": "evil"});
    assert_eq!(
        app.post(Event::user("userConnected", "c1", "alice", forged))
            .await
            .status(),
        204
    );
    let data = data_of(&app.pubsub.calls()[0]);
    assert_eq!(data["userName"], "alice");
    assert_eq!(data["userProvider"], "github");
}

#[tokio::test]
async fn a_second_connection_hears_user_online_alone() {
    let app = spawn_app().await;
    app.arrive("c1", "alice").await;
    app.pubsub.clear();
    app.arrive("c2", "alice").await;
    assert_eq!(
        app.pubsub.lines(),
        vec!["POST /api/hubs/chat/connections/c2/:send"]
    );
    assert_eq!(app.pubsub.calls()[0].json()["chatEvent"], "userOnline");
}

#[tokio::test]
async fn closing_one_tab_says_nothing_and_closing_the_last_says_user_offline_once() {
    let app = spawn_app().await;
    app.arrive("c1", "alice").await;
    app.arrive("c2", "alice").await;
    app.pubsub.clear();
    assert_eq!(
        app.post(Event::system("disconnected", "c1", "alice"))
            .await
            .status(),
        204
    );
    assert!(app.pubsub.calls().is_empty());
    assert!(
        users(&app).await["users"].get("alice").is_some(),
        "still online through c2"
    );

    assert_eq!(
        app.post(Event::system("disconnected", "c2", "alice"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.post(Event::system("disconnected", "c2", "alice"))
            .await
            .status(),
        204,
        "a repeat is harmless"
    );
    assert_eq!(app.pubsub.lines(), vec!["POST /api/hubs/chat/:send"]);
    let call = &app.pubsub.calls()[0];
    assert_eq!(
        call.json(),
        serde_json::json!({"chatEvent":"userOffline","data":"alice"})
    );
    assert_eq!(users(&app).await, serde_json::json!({"users": {}}));
}

#[tokio::test]
async fn users_lists_online_users_keyed_by_id() {
    let app = spawn_app().await;
    app.get("/api/getToken", Some(&principal("alice", "alice")))
        .await;
    app.get("/api/getToken", Some(&principal("bob", "bob")))
        .await;
    app.arrive("c1", "alice").await;
    assert_eq!(
        users(&app).await,
        serde_json::json!({"users": {"alice": {"userName":"alice","userProvider":"github","idle":false}}}),
        "bob has a token but no connection, so is not online"
    );
}

#[tokio::test]
async fn fifty_concurrent_connections_of_one_user_are_all_kept() {
    let app = spawn_app().await;
    let posts = (0..50).map(|i| app.post(Event::system("connected", &format!("c{i}"), "alice")));
    for response in futures_util::future::join_all(posts).await {
        assert_eq!(response.status(), 204);
    }
    let user = app
        .app
        .store
        .get_user(&UserId::parse("alice").expect("id"))
        .await
        .expect("store")
        .expect("user");
    assert_eq!(user.value.connections.len(), 50);
}

#[tokio::test]
async fn the_sweep_removes_connections_the_service_no_longer_has() {
    let app = spawn_app().await;
    app.arrive("live", "alice").await;
    app.arrive("ghost", "bob").await;
    app.pubsub.clear();
    app.pubsub.mark_dead("ghost");
    let report = chatr::functions::sweep::sweep_once(&app.app)
        .await
        .expect("sweep");
    assert_eq!((report.checked, report.removed, report.unknown), (2, 1, 0));
    let lines = app.pubsub.lines();
    assert!(
        lines.contains(&"HEAD /api/hubs/chat/connections/ghost".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"HEAD /api/hubs/chat/connections/live".to_string()),
        "{lines:?}"
    );
    let offline: Vec<_> = app
        .pubsub
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .collect();
    assert_eq!(offline.len(), 1);
    assert_eq!(
        offline[0].json(),
        serde_json::json!({"chatEvent":"userOffline","data":"bob"})
    );
    let online = users(&app).await;
    assert!(online["users"].get("alice").is_some());
    assert!(online["users"].get("bob").is_none());
}

#[tokio::test]
async fn throttled_and_failing_service_calls_are_retried() {
    let app = spawn_app().await;
    app.post(Event::system("connected", "c1", "alice")).await;
    app.pubsub.fail_next(&[429, 503]);
    assert_eq!(
        app.post(Event::user(
            "userConnected",
            "c1",
            "alice",
            serde_json::json!({})
        ))
        .await
        .status(),
        204
    );
    assert_eq!(app.pubsub.lines(), vec!["POST /api/hubs/chat/:send"; 3]);
}

#[tokio::test]
async fn a_service_that_stays_down_does_not_drop_the_user_event() {
    let app = spawn_app().await;
    app.post(Event::system("connected", "c1", "alice")).await;
    app.pubsub.fail_next(&[503, 503, 503]);
    let response = app
        .post(Event::user(
            "userConnected",
            "c1",
            "alice",
            serde_json::json!({}),
        ))
        .await;
    assert_eq!(
        response.status(),
        204,
        "the state is stored; a non-2xx would drop the socket"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let app = spawn_app().await;
    app.get("/api/getToken", Some(&principal("alice", "alice")))
        .await;
    app.arrive("c1", "alice").await;
    let (pubsub, dir) = app.stop().await;
    let app = crate::support::spawn::spawn_with(pubsub, dir).await;
    assert!(users(&app).await["users"].get("alice").is_some());
}
