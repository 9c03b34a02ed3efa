//! The Web PubSub data-plane REST client (`api-version=2024-01-01`): the operations the chat
//! needs, each signed with a server token whose `aud` is the full request URL, with a
//! timeout on every call and bounded, jittered retries on 429 and 5xx.

pub mod retry;

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::{Method, StatusCode};

use crate::chat::model::{ConnectionId, UserId};
use crate::chat::outcome::{Action, ServerMessage};
use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
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

fn enc(s: &str) -> String {
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

/// A permission a connection can be granted on one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    SendToGroup,
    JoinLeaveGroup,
}

impl Permission {
    fn as_str(self) -> &'static str {
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
enum Body {
    None,
    Json(Vec<u8>),
}

impl PubSubClient {
    /// A client for `hub` of `service`.
    pub fn new(service: WebPubSubConnectionString, hub: HubName) -> Self {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self {
            http,
            service,
            hub,
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy (tests use short delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
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
    async fn call(
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
    async fn expect(
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

    fn json(message: &ServerMessage) -> Body {
        Body::Json(serde_json::to_vec(message).unwrap_or_default())
    }

    /// `POST /:send`: to every connection of the hub.
    pub async fn send_to_all(&self, message: &ServerMessage) -> Result<(), PubSubError> {
        let url = self.url("/:send", &[]);
        self.expect("sendToAll", Method::POST, url, Self::json(message), &[202])
            .await
    }

    /// `POST /users/{id}/:send`: to every connection of a user.
    pub async fn send_to_user(
        &self,
        user: &UserId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let url = self.url(&format!("/users/{}/:send", enc(user.as_str())), &[]);
        self.expect("sendToUser", Method::POST, url, Self::json(message), &[202])
            .await
    }

    /// `POST /connections/{id}/:send`: to one connection.
    pub async fn send_to_connection(
        &self,
        connection: &ConnectionId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!("/connections/{}/:send", enc(connection.as_str())),
            &[],
        );
        self.expect(
            "sendToConnection",
            Method::POST,
            url,
            Self::json(message),
            &[202],
        )
        .await
    }

    /// `POST /groups/{group}/:send` of a plain-text notice, sent as a JSON string the way
    /// the original server's SDK sent it (members get `dataType: json` with a string).
    pub async fn send_text_to_group(&self, group: &str, text: &str) -> Result<(), PubSubError> {
        let url = self.url(&format!("/groups/{}/:send", enc(group)), &[]);
        let body = Body::Json(serde_json::to_vec(text).unwrap_or_default());
        self.expect("sendToGroup", Method::POST, url, body, &[202])
            .await
    }

    /// `PUT /groups/{group}/connections/{id}`.
    pub async fn add_connection_to_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!(
                "/groups/{}/connections/{}",
                enc(group),
                enc(connection.as_str())
            ),
            &[],
        );
        self.expect("addConnectionToGroup", Method::PUT, url, Body::None, &[200])
            .await
    }

    /// `DELETE /groups/{group}/connections/{id}`.
    pub async fn remove_connection_from_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!(
                "/groups/{}/connections/{}",
                enc(group),
                enc(connection.as_str())
            ),
            &[],
        );
        self.expect(
            "removeConnectionFromGroup",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }

    fn permission_url(
        &self,
        permission: Permission,
        connection: &ConnectionId,
        group: &str,
    ) -> String {
        self.url(
            &format!(
                "/permissions/{}/connections/{}",
                permission.as_str(),
                enc(connection.as_str())
            ),
            &[("targetName", group)],
        )
    }

    /// `PUT /permissions/{permission}/connections/{id}?targetName={group}`.
    pub async fn grant_permission(
        &self,
        permission: Permission,
        connection: &ConnectionId,
        group: &str,
    ) -> Result<(), PubSubError> {
        let url = self.permission_url(permission, connection, group);
        self.expect("grantPermission", Method::PUT, url, Body::None, &[200])
            .await
    }

    /// `DELETE /permissions/{permission}/connections/{id}?targetName={group}`.
    pub async fn revoke_permission(
        &self,
        permission: Permission,
        connection: &ConnectionId,
        group: &str,
    ) -> Result<(), PubSubError> {
        let url = self.permission_url(permission, connection, group);
        self.expect(
            "revokePermission",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }

    /// `HEAD /connections/{id}`: whether the connection is still open.
    pub async fn connection_exists(&self, connection: &ConnectionId) -> Result<bool, PubSubError> {
        let url = self.url(&format!("/connections/{}", enc(connection.as_str())), &[]);
        let operation = "connectionExists";
        match self
            .call(operation, Method::HEAD, url, Body::None)
            .await?
            .as_u16()
        {
            200 => Ok(true),
            404 => Ok(false),
            status => Err(PubSubError::Status { operation, status }),
        }
    }

    /// `DELETE /connections/{id}`: closes a connection.
    pub async fn close_connection(
        &self,
        connection: &ConnectionId,
        reason: &str,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!("/connections/{}", enc(connection.as_str())),
            &[("reason", reason)],
        );
        self.expect(
            "closeConnection",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }

    /// Runs the actions of an outcome in order. Every action is attempted; the first
    /// failure is returned after the rest have run (the state is already stored).
    pub async fn run(&self, actions: &[Action]) -> Result<(), PubSubError> {
        let mut first_error = None;
        for action in actions {
            let result = match action {
                Action::SendToAll(m) => self.send_to_all(m).await,
                Action::SendToConnection(c, m) => self.send_to_connection(c, m).await,
            };
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> PubSubClient {
        let cs = WebPubSubConnectionString::parse(
            "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;",
        )
        .expect("valid");
        PubSubClient::new(cs, HubName::parse("chat").expect("valid"))
    }

    #[test]
    fn urls_carry_the_api_version_and_encode_segments() {
        let c = client();
        assert_eq!(
            c.url("/:send", &[]),
            "http://localhost:8080/api/hubs/chat/:send?api-version=2024-01-01"
        );
        assert_eq!(
            c.permission_url(Permission::SendToGroup, &ConnectionId::parse("c 1").expect("valid"), "private_a_b"),
            "http://localhost:8080/api/hubs/chat/permissions/sendToGroup/connections/c%201?api-version=2024-01-01&targetName=private_a_b"
        );
    }
}
