//! A chat member: a user who joined a chat (or one of a private chat's two users), until they
//! leave it or it is deleted, online or not. One row per (chat, user), so that joining writes
//! a few small rows whatever the chat's size.

use serde::{Deserialize, Serialize};

use crate::chat::model::{ChatId, UserId};
use crate::chat::name::DisplayName;

/// A user's membership of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub chat: ChatId,
    pub user: UserId,
    /// Their name when they joined (what the left notice says).
    pub name: DisplayName,
}

impl Member {
    /// `user`, named `name`, in `chat`.
    pub fn new(chat: &ChatId, user: &UserId, name: &DisplayName) -> Self {
        Self {
            chat: chat.clone(),
            user: user.clone(),
            name: name.clone(),
        }
    }
}
