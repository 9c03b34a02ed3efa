//! `chatr dev` in-process on free ports, with the repository's `client/` and
//! `staticwebapp.config.json`, and clients that sign in through its `/.auth` form.

use std::path::Path;
use std::sync::Arc;

use chatr::config::hub::HubName;
use chatr::dev::swa_config::SwaConfig;
use chatr::dev::{DevSetup, Listeners};
use chatr::store::embedded::EmbeddedStore;
use serde_json::{json, Value};

use super::server::{bind, Server};
use super::ws_client::Client;

/// A running dev server.
pub struct Dev {
    pub base: String,
    data_dir: tempfile::TempDir,
    server: Server<std::io::Result<()>>,
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
        let setup = DevSetup {
            web_pubsub: None,
            hub: HubName::parse("chat").expect("hub"),
            store: Arc::new(EmbeddedStore::open(data_dir.path()).expect("store")),
            client_dir: root.join("client"),
            config,
            limits: chatr::config::limits::Limits::default(),
            extra_ca_pem: None,
            serving: chatr::config::serving::Serving::default(),
            descriptors: None,
            access_key: chatr::emulator::config::parse_access_key(
                chatr::emulator::DEFAULT_ACCESS_KEY,
            )
            .expect("key"),
            hosts: Vec::new(),
        };
        let (emulator, handler) = (bind().await, bind().await);
        let server = Server::start(|site, shutdown| {
            let listeners = Listeners {
                site,
                emulator: Some(emulator),
                handler,
            };
            chatr::dev::run(listeners, setup, shutdown)
        })
        .await;
        Self {
            base: server.url(),
            data_dir,
            server,
        }
    }

    /// Stops every part and waits; returns the data folder for a restart.
    pub async fn stop(self) -> tempfile::TempDir {
        self.server.stop().await.expect("a clean stop");
        self.data_dir
    }

    /// A URL of the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An HTTP client that keeps cookies and does not follow redirects.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A GET of the site by `browser`.
    pub async fn get(&self, browser: &reqwest::Client, path: &str) -> reqwest::Response {
        browser.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET /api/getToken` by `browser`, with a principal header of its own if given.
    pub async fn get_token(
        &self,
        browser: &reqwest::Client,
        principal_header: Option<&str>,
    ) -> reqwest::Response {
        let mut request = browser.get(self.url("/api/getToken"));
        if let Some(p) = principal_header {
            request = request.header("x-ms-client-principal", p);
        }
        request.send().await.expect("GET")
    }

    /// The group chats `browser` is shown.
    pub async fn chats(&self, browser: &reqwest::Client) -> Value {
        let response = self.get(browser, "/api/chats").await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON")
    }

    /// Signs in through the login form; returns the browser holding the cookie.
    pub async fn sign_in(&self, name: &str) -> reqwest::Client {
        let browser = Self::browser();
        let response = browser
            .post(self.url("/.auth/login/github"))
            .form(&[("userDetails", name), ("post_login_redirect_uri", "/")])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()["location"], "/");
        browser
    }

    /// `/.auth/me` as `browser` sees it.
    pub async fn me(&self, browser: &reqwest::Client) -> Value {
        self.get(browser, "/.auth/me")
            .await
            .json()
            .await
            .expect("JSON")
    }

    /// Signs in, fetches a token through the site, opens the socket and says hello; returns
    /// the client and the user id the site gave it.
    pub async fn client(&self, name: &str) -> (Client, String) {
        let browser = self.sign_in(name).await;
        let user_id = self.me(&browser).await["clientPrincipal"]["userId"]
            .as_str()
            .expect("userId")
            .to_string();
        let token: Value = self
            .get_token(&browser, None)
            .await
            .json()
            .await
            .expect("JSON");
        let url = token["url"].as_str().expect("url");
        let mut client = Client::connect(url, name, &user_id).await;
        client
            .user_connected(json!({"userName": name, "userProvider": "github"}))
            .await;
        client.user_online(&user_id).await;
        (client, user_id)
    }
}
