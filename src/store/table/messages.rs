//! Messages in Table Storage: table `messages`, one partition per chat (PartitionKey = chat
//! id), three kinds of row:
//! - `n<inverted id>`: the message, under a key that sorts newest first (each hex digit of the
//!   id replaced by 15 minus it), since a Table query reads a partition in ascending key order
//!   only: "the newest N before X" is one range query;
//! - `f<id>`: a copy under a key that sorts oldest first, for "the N after X" (a catch-up);
//! - `c<sha256(sender, clientId)>`: which message a sender's `clientId` became.
//!
//! A new message's three rows go in one entity-group transaction (`$batch`, one partition), so
//! there is never a message without its marker or the other way round; an edit or delete
//! replaces both copies in one transaction too, the `n` row at the ETag it was read with. One
//! partition serves about 2,000 entities a second: the ceiling of one chat's messages here.

use azure_core::StatusCode;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Expect, Version, Versioned};
use crate::store::table::{key_literal, status, unavailable, TableStore};
use crate::store::StoreError;

/// A message row (`n…` or `f…`): the message as JSON without its mentions, which have a
/// property of their own (a string property holds 32 Ki UTF-16 units; both fit apart).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MessageEntity {
    #[serde(rename = "PartitionKey")]
    partition_key: String,
    #[serde(rename = "RowKey")]
    row_key: String,
    data: String,
    #[serde(default)]
    mentions: String,
}

/// A `clientId` marker: the id of the message it became.
#[derive(Debug, Serialize, Deserialize)]
struct MarkerEntity {
    #[serde(rename = "PartitionKey")]
    partition_key: String,
    #[serde(rename = "RowKey")]
    row_key: String,
    id: String,
}

/// The newest-first key of a message id.
fn newest_first(id: &MessageId) -> String {
    let inverted: String = id
        .hex()
        .chars()
        .map(|c| {
            let digit = c.to_digit(16).unwrap_or_default();
            char::from_digit(15 - digit, 16).unwrap_or('0')
        })
        .collect();
    format!("n{inverted}")
}

fn oldest_first(id: &MessageId) -> String {
    format!("f{}", id.hex())
}

fn marker_key(user: &UserId, client_id: &ClientMsgId) -> String {
    let mut hash = Sha256::new();
    hash.update(user.as_str().as_bytes());
    hash.update([0]);
    hash.update(client_id.as_str().as_bytes());
    format!("c{}", hex::encode(hash.finalize()))
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("messages row: {e}"))
}

impl MessageEntity {
    fn new(message: &Message, row_key: String) -> Result<Self, StoreError> {
        let body = Message {
            mentions: Vec::new(),
            ..message.clone()
        };
        Ok(Self {
            partition_key: message.chat.as_str().to_string(),
            row_key,
            data: serde_json::to_string(&body).map_err(corrupt)?,
            mentions: serde_json::to_string(&message.mentions).map_err(corrupt)?,
        })
    }

    fn into_message(self) -> Result<Message, StoreError> {
        let mut message: Message = serde_json::from_str(&self.data).map_err(corrupt)?;
        if !self.mentions.is_empty() {
            message.mentions = serde_json::from_str(&self.mentions).map_err(corrupt)?;
        }
        Ok(message)
    }
}

