//! The handler over Azure Table Storage (Azurite): the same chat, and honest outages: when
//! the table service goes away events get a 503 with nothing sent, and as soon as it is back
//! everything works again.

use std::sync::Arc;

use chatr::config::table_connection_string::TableConnectionString;
use chatr::store::table::TableStore;

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app_on, TestApp};
use crate::support::azurite::Azurite;
use crate::support::domain::ROOM;
use crate::support::tcp_proxy::{Mode, TcpProxy};

async fn app_on(azurite: &Azurite) -> TestApp {
    app_at(&azurite.connection_string()).await
}

async fn app_at(connection_string: &str) -> TestApp {
    let cs = TableConnectionString::parse(connection_string).expect("connection string");
    spawn_app_on(Arc::new(TableStore::connect(&cs).await.expect("connect"))).await
}

/// alice creates the room while the store is down: 503, with nothing sent.
async fn create_chat_is_refused_as_unavailable(app: &TestApp) {
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .store_unavailable()
        .await;
    assert!(
        app.pubsub.calls().is_empty(),
        "nothing is sent while the store is down"
    );
}

/// alice creates the room once the store is back: accepted and announced.
async fn create_chat_works_again(app: &TestApp) {
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .assert_accepted();
    assert_eq!(app.pubsub.first_send_to_all()["chatEvent"], "chatCreated");
}

#[tokio::test]
async fn the_chat_works_the_same_on_table_storage() {
    let azurite = Azurite::start().await;
    let app = app_on(&azurite).await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .assert_accepted();
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    assert_eq!(app.members(ROOM).await.len(), 2);
    assert_eq!(app.users().await["users"]["bob"]["userName"], "bob-name");
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
    create_chat_is_refused_as_unavailable(&app).await;
    let someone = principal("x", "x");
    assert_eq!(
        app.get_users(Some(&someone)).await.status(),
        503,
        "{mode:?}"
    );
    let alice = principal("alice", "alice");
    assert_eq!(app.get_token(Some(&alice)).await.status(), 503, "{mode:?}");
    assert!(
        app.pubsub.calls().is_empty(),
        "nothing is sent for the GETs"
    );

    proxy.set(Mode::Up);
    create_chat_works_again(&app).await;
    assert!(
        app.is_online("alice").await,
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
    create_chat_is_refused_as_unavailable(&app).await;
    assert_eq!(
        app.get_users(Some(&principal("x", "x"))).await.status(),
        503,
        "honest about the outage, and still serving"
    );
    // Azurite comes back empty (it had not saved its tables); the store recreates them.
    azurite.restart().await;
    create_chat_works_again(&app).await;
}

#[tokio::test]
async fn an_online_entry_another_instance_removed_is_written_again_by_the_next_event() {
    let azurite = Azurite::start().await;
    let app = app_on(&azurite).await;
    app.sign_in_and_arrive("a1", "alice").await;
    assert!(app.is_online("alice").await);
    // As if a racing instance removed it, then lost its write of the user row.
    azurite
        .table("userIndex")
        .partition_key_client("online")
        .entity_client("alice")
        .delete()
        .await
        .expect("delete the entry");
    assert!(!app.is_online("alice").await);
    // alice's next event changes nothing in her row, and still writes her entry as it is.
    app.send("userConnected", "a1", "alice", serde_json::json!("alice"))
        .await
        .assert_accepted();
    assert!(app.is_online("alice").await, "the entry is back");
}
