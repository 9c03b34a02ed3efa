//! Presence through the whole handler: the exact REST calls each event makes, idle, the
//! sweep, retries and a restart.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::{spawn_app, spawn_app_capped};
use crate::support::chat_events::room_with_alice_and_bob;

#[tokio::test]
async fn the_first_connection_broadcasts_user_online_with_the_recorded_name() {
    let app = spawn_app().await;
    app.sign_in("alice", "Alice@example.com").await;
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
        call.chat_data(),
        json!({"userId":"alice","userName":"Alice","userProvider":"github","idle":false})
    );
}

#[tokio::test]
async fn the_body_of_user_connected_never_names_the_user() {
    let app = spawn_app().await;
    app.sign_in("alice", "alice").await;
    app.connected("c1", "alice").await;
    let forged = json!({"userName": "<img src=x onerror=alert(1)>", "userProvider": "evil"});
    app.send("userConnected", "c1", "alice", forged)
        .await
        .assert_accepted();
    let data = app.pubsub.calls()[0].chat_data();
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
    app.disconnected("c1", "alice").await.assert_accepted();
    assert!(app.pubsub.calls().is_empty());
    assert!(app.is_online("alice").await, "still online through c2");

    app.disconnected("c2", "alice").await.assert_accepted();
    // A repeat is harmless.
    app.disconnected("c2", "alice").await.assert_accepted();
    assert_eq!(app.pubsub.lines(), vec!["POST /api/hubs/chat/:send"]);
    let call = &app.pubsub.calls()[0];
    assert_eq!(
        call.json(),
        json!({"chatEvent":"userOffline","data":"alice"})
    );
    assert_eq!(app.users().await, json!({"users": {}}));
}

#[tokio::test]
async fn users_lists_online_users_keyed_by_id() {
    let app = spawn_app().await;
    app.sign_in("alice", "alice").await;
    app.sign_in("bob", "bob").await;
    app.arrive("c1", "alice").await;
    assert_eq!(
        app.users().await,
        json!({"users": {"alice": {"userName":"alice","userProvider":"github","idle":false}}}),
        "bob has a token but no connection, so is not online"
    );
}

#[tokio::test]
async fn idle_is_stored_and_broadcast_about_the_sender() {
    let app = room_with_alice_and_bob().await;
    app.enter_idle("b1", "bob", "alice").await.assert_accepted();
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "userIsIdle", "data": "bob"})
    );
    let users = app.users().await;
    assert_eq!(users["users"]["bob"]["idle"], true);
    assert_eq!(users["users"]["alice"]["idle"], false);
    app.pubsub.clear();
    app.exit_idle("b1", "bob", "alice").await.assert_accepted();
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"chatEvent": "userNotIdle", "data": "bob"})
    );
}

#[tokio::test]
async fn fifty_concurrent_connections_of_one_user_are_all_kept() {
    let app = spawn_app_capped(100).await;
    let app = &app;
    let posts = (0..50).map(|i| async move { app.connected(&format!("c{i}"), "alice").await });
    for response in futures_util::future::join_all(posts).await {
        response.assert_accepted();
    }
    assert_eq!(app.stored_user("alice").await.value.connections.len(), 50);
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
    for connection in ["ghost", "live"] {
        let head = format!("HEAD /api/hubs/chat/connections/{connection}");
        assert!(lines.contains(&head), "{lines:?}");
    }
    let offline: Vec<_> = app
        .pubsub
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .collect();
    assert_eq!(offline.len(), 1);
    assert_eq!(
        offline[0].json(),
        json!({"chatEvent":"userOffline","data":"bob"})
    );
    assert!(app.is_online("alice").await);
    assert!(!app.is_online("bob").await);
}

#[tokio::test]
async fn throttled_and_failing_service_calls_are_retried() {
    let app = spawn_app().await;
    app.connected("c1", "alice").await;
    app.pubsub.fail_next(&[429, 503]);
    app.user_connected("c1", "alice").await.assert_accepted();
    assert_eq!(app.pubsub.lines(), vec!["POST /api/hubs/chat/:send"; 3]);
}

#[tokio::test]
async fn a_service_that_stays_down_does_not_drop_the_user_event() {
    let app = spawn_app().await;
    app.connected("c1", "alice").await;
    app.pubsub.fail_next(&[503, 503, 503]);
    let response = app.user_connected("c1", "alice").await;
    assert_eq!(
        response.status(),
        204,
        "the state is stored; a non-2xx would drop the socket"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let app = spawn_app().await;
    app.sign_in("alice", "alice").await;
    app.arrive("c1", "alice").await;
    let app = app.restart().await;
    assert!(app.is_online("alice").await);
}

#[tokio::test]
async fn a_dead_connection_the_store_cannot_let_go_waits_for_the_next_sweep_and_the_rest_go() {
    use chatr::chat::outcome::Change;
    use chatr::store::embedded::EmbeddedStore;

    use crate::support::failing_store::FailingWrites;

    let dir = tempfile::tempdir().expect("dir");
    let stuck = |changes: &[Change]| {
        changes.iter().any(|c| {
            matches!(c, Change::UnbindConnection { connection } if connection.as_str() == "stuck")
        })
    };
    let store = FailingWrites::when(EmbeddedStore::open(dir.path()).expect("store"), stuck);
    let app = crate::support::app::spawn_app_on(std::sync::Arc::new(store)).await;
    app.arrive("stuck", "alice").await;
    app.arrive("ghost", "bob").await;
    app.pubsub.mark_dead("stuck");
    app.pubsub.mark_dead("ghost");
    let report = chatr::functions::sweep::sweep_once(&app.app)
        .await
        .expect("the sweep goes on");
    assert_eq!((report.removed, report.failed), (1, 1));
    assert!(!app.is_online("bob").await, "the other ghost went");
    assert!(app.is_online("alice").await, "kept for the next sweep");
}
