//! `spawn_app()`: `chatr serve`'s filter on a free port of 127.0.0.1, a fresh SQLite folder,
//! and a recording stand-in for the Web PubSub REST API. Dropping the app shuts it down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chatr::access_key::AccessKey;
use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::hub::HubName;
use chatr::functions::principal::ClientPrincipal;
use chatr::functions::App;
use chatr::pubsub::retry::RetryPolicy;
use chatr::store::embedded::EmbeddedStore;
use chatr::webhook::signature;
use tokio::sync::oneshot;

use super::recording_pubsub::RecordingPubSub;

/// The access key every test service uses.
pub const KEY: &str = "test-access-key-0123456789abcdefghijklmnop";

/// A running handler.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pubsub: RecordingPubSub,
    pub app: App,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Starts a handler for hub `chat` against a fresh recording stand-in.
pub async fn spawn_app() -> TestApp {
    let pubsub = RecordingPubSub::start(KEY).await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn_with(pubsub, data_dir).await
}

/// Starts a handler over an existing data folder (a restart).
pub async fn spawn_with(pubsub: RecordingPubSub, data_dir: tempfile::TempDir) -> TestApp {
    let store = Arc::new(EmbeddedStore::open(data_dir.path()).expect("store"));
    spawn_over(pubsub, data_dir, store).await
}

/// Starts a handler over any store.
pub async fn spawn_over(
    pubsub: RecordingPubSub,
    data_dir: tempfile::TempDir,
    store: chatr::store::SharedStore,
) -> TestApp {
    let service = WebPubSubConnectionString::parse(&format!(
        "Endpoint=http://127.0.0.1;Port={};AccessKey={KEY};Version=1.0;",
        pubsub.addr.port()
    ))
    .expect("connection string");
    let mut app = App::new(service, HubName::parse("chat").expect("hub"), store);
    // The sweep's calls would interleave with the calls a test checks; sweep tests run it by hand.
    app.sweep_interval = None;
    app.pubsub = app.pubsub.with_retry(RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(chatr::functions::run(listener, app.clone(), async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        pubsub,
        app,
        http: reqwest::Client::new(),
        data_dir,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// A principal header for a GitHub user.
pub fn principal(user_id: &str, name: &str) -> String {
    ClientPrincipal::encode("github", user_id, name, &["anonymous", "authenticated"])
}

/// A webhook request under construction.
pub struct Event {
    pub ce_type: String,
    pub event_name: String,
    pub connection: String,
    pub user: Option<String>,
    pub hub: String,
    pub signature: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Event {
    fn new(ce_type: String, event_name: &str, connection: &str, user: &str) -> Self {
        Self {
            ce_type,
            event_name: event_name.to_string(),
            connection: connection.to_string(),
            user: Some(user.to_string()),
            hub: "chat".into(),
            signature: Some(signature::sign(
                &AccessKey::new(KEY).expect("key"),
                connection,
            )),
            content_type: "application/json",
            body: b"{}".to_vec(),
        }
    }

    /// A system event (`connect`, `connected`, `disconnected`).
    pub fn system(name: &str, connection: &str, user: &str) -> Self {
        Self::new(
            format!("azure.webpubsub.sys.{name}"),
            name,
            connection,
            user,
        )
    }

    /// A user event with a JSON body.
    pub fn user(name: &str, connection: &str, user: &str, body: serde_json::Value) -> Self {
        let mut e = Self::new(
            format!("azure.webpubsub.user.{name}"),
            name,
            connection,
            user,
        );
        e.body = body.to_string().into_bytes();
        e
    }

    /// A user event with a text body.
    pub fn user_text(name: &str, connection: &str, user: &str, body: &str) -> Self {
        let mut e = Self::new(
            format!("azure.webpubsub.user.{name}"),
            name,
            connection,
            user,
        );
        e.content_type = "text/plain; charset=utf-8";
        e.body = body.as_bytes().to_vec();
        e
    }
}

impl Event {
    /// The webhook POST the service would make for this event to the handler at `base`.
    pub fn request(self, http: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        let mut req = http
            .post(format!("{base}/api/eventHandler"))
            .header("ce-specversion", "1.0")
            .header("ce-type", &self.ce_type)
            .header("ce-eventname", &self.event_name)
            .header("ce-connectionid", &self.connection)
            .header("ce-hub", &self.hub)
            .header("ce-awpsversion", "1.0")
            .header("webhook-request-origin", "127.0.0.1")
            .header("content-type", self.content_type)
            .body(self.body);
        if let Some(user) = &self.user {
            req = req.header("ce-userid", user);
        }
        if let Some(sig) = &self.signature {
            req = req.header("ce-signature", sig);
        }
        req
    }
}

impl TestApp {
    /// The handler's base URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts a webhook event as the service would.
    pub async fn post(&self, event: Event) -> reqwest::Response {
        event
            .request(&self.http, &format!("http://{}", self.addr))
            .send()
            .await
            .expect("webhook request")
    }

    /// `connected` then `userConnected` for a connection: a user arriving.
    pub async fn arrive(&self, connection: &str, user: &str) {
        assert_eq!(
            self.post(Event::system("connected", connection, user))
                .await
                .status(),
            204
        );
        assert_eq!(
            self.post(Event::user(
                "userConnected",
                connection,
                user,
                serde_json::json!({})
            ))
            .await
            .status(),
            204
        );
    }

    /// A user event from a connection, answered 204 when accepted.
    pub async fn send(
        &self,
        name: &str,
        connection: &str,
        user: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        let event = match body {
            serde_json::Value::String(text) => Event::user_text(name, connection, user, &text),
            other => Event::user(name, connection, user, other),
        };
        self.post(event).await
    }

    /// Signs in (records name and provider) and arrives on a connection.
    pub async fn sign_in_and_arrive(&self, connection: &str, user: &str) {
        self.get(
            "/api/getToken",
            Some(&principal(user, &format!("{user}-name"))),
        )
        .await;
        self.arrive(connection, user).await;
    }

    /// GET with an optional principal.
    pub async fn get(&self, path: &str, principal: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(p) = principal {
            req = req.header("x-ms-client-principal", p);
        }
        req.send().await.expect("GET")
    }

    /// Stops the server and waits for it, keeping the data folder for a restart.
    pub async fn stop(mut self) -> (RecordingPubSub, tempfile::TempDir) {
        self.shutdown_now().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = std::mem::replace(&mut self.data_dir, dir);
        (self.pubsub.clone(), data_dir)
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(10), server)
                .await
                .expect("server stops")
                .expect("server task");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The `actionRefused` answer to a refused user event (status 200), with its data decoded.
pub async fn refusal(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(
        response.status(),
        200,
        "a refused user event is answered 200"
    );
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["chatEvent"], "actionRefused");
    serde_json::from_str(body["data"].as_str().expect("data is a string")).expect("JSON string")
}
