//! The Web PubSub data-plane REST client (`api-version=2024-01-01`): the operations the chat
//! needs, each signed with a server token whose `aud` is the full request URL, with a
//! timeout on every call and bounded, jittered retries on 429 and 5xx.

pub mod actions;
pub mod operations;
pub mod retry;

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::{Method, StatusCode};

use crate::chat::outcome::ServerMessage;
use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
use crate::http_client::HttpClientError;
use crate::pubsub::retry::{is_retryable, RetryPolicy};
use crate::token::{self, Claims};

/// The REST API version chatr speaks.
pub const API_VERSION: &str = "2024-01-01";
/// The timeout of one attempt.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Characters kept as they are in a path segment or query value (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub(crate) fn enc(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum PubSubError {
    #[error("{operation}: the service answered {status}")]
    Status {
        operation: &'static str,
        status: u16,
    },
    #[error("{operation}: {source}")]
    Transport {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
}

/// A permission the chat grants a connection on one group through the REST API (the
/// emulator's own view of what a client may do is `emulator::permissions::ClientPermission`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPermission {
    SendToGroup,
    JoinLeaveGroup,
}

impl GroupPermission {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SendToGroup => "sendToGroup",
            Self::JoinLeaveGroup => "joinLeaveGroup",
        }
    }
}

/// A client of one hub of one service.
#[derive(Clone)]
pub struct PubSubClient {
    http: reqwest::Client,
    service: WebPubSubConnectionString,
    hub: HubName,
    retry: RetryPolicy,
}

/// A request body and its content type.
pub(crate) enum Body {
    None,
    Json(Vec<u8>),
}

impl PubSubClient {
    /// A client for `hub` of `service`.
    pub fn new(service: WebPubSubConnectionString, hub: HubName) -> Result<Self, HttpClientError> {
        Ok(Self {
            http: Self::http(&[])?,
            service,
            hub,
            retry: RetryPolicy::default(),
        })
    }

    fn http(extra_roots: &[reqwest::Certificate]) -> Result<reqwest::Client, HttpClientError> {
        let builder = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .pool_idle_timeout(crate::listener::limits::CLIENT_POOL_IDLE);
        let builder = extra_roots
            .iter()
            .fold(builder, |b, c| b.add_root_certificate(c.clone()));
        Ok(builder.build()?)
    }

    /// The same client trusting the CA certificates of `pem` (one or more PEM blocks) besides
    /// the public roots: an HTTPS emulator's own certificate (`CHATR_EXTRA_CA_CERTS`).
    /// A bundle holding no certificate is refused (trusting nothing more is never what was meant).
    pub fn trusting(mut self, pem: &[u8]) -> Result<Self, HttpClientError> {
        let roots = reqwest::Certificate::from_pem_bundle(pem)?;
        if roots.is_empty() {
            return Err(HttpClientError::NoCertificate);
        }
        self.http = Self::http(&roots)?;
        Ok(self)
    }

    /// Replaces the retry policy (tests use short delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub(crate) fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!(
            "{}/api/hubs/{}{}?api-version={API_VERSION}",
            self.service.endpoint(),
            enc(self.hub.as_str()),
            path
        );
        for (k, v) in query {
            url.push('&');
            url.push_str(k);
            url.push('=');
            url.push_str(&enc(v));
        }
        url
    }

    /// Sends one request with retries; returns the final status.
    pub(crate) async fn call(
        &self,
        operation: &'static str,
        method: Method,
        url: String,
        body: Body,
    ) -> Result<StatusCode, PubSubError> {
        let mut attempt = 1;
        loop {
            let now = crate::clock::unix_now();
            let bearer = token::encode(
                &Claims::new(url.clone(), now, token::DEFAULT_LIFETIME_SECS),
                self.service.access_key(),
            );
            let mut req = self.http.request(method.clone(), &url).bearer_auth(bearer);
            req = match &body {
                Body::None => req.header(reqwest::header::CONTENT_LENGTH, 0),
                Body::Json(b) => req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone()),
            };
            let result = req.send().await;
            let retry = match &result {
                Ok(resp) => is_retryable(resp.status().as_u16()),
                Err(e) => e.is_timeout() || e.is_connect() || e.is_request(),
            };
            if retry && attempt < self.retry.attempts {
                let delay = self.retry.delay(attempt, fastrand::f64());
                match &result {
                    Ok(r) => tracing::warn!(
                        operation,
                        status = r.status().as_u16(),
                        attempt,
                        "retrying Web PubSub call"
                    ),
                    Err(e) => {
                        tracing::warn!(operation, error = %e, attempt, "retrying Web PubSub call")
                    }
                }
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return match result {
                Ok(resp) => Ok(resp.status()),
                Err(source) => {
                    tracing::error!(operation, error = %source, "Web PubSub call failed");
                    Err(PubSubError::Transport { operation, source })
                }
            };
        }
    }

    /// A call that must answer one of `ok`.
    pub(crate) async fn expect(
        &self,
        operation: &'static str,
        method: Method,
        url: String,
        body: Body,
        ok: &[u16],
    ) -> Result<(), PubSubError> {
        let status = self.call(operation, method, url, body).await?.as_u16();
        if ok.contains(&status) {
            Ok(())
        } else {
            tracing::error!(operation, status, "Web PubSub call refused");
            Err(PubSubError::Status { operation, status })
        }
    }

    pub(crate) fn json(message: &ServerMessage) -> Body {
        #[expect(
            clippy::expect_used,
            reason = "a message of strings always serialises to JSON"
        )]
        let body = serde_json::to_vec(message).expect("a JSON message");
        Body::Json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::model::ConnectionId;

    fn client() -> PubSubClient {
        let cs = WebPubSubConnectionString::parse(
            "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;",
        )
        .expect("valid");
        PubSubClient::new(cs, HubName::parse("chat").expect("valid")).expect("client")
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused() {
        assert!(matches!(
            client().trusting(b"not a certificate\n"),
            Err(HttpClientError::NoCertificate)
        ));
    }

    #[test]
    fn urls_carry_the_api_version_and_encode_segments() {
        let c = client();
        assert_eq!(
            c.url("/:send", &[]),
            "http://localhost:8080/api/hubs/chat/:send?api-version=2024-01-01"
        );
        assert_eq!(
            c.permission_url(GroupPermission::SendToGroup, &ConnectionId::parse("c 1").expect("valid"), "private_a_b"),
            "http://localhost:8080/api/hubs/chat/permissions/sendToGroup/connections/c%201?api-version=2024-01-01&targetName=private_a_b"
        );
    }
}
