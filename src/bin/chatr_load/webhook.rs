//! Requests to `chatr serve` as Web PubSub and a signed-in browser make them: webhooks with
//! CloudEvents headers and a `ce-signature` from `chatr::webhook::signature::sign`, and
//! `GET /api/chats` with an `x-ms-client-principal`; and what an answer means for the
//! figures (a refusal is a failure, with its reason).

use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use chatr::access_key::AccessKey;
use chatr::functions::principal::ClientPrincipal;
use chatr::webhook::signature;

use crate::chatr_load::serve::HUB;

/// How long one request may take (a burst queues up to a thousand behind one chat's lock).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The roles of the signed-in users.
const ROLES: [&str; 2] = ["anonymous", "authenticated"];

/// The handler's answer: status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// What an answer to an event means: 204 (or 200 without a refusal) is accepted; 200 with
/// `{"chatEvent":"actionRefused","data":"{\"reason\":…}"}` is refused, with its reason;
/// anything else failed, with its status.
pub fn verdict(answer: &Answer) -> Result<(), String> {
    match answer.status {
        204 => Ok(()),
        200 => match refusal_reason(&answer.body) {
            Some(reason) => Err(format!("refused: {reason}")),
            None => Ok(()),
        },
        status => Err(format!("HTTP {status}")),
    }
}

/// The reason of an `actionRefused` message, if the body is one.
fn refusal_reason(body: &[u8]) -> Option<String> {
    let message: serde_json::Value = serde_json::from_slice(body).ok()?;
    if message["chatEvent"] != "actionRefused" {
        return None;
    }
    let data: serde_json::Value = message["data"]
        .as_str()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    Some(data["reason"].as_str().unwrap_or("no reason").to_string())
}

/// A client of one `chatr serve`, signing with the key of its connection string.
pub struct Webhook {
    http: reqwest::Client,
    base: String,
    key: AccessKey,
}

impl Webhook {
    /// A client of the handler at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str, key: AccessKey) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            key,
        })
    }

    async fn post(
        &self,
        ce_type: &str,
        name: &str,
        connection: &str,
        user: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Answer, String> {
        let mut request = self
            .http
            .post(format!("{}/api/eventHandler", self.base))
            .header("ce-specversion", "1.0")
            .header("ce-type", ce_type)
            .header("ce-eventname", name)
            .header("ce-connectionid", connection)
            .header("ce-userid", user)
            .header("ce-hub", HUB)
            .header("ce-signature", signature::sign(&self.key, connection));
        request = match body {
            Some(value) => request
                .header("content-type", "application/json")
                .body(value.to_string()),
            None => request,
        };
        let response = request.send().await.map_err(without_url)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(without_url)?;
        Ok(Answer { status, body })
    }

    /// A system event (`connect`, `connected`, `disconnected`) for `user`'s `connection`.
    pub async fn system(&self, name: &str, connection: &str, user: &str) -> Result<Answer, String> {
        let ce_type = format!("azure.webpubsub.sys.{name}");
        self.post(&ce_type, name, connection, user, None).await
    }

    /// `connected`, which binds the connection to its user: accepted or not.
    pub async fn connected(&self, connection: &str, user: &str) -> Result<(), String> {
        verdict(&self.system("connected", connection, user).await?)
    }

    /// A user event with a JSON body from `user`'s `connection`: accepted or not.
    pub async fn user_event(
        &self,
        name: &str,
        connection: &str,
        user: &str,
        body: serde_json::Value,
    ) -> Result<(), String> {
        let ce_type = format!("azure.webpubsub.user.{name}");
        verdict(
            &self
                .post(&ce_type, name, connection, user, Some(body))
                .await?,
        )
    }

    /// `GET <path>` of the handler as `user`, signed in with GitHub: the status and the body.
    async fn get(&self, user: &str, path: &str) -> Result<Answer, reqwest::Error> {
        let principal = ClientPrincipal::encode("github", user, user, &ROLES);
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("x-ms-client-principal", principal)
            .send()
            .await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        Ok(Answer { status, body })
    }

    /// `GET /api/users?<query>` as `user`: answered 200 or not.
    pub async fn users(&self, user: &str, query: &str) -> Result<(), String> {
        let answer = self
            .get(user, &format!("/api/users?{query}"))
            .await
            .map_err(without_url)?;
        if answer.status == 200 {
            Ok(())
        } else {
            Err(format!("HTTP {}", answer.status))
        }
    }

    /// `GET /api/chats` as `user`.
    pub async fn chats(&self, user: &str) -> anyhow::Result<serde_json::Value> {
        let answer = self.get(user, "/api/chats").await?;
        anyhow::ensure!(
            answer.status == 200,
            "GET /api/chats answered {}",
            answer.status
        );
        Ok(serde_json::from_slice(&answer.body)?)
    }
}

/// A request error without its URL (the same for every request), so that failures of one
/// kind count as one reason.
fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {}", e.without_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn an_accepted_event_is_a_success() {
        assert_eq!(verdict(&answer(204, "")), Ok(()));
        assert_eq!(verdict(&answer(200, r#"{"groups":[]}"#)), Ok(()));
    }

    #[test]
    fn a_refusal_is_a_failure_with_its_reason() {
        let refused = r#"{"chatEvent":"actionRefused","data":"{\"action\":\"joinChat\",\"reason\":\"chatFull\",\"message\":\"Full.\"}"}"#;
        assert_eq!(
            verdict(&answer(200, refused)),
            Err("refused: chatFull".into())
        );
    }

    #[test]
    fn a_server_error_is_a_failure_with_its_status() {
        assert_eq!(
            verdict(&answer(503, r#"{"error":{}}"#)),
            Err("HTTP 503".into())
        );
        assert_eq!(verdict(&answer(401, "")), Err("HTTP 401".into()));
    }
}
