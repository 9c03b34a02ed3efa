//! What the event handler logs when the store fails: the cause, inside the event's span; and
//! a `connect` that does not wait for ever on the user's events in flight.

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};

use super::*;
use crate::chat::member::Member;
use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::ChatId;
use crate::chat::outcome::{Change, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
use crate::functions::route::RouteParams;
use crate::store::{Binding, Store, StoreError};

const KEY: &str = "test-access-key-0123456789abcdefghijklmnop";

/// A store whose every call fails with the same cause.
struct Down;

fn down<T>() -> Result<T, StoreError> {
    Err(StoreError::Unavailable("disk on fire at /data/chat".into()))
}

#[async_trait]
impl Store for Down {
    async fn get_user(&self, _: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        down()
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        down()
    }
    async fn online_users(&self, _: usize) -> Result<Vec<User>, StoreError> {
        down()
    }
    async fn search_users(
        &self,
        _: &str,
        _: Option<&str>,
        _: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        down()
    }
    async fn get_binding(&self, _: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        down()
    }
    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        down()
    }
    async fn get_chat(&self, _: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        down()
    }
    async fn list_chats(&self, _: Option<&ChatId>, _: usize) -> Result<Vec<Chat>, StoreError> {
        down()
    }
    async fn get_member(&self, _: &ChatId, _: &UserId) -> Result<Option<Member>, StoreError> {
        down()
    }
    async fn chats_of(&self, _: &UserId) -> Result<Vec<ChatId>, StoreError> {
        down()
    }
    async fn count_chats_of(&self, _: &UserId, _: usize) -> Result<usize, StoreError> {
        down()
    }
    async fn members_of(
        &self,
        _: &ChatId,
        _: Option<&UserId>,
        _: usize,
    ) -> Result<Vec<Member>, StoreError> {
        down()
    }
    async fn purge_deleted(&self, _: usize) -> Result<usize, StoreError> {
        down()
    }
    async fn get_message(
        &self,
        _: &ChatId,
        _: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        down()
    }
    async fn message_by_client(
        &self,
        _: &ChatId,
        _: &UserId,
        _: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        down()
    }
    async fn messages_before(
        &self,
        _: &ChatId,
        _: Option<&MessageId>,
        _: usize,
    ) -> Result<Vec<Message>, StoreError> {
        down()
    }
    async fn messages_after(
        &self,
        _: &ChatId,
        _: &MessageId,
        _: usize,
    ) -> Result<Vec<Message>, StoreError> {
        down()
    }
    async fn read_cursors(&self, _: &UserId) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
        down()
    }
    async fn purge_older(&self, _: &MessageId, _: usize) -> Result<usize, StoreError> {
        down()
    }
    async fn apply(&self, _: &[Change]) -> Result<(), StoreError> {
        down()
    }
}

/// Log lines written while the guard lives, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

fn signed_event(event: &str, connection: &str, user: &str) -> Request {
    let key = crate::access_key::AccessKey::new(KEY).expect("key");
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        headers.insert(name, HeaderValue::from_str(value).expect("header"));
    };
    put("ce-specversion", "1.0");
    put("ce-type", &format!("azure.webpubsub.user.{event}"));
    put("ce-eventname", event);
    put("ce-connectionid", connection);
    put("ce-userid", user);
    put("ce-hub", "chat");
    put(
        "ce-signature",
        &crate::webhook::signature::sign(&key, connection),
    );
    put("content-type", "application/json");
    Request {
        method: Method::POST,
        headers,
        body: Bytes::from_static(br#"{"name":"Room","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}"#),
        params: RouteParams::default(),
        query: Vec::new(),
    }
}

#[tokio::test]
async fn a_store_failure_is_a_503_whose_cause_is_logged_with_the_event_it_belongs_to() {
    let service = WebPubSubConnectionString::parse(&format!(
        "Endpoint=http://127.0.0.1;Port=9;AccessKey={KEY};Version=1.0;"
    ))
    .expect("connection string");
    let app = App::new(
        service,
        HubName::parse("chat").expect("hub"),
        Arc::new(Down),
    )
    .expect("app");
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let answer = handle(&app, signed_event("createChat", "conn-1", "alice")).await;

    let Err(error) = answer else {
        panic!("a store failure is an error")
    };
    assert_eq!(error.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error.to_string(), "the state store is unavailable");
    let text = log.text();
    let line = text
        .lines()
        .find(|l| l.contains("the store failed"))
        .unwrap_or_else(|| panic!("no store failure logged in:\n{text}"));
    for part in [
        "disk on fire at /data/chat",
        "hub=chat",
        "connection_id=conn-1",
        "user_id=alice",
        "event=createChat",
    ] {
        assert!(line.contains(part), "{part} missing from: {line}");
    }
}

#[tokio::test(start_paused = true)]
async fn connect_is_answered_even_while_the_users_events_hold_their_lock() {
    let dir = tempfile::tempdir().expect("dir");
    let store = crate::store::embedded::EmbeddedStore::open(dir.path()).expect("store");
    let service = WebPubSubConnectionString::parse(&format!(
        "Endpoint=http://127.0.0.1;Port=9;AccessKey={KEY};Version=1.0;"
    ))
    .expect("connection string");
    let mut app = App::new(
        service,
        HubName::parse("chat").expect("hub"),
        Arc::new(store),
    )
    .expect("app");
    app.max_connections_per_user = None;
    let alice = UserId::parse("alice").expect("id");
    let _in_flight = app.user_locks.lock(["alice"]).await;
    let began = tokio::time::Instant::now();
    let answer = tokio::time::timeout(CONNECT_WAIT * 2, connect(&app, Some(alice)))
        .await
        .expect("answered without waiting for the lock")
        .expect("answered");
    assert_eq!(answer.status(), http::StatusCode::NO_CONTENT);
    assert!(
        began.elapsed() >= CONNECT_WAIT,
        "after the wait, not before"
    );
}
