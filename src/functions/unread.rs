//! The caller's unread and mention counts, for `/api/chats`: for each of their chats (at most
//! `MAX_COUNTED`), the messages after their read cursor, read no further than `UNREAD_CAP`,
//! a few chats at a time. A chat they never marked read counts from its first message. Each
//! count comes with the cursor itself (`readUpTo`), where a client draws its "new messages" line.

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

/// A member's counts in one chat, and their cursor there (None: never marked read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadState {
    pub counts: Unread,
    pub read_up_to: Option<MessageId>,
}

/// Counts for `chats`, each `user` is in.
pub async fn unread_counts(
    app: &App,
    user: &UserId,
    chats: Vec<ChatId>,
) -> Result<BTreeMap<ChatId, ReadState>, ApiError> {
    let mut cursors: BTreeMap<ChatId, MessageId> =
        app.store.read_cursors(user).await?.into_iter().collect();
    let reads: Vec<(ChatId, Option<MessageId>)> = chats
        .into_iter()
        .take(MAX_COUNTED)
        .map(|chat| {
            let cursor = cursors.remove(&chat);
            (chat, cursor)
        })
        .collect();
    let store = app.store.clone();
    let me = user.clone();
    let counted: Vec<(ChatId, ReadState)> = stream::iter(reads)
        .map(move |(chat, cursor)| {
            let store = store.clone();
            let me = me.clone();
            async move {
                let from = cursor.clone().unwrap_or_else(|| MessageId::floor_at(0));
                let after = store.messages_after(&chat, &from, UNREAD_CAP).await?;
                let state = ReadState {
                    counts: count(&after, &me),
                    read_up_to: cursor,
                };
                Ok::<_, ApiError>((chat, state))
            }
        })
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    Ok(counted.into_iter().collect())
}
