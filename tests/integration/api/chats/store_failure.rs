//! A store that cannot write: the event gets a 5xx and nothing is sent.

use std::sync::Arc;

use chatr::store::embedded::EmbeddedStore;

use crate::support::answer::Answer;
use crate::support::app::spawn_app_on;
use crate::support::domain::ROOM;
use crate::support::failing_store::FailingWrites;

#[tokio::test]
async fn when_storing_fails_the_event_gets_a_503_and_nothing_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let store = FailingWrites::always(EmbeddedStore::open(dir.path()).expect("store"));
    let app = spawn_app_on(Arc::new(store)).await;
    let body = app
        .create_chat("a1", "alice", ROOM, "Room")
        .await
        .store_unavailable()
        .await;
    assert!(
        !body.to_string().contains("disk on fire"),
        "causes are logged, never sent"
    );
    assert!(app.pubsub.calls().is_empty());
}
