//! The rows chatr keeps in Azure Table Storage, all in partition `chatr` as the original did:
//! `users` (name, provider, idle, connections as JSON), `chats` (the chat as JSON in `data`,
//! split over `data`, `data1`, … when it outgrows one 64 KiB string property) and
//! `connections` (the user each connection belongs to).

use serde::{Deserialize, Serialize};

use crate::chat::model::{ChatId, ConnectionId, DisplayName, Provider, UserId};
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::store::StoreError;

/// The one partition.
pub const PARTITION: &str = "chatr";
/// Characters per string property part: a Table string property holds 64 KiB of UTF-16,
/// 32 Ki code units; a Rust `char` is at most two of them.
pub const PART_CHARS: usize = 16 * 1024;
/// Most parts a chat row may have (an entity holds at most 1 MiB and 255 properties).
pub const MAX_PARTS: usize = 30;

/// A `users` row.
#[derive(Debug, Serialize, Deserialize)]
pub struct UserEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    #[serde(rename = "userName")]
    pub user_name: String,
    #[serde(rename = "userProvider")]
    pub user_provider: String,
    pub idle: bool,
    /// Everyone was told the user is online.
    #[serde(default)]
    pub announced: bool,
    /// JSON `{<connectionId>: {announced, chats}}`.
    pub connections: String,
    #[serde(rename = "odata.etag", default, skip_serializing)]
    pub etag: Option<String>,
}

/// A `connections` row.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConnectionEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The connection has closed; the row stays so that it is never bound again.
    #[serde(default)]
    pub closed: bool,
}

/// A `chats` row: the chat's JSON in `data` (and `data1`… when long), `parts` saying how many.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChatEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    pub parts: i32,
    #[serde(flatten)]
    pub data: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "odata.etag", default, skip_serializing)]
    pub etag: Option<String>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

impl UserEntity {
    /// The row for a user.
    pub fn from_user(user: &User) -> Result<Self, StoreError> {
        Ok(Self {
            partition_key: PARTITION.into(),
            row_key: user.id.as_str().into(),
            user_name: user.name.as_str().into(),
            user_provider: user.provider.as_str().into(),
            idle: user.idle,
            announced: user.online_announced,
            connections: serde_json::to_string(&user.connections)
                .map_err(|e| corrupt("user", e))?,
            etag: None,
        })
    }

    /// The user of a row.
    pub fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            id: UserId::parse(self.row_key).map_err(|e| corrupt("user RowKey", e))?,
            name: DisplayName::parse(&self.user_name).map_err(|e| corrupt("userName", e))?,
            provider: Provider::new(&self.user_provider),
            idle: self.idle,
            online_announced: self.announced,
            connections: serde_json::from_str(&self.connections)
                .map_err(|e| corrupt("connections", e))?,
        })
    }
}

impl ConnectionEntity {
    /// The row binding a connection to a user.
    pub fn new(connection: &ConnectionId, user: &UserId) -> Self {
        Self {
            partition_key: PARTITION.into(),
            row_key: connection.as_str().into(),
            user_id: user.as_str().into(),
            closed: false,
        }
    }

    /// The binding of a row.
    pub fn into_binding(self) -> Result<(ConnectionId, UserId), StoreError> {
        Ok((
            ConnectionId::parse(self.row_key).map_err(|e| corrupt("connection RowKey", e))?,
            UserId::parse(self.user_id).map_err(|e| corrupt("userId", e))?,
        ))
    }
}

fn part_name(i: usize) -> String {
    if i == 0 {
        "data".into()
    } else {
        format!("data{i}")
    }
}

impl ChatEntity {
    /// The row for a chat, its JSON split into parts that each fit a string property.
    pub fn from_chat(chat: &Chat) -> Result<Self, StoreError> {
        let json = serde_json::to_string(chat).map_err(|e| corrupt("chat", e))?;
        let chars: Vec<char> = json.chars().collect();
        let parts: Vec<String> = chars
            .chunks(PART_CHARS)
            .map(|c| c.iter().collect())
            .collect();
        if parts.len() > MAX_PARTS {
            return Err(corrupt("chat", "the chat is too large for one row"));
        }
        let data = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (part_name(i), serde_json::Value::String(p)))
            .collect();
        Ok(Self {
            partition_key: PARTITION.into(),
            row_key: chat.id.as_str().into(),
            parts: i32::try_from(chars.len().div_ceil(PART_CHARS).max(1)).unwrap_or(i32::MAX),
            data,
            etag: None,
        })
    }

    /// The chat of a row.
    pub fn into_chat(self) -> Result<Chat, StoreError> {
        let parts = usize::try_from(self.parts).map_err(|e| corrupt("parts", e))?;
        let mut json = String::new();
        for i in 0..parts.max(1) {
            match self.data.get(&part_name(i)) {
                Some(serde_json::Value::String(p)) => json.push_str(p),
                _ => return Err(corrupt("chat", format!("part {i} is missing"))),
            }
        }
        let chat: Chat = serde_json::from_str(&json).map_err(|e| corrupt("chat data", e))?;
        let id = ChatId::parse(self.row_key).map_err(|e| corrupt("chat RowKey", e))?;
        if chat.id != id {
            return Err(corrupt("chat", "RowKey and data disagree"));
        }
        Ok(chat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_chat_is_split_into_parts_and_joined_back() {
        let mut chat = Chat::group(
            ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").expect("id"),
            DisplayName::parse("Room").expect("name"),
            UserId::parse("owner").expect("id"),
        );
        for i in 0..500 {
            let name = DisplayName::parse(&format!("{i:03}{}", "é".repeat(61))).expect("name");
            chat.add_connection(
                &UserId::parse(format!("user-{i:04}-{}", "x".repeat(28))).expect("id"),
                &name,
                &ConnectionId::parse(format!("conn-{i}-{}", "y".repeat(30))).expect("id"),
            );
        }
        let entity = ChatEntity::from_chat(&chat).expect("fits");
        assert!(entity.parts > 1, "500 long members need several parts");
        for v in entity.data.values() {
            assert!(v.as_str().expect("string").encode_utf16().count() <= 32 * 1024);
        }
        let json = serde_json::to_value(&entity).expect("serialises");
        assert!(json.get("data").is_some() && json.get("data1").is_some());
        let back: ChatEntity = serde_json::from_value(json).expect("parses");
        assert_eq!(back.into_chat().expect("joins"), chat);
    }

    #[test]
    fn a_user_row_keeps_the_original_columns() {
        let user = User::new(
            UserId::parse("u1").expect("id"),
            DisplayName::parse("Ann").expect("name"),
            Provider::new("aad"),
        );
        let json = serde_json::to_value(UserEntity::from_user(&user).expect("row")).expect("JSON");
        assert_eq!(json["PartitionKey"], "chatr");
        assert_eq!(json["RowKey"], "u1");
        assert_eq!(json["userName"], "Ann");
        assert_eq!(json["userProvider"], "aad");
        assert_eq!(json["idle"], false);
        assert_eq!(json["connections"], "{}");
        assert!(json.get("odata.etag").is_none());
    }
}
