//! The JSON subprotocols' frames (`json.webpubsub.azure.v1` and, with sequence ids,
//! `json.reliable.webpubsub.azure.v1`): client frames parsed strictly, service frames built.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Largest client message the service takes (1 MiB); larger ones close with 1009.
pub const MAX_CLIENT_MESSAGE: usize = 1024 * 1024;

/// The non-reliable JSON subprotocol.
pub const JSON_V1: &str = "json.webpubsub.azure.v1";
/// The reliable JSON subprotocol.
pub const JSON_RELIABLE_V1: &str = "json.reliable.webpubsub.azure.v1";

/// How a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// No (known) subprotocol: frames are the messages themselves.
    Simple,
    /// `json.webpubsub.azure.v1`.
    Json,
    /// `json.reliable.webpubsub.azure.v1`.
    JsonReliable,
}

impl Protocol {
    /// Picks the first predefined subprotocol the client asked for (what the service does
    /// without a `connect` handler choosing).
    pub fn negotiate<'a>(requested: impl IntoIterator<Item = &'a str>) -> (Self, Option<&'a str>) {
        for p in requested {
            match p {
                JSON_V1 => return (Self::Json, Some(p)),
                JSON_RELIABLE_V1 => return (Self::JsonReliable, Some(p)),
                _ => {}
            }
        }
        (Self::Simple, None)
    }

    /// The subprotocol name, if any.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::Simple => None,
            Self::Json => Some(JSON_V1),
            Self::JsonReliable => Some(JSON_RELIABLE_V1),
        }
    }
}

/// A message's data with its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Json(Value),
    Text(String),
    Binary(Vec<u8>),
}

impl Data {
    /// `dataType` on the wire.
    pub fn data_type(&self) -> &'static str {
        match self {
            Self::Json(_) => "json",
            Self::Text(_) => "text",
            Self::Binary(_) => "binary",
        }
    }

    /// `data` on the wire: JSON inline, text as a string, binary as base64.
    pub fn to_wire(&self) -> Value {
        match self {
            Self::Json(v) => v.clone(),
            Self::Text(t) => Value::String(t.clone()),
            Self::Binary(b) => Value::String(STANDARD.encode(b)),
        }
    }

    /// The HTTP content type carrying this data upstream.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Json(_) => "application/json",
            Self::Text(_) => "text/plain; charset=utf-8",
            Self::Binary(_) => "application/octet-stream",
        }
    }

    /// The HTTP body carrying this data upstream.
    pub fn to_body(&self) -> Vec<u8> {
        match self {
            Self::Json(v) => v.to_string().into_bytes(),
            Self::Text(t) => t.clone().into_bytes(),
            Self::Binary(b) => b.clone(),
        }
    }

    /// Reads an HTTP body by its content type: `None` for an unsupported type, `Err` for JSON
    /// that does not parse. A missing content type is binary (as the service treats it).
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Option<Result<Self, String>> {
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        match mime.as_deref() {
            None | Some("application/octet-stream") => Some(Ok(Self::Binary(body.to_vec()))),
            Some("application/json") => Some(
                serde_json::from_slice(body)
                    .map(Self::Json)
                    .map_err(|e| e.to_string()),
            ),
            Some("text/plain") => Some(
                String::from_utf8(body.to_vec())
                    .map(Self::Text)
                    .map_err(|e| e.to_string()),
            ),
            Some(_) => None,
        }
    }

    fn from_wire(data_type: Option<&str>, data: Option<Value>) -> Result<Self, FrameError> {
        match (data_type.unwrap_or("json"), data) {
            ("json", Some(v)) => Ok(Self::Json(v)),
            ("json", None) => Ok(Self::Json(Value::Null)),
            ("text", Some(Value::String(s))) => Ok(Self::Text(s)),
            ("binary" | "protobuf", Some(Value::String(s))) => STANDARD
                .decode(s)
                .map(Self::Binary)
                .map_err(|_| FrameError::Invalid),
            _ => Err(FrameError::Invalid),
        }
    }
}

/// A frame from a client of a JSON subprotocol.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    JoinGroup {
        group: String,
        ack_id: Option<u64>,
    },
    LeaveGroup {
        group: String,
        ack_id: Option<u64>,
    },
    SendToGroup {
        group: String,
        ack_id: Option<u64>,
        no_echo: bool,
        data: Data,
    },
    Event {
        event: String,
        ack_id: Option<u64>,
        data: Data,
    },
    SequenceAck {
        sequence_id: u64,
    },
    Ping,
}

