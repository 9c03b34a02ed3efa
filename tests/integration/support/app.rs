//! `spawn_app()`: `chatr serve`'s handler on a free port of 127.0.0.1, a fresh SQLite folder
//! and a recording stand-in for the Web PubSub REST API, with a typed helper for every call
//! the tests make (chat events in `chat_events`). Dropping the app shuts it down.

use std::sync::Arc;
use std::time::Duration;

use chatr::chat::outcome::Versioned;
use chatr::chat::user::User;
use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::hub::HubName;
use chatr::config::limits::Limits;
use chatr::functions::principal::ClientPrincipal;
use chatr::functions::App;
use chatr::pubsub::retry::RetryPolicy;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::SharedStore;
use serde_json::{json, Value};

use super::answer::Answer;
use super::domain::{chat_id, uid};
use super::recording_pubsub::RecordingPubSub;
use super::server::Server;
use super::webhook::Event;

/// The access key every test service uses.
pub const KEY: &str = "test-access-key-0123456789abcdefghijklmnop";

/// A running handler.
pub struct TestApp {
    pub pubsub: RecordingPubSub,
    pub app: App,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    server: Server,
}

/// Starts a handler for hub `chat` over a fresh embedded store.
pub async fn spawn_app() -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn(RecordingPubSub::start(KEY).await, data_dir).await
}

/// Starts a handler whose users may hold at most `cap` connections.
pub async fn spawn_app_capped(cap: u32) -> TestApp {
    spawn_app_with(Limits {
        max_connections_per_user: std::num::NonZeroU32::new(cap),
        ..Limits::default()
    })
    .await
}

/// Starts a handler with these limits (the sweep stays off).
pub async fn spawn_app_with(limits: Limits) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(EmbeddedStore::open(data_dir.path()).expect("store"));
    let pubsub = RecordingPubSub::start(KEY).await;
    spawn_with(pubsub, data_dir, store, limits).await
}

/// Starts a handler for hub `chat` over any store.
pub async fn spawn_app_on(store: SharedStore) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn_over(RecordingPubSub::start(KEY).await, data_dir, store).await
}

/// The connection string of the recording stand-in.
pub fn connection_string(pubsub: &RecordingPubSub) -> String {
    format!(
        "Endpoint=http://127.0.0.1;Port={};AccessKey={KEY};Version=1.0;",
        pubsub.addr.port()
    )
}

async fn spawn(pubsub: RecordingPubSub, data_dir: tempfile::TempDir) -> TestApp {
    let store = Arc::new(EmbeddedStore::open(data_dir.path()).expect("store"));
    spawn_over(pubsub, data_dir, store).await
}

async fn spawn_over(
    pubsub: RecordingPubSub,
    data_dir: tempfile::TempDir,
    store: SharedStore,
) -> TestApp {
    spawn_with(pubsub, data_dir, store, Limits::default()).await
}

async fn spawn_with(
    pubsub: RecordingPubSub,
    data_dir: tempfile::TempDir,
    store: SharedStore,
    limits: Limits,
) -> TestApp {
    let service =
        WebPubSubConnectionString::parse(&connection_string(&pubsub)).expect("connection string");
    // The sweep's calls would interleave with the calls a test checks; sweep tests run it by hand.
    let mut app = App::new(service, HubName::parse("chat").expect("hub"), store)
        .expect("app")
        .with_limits(Limits {
            sweep_interval: None,
            ..limits
        });
    app.pubsub = app.pubsub.with_retry(RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    });
    let handler = app.clone();
    let server = Server::start(|listener, shutdown| {
        chatr::functions::run(listener, handler, listener_limits(), None, shutdown)
    })
    .await;
    TestApp {
        pubsub,
        app,
        http: reqwest::Client::new(),
        data_dir,
        server,
    }
}

/// A principal header for a GitHub user.
pub fn principal(user_id: &str, name: &str) -> String {
    ClientPrincipal::encode("github", user_id, name, &["anonymous", "authenticated"])
}

