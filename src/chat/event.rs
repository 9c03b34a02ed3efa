//! Client events as the original client sends them, parsed from the webhook body.

use crate::chat::outcome::{Reason, Refusal};

/// A user event's body as the service delivers it (`dataType` → content type).
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `text/plain`.
    Text(String),
    /// `application/json`.
    Json(serde_json::Value),
    /// `application/octet-stream`, or anything else.
    Binary(Vec<u8>),
}

impl Payload {
    /// Reads a body by its content type. A JSON body that does not parse is kept as binary
    /// so that the event, not the webhook, refuses it.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Self {
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match mime.as_str() {
            "application/json" => serde_json::from_slice(body)
                .map(Payload::Json)
                .unwrap_or_else(|_| Payload::Binary(body.to_vec())),
            "text/plain" => match std::str::from_utf8(body) {
                Ok(text) => Payload::Text(text.to_string()),
                Err(_) => Payload::Binary(body.to_vec()),
            },
            _ => Payload::Binary(body.to_vec()),
        }
    }
}

/// A user event the chat understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The original client's hello on socket open; its body (a self-declared name) is ignored.
    UserConnected,
}

impl ClientEvent {
    /// Parses event `name` with its payload, or says why not.
    pub fn parse(name: &str, _payload: &Payload) -> Result<Self, Refusal> {
        match name {
            "userConnected" => Ok(Self::UserConnected),
            other => Err(Refusal::new(
                other,
                Reason::UnknownEvent,
                format!(
                    "The server does not know the event \"{}\".",
                    truncate(other)
                ),
            )),
        }
    }
}

/// An event name cut short enough to quote back to a person.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_read_by_content_type() {
        assert_eq!(
            Payload::from_body(Some("text/plain; charset=utf-8"), b"hi"),
            Payload::Text("hi".into())
        );
        assert_eq!(
            Payload::from_body(Some("application/json"), br#"{"a":1}"#),
            Payload::Json(serde_json::json!({"a":1}))
        );
        assert_eq!(
            Payload::from_body(Some("application/json"), b"{oops"),
            Payload::Binary(b"{oops".to_vec())
        );
        assert_eq!(
            Payload::from_body(None, b"x"),
            Payload::Binary(b"x".to_vec())
        );
        assert_eq!(
            Payload::from_body(Some("text/plain"), &[0xff, 0xfe]),
            Payload::Binary(vec![0xff, 0xfe])
        );
    }

    #[test]
    fn user_connected_ignores_its_body() {
        let body =
            Payload::Json(serde_json::json!({"userName":"<b>mallory</b>","userProvider":"x"}));
        assert_eq!(
            ClientEvent::parse("userConnected", &body),
            Ok(ClientEvent::UserConnected)
        );
    }

    #[test]
    fn an_unknown_event_is_refused_with_unknown_event() {
        let refusal = ClientEvent::parse("launchMissiles", &Payload::Text(String::new()))
            .expect_err("refused");
        assert_eq!(refusal.reason, Reason::UnknownEvent);
        assert_eq!(refusal.action, "launchMissiles");
    }
}