/// Why a client frame was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("The client message is not a valid JSON protocol message.")]
    Invalid,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFrame {
    #[serde(rename = "type")]
    kind: String,
    group: Option<String>,
    event: Option<String>,
    ack_id: Option<u64>,
    #[serde(default)]
    no_echo: bool,
    data_type: Option<String>,
    data: Option<Value>,
    sequence_id: Option<u64>,
}

/// Event names the service accepts (`^[a-z][a-z0-9_.-]{0,127}$`, any case).
fn valid_event_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// Group names: 1–1024 characters, not only whitespace.
pub fn valid_group_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 1024 && !name.trim().is_empty()
}

impl ClientFrame {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Self, FrameError> {
        let raw: RawFrame = serde_json::from_str(text).map_err(|_| FrameError::Invalid)?;
        let group = || {
            raw.group
                .clone()
                .filter(|g| valid_group_name(g))
                .ok_or(FrameError::Invalid)
        };
        match raw.kind.as_str() {
            "joinGroup" => Ok(Self::JoinGroup {
                group: group()?,
                ack_id: raw.ack_id,
            }),
            "leaveGroup" => Ok(Self::LeaveGroup {
                group: group()?,
                ack_id: raw.ack_id,
            }),
            "sendToGroup" => Ok(Self::SendToGroup {
                group: group()?,
                ack_id: raw.ack_id,
                no_echo: raw.no_echo,
                data: Data::from_wire(raw.data_type.as_deref(), raw.data)?,
            }),
            "event" => {
                let event = raw
                    .event
                    .filter(|e| valid_event_name(e))
                    .ok_or(FrameError::Invalid)?;
                Ok(Self::Event {
                    event,
                    ack_id: raw.ack_id,
                    data: Data::from_wire(raw.data_type.as_deref(), raw.data)?,
                })
            }
            "sequenceAck" => Ok(Self::SequenceAck {
                sequence_id: raw.sequence_id.ok_or(FrameError::Invalid)?,
            }),
            "ping" => Ok(Self::Ping),
            _ => Err(FrameError::Invalid),
        }
    }
}

/// Where a data message came from.
#[derive(Debug, Clone, PartialEq)]
pub enum From {
    /// Published to a group by a client (or by the REST API, with no user).
    Group {
        group: String,
        from_user_id: Option<String>,
    },
    /// Sent by the server (REST, or an event handler's response).
    Server,
}

/// `{"type":"message", …}` without a sequence id, as a JSON object.
pub fn message(from: &From, data: &Data) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("message"));
    match from {
        From::Group {
            group,
            from_user_id,
        } => {
            m.insert("from".into(), json!("group"));
            m.insert("group".into(), json!(group));
            m.insert("fromUserId".into(), json!(from_user_id));
        }
        From::Server => {
            m.insert("from".into(), json!("server"));
        }
    }
    m.insert("dataType".into(), json!(data.data_type()));
    m.insert("data".into(), data.to_wire());
    m
}

/// `{"type":"system","event":"connected", …}`.
pub fn connected(
    user_id: Option<&str>,
    connection_id: &str,
    reconnection_token: Option<&str>,
) -> String {
    let mut v = json!({"type": "system", "event": "connected", "userId": user_id, "connectionId": connection_id});
    if let Some(token) = reconnection_token {
        v["reconnectionToken"] = json!(token);
    }
    v.to_string()
}

/// `{"type":"system","event":"disconnected","message":…}`.
pub fn disconnected(message: &str) -> String {
    json!({"type": "system", "event": "disconnected", "message": message}).to_string()
}

/// An ack, successful or with an error name and message.
pub fn ack(ack_id: u64, error: Option<(&str, &str)>) -> String {
    match error {
        None => json!({"type": "ack", "ackId": ack_id, "success": true}).to_string(),
        Some((name, message)) => {
            json!({"type": "ack", "ackId": ack_id, "success": false, "error": {"name": name, "message": message}}).to_string()
        }
    }
}

/// `{"type":"pong"}`.
pub fn pong() -> String {
    json!({"type": "pong"}).to_string()
}

#[cfg(test)]
mod tests;
