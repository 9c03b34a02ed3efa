//! `chatr dev` in-process on free ports, with the repository's `client/` and
//! `staticwebapp.config.json`, and clients that sign in through its `/.auth` form.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chatr::config::hub::HubName;
use chatr::dev::swa_config::SwaConfig;
use chatr::dev::{DevSetup, Listeners};
use chatr::store::embedded::EmbeddedStore;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::stack::Client;

/// A running dev server.
pub struct Dev {
    pub base: String,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Dev {
    /// Starts on free ports with a fresh data folder.
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().expect("dir")).await
    }

    /// Starts over an existing data folder (a restart).
    pub async fn start_in(data_dir: tempfile::TempDir) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = SwaConfig::parse(
            &std::fs::read_to_string(root.join("staticwebapp.config.json")).expect("config"),
        )
        .expect("parses");
        let bind = || async {
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind")
        };
        let listeners = Listeners {
            site: bind().await,
            emulator: Some(bind().await),
            handler: bind().await,
        };
        let base = format!(
            "http://127.0.0.1:{}",
            listeners.site.local_addr().expect("addr").port()
        );
        let setup = DevSetup {
            web_pubsub: None,
            hub: HubName::parse("chat").expect("hub"),
            store: Arc::new(EmbeddedStore::open(data_dir.path()).expect("store")),
            client_dir: root.join("client"),
            config,
        };
        let (stop, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(chatr::dev::run(listeners, setup, async {
            let _ = rx.await;
        }));
        Self {
            base,
            data_dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops every part and waits; returns the data folder for a restart.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(15), task)
                .await
                .expect("stops in time")
                .expect("task")
                .expect("clean stop");
        }
        std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("dir"))
    }

    /// An HTTP client that keeps cookies and does not follow redirects.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs in through the login form; returns the browser holding the cookie.
    pub async fn sign_in(&self, name: &str) -> reqwest::Client {
        let browser = Self::browser();
        let response = browser
            .post(format!("{}/.auth/login/github", self.base))
            .form(&[("userDetails", name), ("post_login_redirect_uri", "/")])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()["location"], "/");
        browser
    }

    /// The signed-in user's id, from `/.auth/me`.
    pub async fn me(&self, browser: &reqwest::Client) -> Value {
        browser
            .get(format!("{}/.auth/me", self.base))
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("JSON")
    }

    /// Signs in, fetches a token through the site, opens the socket and says hello.
    pub async fn client(&self, name: &str) -> (Client, String) {
        let browser = self.sign_in(name).await;
        let user_id = self.me(&browser).await["clientPrincipal"]["userId"]
            .as_str()
            .expect("userId")
            .to_string();
        let token: Value = browser
            .get(format!("{}/api/getToken", self.base))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("JSON");
        let mut request = token["url"]
            .as_str()
            .expect("url")
            .replace("localhost", "127.0.0.1")
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "json.webpubsub.azure.v1".parse().expect("header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        let mut client = Client {
            ws,
            user: name.to_string(),
            connection_id: String::new(),
        };
        let connected = client.next().await;
        assert_eq!(connected["userId"], user_id.as_str());
        client.connection_id = connected["connectionId"].as_str().expect("id").to_string();
        client
            .event(
                "userConnected",
                "json",
                serde_json::json!({"userName": name, "userProvider": "github"}),
            )
            .await;
        client
            .until(|f| {
                f["data"]["chatEvent"] == "userOnline"
                    && f["data"]["data"]
                        .as_str()
                        .is_some_and(|d| d.contains(&user_id))
            })
            .await;
        (client, user_id)
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
