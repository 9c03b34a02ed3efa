//! A recording stand-in for the Web PubSub REST API: it answers each call with the service's
//! success status (or a scripted failure) and keeps what it was sent, token audience included.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use bytes::Bytes;
use warp::http::{HeaderMap, Method, StatusCode};
use warp::Filter;

/// One call the handler made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path as sent (percent-encoded), without the query.
    pub path: String,
    /// Query string as sent.
    pub query: String,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// The `aud` claim of the bearer token.
    pub aud: String,
    /// The bearer token verified with the access key.
    pub token_valid: bool,
}

impl Call {
    /// The body as JSON (panics in tests when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The `data` of a chat message sent, decoded from its JSON string (`chatCreated`,
    /// `userOnline`, `joinPrivateChat`, …).
    pub fn chat_data(&self) -> serde_json::Value {
        let body = self.json();
        serde_json::from_str(body["data"].as_str().expect("data is a string")).expect("JSON")
    }

    /// `METHOD path` without the api-version, for compact assertions.
    pub fn line(&self) -> String {
        let query: Vec<&str> = self
            .query
            .split('&')
            .filter(|q| !q.starts_with("api-version=") && !q.is_empty())
            .collect();
        if query.is_empty() {
            format!("{} {}", self.method, self.path)
        } else {
            format!("{} {}?{}", self.method, self.path, query.join("&"))
        }
    }
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    dead: HashSet<String>,
    failures: VecDeque<u16>,
    /// Calls whose path contains this are recorded, then answered only once released.
    hold: Option<(String, tokio::sync::watch::Receiver<bool>)>,
    /// Told of every call recorded.
    recorded: Option<tokio::sync::watch::Sender<usize>>,
}

/// A hold on calls (`RecordingPubSub::hold`): they wait until this is released or dropped.
pub struct Hold(tokio::sync::watch::Sender<bool>);

impl Hold {
    /// Lets the held calls (and every later one) be answered.
    pub fn release(self) {
        let _ = self.0.send(true);
    }
}

/// The stand-in; clones share one record.
#[derive(Clone)]
pub struct RecordingPubSub {
    state: Arc<Mutex<State>>,
    pub addr: SocketAddr,
    key: String,
}

impl RecordingPubSub {
    /// The first call that sent to the whole hub (`POST …/:send`), as JSON.
    pub fn first_send_to_all(&self) -> serde_json::Value {
        self.calls()
            .iter()
            .find(|c| c.method == "POST" && c.path == "/api/hubs/chat/:send")
            .expect("a send to the whole hub")
            .json()
    }

    /// Starts on a free port of 127.0.0.1; stops when the test's runtime ends.
    pub async fn start(key: &str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = super::server::bind().await;
        let addr = listener.local_addr().expect("addr");
        let this = Self {
            state,
            addr,
            key: key.to_string(),
        };
        let filter_state = this.clone();
        let filter = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(
                move |method: Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: HeaderMap,
                      body: Bytes| {
                    let this = filter_state.clone();
                    async move {
                        let (response, held) =
                            this.answer(method, path.as_str(), query, &headers, body);
                        if let Some(mut released) = held {
                            let _ = released.wait_for(|r| *r).await;
                        }
                        response
                    }
                },
            );
        tokio::spawn(warp::serve(filter).incoming(listener).run());
        this
    }

    fn answer(
        &self,
        method: Method,
        path: &str,
        query: String,
        headers: &HeaderMap,
        body: Bytes,
    ) -> (
        warp::http::Response<String>,
        Option<tokio::sync::watch::Receiver<bool>>,
    ) {
        let bearer = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_string();
        let (aud, token_valid) = inspect_token(&bearer, &self.key);
        let call = Call {
            method: method.to_string(),
            path: path.to_string(),
            query,
            content_type: headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body,
            aud,
            token_valid,
        };
        let mut state = self.state.lock().expect("lock");
        let status = if let Some(code) = state.failures.pop_front() {
            code
        } else {
            success_status(&call, &state.dead)
        };
        let held = state
            .hold
            .as_ref()
            .filter(|(part, _)| call.path.contains(part.as_str()))
            .map(|(_, released)| released.clone());
        state.calls.push(call);
        if let Some(recorded) = &state.recorded {
            recorded.send_replace(state.calls.len());
        }
        let response = warp::http::Response::builder()
            .status(StatusCode::from_u16(status).expect("status"))
            .body(String::new())
            .expect("response");
        (response, held)
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().expect("lock").calls.clone()
    }

    /// Every call so far as `METHOD path?query` lines.
    pub fn lines(&self) -> Vec<String> {
        self.calls().iter().map(Call::line).collect()
    }

    /// Forgets the calls so far.
    pub fn clear(&self) {
        self.state.lock().expect("lock").calls.clear();
    }

    /// Makes `HEAD /connections/{id}` answer 404 for this connection.
    pub fn mark_dead(&self, connection: &str) {
        self.state
            .lock()
            .expect("lock")
            .dead
            .insert(connection.to_string());
    }

    /// Holds the calls whose path contains `path_part` (recorded at once, answered on release).
    pub fn hold(&self, path_part: &str) -> Hold {
        let (release, released) = tokio::sync::watch::channel(false);
        self.state.lock().expect("lock").hold = Some((path_part.to_string(), released));
        Hold(release)
    }

    /// Waits until a call recorded so far satisfies `wanted`.
    pub async fn wait_for_call(&self, wanted: impl Fn(&Call) -> bool) {
        let mut recorded = {
            let mut state = self.state.lock().expect("lock");
            let (tx, rx) = tokio::sync::watch::channel(state.calls.len());
            state.recorded = Some(tx);
            rx
        };
        loop {
            if self.calls().iter().any(&wanted) {
                return;
            }
            recorded.changed().await.expect("the stand-in is running");
        }
    }

    /// Answers the next calls with these statuses, in order.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.state
            .lock()
            .expect("lock")
            .failures
            .extend(statuses.iter().copied());
    }
}

/// The status the real service answers a successful call with (swagger 2024-01-01).
fn success_status(call: &Call, dead: &HashSet<String>) -> u16 {
    match call.method.as_str() {
        "POST" => 202,
        "PUT" => 200,
        "DELETE" => 204,
        "HEAD" => {
            let id = call.path.rsplit('/').next().unwrap_or_default();
            if dead.contains(id) {
                404
            } else {
                200
            }
        }
        _ => 405,
    }
}

/// Reads `aud` from a bearer token and checks its HS256 signature with `key`.
fn inspect_token(token: &str, key: &str) -> (String, bool) {
    use hmac::Mac;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return (String::new(), false);
    }
    let claims: serde_json::Value = b64
        .decode(parts[1])
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    let valid = b64
        .decode(parts[2])
        .map(|sig| mac.verify_slice(&sig).is_ok())
        .unwrap_or(false);
    (
        claims["aud"].as_str().unwrap_or_default().to_string(),
        valid,
    )
}
