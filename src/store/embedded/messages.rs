//! The embedded store's messages: one row per message keyed (chat, id), so that "the newest N
//! before X" and "the N after X" of one chat are one index range each whatever the chat's
//! history; a unique index on (chat, sender, clientId) makes a resend find the first.

use rusqlite::{params, Connection, OptionalExtension};

use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Expect, Version, Versioned};
use crate::store::embedded::decode::{parse_row, unavailable};
use crate::store::StoreError;

/// The messages table and its index (created with the others; `IF NOT EXISTS` adds them to an
/// older store).
pub(super) const TABLE: &str = "
CREATE TABLE IF NOT EXISTS messages (
    chat_id   TEXT NOT NULL,
    id        TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    client_id TEXT,
    data      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (chat_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client
    ON messages (chat_id, user_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (id);
CREATE TABLE IF NOT EXISTS read_cursors (
    user_id    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (user_id, chat_id)
) WITHOUT ROWID;
";

/// Moves a user's cursor in a chat forward to `id` (never back).
pub(super) fn mark_read(
    tx: &rusqlite::Transaction<'_>,
    chat: &ChatId,
    user: &UserId,
    id: &MessageId,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO read_cursors (user_id, chat_id, message_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, chat_id) DO UPDATE SET message_id = excluded.message_id
         WHERE excluded.message_id > read_cursors.message_id",
        params![user.as_str(), chat.as_str(), id.as_str()],
    )
    .map(drop)
    .map_err(unavailable)
}

/// A user's read cursors.
pub(super) fn read_cursors(
    db: &Connection,
    user: &UserId,
) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
    let mut stmt = db
        .prepare_cached("SELECT chat_id, message_id FROM read_cursors WHERE user_id = ?1")
        .map_err(unavailable)?;
    let rows = stmt
        .query_map(params![user.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(unavailable)?;
    rows.map(|r| {
        let (chat, id) = r.map_err(unavailable)?;
        Ok((
            ChatId::parse(chat).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            MessageId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ))
    })
    .collect()
}

fn versioned(data: &str, version: i64) -> Result<Versioned<Message>, StoreError> {
    Ok(Versioned {
        value: parse_row("messages", data)?,
        version: Version(version.to_string()),
    })
}

/// One message of a chat.
pub(super) fn get(
    db: &Connection,
    chat: &ChatId,
    id: &MessageId,
) -> Result<Option<Versioned<Message>>, StoreError> {
    db.query_row(
        "SELECT data, version FROM messages WHERE chat_id = ?1 AND id = ?2",
        params![chat.as_str(), id.as_str()],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )
    .optional()
    .map_err(unavailable)?
    .map(|(data, version)| versioned(&data, version))
    .transpose()
}

/// The message a user sent to a chat under a `clientId`.
pub(super) fn by_client(
    db: &Connection,
    chat: &ChatId,
    user: &UserId,
    client_id: &ClientMsgId,
) -> Result<Option<Versioned<Message>>, StoreError> {
    db.query_row(
        "SELECT data, version FROM messages WHERE chat_id = ?1 AND user_id = ?2 AND client_id = ?3",
        params![chat.as_str(), user.as_str(), client_id.as_str()],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )
    .optional()
    .map_err(unavailable)?
    .map(|(data, version)| versioned(&data, version))
    .transpose()
}

fn page(
    db: &Connection,
    sql: &str,
    chat: &ChatId,
    from: &str,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    let mut stmt = db.prepare_cached(sql).map_err(unavailable)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![chat.as_str(), from, limit], |r| {
            r.get::<_, String>(0)
        })
        .map_err(unavailable)?;
    rows.map(|r| parse_row("messages", &r.map_err(unavailable)?))
        .collect()
}

/// Up to `limit` messages older than `before` (or the newest), newest first.
pub(super) fn before(
    db: &Connection,
    chat: &ChatId,
    before: Option<&MessageId>,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    // Every id is 36 characters of `0-9a-f-`: "g" sorts after all of them.
    let from = before.map_or("g", MessageId::as_str);
    page(
        db,
        "SELECT data FROM messages WHERE chat_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        chat,
        from,
        limit,
    )
}

/// Up to `limit` messages newer than `after`, oldest first.
pub(super) fn after(
    db: &Connection,
    chat: &ChatId,
    after: &MessageId,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    page(
        db,
        "SELECT data FROM messages WHERE chat_id = ?1 AND id > ?2 ORDER BY id ASC LIMIT ?3",
        chat,
        after.as_str(),
        limit,
    )
}

/// Stores a new message (a conflict when its id, or its sender's `clientId` in the chat, is
/// taken) or replaces a stored one at the version read.
pub(super) fn put(
    tx: &rusqlite::Transaction<'_>,
    message: &Message,
    expect: &Expect,
) -> Result<(), StoreError> {
    let data = serde_json::to_string(message)
        .map_err(|e| StoreError::Unavailable(format!("a message does not serialise: {e}")))?;
    let changed = match expect {
        Expect::Absent => tx.execute(
            "INSERT INTO messages (chat_id, id, user_id, client_id, data, version)
             VALUES (?1, ?2, ?3, ?4, ?5, 1) ON CONFLICT DO NOTHING",
            params![
                message.chat.as_str(),
                message.id.as_str(),
                message.from.as_str(),
                message.client_id.as_ref().map(ClientMsgId::as_str),
                data
            ],
        ),
        Expect::Version(v) => {
            let Ok(version) = v.0.parse::<i64>() else {
                return Err(StoreError::Conflict); // a version from another store
            };
            tx.execute(
                "UPDATE messages SET data = ?3, version = version + 1
                 WHERE chat_id = ?1 AND id = ?2 AND version = ?4",
                params![message.chat.as_str(), message.id.as_str(), data, version],
            )
        }
    }
    .map_err(unavailable)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// Removes up to `limit` messages stamped before `cutoff` (any chat); returns how many went.
pub(super) fn purge_older(
    tx: &rusqlite::Transaction<'_>,
    cutoff: &MessageId,
    limit: usize,
) -> Result<usize, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    tx.execute(
        "DELETE FROM messages WHERE (chat_id, id) IN (
             SELECT chat_id, id FROM messages WHERE id < ?1 ORDER BY id LIMIT ?2)",
        params![cutoff.as_str(), limit],
    )
    .map_err(unavailable)
}

/// Removes up to `limit` messages of deleted chats; returns how many went.
pub(super) fn purge_deleted(
    tx: &rusqlite::Transaction<'_>,
    limit: usize,
) -> Result<usize, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    tx.execute(
        "DELETE FROM messages WHERE (chat_id, id) IN (
             SELECT m.chat_id, m.id FROM chats c JOIN messages m ON m.chat_id = c.id
             WHERE c.deleted = 1 LIMIT ?1)",
        params![limit],
    )
    .map_err(unavailable)
}
