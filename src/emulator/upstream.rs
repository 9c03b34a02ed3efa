//! The upstream: CloudEvents over HTTP to the hub's event handler, exactly as the service
//! sends them, after the abuse-protection `OPTIONS` handshake on first use of each URL.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;

use crate::access_key::AccessKey;
use crate::emulator::config::EventHandlerConfig;
use crate::emulator::hub_key::HubKey;
use crate::http_client::HttpClientError;
use crate::webhook::signature;

/// How long the emulator waits for the event handler.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(20);

/// One event to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Connect,
    Connected,
    Disconnected,
    User(String),
}

impl EventKind {
    fn name(&self) -> &str {
        match self {
            Self::Connect => "connect",
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::User(n) => n,
        }
    }

    fn ce_type(&self) -> String {
        match self {
            Self::User(n) => format!("azure.webpubsub.user.{n}"),
            other => format!("azure.webpubsub.sys.{}", other.name()),
        }
    }
}

/// What the event is about.
#[derive(Debug, Clone)]
pub struct EventRequest {
    pub kind: EventKind,
    pub hub: HubKey,
    pub connection_id: String,
    pub user_id: Option<String>,
    pub subprotocol: Option<String>,
    pub connection_state: Option<String>,
    /// Per-connection counter (`connect` is 0).
    pub id: u64,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The event handler's answer.
#[derive(Debug, Clone)]
pub struct EventResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// A new `ce-connectionState`, when the handler set one.
    pub connection_state: Option<String>,
}

/// Why an event could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the event handler at {0} did not pass abuse protection")]
    NotValidated(String),
    #[error("the event handler could not be reached: {0}")]
    Transport(String),
    #[error("no event handler is configured for hub {0}")]
    NoHandler(HubKey),
}

/// Whether the `WebHook-Allowed-Origin` answers (header lines, each possibly a comma-separated
/// list) allow `host`: `*`, the bare host (what is sent, and what the .NET SDK compares), or the
/// host with the emulator's `port` (what `@azure/web-pubsub-express` answers for an
/// `allowedEndpoints` entry: `new URL(endpoint).host`), in any case.
pub fn origin_allowed<'a>(
    answers: impl IntoIterator<Item = &'a str>,
    host: &str,
    port: Option<u16>,
) -> bool {
    let with_port = port.map(|p| format!("{host}:{p}"));
    answers
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|o| {
            o == "*"
                || o.eq_ignore_ascii_case(host)
                || with_port
                    .as_deref()
                    .is_some_and(|h| o.eq_ignore_ascii_case(h))
        })
}

/// The event handler client of one emulator.
pub struct Upstream {
    http: reqwest::Client,
    handler: Option<EventHandlerConfig>,
    key: AccessKey,
    /// `WebHook-Request-Origin`: the host of the emulator's endpoint.
    origin: String,
    /// The emulator's port: an answer naming the host with it is allowed too.
    port: Option<u16>,
    validated: Mutex<HashSet<String>>,
}

impl Upstream {
    /// An upstream for `handler` (none: no hub has an event handler).
    pub fn new(
        handler: Option<EventHandlerConfig>,
        key: AccessKey,
        origin: String,
        port: Option<u16>,
    ) -> Result<Self, HttpClientError> {
        let http = reqwest::Client::builder()
            .timeout(UPSTREAM_TIMEOUT)
            .pool_idle_timeout(crate::listener::limits::CLIENT_POOL_IDLE)
            .build()?;
        Ok(Self {
            http,
            handler,
            key,
            origin,
            port,
            validated: Mutex::new(HashSet::new()),
        })
    }

    /// True when an event handler is configured for `hub` at all.
    pub fn serves(&self, hub: &HubKey) -> bool {
        self.handler.as_ref().is_some_and(|h| h.hub == *hub)
    }

    /// Whether this event of this hub goes upstream.
    pub fn handles(&self, hub: &HubKey, kind: &EventKind) -> bool {
        let Some(h) = self.handler.as_ref().filter(|h| h.hub == *hub) else {
            return false;
        };
        match kind {
            EventKind::Connect => h.system_events.connect,
            EventKind::Connected => h.system_events.connected,
            EventKind::Disconnected => h.system_events.disconnected,
            EventKind::User(name) => h.user_events.includes(name),
        }
    }

