//! The rows chatr keeps in Azure Table Storage. In partition `chatr`, as the original had
//! them: `users` (name, provider, idle, connections as JSON), `chats` (the chat as JSON in
//! `data`, and `memberCount`; rows written before member rows existed may split a long JSON
//! over `data`, `data1`, …) and `connections` (the user each connection belongs to). Member
//! rows: `members` (PartitionKey = chat id, RowKey = user id, the name they joined with) and
//! its reverse index `memberships` (PartitionKey = user id, RowKey = chat id), so that a chat's
//! members and a user's chats are each one partition; `purges` lists deleted chats whose
//! member rows the sweep has yet to remove.

use serde::{Deserialize, Serialize};

use crate::chat::member::Member;
use crate::chat::model::{ChatId, ConnectionId, Provider, UserId};
use crate::chat::name::DisplayName;
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

/// A `chats` row: the chat's JSON in `data` (and `data1`… in an old long row), `parts` saying
/// how many, and the member count. A write without a count (a merge) leaves the stored one.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChatEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    pub parts: i32,
    #[serde(
        rename = "memberCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub member_count: Option<i64>,
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
            name: DisplayName::stored(&self.user_name).map_err(|e| corrupt("userName", e))?,
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
    /// The row for a chat: its JSON, without a member count (the store keeps that).
    pub fn from_chat(chat: &Chat) -> Result<Self, StoreError> {
        let json = serde_json::to_string(chat).map_err(|e| corrupt("chat", e))?;
        if json.chars().count() > PART_CHARS {
            return Err(corrupt("chat", "the chat is too large for one property"));
        }
        Ok(Self {
            partition_key: PARTITION.into(),
            row_key: chat.id.as_str().into(),
            parts: 1,
            member_count: None,
            data: [(part_name(0), serde_json::Value::String(json))]
                .into_iter()
                .collect(),
            etag: None,
        })
    }

    /// The JSON of a row, its parts joined.
    pub fn json(&self) -> Result<String, StoreError> {
        let parts = usize::try_from(self.parts).map_err(|e| corrupt("parts", e))?;
        if parts > MAX_PARTS {
            return Err(corrupt("chat", format!("{parts} parts")));
        }
        let mut json = String::new();
        for i in 0..parts.max(1) {
            match self.data.get(&part_name(i)) {
                Some(serde_json::Value::String(p)) => json.push_str(p),
                _ => return Err(corrupt("chat", format!("part {i} is missing"))),
            }
        }
        Ok(json)
    }

    /// The chat of a row, with its member count.
    pub fn into_chat(self) -> Result<Chat, StoreError> {
        let mut chat: Chat =
            serde_json::from_str(&self.json()?).map_err(|e| corrupt("chat data", e))?;
        let id = ChatId::parse(self.row_key.as_str()).map_err(|e| corrupt("chat RowKey", e))?;
        if chat.id != id {
            return Err(corrupt("chat", "RowKey and data disagree"));
        }
        chat.member_count =
            u64::try_from(self.member_count.unwrap_or_default()).unwrap_or_default();
        Ok(chat)
    }
}

/// A `members` row: one member of one chat (PartitionKey = chat id, RowKey = user id).
#[derive(Debug, Serialize, Deserialize)]
pub struct MemberEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    /// The name they joined with.
    pub name: String,
}

/// A `memberships` row: one chat of one user (PartitionKey = user id, RowKey = chat id).
#[derive(Debug, Serialize, Deserialize)]
pub struct MembershipEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
}

/// A `purges` row: a deleted chat whose member rows are still to go (RowKey = chat id).
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeEntity {
    #[serde(rename = "PartitionKey")]
    pub partition_key: String,
    #[serde(rename = "RowKey")]
    pub row_key: String,
    /// When the mark was last written (set by the service, RFC 3339); read as text so that
    /// a value that does not parse never fails a read of the marks.
    #[serde(rename = "Timestamp", default, skip_serializing)]
    pub timestamp: Option<String>,
}

impl MemberEntity {
    /// The rows of a membership: the member row and its reverse index.
    pub fn rows(member: &Member) -> (Self, MembershipEntity) {
        (
            Self {
                partition_key: member.chat.as_str().into(),
                row_key: member.user.as_str().into(),
                name: member.name.as_str().into(),
            },
            MembershipEntity {
                partition_key: member.user.as_str().into(),
                row_key: member.chat.as_str().into(),
            },
        )
    }

    /// The member of a row (a name that no longer parses reads as "Someone").
    pub fn into_member(self) -> Result<Member, StoreError> {
        Ok(Member {
            chat: ChatId::parse(self.partition_key)
                .map_err(|e| corrupt("member PartitionKey", e))?,
            user: UserId::parse(self.row_key).map_err(|e| corrupt("member RowKey", e))?,
            name: DisplayName::stored(&self.name)
                .or_else(|_| DisplayName::parse("Someone"))
                .map_err(|e| corrupt("member name", e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_row_split_into_parts_is_joined_back_and_a_new_row_has_one_part() {
        let chat = Chat::group(
            ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").expect("id"),
            DisplayName::parse("Room").expect("name"),
            UserId::parse("owner").expect("id"),
        );
        let entity = ChatEntity::from_chat(&chat).expect("fits");
        assert_eq!(entity.parts, 1);
        let json = entity.json().expect("json");
        let (a, b) = json.split_at(10);
        let old = serde_json::json!({"PartitionKey": "chatr", "RowKey": chat.id.as_str(),
            "parts": 2, "data": a, "data1": b, "memberCount": 3});
        let read: ChatEntity = serde_json::from_value(old).expect("parses");
        let back = read.into_chat().expect("joins");
        assert_eq!(back.member_count, 3);
        assert_eq!(
            Chat {
                member_count: 0,
                ..back
            },
            chat
        );
        let written = serde_json::to_value(&entity).expect("JSON");
        assert!(
            written.get("memberCount").is_none(),
            "a write leaves the count alone"
        );
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
