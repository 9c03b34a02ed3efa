//! The emulator and the handler wired together in-process on free ports: the emulator's
//! webhooks go to the handler, the handler calls the emulator's REST API. Plus a WebSocket
//! client speaking what the original chatr client sends.

use std::sync::Arc;
use std::time::Duration;

use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::hub::HubName;
use chatr::emulator::{EmulatorConfig, DEFAULT_ACCESS_KEY};
use chatr::functions::App;
use chatr::store::embedded::EmbeddedStore;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::spawn::principal;

/// A running emulator + handler.
pub struct Stack {
    pub handler: String,
    pub http: reqwest::Client,
    pub emulator: chatr::emulator::service::Emulator,
    _dir: tempfile::TempDir,
    stops: Vec<oneshot::Sender<()>>,
    pub emulator_task: Option<tokio::task::JoinHandle<()>>,
}

impl Stack {
    /// Starts both on free ports of 127.0.0.1.
    pub async fn start() -> Self {
        let handler_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let handler_port = handler_listener.local_addr().expect("addr").port();
        let emulator_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let emulator_port = emulator_listener.local_addr().expect("addr").port();

        let config = EmulatorConfig::new(
            DEFAULT_ACCESS_KEY,
            "chat",
            &format!("http://127.0.0.1:{handler_port}/api/eventHandler"),
            "*",
            "connected,disconnected",
        )
        .expect("config");
        let emulator = chatr::emulator::build(&config, emulator_port);
        let service = WebPubSubConnectionString::parse(&emulator.connection_string())
            .expect("connection string");
        let dir = tempfile::tempdir().expect("dir");
        let store = Arc::new(EmbeddedStore::open(dir.path()).expect("store"));
        let app = App::new(service, HubName::parse("chat").expect("hub"), store);

        let (stop_handler, handler_rx) = oneshot::channel::<()>();
        tokio::spawn(chatr::functions::run(handler_listener, app, async {
            let _ = handler_rx.await;
        }));
        let (stop_emulator, emulator_rx) = oneshot::channel::<()>();
        let emulator_task = tokio::spawn(chatr::emulator::run(
            emulator_listener,
            emulator.clone(),
            async {
                let _ = emulator_rx.await;
            },
        ));
        Self {
            handler: format!("http://127.0.0.1:{handler_port}"),
            http: reqwest::Client::new(),
            emulator,
            _dir: dir,
            stops: vec![stop_handler, stop_emulator],
            emulator_task: Some(emulator_task),
        }
    }

    /// Stops the emulator (closing its sockets) and waits for it.
    pub async fn stop_emulator(&mut self) {
        if let Some(stop) = self.stops.pop() {
            let _ = stop.send(());
        }
        if let Some(task) = self.emulator_task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("emulator stops")
                .expect("task");
        }
    }

    /// Signs in as `user` and opens a socket the way the original client does.
    pub async fn client(&self, user: &str) -> Client {
        let token: Value = self
            .http
            .get(format!("{}/api/getToken?userId={user}", self.handler))
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
        let url = token["url"]
            .as_str()
            .expect("url")
            .replace("localhost", "127.0.0.1");
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "json.webpubsub.azure.v1".parse().expect("header"),
        );
        let (ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "json.webpubsub.azure.v1"
        );
        let mut client = Client {
            ws,
            user: user.to_string(),
            connection_id: String::new(),
        };
        let connected = client.next().await;
        assert_eq!(connected["event"], "connected");
        assert_eq!(connected["userId"], user);
        client.connection_id = connected["connectionId"].as_str().expect("id").to_string();
        client
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for stop in self.stops.drain(..) {
            let _ = stop.send(());
        }
    }
}

/// A WebSocket client of the chat.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub user: String,
    pub connection_id: String,
}

impl Client {
    /// The next JSON frame (fails after 10 s).
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: no frame within 10 s", self.user))
                .expect("socket open")
                .expect("frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("JSON frame");
            }
        }
    }

    /// The next frame that satisfies `pred`, skipping others.
    pub async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// The next server message with this `chatEvent`.
    pub async fn chat_event(&mut self, event: &str) -> Value {
        self.until(|f| f["from"] == "server" && f["data"]["chatEvent"] == event)
            .await
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// Sends a user event as the original client does.
    pub async fn event(&mut self, name: &str, data_type: &str, data: Value) {
        self.send(json!({"type": "event", "event": name, "dataType": data_type, "data": data}))
            .await;
    }
}