    fn url(&self, hub: &HubKey, kind: &EventKind) -> Option<String> {
        self.handler
            .as_ref()
            .map(|h| h.url_template.fill(hub, kind.name()))
    }

    /// The abuse-protection handshake, once per URL until it succeeds.
    async fn validate(&self, url: &str) -> Result<(), UpstreamError> {
        if self
            .validated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(url)
        {
            return Ok(());
        }
        let mut ok = self.handshake(Method::OPTIONS, url).await?;
        if ok.is_none() {
            ok = self.handshake(Method::GET, url).await?; // OPTIONS answered 404: the runtime tries GET
        }
        if ok == Some(true) {
            self.validated
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(url.to_string());
            Ok(())
        } else {
            tracing::warn!(
                url,
                "the event handler refused the abuse-protection handshake"
            );
            Err(UpstreamError::NotValidated(url.to_string()))
        }
    }

    /// `Some(allowed)`, or `None` when the method was not found (404).
    async fn handshake(&self, method: Method, url: &str) -> Result<Option<bool>, UpstreamError> {
        let response = self
            .http
            .request(method, url)
            .header("WebHook-Request-Origin", &self.origin)
            .header("ce-awpsversion", "1.0")
            .send()
            .await
            .map_err(|e| UpstreamError::Transport(e.to_string()))?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        let answers = response.headers().get_all("webhook-allowed-origin");
        let allowed = origin_allowed(
            answers.iter().filter_map(|v| v.to_str().ok()),
            &self.origin,
            self.port,
        );
        Ok(Some(response.status().is_success() && allowed))
    }

    fn headers(&self, req: &EventRequest) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_bytes(value.as_bytes()) {
                h.insert(HeaderName::from_static(name), v);
            }
        };
        let hub = req.hub.as_str();
        put("webhook-request-origin", &self.origin);
        put("ce-specversion", "1.0");
        put("ce-type", &req.kind.ce_type());
        put(
            "ce-source",
            &format!("/hubs/{hub}/client/{}", req.connection_id),
        );
        put("ce-id", &req.id.to_string());
        put("ce-time", &crate::clock::rfc3339(crate::clock::unix_now()));
        put(
            "ce-signature",
            &signature::sign(&self.key, &req.connection_id),
        );
        put("ce-connectionid", &req.connection_id);
        put("ce-hub", hub);
        put("ce-eventname", req.kind.name());
        put("ce-awpsversion", "1.0");
        if let Some(u) = &req.user_id {
            put("ce-userid", u);
        }
        if let (Some(p), false) = (&req.subprotocol, req.kind == EventKind::Connect) {
            put("ce-subprotocol", p);
        }
        if let Some(s) = &req.connection_state {
            put("ce-connectionstate", s);
        }
        put("content-type", &req.content_type);
        h
    }

    /// Delivers an event and returns the handler's answer.
    pub async fn send(&self, req: &EventRequest) -> Result<EventResponse, UpstreamError> {
        let Some(url) = self.url(&req.hub, &req.kind) else {
            return Err(UpstreamError::NoHandler(req.hub.clone()));
        };
        self.validate(&url).await?;
        let response = self
            .http
            .post(&url)
            .headers(self.headers(req))
            .body(req.body.clone())
            .send()
            .await
            .map_err(|e| UpstreamError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE.as_str());
        let connection_state = header("ce-connectionstate");
        let body = response
            .bytes()
            .await
            .map_err(|e| UpstreamError::Transport(e.to_string()))?;
        Ok(EventResponse {
            status,
            content_type,
            body,
            connection_state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn the_origin_is_allowed_by_star_the_host_or_the_host_with_the_emulators_port() {
        let allowed =
            |answers: &[&str]| origin_allowed(answers.iter().copied(), "localhost", Some(8080));
        assert!(allowed(&["*"]));
        assert!(allowed(&["localhost"]));
        assert!(
            allowed(&["LocalHost:8080"]),
            "express answers the host with the port"
        );
        assert!(
            allowed(&["example.com", "localhost:8080"]),
            "one header line each"
        );
        assert!(
            allowed(&["example.com, localhost"]),
            "or a comma-separated list"
        );
        assert!(
            !allowed(&["localhost:8081"]),
            "another port is another origin"
        );
        assert!(!allowed(&["example.com"]));
        assert!(!allowed(&[]));
        assert!(!origin_allowed(["localhost:8080"], "localhost", None));
    }
}
