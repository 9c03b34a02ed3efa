//! The caller's unread and mention counts, for `/api/chats`: for each of their chats (at most
//! `MAX_COUNTED`), the messages after their read cursor, read no further than `UNREAD_CAP`,
//! a few chats at a time. A chat they never marked read counts from its first message.

use std::collections::BTreeMap;

use futures_util::{stream, StreamExt, TryStreamExt};

use crate::chat::message::MessageId;
use crate::chat::model::{ChatId, UserId};
use crate::chat::read_state::{count, Unread, UNREAD_CAP};
use crate::functions::error::ApiError;
use crate::functions::App;

/// Most chats whose counts one request reads (the first by id; the others have none).
pub const MAX_COUNTED: usize = 200;
/// Chats counted at once.
const AT_ONCE: usize = 8;

/// Counts for `chats`, each `user` is in.
pub async fn unread_counts(
    app: &App,
    user: &UserId,
    chats: Vec<ChatId>,
) -> Result<BTreeMap<ChatId, Unread>, ApiError> {
    let mut cursors: BTreeMap<ChatId, MessageId> =
        app.store.read_cursors(user).await?.into_iter().collect();
    let reads: Vec<(ChatId, MessageId)> = chats
        .into_iter()
        .take(MAX_COUNTED)
        .map(|chat| {
            let from = cursors
                .remove(&chat)
                .unwrap_or_else(|| MessageId::floor_at(0));
            (chat, from)
        })
        .collect();
    let store = app.store.clone();
    let me = user.clone();
    let counted: Vec<(ChatId, Unread)> = stream::iter(reads)
        .map(move |(chat, from)| {
            let store = store.clone();
            let me = me.clone();
            async move {
                let after = store.messages_after(&chat, &from, UNREAD_CAP).await?;
                Ok::<_, ApiError>((chat, count(&after, &me)))
            }
        })
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    Ok(counted.into_iter().collect())
}
