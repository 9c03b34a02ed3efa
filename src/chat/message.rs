//! A chat message as the server keeps it, and the typed values it is made of: a time-ordered
//! id, text within the limits, the sender's idempotency key. Parsing is where the limits are
//! checked; a stored message is read back as it was written.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chat::model::{ChatId, UserId};
use crate::chat::name::DisplayName;

/// Longest message, in Unicode scalar values (JavaScript's `[...text].length`).
pub const MAX_MESSAGE_CHARS: usize = 4_000;
/// Longest `clientId`, in characters.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most users one message may mention.
pub const MAX_MENTIONS: usize = 50;
/// Most bytes the mentioned ids of one message may hold together (a stored property's room).
pub const MAX_MENTION_BYTES: usize = 4 * 1024;

/// A message id: a UUIDv7 in its lowercase hyphenated form. Its first 48 bits are the
/// server's clock in milliseconds, so ids sort (as text too) in the order they were stamped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

/// Why a message id was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a message id is a UUID (36 characters, lowercase, with hyphens)")]
pub struct MessageIdError;

impl MessageId {
    /// Parses an id as the server writes them (any UUID version, so that `before`/`after`
    /// may name a point between messages).
    pub fn parse(s: &str) -> Result<Self, MessageIdError> {
        let canonical = s.len() == 36
            && s.bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        match uuid::Uuid::try_parse(s) {
            Ok(u) if canonical && u.hyphenated().to_string() == s => Ok(Self(s.to_string())),
            _ => Err(MessageIdError),
        }
    }

    /// The id of a message stamped now-ish: `uuid` must be a v7 the caller made.
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        Self(uuid.hyphenated().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 32 hex digits, without hyphens.
    pub fn hex(&self) -> String {
        self.0.replace('-', "")
    }

    /// Milliseconds since the epoch in a v7 id's first 48 bits (0 for anything else).
    pub fn millis(&self) -> u64 {
        u64::from_str_radix(&self.hex()[..12], 16).unwrap_or_default()
    }

    /// The smallest id stamped at `millis`: every message stamped at or after that instant
    /// sorts after it (the catch-up's point `overlap` before the last message seen).
    pub fn floor_at(millis: u64) -> Self {
        let hex = format!("{:012x}{}", millis & 0xffff_ffff_ffff, "0".repeat(20));
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }
}

impl TryFrom<String> for MessageId {
    type Error = MessageIdError;
    fn try_from(s: String) -> Result<Self, MessageIdError> {
        Self::parse(&s)
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> String {
        id.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a message's text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is longer than {MAX_MESSAGE_CHARS} characters")]
    TooLong,
}

/// A message's text: stored verbatim, never empty or only whitespace, at most
/// [`MAX_MESSAGE_CHARS`] scalar values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageText(String);

impl MessageText {
    /// Checks `s` against the limits.
    pub fn parse(s: &str) -> Result<Self, TextError> {
        if s.trim().is_empty() {
            return Err(TextError::Empty);
        }
        if s.chars().count() > MAX_MESSAGE_CHARS {
            return Err(TextError::TooLong);
        }
        Ok(Self(s.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a `clientId` was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a clientId is 1 to {MAX_CLIENT_ID_CHARS} characters without control characters")]
pub struct ClientIdError;

/// The sender's idempotency key for one message: a resend with the same key in the same chat
/// is the same message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// Parses a key: 1 to 64 characters, no control characters.
    pub fn parse(s: &str) -> Result<Self, ClientIdError> {
        let n = s.chars().count();
        if n == 0 || n > MAX_CLIENT_ID_CHARS || s.chars().any(char::is_control) {
            return Err(ClientIdError);
        }
        Ok(Self(s.to_string()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientMsgId {
    type Error = ClientIdError;
    fn try_from(s: String) -> Result<Self, ClientIdError> {
        Self::parse(&s)
    }
}

impl From<ClientMsgId> for String {
    fn from(id: ClientMsgId) -> String {
        id.0
    }
}

/// The id and time the server gives a message it accepts (made by the caller: the core has
/// no clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub id: MessageId,
    /// RFC 3339 UTC with milliseconds, the instant in `id`.
    pub time: String,
}

impl Default for Stamp {
    /// The epoch (what a test that sends no message never looks at).
    fn default() -> Self {
        Self {
            id: MessageId::from_uuid(uuid::Uuid::nil()),
            time: "1970-01-01T00:00:00.000Z".into(),
        }
    }
}

/// A stored message. A deleted one keeps its row as a tombstone: no text, no mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub chat: ChatId,
    pub from: UserId,
    /// The sender's name when they sent it.
    pub from_name: DisplayName,
    /// Empty once deleted.
    pub text: String,
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientMsgId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// A message as clients read it: the original client's `{message, fromUserId,
/// fromUserName}` plus the new fields, or a tombstone `{id, chatId, deleted, time}`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MessageView<'a> {
    #[serde(rename_all = "camelCase")]
    Live {
        message: &'a str,
        from_user_id: &'a str,
        from_user_name: &'a str,
        id: &'a str,
        chat_id: &'a str,
        time: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        mentions: Vec<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        edited_at: Option<&'a str>,
    },
    #[serde(rename_all = "camelCase")]
    Tombstone {
        id: &'a str,
        chat_id: &'a str,
        deleted: bool,
        time: &'a str,
        /// Kept, so that a resend of a deleted message is matched to its sender's copy.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<&'a str>,
    },
}

impl Message {
    /// How clients see it.
    pub fn view(&self) -> MessageView<'_> {
        if self.deleted {
            return MessageView::Tombstone {
                id: self.id.as_str(),
                chat_id: self.chat.as_str(),
                deleted: true,
                time: &self.time,
                client_id: self.client_id.as_ref().map(ClientMsgId::as_str),
            };
        }
        MessageView::Live {
            message: &self.text,
            from_user_id: self.from.as_str(),
            from_user_name: self.from_name.as_str(),
            id: self.id.as_str(),
            chat_id: self.chat.as_str(),
            time: &self.time,
            client_id: self.client_id.as_ref().map(ClientMsgId::as_str),
            mentions: self.mentions.iter().map(UserId::as_str).collect(),
            edited_at: self.edited_at.as_deref(),
        }
    }

    /// The tombstone this message becomes when deleted.
    pub fn tombstone(&self) -> Self {
        Self {
            text: String::new(),
            mentions: Vec::new(),
            edited_at: None,
            deleted: true,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests;
