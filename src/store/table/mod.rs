//! The Azure Table Storage store (`azure_data_tables` 0.21). Every read-modify-write sends
//! the row's ETag (`If-Match`); a 412 is a conflict and the event starts over from a fresh
//! read. No `$batch`: Azurite mishandles `If-Match` there. Calls time out after a few
//! seconds with two quick retries, so an outage is answered fast (503) and the store works
//! again as soon as the service is back.
//!
//! # Layout
//! - `mod.rs`: [`TableStore`]: rows read and written, the `Store` methods.
//! - `connect.rs`: connect (the HTTP client, tables created when missing, migrations).
//! - `writes.rs`: one `Change` written (the `apply` of each event, change by change).
//! - [`entity`]: the rows as Table Storage holds them.
//! - `members.rs`: member rows, their reverse index, the member count, the purge of deleted
//!   chats.
//! - `migrate.rs`: chat rows of the old shape (members inside) to member rows, once.
//! - `markers.rs`: rows saying a one-time start-up step has finished.
//! - `user_index.rs`: who is online, and names to search, as index rows.
//! - `messages.rs`: messages, newest first and oldest first, with their `clientId` markers,
//!   each new one written in one entity-group transaction.
//! - `read_cursors.rs`: how far each user has read each chat (PartitionKey = user id).

mod connect;
pub mod entity;
mod markers;
mod members;
mod messages;
mod migrate;
mod read_cursors;
mod user_index;
mod writes;

use std::time::Duration;

use async_trait::async_trait;
use azure_core::StatusCode;
use azure_data_tables::prelude::*;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::chat::member::Member;
use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Change, Expect, Version, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::store::table::entity::{
    ChatEntity, ConnectionEntity, MemberEntity, UserEntity, PARTITION,
};
use crate::store::{Binding, Store, StoreError};

/// Timeout of one HTTP attempt.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(3);

/// The tables.
#[derive(Clone)]
pub struct TableStore {
    users: TableClient,
    chats: TableClient,
    connections: TableClient,
    members: TableClient,
    memberships: TableClient,
    purges: TableClient,
    user_index: TableClient,
    messages: TableClient,
    read_cursors: TableClient,
}

