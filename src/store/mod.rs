//! Where the chat keeps its state: the [`Store`] trait and its implementations.
//!
//! Every write names the version it expects ([`Expect`](crate::chat::outcome::Expect)); a write whose row has moved on
//! fails with [`StoreError::Conflict`] and the caller handles the event again from a fresh
//! read. That is how concurrent events never lose an update, on SQLite and on Azure Tables.

pub mod embedded;
pub mod table;

use std::sync::Arc;

use async_trait::async_trait;

use crate::chat::member::Member;
use crate::chat::message::{ClientMsgId, Message, MessageId};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Change, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::User;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write expected a version the row no longer has (or a row that now exists).
    #[error("the row changed since it was read")]
    Conflict,
    /// The store cannot be reached or failed; the event gets a 503.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A stored row does not parse.
    #[error("a stored row is corrupt: {0}")]
    Corrupt(String),
}

/// The chat's state: users with their connections, chats with their members, and which
/// user each connection is.
#[async_trait]
pub trait Store: Send + Sync {
    /// One user, with the version it was read at.
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError>;
    /// Every user ever seen (online or not).
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// Up to `limit` users online now (with a live connection), by id.
    async fn online_users(&self, limit: usize) -> Result<Vec<User>, StoreError>;
    /// Up to `limit` users, online or not, whose name starts with `prefix` (any case), by
    /// name then id, after the search key `after`; each with its key (a page's last key is the
    /// next page's `after`).
    async fn search_users(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError>;
    /// The user a connection belongs to, and whether it has closed (a closed binding is kept,
    /// so that a replayed event cannot bind the connection to someone else).
    async fn get_binding(&self, connection: &ConnectionId) -> Result<Option<Binding>, StoreError>;
    /// Every open connection with its user.
    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError>;
    /// One chat (deleted ones too: their ids stay taken), with the version it was read at.
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError>;
    /// Up to `limit` chats (deleted and private ones included) after `after`, in id order: a
    /// page, so that no caller reads every chat at once.
    async fn list_chats(
        &self,
        after: Option<&ChatId>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError>;
    /// A user's membership of a chat.
    async fn get_member(&self, chat: &ChatId, user: &UserId) -> Result<Option<Member>, StoreError>;
    /// The chats a user is a member of, deleted ones left out (one partition: the user's).
    async fn chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError>;
    /// How many chats a user is a member of, deleted ones left out, counting no further than
    /// `up_to` (so that the cost is bounded by it).
    async fn count_chats_of(&self, user: &UserId, up_to: usize) -> Result<usize, StoreError>;
    /// Up to `limit` members of a chat, by user id, after `after` (a page; one partition).
    async fn members_of(
        &self,
        chat: &ChatId,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<Member>, StoreError>;
    /// One message of a chat (a tombstone too), with the version it was read at.
    async fn get_message(
        &self,
        chat: &ChatId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError>;
    /// The message `user` sent to `chat` under `client_id`, if they did.
    async fn message_by_client(
        &self,
        chat: &ChatId,
        user: &UserId,
        client_id: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError>;
    /// Up to `limit` messages of a chat older than `before` (the newest when `None`), newest
    /// first; tombstones included.
    async fn messages_before(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError>;
    /// Up to `limit` messages of a chat newer than `after`, oldest first.
    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError>;
    /// A user's read cursors: the chats they have read, each up to the message id (one
    /// partition: the user's).
    async fn read_cursors(&self, user: &UserId) -> Result<Vec<(ChatId, MessageId)>, StoreError>;
    /// Removes up to `limit` messages (of any chat) stamped before `cutoff`, with their
    /// `clientId` markers; returns how many went (the sweep's retention).
    async fn purge_older(&self, cutoff: &MessageId, limit: usize) -> Result<usize, StoreError>;
    /// Removes up to `limit` memberships and messages of deleted chats (the sweep's work, so that deleting
    /// a chat costs the same whatever its size); returns how many went.
    async fn purge_deleted(&self, limit: usize) -> Result<usize, StoreError>;
    /// Applies changes in order. All or nothing where the store allows (SQLite: one
    /// transaction); a conflict leaves the state as if nothing had been applied there.
    async fn apply(&self, changes: &[Change]) -> Result<(), StoreError>;
}

/// Which user a connection belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub user: UserId,
    pub closed: bool,
}

/// A shared store.
pub type SharedStore = Arc<dyn Store>;
