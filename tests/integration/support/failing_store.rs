//! A store that fails writes on purpose, to see what the handler does then.

use async_trait::async_trait;
use chatr::chat::member::Member;
use chatr::chat::message::{ClientMsgId, Message, MessageId};
use chatr::chat::model::{ChatId, ConnectionId, UserId};
use chatr::chat::outcome::{Change, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::User;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::{Binding, Store, StoreError};

/// A store whose writes fail when `fails` says so (every write, or those of one connection),
/// reading like the embedded store beneath it.
pub struct FailingWrites {
    inner: EmbeddedStore,
    fails: Box<Picks>,
}

/// Which writes fail.
type Picks = dyn Fn(&[Change]) -> bool + Send + Sync;

impl FailingWrites {
    /// Every write fails.
    pub fn always(inner: EmbeddedStore) -> Self {
        Self::when(inner, |_| true)
    }

    /// The writes `fails` picks fail.
    pub fn when(
        inner: EmbeddedStore,
        fails: impl Fn(&[Change]) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner,
            fails: Box::new(fails),
        }
    }
}

#[async_trait]
impl Store for FailingWrites {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        self.inner.get_user(id).await
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.inner.list_users().await
    }
    async fn online_users(&self, limit: usize) -> Result<Vec<User>, StoreError> {
        self.inner.online_users(limit).await
    }
    async fn search_users(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        self.inner.search_users(prefix, after, limit).await
    }
    async fn get_binding(&self, c: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        self.inner.get_binding(c).await
    }
    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        self.inner.list_bindings().await
    }
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        self.inner.get_chat(id).await
    }
    async fn list_chats(
        &self,
        after: Option<&ChatId>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        self.inner.list_chats(after, limit).await
    }
    async fn get_member(&self, chat: &ChatId, user: &UserId) -> Result<Option<Member>, StoreError> {
        self.inner.get_member(chat, user).await
    }
    async fn chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError> {
        self.inner.chats_of(user).await
    }
    async fn count_chats_of(&self, user: &UserId, up_to: usize) -> Result<usize, StoreError> {
        self.inner.count_chats_of(user, up_to).await
    }
    async fn members_of(
        &self,
        chat: &ChatId,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<Member>, StoreError> {
        self.inner.members_of(chat, after, limit).await
    }
    async fn purge_deleted(&self, limit: usize) -> Result<usize, StoreError> {
        self.inner.purge_deleted(limit).await
    }
    async fn get_message(
        &self,
        chat: &ChatId,
        id: &MessageId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        self.inner.get_message(chat, id).await
    }
    async fn message_by_client(
        &self,
        chat: &ChatId,
        user: &UserId,
        client_id: &ClientMsgId,
    ) -> Result<Option<Versioned<Message>>, StoreError> {
        self.inner.message_by_client(chat, user, client_id).await
    }
    async fn messages_before(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.inner.messages_before(chat, before, limit).await
    }
    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.inner.messages_after(chat, after, limit).await
    }
    async fn read_cursors(&self, user: &UserId) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
        self.inner.read_cursors(user).await
    }
    async fn purge_older(&self, cutoff: &MessageId, limit: usize) -> Result<usize, StoreError> {
        self.inner.purge_older(cutoff, limit).await
    }
    async fn apply(&self, changes: &[Change]) -> Result<(), StoreError> {
        if (self.fails)(changes) {
            return Err(StoreError::Unavailable("disk on fire".into()));
        }
        self.inner.apply(changes).await
    }
}
