//! A store that cannot write: the event gets a 5xx and nothing is sent.

use std::sync::Arc;

use async_trait::async_trait;
use chatr::chat::member::Member;
use chatr::chat::model::{ChatId, ConnectionId, UserId};
use chatr::chat::outcome::{Change, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::User;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::{Binding, Store, StoreError};

use crate::support::answer::Answer;
use crate::support::app::spawn_app_on;
use crate::support::domain::ROOM;

/// A store whose writes fail.
struct BrokenWrites(EmbeddedStore);

#[async_trait]
impl Store for BrokenWrites {
    async fn get_user(&self, id: &UserId) -> Result<Option<Versioned<User>>, StoreError> {
        self.0.get_user(id).await
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.0.list_users().await
    }
    async fn online_users(&self, limit: usize) -> Result<Vec<User>, StoreError> {
        self.0.online_users(limit).await
    }
    async fn search_users(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        self.0.search_users(prefix, after, limit).await
    }
    async fn get_binding(&self, c: &ConnectionId) -> Result<Option<Binding>, StoreError> {
        self.0.get_binding(c).await
    }
    async fn list_bindings(&self) -> Result<Vec<(ConnectionId, UserId)>, StoreError> {
        self.0.list_bindings().await
    }
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Versioned<Chat>>, StoreError> {
        self.0.get_chat(id).await
    }
    async fn list_chats(
        &self,
        after: Option<&ChatId>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        self.0.list_chats(after, limit).await
    }
    async fn get_member(&self, chat: &ChatId, user: &UserId) -> Result<Option<Member>, StoreError> {
        self.0.get_member(chat, user).await
    }
    async fn chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError> {
        self.0.chats_of(user).await
    }
    async fn count_chats_of(&self, user: &UserId, up_to: usize) -> Result<usize, StoreError> {
        self.0.count_chats_of(user, up_to).await
    }
    async fn members_of(
        &self,
        chat: &ChatId,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<Member>, StoreError> {
        self.0.members_of(chat, after, limit).await
    }
    async fn purge_deleted(&self, limit: usize) -> Result<usize, StoreError> {
        self.0.purge_deleted(limit).await
    }
    async fn apply(&self, _changes: &[Change]) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("disk on fire".into()))
    }
}

#[tokio::test]
async fn when_storing_fails_the_event_gets_a_503_and_nothing_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let store = BrokenWrites(EmbeddedStore::open(dir.path()).expect("store"));
    let app = spawn_app_on(Arc::new(store)).await;
    let body = app
        .create_chat("a1", "alice", ROOM, "Room")
        .await
        .store_unavailable()
        .await;
    assert!(
        !body.to_string().contains("disk on fire"),
        "causes are logged, never sent"
    );
    assert!(app.pubsub.calls().is_empty());
}