impl TestApp {
    /// A URL of the handler.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Stops the handler and starts another over the same data folder and stand-in.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            pubsub,
            app,
            data_dir,
            server,
            ..
        } = self;
        // The old handler lets go of the store before the new one opens it.
        drop(app);
        server.stop().await;
        spawn(pubsub, data_dir).await
    }

    /// Posts a webhook event as the service would.
    pub async fn post(&self, event: Event) -> reqwest::Response {
        event
            .request(&self.http, &self.server.url())
            .send()
            .await
            .expect("webhook request")
    }

    /// The `connected` system event of a connection.
    /// The blocking `connect` of a new connection.
    pub async fn connect(&self, connection: &str, user: &str) -> reqwest::Response {
        self.post(Event::system("connect", connection, user)).await
    }

    pub async fn connected(&self, connection: &str, user: &str) -> reqwest::Response {
        self.post(Event::system("connected", connection, user))
            .await
    }

    /// The `disconnected` system event of a connection.
    pub async fn disconnected(&self, connection: &str, user: &str) -> reqwest::Response {
        self.post(Event::system("disconnected", connection, user))
            .await
    }

    /// The `userConnected` user event the client sends once connected (its body is ignored).
    pub async fn user_connected(&self, connection: &str, user: &str) -> reqwest::Response {
        self.send("userConnected", connection, user, json!({}))
            .await
    }

    /// `connected` then `userConnected` for a connection, both accepted: a user arriving.
    pub async fn arrive(&self, connection: &str, user: &str) {
        self.connected(connection, user).await.assert_accepted();
        self.user_connected(connection, user)
            .await
            .assert_accepted();
    }

    /// Signs in (records the name `{user}-name` and the provider) and arrives.
    pub async fn sign_in_and_arrive(&self, connection: &str, user: &str) {
        self.sign_in(user, &format!("{user}-name")).await;
        self.arrive(connection, user).await;
    }

    /// A user event from a connection: a string body is sent as text, anything else as JSON.
    pub async fn send(
        &self,
        name: &str,
        connection: &str,
        user: &str,
        body: Value,
    ) -> reqwest::Response {
        let event = match body {
            Value::String(text) => Event::user_text(name, connection, user, &text),
            other => Event::user(name, connection, user, other),
        };
        self.post(event).await
    }

    /// GET with an optional principal header.
    async fn get(&self, path: &str, principal: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(p) = principal {
            req = req.header("x-ms-client-principal", p);
        }
        req.send().await.expect("GET")
    }

    /// `GET /api/getToken`.
    pub async fn get_token(&self, principal: Option<&str>) -> reqwest::Response {
        self.get("/api/getToken", principal).await
    }

    /// `GET /api/getToken?userId=…`, the query the original client sends.
    pub async fn get_token_asking_for(
        &self,
        user_id: &str,
        principal: Option<&str>,
    ) -> reqwest::Response {
        self.get(&format!("/api/getToken?userId={user_id}"), principal)
            .await
    }

    /// Fetches a token as a GitHub user, which records their name and provider.
    pub async fn sign_in(&self, user_id: &str, name: &str) {
        let response = self.get_token(Some(&principal(user_id, name))).await;
        assert_eq!(response.status(), 200, "getToken for {user_id}");
    }

    /// `GET /api/users`.
    pub async fn get_users(&self, principal: Option<&str>) -> reqwest::Response {
        self.get("/api/users", principal).await
    }

    /// `/api/users?<query>` (a search page) with an optional principal.
    pub async fn search_users(&self, query: &str, principal: Option<&str>) -> reqwest::Response {
        self.get(&format!("/api/users?{query}"), principal).await
    }

    /// `GET /api/chats`.
    pub async fn get_chats(&self, principal: Option<&str>) -> reqwest::Response {
        self.get("/api/chats", principal).await
    }

    /// The online users, as a signed-in viewer sees them.
    pub async fn users(&self) -> Value {
        let viewer = principal("viewer", "viewer");
        self.get_users(Some(&viewer)).await.json_with(200).await
    }

    /// The group chats, as a signed-in viewer sees them.
    pub async fn chats(&self) -> Value {
        let viewer = principal("viewer", "viewer");
        self.get_chats(Some(&viewer)).await.json_with(200).await
    }

    /// Whether a signed-in viewer sees the user online.
    pub async fn is_online(&self, user_id: &str) -> bool {
        self.users().await["users"].get(user_id).is_some()
    }

    /// The user ids of a chat's members, as the store holds them.
    pub async fn members(&self, chat: &str) -> Vec<String> {
        self.app
            .store
            .members_of(&chat_id(chat), None, usize::MAX)
            .await
            .expect("members")
            .into_iter()
            .map(|m| m.user.as_str().to_string())
            .collect()
    }

    /// A chat's member count as `/api/chats` lists it.
    pub async fn member_count(&self, chat: &str) -> u64 {
        let chats = self.chats().await;
        chats["chats"][chat]["memberCount"]
            .as_u64()
            .unwrap_or_else(|| panic!("{chat} is not listed: {chats}"))
    }

    /// A user as the store holds it.
    pub async fn stored_user(&self, id: &str) -> Versioned<User> {
        self.app
            .store
            .get_user(&uid(id))
            .await
            .expect("store")
            .expect("the user is stored")
    }
}

/// A test listener's limits: the defaults, a bound no test reaches.
pub fn listener_limits() -> chatr::listener::Limits {
    chatr::listener::Limits::with_max_connections(10_000)
}
