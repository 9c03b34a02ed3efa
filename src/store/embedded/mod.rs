//! The embedded store: SQLite (bundled) in WAL mode under `CHATR_DATA_DIR`, one transaction
//! per event, so a restart or a kill mid-write leaves every acknowledged change in place.
//! Members are rows of their own (`members`, keyed by chat then user, indexed by user), and a
//! chat's member count is kept beside its row in the same transaction, so it is exact.
//!
//! # Layout
//! - `mod.rs`: [`EmbeddedStore`]: open, the blocking-pool bridge, the `Store` methods.
//! - `schema.rs`: the tables, and the migration of a store written before member rows.
//! - `rows.rs`: reading and writing rows inside a connection or transaction.
//! - `messages.rs`: messages, by (chat, id) and by the sender's `clientId`; read cursors.
//! - `decode.rs`: the two ways the store fails (SQLite unavailable, a row that does not parse).

mod decode;
mod messages;
mod rows;
mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::chat::member::Member;
use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Change, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::{search_end, search_prefix, User};
use crate::store::embedded::decode::unavailable;
use crate::store::{Binding, Store, StoreError};

/// The file inside the data folder.
pub const DB_FILE: &str = "chatr.sqlite3";

/// SQLite behind a mutex; calls run on tokio's blocking pool.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Mutex<Connection>>,
}

impl EmbeddedStore {
    /// Opens (creating when missing) the store in `data_dir`, migrating older data.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let mut db = Connection::open(data_dir.join(DB_FILE)).map_err(unavailable)?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        schema::prepare(&mut db)?;
        Ok(Self {
            db: Arc::new(Mutex::new(db)),
        })
    }

    async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let mut guard = db
                .lock()
                .map_err(|_| StoreError::Unavailable("the database lock is poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("the database task failed: {e}")))?
    }

    /// Runs `f` in one immediate transaction, committed when it succeeds.
    async fn in_transaction<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.with_db(move |db| {
            let tx = db
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let value = f(&tx)?; // dropping `tx` on error rolls back
            tx.commit().map_err(unavailable)?;
            Ok(value)
        })
        .await
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        let id = id.as_str().to_string();
        self.with_db(move |db| rows::get_user_row(db, &id)).await
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.with_db(|db| rows::list_user_rows(db)).await
    }

    async fn online_users(&self, limit: usize) -> Result<Vec<User>, StoreError> {
        self.with_db(move |db| rows::online_users(db, limit)).await
    }

    async fn search_users(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        let (from, to) = (search_prefix(prefix), search_end(prefix));
        let after = after.unwrap_or_default().to_string();
        self.with_db(move |db| rows::search_users(db, &from, &to, &after, limit))
            .await
    }

    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        let id = id.as_str().to_string();
        self.with_db(move |db| rows::get_chat_row(db, &id)).await
    }

    async fn list_chats(
        &self,
        after: Option<&ChatId>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        let after = after.map(|c| c.as_str().to_string()).unwrap_or_default();
        self.with_db(move |db| rows::list_chat_rows(db, &after, limit))
            .await
    }

    async fn get_member(&self, chat: &ChatId, user: &UserId) -> Result<Option<Member>, StoreError> {
        let (chat, user) = (chat.as_str().to_string(), user.as_str().to_string());
        self.with_db(move |db| rows::get_member(db, &chat, &user))
            .await
    }

    async fn chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError> {
        let user = user.as_str().to_string();
        self.with_db(move |db| rows::chats_of(db, &user)).await
    }

    async fn count_chats_of(&self, user: &UserId, up_to: usize) -> Result<usize, StoreError> {
        let user = user.as_str().to_string();
        self.with_db(move |db| rows::count_chats_of(db, &user, up_to))
            .await
    }

    async fn members_of(
        &self,
        chat: &ChatId,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<Member>, StoreError> {
        let chat = chat.as_str().to_string();
        let after = after.map(|u| u.as_str().to_string()).unwrap_or_default();
        self.with_db(move |db| rows::members_of(db, &chat, &after, limit))
            .await
    }

    async fn purge_deleted(&self, limit: usize) -> Result<usize, StoreError> {
        self.in_transaction(move |tx| rows::purge_deleted(tx, limit))
            .await
    }

    async fn get_binding(&self, connection: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        let id = connection.as_str().to_string();
        self.with_db(move |db| {
            let row: Option<(String, bool)> = db
                .query_row(
                    "SELECT user_id, closed FROM connections WHERE id = ?1",
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(unavailable)?;
            row.map(|(u, closed)| {
                let user = UserId::parse(u).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(Binding { user, closed })
            })
            .transpose()
        })
        .await
    }

    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        self.with_db(|db| {
            let mut stmt = db
                .prepare("SELECT id, user_id FROM connections WHERE closed = 0 ORDER BY id")
                .map_err(unavailable)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(unavailable)?;
            rows.map(|r| {
                let (c, u) = r.map_err(unavailable)?;
                let corrupt = |e: crate::chat::model::IdError| StoreError::Corrupt(e.to_string());
                Ok((
                    ConnectionId::parse(c).map_err(corrupt)?,
                    UserId::parse(u).map_err(corrupt)?,
                ))
            })
            .collect()
        })
        .await
    }

    async fn get_message(
        &self,
        chat: &ChatId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        let (chat, id) = (chat.clone(), id.clone());
        self.with_db(move |db| messages::get(db, &chat, &id)).await
    }

    async fn message_by_client(
        &self,
        chat: &ChatId,
        user: &UserId,
        client_id: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        let (chat, user, client_id) = (chat.clone(), user.clone(), client_id.clone());
        self.with_db(move |db| messages::by_client(db, &chat, &user, &client_id))
            .await
    }

    async fn messages_before(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let (chat, before) = (chat.clone(), before.cloned());
        self.with_db(move |db| messages::before(db, &chat, before.as_ref(), limit))
            .await
    }

    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let (chat, after) = (chat.clone(), after.clone());
        self.with_db(move |db| messages::after(db, &chat, &after, limit))
            .await
    }

    async fn purge_older(&self, cutoff: &MessageId, limit: usize) -> Result<usize, StoreError> {
        let cutoff = cutoff.clone();
        self.in_transaction(move |tx| messages::purge_older(tx, &cutoff, limit))
            .await
    }

    async fn read_cursors(&self, user: &UserId) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
        let user = user.clone();
        self.with_db(move |db| messages::read_cursors(db, &user))
            .await
    }

    async fn apply(&self, changes: &[Change]) -> Result<(), StoreError> {
        let changes = changes.to_vec();
        self.in_transaction(move |tx| changes.iter().try_for_each(|c| rows::apply_one(tx, c)))
            .await
    }
}
