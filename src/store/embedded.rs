//! The embedded store: SQLite (bundled) in WAL mode under `CHATR_DATA_DIR`, one transaction
//! per event, so a restart or a kill mid-write leaves every acknowledged change in place.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Change, Expect, Version, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::store::{Binding, Store, StoreError};

/// The file inside the data folder.
pub const DB_FILE: &str = "chatr.sqlite3";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id      TEXT PRIMARY KEY,
    data    TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chats (
    id      TEXT PRIMARY KEY,
    data    TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    closed  INTEGER NOT NULL DEFAULT 0
);
";

/// SQLite behind a mutex; calls run on tokio's blocking pool.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Mutex<Connection>>,
}

impl EmbeddedStore {
    /// Opens (creating when missing) the store in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let db = Connection::open(data_dir.join(DB_FILE)).map_err(unavailable)?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        db.execute_batch(SCHEMA).map_err(unavailable)?;
        // A store made before bindings were kept after a close: add the column.
        let has_closed = db.prepare("SELECT closed FROM connections LIMIT 0").is_ok();
        if !has_closed {
            db.execute_batch(
                "ALTER TABLE connections ADD COLUMN closed INTEGER NOT NULL DEFAULT 0",
            )
            .map_err(unavailable)?;
        }
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
}

fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn parse_row<T: serde::de::DeserializeOwned>(table: &str, data: &str) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("{table} row: {e}")))
}

/// Reads one versioned JSON row.
fn get_versioned<T: serde::de::DeserializeOwned>(
    db: &Connection,
    table: &str,
    id: &str,
) -> Result<Option<Versioned<T>>, StoreError> {
    let row: Option<(String, i64)> = db
        .query_row(
            &format!("SELECT data, version FROM {table} WHERE id = ?1"),
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(unavailable)?;
    row.map(|(data, version)| {
        Ok(Versioned {
            value: parse_row(table, &data)?,
            version: Version(version.to_string()),
        })
    })
    .transpose()
}

/// Reads every row of a JSON table.
fn list_rows<T: serde::de::DeserializeOwned>(
    db: &Connection,
    table: &str,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = db
        .prepare(&format!("SELECT data FROM {table} ORDER BY id"))
        .map_err(unavailable)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|r| parse_row(table, &r.map_err(unavailable)?))
        .collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_version(v: &Version) -> Result<i64, StoreError> {
    // A version from another store can never match a row here.
    v.0.parse().map_err(|_| StoreError::Conflict)
}

/// Writes a versioned row: insert when `Absent` is expected, compare-and-swap otherwise.
fn put_versioned(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    id: &str,
    data: &str,
    expect: &Expect,
) -> Result<(), StoreError> {
    let changed = match expect {
        Expect::Absent => tx
            .execute(
                &format!("INSERT INTO {table} (id, data, version) VALUES (?1, ?2, 1) ON CONFLICT(id) DO NOTHING"),
                params![id, data],
            )
            .map_err(unavailable)?,
        Expect::Version(v) => tx
            .execute(
                &format!("UPDATE {table} SET data = ?2, version = version + 1 WHERE id = ?1 AND version = ?3"),
                params![id, data, parse_version(v)?],
            )
            .map_err(unavailable)?,
    };
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

fn apply_one(tx: &rusqlite::Transaction<'_>, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::PutUser { user, expect } => {
            put_versioned(tx, "users", user.id.as_str(), &to_json(user)?, expect)
        }
        Change::PutChat { chat, expect } => {
            put_versioned(tx, "chats", chat.id.as_str(), &to_json(chat)?, expect)
        }
        Change::BindConnection { connection, user } => {
            tx.execute(
                "INSERT INTO connections (id, user_id, closed) VALUES (?1, ?2, 0) ON CONFLICT(id) DO NOTHING",
                params![connection.as_str(), user.as_str()],
            )
            .map_err(unavailable)?;
            // Bound to someone else, or closed, already: never rebound.
            let (bound, closed): (String, bool) = tx
                .query_row(
                    "SELECT user_id, closed FROM connections WHERE id = ?1",
                    params![connection.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(unavailable)?;
            if bound == user.as_str() && !closed {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            }
        }
        Change::UnbindConnection { connection } => tx
            .execute(
                "UPDATE connections SET closed = 1 WHERE id = ?1",
                params![connection.as_str()],
            )
            .map(drop)
            .map_err(unavailable),
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        let id = id.as_str().to_string();
        self.with_db(move |db| get_versioned(db, "users", &id))
            .await
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.with_db(|db| list_rows(db, "users")).await
    }

    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        let id = id.as_str().to_string();
        self.with_db(move |db| get_versioned(db, "chats", &id))
            .await
    }

    async fn list_chats(&self) -> Result<Vec<Chat>, StoreError> {
        self.with_db(|db| list_rows(db, "chats")).await
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

    async fn apply(&self, changes: &[Change]) -> Result<(), StoreError> {
        let changes = changes.to_vec();
        self.with_db(move |db| {
            let tx = db
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            for change in &changes {
                apply_one(&tx, change)?; // dropping `tx` on error rolls back
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }
}
