//! The emulator and the handler wired together in-process on free ports: the emulator's
//! webhooks go to the handler, the handler calls the emulator's REST API.

use std::sync::Arc;

use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::hub::HubName;
use chatr::emulator::config::{parse_access_key, EmulatorConfig};
use chatr::emulator::hub_key::HubKey;
use chatr::emulator::service::Emulator;
use chatr::emulator::DEFAULT_ACCESS_KEY;
use chatr::functions::App;
use chatr::store::embedded::EmbeddedStore;
use serde_json::Value;

use super::app::principal;
use super::server::{bind, Server};
use super::webhook::Event;
use super::ws_client::Client;

/// A running emulator + handler.
pub struct Stack {
    pub handler: Server,
    /// The handler's state (its store).
    pub app: App,
    /// The emulator's state (its registry of connections).
    pub emulator: Emulator,
    emulator_server: Option<Server>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Stack {
    /// Starts both on free ports of 127.0.0.1.
    pub async fn start() -> Self {
        let (handler_listener, emulator_listener) = (bind().await, bind().await);
        let handler_port = handler_listener.local_addr().expect("addr").port();
        let emulator_port = emulator_listener.local_addr().expect("addr").port();

        let config = EmulatorConfig::new(
            parse_access_key(DEFAULT_ACCESS_KEY).expect("key"),
            HubKey::new("chat"),
            format!("http://127.0.0.1:{handler_port}/api/eventHandler")
                .parse()
                .expect("url"),
        );
        let emulator = chatr::emulator::build(&config, emulator_port).expect("emulator");
        let service = WebPubSubConnectionString::parse(&emulator.connection_string())
            .expect("connection string");
        let dir = tempfile::tempdir().expect("dir");
        let store = Arc::new(EmbeddedStore::open(dir.path()).expect("store"));
        let app = App::new(service, HubName::parse("chat").expect("hub"), store).expect("app");
        let handler_app = app.clone();
        let handler = Server::start_on(handler_listener, |listener, shutdown| {
            chatr::functions::run(
                listener,
                handler_app,
                super::app::listener_limits(),
                None,
                shutdown,
            )
        });
        let state = emulator.clone();
        let emulator_server = Server::start_on(emulator_listener, |listener, shutdown| {
            chatr::emulator::run(listener, state, shutdown)
        });
        Self {
            handler,
            app,
            emulator,
            emulator_server: Some(emulator_server),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Stops the emulator (closing its sockets) and waits for it.
    pub async fn stop_emulator(&mut self) {
        if let Some(server) = self.emulator_server.take() {
            server.stop().await;
        }
    }

    /// Posts a webhook to the handler as the emulator would (signed with its key).
    pub async fn post(&self, event: Event) -> reqwest::Response {
        event
            .signed_with(DEFAULT_ACCESS_KEY)
            .request(&self.http, &self.handler.url())
            .send()
            .await
            .expect("webhook")
    }

    /// `/api/chats` as `user` sees it.
    pub async fn chats_as(&self, user: &str) -> Value {
        self.get_as(user, "/api/chats").await
    }

    /// A `GET` of the handler's `path` as `user`, answered with JSON.
    pub async fn get_as(&self, user: &str, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.handler.url()))
            .header(
                "x-ms-client-principal",
                principal(user, &format!("{user}-name")),
            )
            .send()
            .await
            .expect("chats")
            .json()
            .await
            .expect("JSON")
    }

    /// Signs in as `user` and opens a socket the way the original client does.
    pub async fn client(&self, user: &str) -> Client {
        let token: Value = self
            .http
            .get(format!("{}/api/getToken?userId={user}", self.handler.url()))
            .header(
                "x-ms-client-principal",
                principal(user, &format!("{user}-name")),
            )
            .send()
            .await
            .expect("getToken")
            .json()
            .await
            .expect("JSON");
        Client::connect(token["url"].as_str().expect("url"), user, user).await
    }
}