fn unavailable(e: azure_core::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn status(e: &azure_core::Error) -> Option<StatusCode> {
    e.as_http_error().map(|h| h.status())
}

/// A table that is gone (an emulator restarted empty): recreated on the next write.
fn table_missing(e: &azure_core::Error) -> bool {
    e.as_http_error().is_some_and(|h| {
        h.status() == StatusCode::NotFound && h.error_code() == Some("TableNotFound")
    })
}

/// A failed write, telling a missing table apart.
enum WriteError {
    Store(StoreError),
    TableMissing,
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Maps a write's error: a missing table, a conflict (412, 409 on insert, 404 on a
/// conditional update), or an unavailable service.
fn write_failure(e: azure_core::Error, insert: bool) -> WriteError {
    if table_missing(&e) {
        return WriteError::TableMissing;
    }
    WriteError::Store(match status(&e) {
        Some(StatusCode::PreconditionFailed) => StoreError::Conflict,
        Some(StatusCode::Conflict) if insert => StoreError::Conflict,
        Some(StatusCode::NotFound) if !insert => StoreError::Conflict,
        _ => unavailable(e),
    })
}

/// OData key literals double their single quotes; the crate does not, so it is done here.
fn key_literal(key: &str) -> String {
    key.replace('\'', "''")
}

impl TableStore {
    fn entity(table: &TableClient, key: &str) -> EntityClient {
        Self::entity_in(table, PARTITION, key)
    }

    fn entity_in(table: &TableClient, partition: &str, key: &str) -> EntityClient {
        table
            .partition_key_client(key_literal(partition))
            .entity_client(key_literal(key))
    }

    async fn get<E: DeserializeOwned + Send + Sync>(
        table: &TableClient,
        key: &str,
    ) -> Result<Option<(E, Version)>, StoreError> {
        match Self::entity(table, key).get::<E>().await {
            Ok(r) => Ok(Some((r.entity, Version(r.etag.to_string())))),
            Err(e) if status(&e) == Some(StatusCode::NotFound) => Ok(None), // no row, or no table
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn list<E: DeserializeOwned + Send + Sync>(
        table: &TableClient,
    ) -> Result<Vec<E>, StoreError> {
        let mut stream = table
            .query()
            .filter(Filter::new(format!("PartitionKey eq '{PARTITION}'")))
            .into_stream::<E>();
        let mut rows = Vec::new();
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => rows.extend(page.entities),
                Err(e) if table_missing(&e) => break, // a missing table holds no rows
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(rows)
    }

    async fn put<E: serde::Serialize + Send + Sync>(
        table: &TableClient,
        key: &str,
        entity: &E,
        expect: &Expect,
    ) -> Result<(), WriteError> {
        match expect {
            Expect::Absent => table
                .insert::<_, serde_json::Value>(entity)
                .map_err(unavailable)?
                .await
                .map(drop)
                .map_err(|e| write_failure(e, true)),
            // A version that is no ETag (from another store) can never match a row here.
            Expect::Version(v) if !(v.0.starts_with("W/\"") || v.0.starts_with('"')) => {
                Err(StoreError::Conflict.into())
            }
            Expect::Version(v) => Self::entity(table, key)
                .update(entity, IfMatchCondition::Etag(v.0.clone().into()))
                .map_err(unavailable)?
                .await
                .map(drop)
                .map_err(|e| write_failure(e, false)),
        }
    }
}

#[async_trait]
impl Store for TableStore {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        Self::get::<UserEntity>(&self.users, id.as_str())
            .await?
            .map(|(e, version)| {
                Ok(Versioned {
                    value: e.into_user()?,
                    version,
                })
            })
            .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        Self::list::<UserEntity>(&self.users)
            .await?
            .into_iter()
            .map(UserEntity::into_user)
            .collect()
    }

    async fn online_users(&self, limit: usize) -> Result<Vec<User>, StoreError> {
        self.online(limit).await
    }

    async fn search_users(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        self.search(prefix, after, limit).await
    }

    async fn get_binding(&self, connection: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        Self::get::<ConnectionEntity>(&self.connections, connection.as_str())
            .await?
            .map(|(e, _)| {
                let closed = e.closed;
                e.into_binding().map(|(_, user)| Binding { user, closed })
            })
            .transpose()
    }

    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        let mut bindings: Vec<_> = Self::list::<ConnectionEntity>(&self.connections)
            .await?
            .into_iter()
            .filter(|e| !e.closed)
            .map(ConnectionEntity::into_binding)
            .collect::<Result<_, _>>()?;
        bindings.sort();
        Ok(bindings)
    }

    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        Self::get::<ChatEntity>(&self.chats, id.as_str())
            .await?
            .map(|(e, version)| {
                Ok(Versioned {
                    value: e.into_chat()?,
                    version,
                })
            })
            .transpose()
    }

    async fn list_chats(
        &self,
        after: Option<&ChatId>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        Self::partition::<ChatEntity>(&self.chats, PARTITION, after.map(ChatId::as_str), limit)
            .await?
            .into_iter()
            .map(ChatEntity::into_chat)
            .collect()
    }

    async fn get_member(&self, chat: &ChatId, user: &UserId) -> Result<Option<Member>, StoreError> {
        match Self::entity_in(&self.members, chat.as_str(), user.as_str())
            .get::<MemberEntity>()
            .await
        {
            Ok(r) => r.entity.into_member().map(Some),
            Err(e) if status(&e) == Some(StatusCode::NotFound) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError> {
        self.live_chats_of(user).await
    }

    async fn count_chats_of(&self, user: &UserId, up_to: usize) -> Result<usize, StoreError> {
        self.count_live_chats_of(user, up_to).await
    }

    async fn members_of(
        &self,
        chat: &ChatId,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<Member>, StoreError> {
        Self::partition::<MemberEntity>(
            &self.members,
            chat.as_str(),
            after.map(UserId::as_str),
            limit,
        )
        .await?
        .into_iter()
        .map(MemberEntity::into_member)
        .collect()
    }

    async fn purge_deleted(&self, limit: usize) -> Result<usize, StoreError> {
        self.purge(limit).await
    }

    async fn get_message(
        &self,
        chat: &ChatId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        self.get_message_row(chat, id).await
    }

    async fn message_by_client(
        &self,
        chat: &ChatId,
        user: &UserId,
        client_id: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        self.message_by_client_id(chat, user, client_id).await
    }

    async fn messages_before(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages_older(chat, before, limit).await
    }

    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages_newer(chat, after, limit).await
    }

    async fn purge_older(&self, cutoff: &MessageId, limit: usize) -> Result<usize, StoreError> {
        self.purge_expired(cutoff, limit).await
    }

    async fn read_cursors(&self, user: &UserId) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
        self.cursors_of(user).await
    }

    /// Applies changes one by one, in order (Table Storage has no multi-table transaction).
    /// A conflict part-way leaves the earlier writes in place; the event is then handled again
    /// from a fresh read, and every rule is written so that doing so converges.
    async fn apply(&self, changes: &[Change]) -> Result<(), StoreError> {
        for change in changes {
            self.apply_one(change).await?;
        }
        Ok(())
    }
}
