//! The embedded store's tables, and the migrations of older stores: member rows of their own
//! (version 2: a chat row listed its members before), the user index (version 3: who is
//! online, and names to search).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, TransactionBehavior};
use serde::Deserialize;

use crate::chat::outcome::UserEntry;
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::store::StoreError;

/// The schema this code writes (`PRAGMA user_version`).
pub(super) const VERSION: i64 = 3;

const TABLES: &str = "
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
CREATE TABLE IF NOT EXISTS members (
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id, chat_id);
";

/// Indexes on columns added since the first schema (created once the columns exist).
const ADDED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS users_online ON users (online, id);
CREATE INDEX IF NOT EXISTS users_by_name ON users (search_key);
";

/// Columns added since the first schema: (table, column, definition).
const ADDED_COLUMNS: [(&str, &str, &str); 5] = [
    ("connections", "closed", "INTEGER NOT NULL DEFAULT 0"),
    ("chats", "member_count", "INTEGER NOT NULL DEFAULT 0"),
    ("chats", "deleted", "INTEGER NOT NULL DEFAULT 0"),
    ("users", "online", "INTEGER NOT NULL DEFAULT 0"),
    ("users", "search_key", "TEXT"),
];

fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// Creates what is missing and migrates older data, in one transaction.
pub(super) fn prepare(db: &mut Connection) -> Result<(), StoreError> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(unavailable)?;
    tx.execute_batch(TABLES).map_err(unavailable)?;
    tx.execute_batch(super::messages::TABLE)
        .map_err(unavailable)?;
    for (table, column, definition) in ADDED_COLUMNS {
        if tx
            .prepare(&format!("SELECT {column} FROM {table} LIMIT 0"))
            .is_err()
        {
            tx.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {definition}"
            ))
            .map_err(unavailable)?;
        }
    }
    tx.execute_batch(ADDED_INDEXES).map_err(unavailable)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(unavailable)?;
    if version < 2 {
        migrate_members(&tx)?;
    }
    if version < 3 {
        index_users(&tx)?;
    }
    if version < VERSION {
        tx.execute_batch(&format!("PRAGMA user_version = {VERSION}"))
            .map_err(unavailable)?;
    }
    tx.commit().map_err(unavailable)
}

/// A chat row as it was written before version 2: its members inside it.
#[derive(Deserialize)]
struct LegacyChat {
    #[serde(default)]
    members: BTreeMap<String, LegacyMember>,
    #[serde(default)]
    deleted: bool,
}

#[derive(Deserialize)]
struct LegacyMember {
    /// Read as it was stored (names were checked when written).
    name: String,
}

/// Moves every chat row's members into member rows, counts them, and rewrites the row
/// without them (membership lasts from now on: whoever was in a chat stays in it).
fn migrate_members(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT id, data FROM chats")
            .map_err(unavailable)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(unavailable)?;
        rows.collect::<Result<_, _>>().map_err(unavailable)?
    };
    let mut moved = 0usize;
    for (id, data) in rows {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("chats row {id}: {e}"));
        let legacy: LegacyChat = serde_json::from_str(&data).map_err(corrupt)?;
        let chat: Chat = serde_json::from_str(&data).map_err(corrupt)?;
        let live = !(legacy.deleted || chat.deleted);
        if live {
            for (user, member) in &legacy.members {
                tx.execute(
                    "INSERT INTO members (chat_id, user_id, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![id, user, member.name],
                )
                .map_err(unavailable)?;
                moved += 1;
            }
        }
        let rewritten = serde_json::to_string(&chat).map_err(corrupt)?;
        tx.execute(
            "UPDATE chats SET data = ?2, deleted = ?3, member_count = (SELECT COUNT(*) FROM members WHERE chat_id = ?1) WHERE id = ?1",
            params![id, rewritten, !live],
        )
        .map_err(unavailable)?;
    }
    if moved > 0 {
        tracing::info!(members = moved, "moved chat members into rows of their own");
    }
    Ok(())
}

/// Fills the user index (online, search key) of every user row.
fn index_users(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT id, data FROM users")
            .map_err(unavailable)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(unavailable)?;
        rows.collect::<Result<_, _>>().map_err(unavailable)?
    };
    for (id, data) in rows {
        let user: User = serde_json::from_str(&data)
            .map_err(|e| StoreError::Corrupt(format!("users row {id}: {e}")))?;
        let entry = UserEntry::of(&user);
        tx.execute(
            "UPDATE users SET online = ?2, search_key = ?3 WHERE id = ?1",
            params![id, entry.online, entry.key],
        )
        .map_err(unavailable)?;
    }
    Ok(())
}
