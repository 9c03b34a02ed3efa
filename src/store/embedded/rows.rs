//! Reading and writing the embedded store's rows: versioned JSON rows (users, chats) with
//! compare-and-swap, bindings, and member rows whose chat count moves with them.

use rusqlite::{params, Connection, OptionalExtension};

use crate::chat::member::Member;
use crate::chat::model::{ChatId, UserId};
use crate::chat::name::DisplayName;
use crate::chat::outcome::{Change, Expect, UserEntry, Version, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::User;
use crate::store::StoreError;

pub(super) use crate::store::embedded::decode::{parse_row, unavailable};

fn corrupt_id(e: crate::chat::model::IdError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Reads one versioned JSON row of `users`.
pub(super) fn get_user_row<T: serde::de::DeserializeOwned>(
    db: &Connection,
    id: &str,
) -> Result<Option<Versioned<T>>, StoreError> {
    let row: Option<(String, i64)> = db
        .query_row(
            "SELECT data, version FROM users WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(unavailable)?;
    row.map(|(data, version)| {
        Ok(Versioned {
            value: parse_row("users", &data)?,
            version: Version(version.to_string()),
        })
    })
    .transpose()
}

/// A chat from its JSON and its member count.
fn chat_of(data: &str, member_count: i64) -> Result<Chat, StoreError> {
    let mut chat: Chat = parse_row("chats", data)?;
    chat.member_count = u64::try_from(member_count).unwrap_or_default();
    Ok(chat)
}

/// Reads one chat with its version and member count.
pub(super) fn get_chat_row(
    db: &Connection,
    id: &str,
) -> Result<Option<Versioned<Chat>>, StoreError> {
    let row: Option<(String, i64, i64)> = db
        .query_row(
            "SELECT data, version, member_count FROM chats WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(unavailable)?;
    row.map(|(data, version, count)| {
        Ok(Versioned {
            value: chat_of(&data, count)?,
            version: Version(version.to_string()),
        })
    })
    .transpose()
}

/// Every chat, with its member count.
pub(super) fn list_chat_rows(
    db: &Connection,
    after: &str,
    limit: usize,
) -> Result<Vec<Chat>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = db
        .prepare("SELECT data, member_count FROM chats WHERE id > ?1 ORDER BY id LIMIT ?2")
        .map_err(unavailable)?;
    let rows = stmt
        .query_map(params![after, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(unavailable)?;
    rows.map(|r| {
        let (data, count) = r.map_err(unavailable)?;
        chat_of(&data, count)
    })
    .collect()
}

/// Every row of `users`.
pub(super) fn list_user_rows<T: serde::de::DeserializeOwned>(
    db: &Connection,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = db
        .prepare("SELECT data FROM users ORDER BY id")
        .map_err(unavailable)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|r| parse_row("users", &r.map_err(unavailable)?))
        .collect()
}

/// Up to `limit` users with a live connection, by id.
pub(super) fn online_users(db: &Connection, limit: usize) -> Result<Vec<User>, StoreError> {
    let mut stmt = db
        .prepare("SELECT data FROM users WHERE online = 1 ORDER BY id LIMIT ?1")
        .map_err(unavailable)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![limit], |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|r| parse_row("users", &r.map_err(unavailable)?))
        .collect()
}

/// Up to `limit` users whose search key lies in `[from, to)` and after `after`, by key.
pub(super) fn search_users(
    db: &Connection,
    from: &str,
    to: &str,
    after: &str,
    limit: usize,
) -> Result<Vec<(String, User)>, StoreError> {
    let mut stmt = db
        .prepare(
            "SELECT search_key, data FROM users
             WHERE search_key >= ?1 AND search_key < ?2 AND search_key > ?3
             ORDER BY search_key LIMIT ?4",
        )
        .map_err(unavailable)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![from, to, after, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(unavailable)?;
    rows.map(|r| {
        let (key, data) = r.map_err(unavailable)?;
        Ok((key, parse_row("users", &data)?))
    })
    .collect()
}

/// A member from its columns.
fn member_of(chat: String, user: String, name: String) -> Result<Member, StoreError> {
    Ok(Member {
        chat: ChatId::parse(chat).map_err(corrupt_id)?,
        user: UserId::parse(user).map_err(corrupt_id)?,
        // Read as stored: a name that was accepted once stays readable.
        name: DisplayName::stored(&name)
            .or_else(|_| DisplayName::parse("Someone"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

/// One membership.
pub(super) fn get_member(
    db: &Connection,
    chat: &str,
    user: &str,
) -> Result<Option<Member>, StoreError> {
    let name: Option<String> = db
        .query_row(
            "SELECT name FROM members WHERE chat_id = ?1 AND user_id = ?2",
            params![chat, user],
            |r| r.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    name.map(|n| member_of(chat.to_string(), user.to_string(), n))
        .transpose()
}

/// The live chats of a user.
pub(super) fn chats_of(db: &Connection, user: &str) -> Result<Vec<ChatId>, StoreError> {
    let mut stmt = db
        .prepare(
            "SELECT m.chat_id FROM members m JOIN chats c ON c.id = m.chat_id
             WHERE m.user_id = ?1 AND c.deleted = 0 ORDER BY m.chat_id",
        )
        .map_err(unavailable)?;
    let rows = stmt
        .query_map(params![user], |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|r| ChatId::parse(r.map_err(unavailable)?).map_err(corrupt_id))
        .collect()
}

/// How many live chats a user is in, up to `up_to` (the index on (`user_id`, `chat_id`) is read
/// no further).
pub(super) fn count_chats_of(
    db: &Connection,
    user: &str,
    up_to: usize,
) -> Result<usize, StoreError> {
    let limit = i64::try_from(up_to).unwrap_or(i64::MAX);
    let count: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM (SELECT 1 FROM members m JOIN chats c ON c.id = m.chat_id
             WHERE m.user_id = ?1 AND c.deleted = 0 LIMIT ?2)",
            params![user, limit],
            |r| r.get(0),
        )
        .map_err(unavailable)?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// A page of a chat's members, by user id.
pub(super) fn members_of(
    db: &Connection,
    chat: &str,
    after: &str,
    limit: usize,
) -> Result<Vec<Member>, StoreError> {
    let mut stmt = db
        .prepare(
            "SELECT user_id, name FROM members WHERE chat_id = ?1 AND user_id > ?2
             ORDER BY user_id LIMIT ?3",
        )
        .map_err(unavailable)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![chat, after, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(unavailable)?;
    rows.map(|r| {
        let (user, name) = r.map_err(unavailable)?;
        member_of(chat.to_string(), user, name)
    })
    .collect()
}

/// Removes up to `limit` memberships of deleted chats; returns how many went.
pub(super) fn purge_deleted(
    tx: &rusqlite::Transaction<'_>,
    limit: usize,
) -> Result<usize, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let removed = tx
        .execute(
            "DELETE FROM members WHERE (chat_id, user_id) IN (
                SELECT m.chat_id, m.user_id FROM members m JOIN chats c ON c.id = m.chat_id
                WHERE c.deleted = 1 LIMIT ?1)",
            params![limit],
        )
        .map_err(unavailable)?;
    tx.execute(
        "UPDATE chats SET member_count = 0 WHERE deleted = 1 AND member_count != 0
         AND NOT EXISTS (SELECT 1 FROM members WHERE chat_id = chats.id)",
        [],
    )
    .map_err(unavailable)?;
    let room = usize::try_from(limit)
        .unwrap_or_default()
        .saturating_sub(removed);
    Ok(removed + super::messages::purge_deleted(tx, room)?)
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

/// Applies one change inside the event's transaction.
pub(super) fn apply_one(tx: &rusqlite::Transaction<'_>, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::PutUser { user, expect } => {
            put_versioned(tx, "users", user.id.as_str(), &to_json(user)?, expect)?;
            // The index lives in the row: written with it, in the same transaction.
            let entry = UserEntry::of(user);
            tx.execute(
                "UPDATE users SET online = ?2, search_key = ?3 WHERE id = ?1",
                params![user.id.as_str(), entry.online, entry.key],
            )
            .map(drop)
            .map_err(unavailable)
        }
        Change::PutChat { chat, expect } => {
            put_versioned(tx, "chats", chat.id.as_str(), &to_json(chat)?, expect)?;
            // Beside the JSON, so that a user's chats leave deleted ones out in one query.
            tx.execute(
                "UPDATE chats SET deleted = ?2 WHERE id = ?1",
                params![chat.id.as_str(), chat.deleted],
            )
            .map(drop)
            .map_err(unavailable)
        }
        // Written with the row by `PutUser`.
        Change::IndexUser { .. } => Ok(()),
        Change::AddMember { member } => {
            let added = tx
                .execute(
                    "INSERT INTO members (chat_id, user_id, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![member.chat.as_str(), member.user.as_str(), member.name.as_str()],
                )
                .map_err(unavailable)?;
            count(tx, &member.chat, added, 1)
        }
        Change::RemoveMember { chat, user } => {
            let removed = tx
                .execute(
                    "DELETE FROM members WHERE chat_id = ?1 AND user_id = ?2",
                    params![chat.as_str(), user.as_str()],
                )
                .map_err(unavailable)?;
            count(tx, chat, removed, -1)
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
        Change::PutMessage { message, expect } => super::messages::put(tx, message, expect),
        Change::MarkRead { chat, user, id } => super::messages::mark_read(tx, chat, user, id),
        Change::UnbindConnection { connection } => tx
            .execute(
                "UPDATE connections SET closed = 1 WHERE id = ?1",
                params![connection.as_str()],
            )
            .map(drop)
            .map_err(unavailable),
    }
}

/// Moves a chat's member count by `step` when a member row changed.
fn count(
    tx: &rusqlite::Transaction<'_>,
    chat: &ChatId,
    changed: usize,
    step: i64,
) -> Result<(), StoreError> {
    if changed == 1 {
        tx.execute(
            "UPDATE chats SET member_count = MAX(member_count + ?2, 0) WHERE id = ?1",
            params![chat.as_str(), step],
        )
        .map_err(unavailable)?;
    }
    Ok(())
}