impl TableStore {
    pub(super) async fn get_message_row(
        &self,
        chat: &ChatId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        let row = Self::entity_in(&self.messages, chat.as_str(), &newest_first(id))
            .get::<MessageEntity>()
            .await;
        match row {
            Ok(r) => Ok(Some(Versioned {
                value: r.entity.into_message()?,
                version: Version(r.etag.to_string()),
            })),
            Err(e) if status(&e) == Some(StatusCode::NotFound) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub(super) async fn message_by_client_id(
        &self,
        chat: &ChatId,
        user: &UserId,
        client_id: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        let marker = Self::entity_in(&self.messages, chat.as_str(), &marker_key(user, client_id))
            .get::<MarkerEntity>()
            .await;
        let id = match marker {
            Ok(r) => MessageId::parse(&r.entity.id).map_err(corrupt)?,
            Err(e) if status(&e) == Some(StatusCode::NotFound) => return Ok(None),
            Err(e) => return Err(unavailable(e)),
        };
        let found = self.get_message_row(chat, &id).await?;
        if found.is_none() {
            // A marker whose message is gone (a retention purge stopped part-way): it is
            // removed, so that the key can be used again instead of conflicting for ever.
            self.delete_row(&self.messages, chat.as_str(), &marker_key(user, client_id))
                .await
                .map_err(Self::store_error)?;
        }
        Ok(found)
    }

    /// A page of one kind of row (`n` newest first, `f` oldest first) after `from`.
    pub(super) async fn message_page(
        &self,
        chat: &ChatId,
        kind: char,
        from: String,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        // `kind` + one past the last hex digit ("g") ends the range of that kind's rows.
        let filter = format!(
            "PartitionKey eq '{}' and RowKey gt '{}' and RowKey lt '{kind}g'",
            key_literal(chat.as_str()),
            key_literal(&from)
        );
        Self::query::<MessageEntity>(&self.messages, filter, limit)
            .await?
            .into_iter()
            .map(MessageEntity::into_message)
            .collect()
    }

    pub(super) async fn messages_older(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let from = before.map_or_else(|| "n".to_string(), newest_first);
        self.message_page(chat, 'n', from, limit).await
    }

    pub(super) async fn messages_newer(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.message_page(chat, 'f', oldest_first(after), limit)
            .await
    }

    /// A new message with its copy and marker, or both copies replaced, in one transaction.
    pub(super) async fn put_message(
        &self,
        message: &Message,
        expect: &Expect,
    ) -> Result<(), StoreError> {
        let partition = self
            .messages
            .partition_key_client(key_literal(message.chat.as_str()));
        let newest = MessageEntity::new(message, newest_first(&message.id))?;
        let oldest = MessageEntity::new(message, oldest_first(&message.id))?;
        let batch = match expect {
            Expect::Absent => {
                let mut batch = partition
                    .transaction()
                    .insert(&newest)
                    .and_then(|b| b.insert(&oldest))
                    .map_err(unavailable)?;
                if let Some(client_id) = &message.client_id {
                    let marker = MarkerEntity {
                        partition_key: message.chat.as_str().to_string(),
                        row_key: marker_key(&message.from, client_id),
                        id: message.id.as_str().to_string(),
                    };
                    batch = batch.insert(&marker).map_err(unavailable)?;
                }
                batch
            }
            Expect::Version(v) if !(v.0.starts_with("W/\"") || v.0.starts_with('"')) => {
                return Err(StoreError::Conflict); // a version from another store
            }
            Expect::Version(v) => partition
                .transaction()
                .update(
                    key_literal(&newest.row_key),
                    &newest,
                    Some(IfMatchCondition::Etag(v.0.clone().into())),
                )
                .and_then(|b| b.insert_or_replace(key_literal(&oldest.row_key), &oldest))
                .map_err(unavailable)?,
        };
        let response = match batch.await {
            Ok(r) => r,
            Err(e) if super::table_missing(&e) => {
                self.create_tables().await?;
                return Err(StoreError::Conflict); // handled again, into the new table
            }
            Err(e) => return Err(unavailable(e)),
        };
        // A failed operation fails the whole transaction: the service answers it alone.
        match response
            .operation_responses
            .iter()
            .map(|r| r.status_code)
            .find(|s| !s.is_success())
        {
            None => Ok(()),
            Some(StatusCode::Conflict | StatusCode::PreconditionFailed | StatusCode::NotFound) => {
                Err(StoreError::Conflict)
            }
            Some(other) => Err(StoreError::Unavailable(format!(
                "a message transaction failed with {other}"
            ))),
        }
    }

    /// Removes up to `limit` messages stamped before `cutoff`: chat by chat (every chat row is
    /// read, in pages: a sweep's cost grows with the number of chats), each chat's older
    /// messages found by its oldest-first rows, and each message's rows and marker deleted.
    pub(super) async fn purge_expired(
        &self,
        cutoff: &MessageId,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        let mut after: Option<ChatId> = None;
        loop {
            let page = crate::store::Store::list_chats(self, after.as_ref(), 1000).await?;
            for chat in &page {
                if removed >= limit {
                    return Ok(removed);
                }
                let filter = format!(
                    "PartitionKey eq '{}' and RowKey gt 'f' and RowKey lt '{}'",
                    key_literal(chat.id.as_str()),
                    oldest_first(cutoff)
                );
                let old: Vec<MessageEntity> =
                    Self::query(&self.messages, filter, limit - removed).await?;
                for row in old {
                    let message = row.into_message()?;
                    // The marker first, the oldest-first row (which finds the message) last: a
                    // purge stopped part-way is found and finished by the next one.
                    let mut keys = Vec::new();
                    if let Some(client_id) = &message.client_id {
                        keys.push(marker_key(&message.from, client_id));
                    }
                    keys.push(newest_first(&message.id));
                    keys.push(oldest_first(&message.id));
                    for key in keys {
                        self.delete_row(&self.messages, chat.id.as_str(), &key)
                            .await
                            .map_err(Self::store_error)?;
                    }
                    removed += 1;
                }
            }
            if page.len() < 1000 {
                return Ok(removed);
            }
            after = page.last().map(|c| c.id.clone());
        }
    }

    /// Removes up to `limit` rows of a chat's messages; returns how many went.
    pub(super) async fn purge_messages(
        &self,
        chat: &ChatId,
        limit: usize,
    ) -> Result<usize, StoreError> {
        #[derive(Deserialize)]
        struct Key {
            #[serde(rename = "RowKey")]
            row_key: String,
        }
        let filter = format!("PartitionKey eq '{}'", key_literal(chat.as_str()));
        let rows: Vec<Key> = Self::query(&self.messages, filter, limit).await?;
        for row in &rows {
            self.delete_row(&self.messages, chat.as_str(), &row.row_key)
                .await
                .map_err(Self::store_error)?;
        }
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_keys_sort_the_other_way_round() {
        let older = MessageId::parse("01900000-0000-7000-8000-000000000001").expect("id");
        let newer = MessageId::parse("01900000-0001-7000-8000-000000000000").expect("id");
        assert!(newest_first(&newer) < newest_first(&older));
        assert!(oldest_first(&older) < oldest_first(&newer));
        assert_eq!(newest_first(&older).len(), 33);
        assert!(newest_first(&older).as_str() > "n" && newest_first(&older).as_str() < "ng");
    }
}
