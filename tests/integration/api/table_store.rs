//! The handler over Azure Table Storage (Azurite): the same chat, and honest outages: when
//! the table service goes away events get a 503 with nothing sent, and as soon as it is back
//! everything works again.

use std::sync::Arc;

use chatr::config::table_connection_string::TableConnectionString;
use chatr::store::table::TableStore;
use serde_json::json;

use crate::support::azurite::Azurite;
use crate::support::recording_pubsub::RecordingPubSub;
use crate::support::spawn::{principal, spawn_over, TestApp, KEY};
use crate::support::tcp_proxy::{Mode, TcpProxy};

const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

async fn app_on(azurite: &Azurite) -> TestApp {
    app_at(&azurite.connection_string()).await
}

async fn app_at(connection_string: &str) -> TestApp {
    let cs = TableConnectionString::parse(connection_string).expect("connection string");
    let store = Arc::new(TableStore::connect(&cs).await.expect("connect"));
    spawn_over(
        RecordingPubSub::start(KEY).await,
        tempfile::tempdir().expect("dir"),
        store,
    )
    .await
}

#[tokio::test]
async fn the_chat_works_the_same_on_table_storage() {
    let azurite = Azurite::start().await;
    let app = app_on(&azurite).await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    assert_eq!(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        app.send("joinChat", "b1", "bob", json!(ROOM))
            .await
            .status(),
        204
    );
    let chats: serde_json::Value = app
        .get("/api/chats", Some(&principal("x", "x")))
        .await
        .json()
        .await
        .expect("JSON");
    let members = chats["chats"][ROOM]["members"]
        .as_object()
        .expect("members");
    assert_eq!(members.len(), 2);
    let users: serde_json::Value = app
        .get("/api/users", Some(&principal("x", "x")))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(users["users"]["bob"]["userName"], "bob-name");
}

/// The handler reaches Azurite through a proxy the test can cut.
async fn app_behind_proxy() -> (TestApp, TcpProxy, Azurite) {
    let azurite = Azurite::start().await;
    let proxy = TcpProxy::start(([127, 0, 0, 1], azurite.port).into()).await;
    let cs = azurite.connection_string().replace(
        &format!(":{}/", azurite.port),
        &format!(":{}/", proxy.addr.port()),
    );
    (app_at(&cs).await, proxy, azurite)
}

async fn outage_then_recovery(mode: Mode) {
    let (app, proxy, _azurite) = app_behind_proxy().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.pubsub.clear();

    proxy.set(mode);
    let response = app
        .send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM}),
        )
        .await;
    assert_eq!(response.status(), 503, "{mode:?}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "storeUnavailable");
    assert_eq!(
        app.get("/api/users", Some(&principal("x", "x")))
            .await
            .status(),
        503
    );
    assert_eq!(
        app.get("/api/getToken", Some(&principal("alice", "alice")))
            .await
            .status(),
        503
    );
    assert!(
        app.pubsub.calls().is_empty(),
        "nothing is sent while the store is down"
    );

    proxy.set(Mode::Up);
    assert_eq!(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM})
        )
        .await
        .status(),
        204
    );
    assert_eq!(app.pubsub.first_send_to_all()["chatEvent"], "chatCreated");
    let users: serde_json::Value = app
        .get("/api/users", Some(&principal("x", "x")))
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        users["users"].get("alice").is_some(),
        "the state from before the outage is there"
    );
}

#[tokio::test]
async fn an_unreachable_table_service_gets_503_with_nothing_sent_and_recovers_when_back() {
    outage_then_recovery(Mode::Down).await;
}

#[tokio::test]
async fn a_table_service_answering_5xx_gets_503_with_nothing_sent_and_recovers_when_back() {
    outage_then_recovery(Mode::Failing).await;
}

#[tokio::test]
async fn stopping_azurite_mid_run_gets_503_and_a_restarted_azurite_serves_again() {
    let mut azurite = Azurite::start().await;
    let app = app_on(&azurite).await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.pubsub.clear();
    azurite.stop().await;
    let response = app
        .send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM}),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert!(app.pubsub.calls().is_empty());
    assert_eq!(
        app.get("/api/users", Some(&principal("x", "x")))
            .await
            .status(),
        503,
        "honest about the outage, and still serving"
    );
    // Azurite comes back empty (it had not saved its tables); the store recreates them.
    azurite.restart().await;
    assert_eq!(
        app.send(
            "createChat",
            "a1",
            "alice",
            json!({"name": "Room", "id": ROOM})
        )
        .await
        .status(),
        204
    );
    assert_eq!(app.pubsub.first_send_to_all()["chatEvent"], "chatCreated");
}
