//! `getChats` (`/api/chats`): the group chats, keyed by id, as the original client reads
//! them, `{chats:{<id>:{id,name,members,owner,memberCount}}}`, where `members` holds only
//! the caller's own entry when they are a member (enough for a client to know where it
//! belongs; the full membership is never listed). Deleted chats are never listed, nor anyone
//! else's private chats; the caller's own private chats come apart, in `direct`
//! (`{<id>: {id, with, withName}}`: the other user and their name, even if they have left it:
//! opening it again brings them back),
//! so that a user finds a private chat opened while they were away. At most
//! `MAX_CHATS_LISTED` group chats, the caller's own first (`more: true` when some may be left
//! out); `direct` holds at most as many. What is read is bounded too: chat
//! rows in pages, no more than `MAX_SCANNED`, then the caller's own chats by id. Each of the
//! caller's chats (up to `unread::MAX_COUNTED`) carries `unread` and `mentions`: the messages
//! of others after their read cursor, counted up to `read_state::UNREAD_CAP` (100: "99+"),
//! and `readUpTo`, the cursor itself, once they have marked the chat read.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::{stream, StreamExt, TryStreamExt};
use warp::reply::Response;
use warp::Reply;

use crate::chat::member::Member;
use crate::chat::model::{ChatId, UserId};
use crate::chat::room::{Chat, ChatKind};
use crate::functions::error::ApiError;
use crate::functions::unread::unread_counts;
use crate::functions::{App, Request};

/// Most chats listed at once.
pub const MAX_CHATS_LISTED: usize = 1000;
/// Rows read at once (member and chat rows, one by one, for `direct` and the caller's chats).
const READS_AT_ONCE: usize = 8;
/// Chat rows read in one page.
const PAGE: usize = 1000;
/// Most chat rows one request reads in pages, looking for group chats to list.
const MAX_SCANNED: usize = 5 * PAGE;

/// A chat anyone may see listed: a live group chat.
fn is_listable(chat: &Chat) -> bool {
    !chat.deleted && matches!(chat.kind, ChatKind::Group { .. })
}

/// The live group chats to list, the caller's (`mine`) first, at most `max`; and whether some
/// were left out.
fn listed<'a>(chats: &'a [Chat], mine: &BTreeSet<ChatId>, max: usize) -> (Vec<&'a Chat>, bool) {
    let mut groups: Vec<&Chat> = chats.iter().filter(|c| is_listable(c)).collect();
    // The caller's chats first, so that a cut never hides where they belong.
    groups.sort_by_key(|c| !mine.contains(&c.id));
    let more = groups.len() > max;
    groups.truncate(max);
    (groups, more)
}

/// The caller's live private chats, each with the other user.
fn own_private(chats: &[Chat], mine: &BTreeSet<ChatId>, me: &UserId) -> Vec<(ChatId, UserId)> {
    chats
        .iter()
        .filter(|c| !c.deleted && mine.contains(&c.id))
        .filter_map(|c| match &c.kind {
            ChatKind::Private { users } => users
                .iter()
                .find(|u| *u != me)
                .map(|other| (c.id.clone(), other.clone())),
            ChatKind::Group { .. } => None,
        })
        .collect()
}

/// `direct`: each of the caller's private chats (at most `MAX_CHATS_LISTED`) with the other
/// user's id and name.
async fn direct(
    app: &App,
    private: Vec<(ChatId, UserId)>,
) -> Result<BTreeMap<String, serde_json::Value>, ApiError> {
    let store = app.store.clone();
    stream::iter(private.into_iter().take(MAX_CHATS_LISTED))
        .map(move |(chat, other)| {
            let store = store.clone();
            async move {
                let user = store.get_user(&other).await?;
                let name =
                    user.map_or_else(|| other.as_str().to_string(), |u| u.value.name.to_string());
                Ok::<_, ApiError>((
                    chat.as_str().to_string(),
                    serde_json::json!({"id": chat, "with": other, "withName": name}),
                ))
            }
        })
        .buffered(READS_AT_ONCE)
        .try_collect()
        .await
}

/// The chats to consider: pages of chats in id order until enough group chats to list are in
/// hand (or `MAX_SCANNED` rows), then the caller's own chats those pages missed, one by one
/// (as many as the cap on a user's chats); and whether the pages stopped before the end.
async fn read_chats(app: &App, mine: &BTreeSet<ChatId>) -> Result<(Vec<Chat>, bool), ApiError> {
    let mut chats = Vec::new();
    let mut groups = 0;
    let mut after: Option<ChatId> = None;
    let cut = loop {
        let page = app.store.list_chats(after.as_ref(), PAGE).await?;
        let last_page = page.len() < PAGE;
        after = page.last().map(|c| c.id.clone());
        groups += page.iter().filter(|c| is_listable(c)).count();
        chats.extend(page);
        if last_page {
            break false;
        }
        if groups >= MAX_CHATS_LISTED || chats.len() >= MAX_SCANNED {
            break true;
        }
    };
    let seen: BTreeSet<&ChatId> = chats.iter().map(|c| &c.id).collect();
    let missing: Vec<ChatId> = mine
        .iter()
        .filter(|id| !seen.contains(id))
        .cloned()
        .collect();
    let store = app.store.clone();
    let found: Vec<_> = stream::iter(missing)
        .map(move |id| {
            let store = store.clone();
            async move { store.get_chat(&id).await }
        })
        .buffered(READS_AT_ONCE)
        .try_collect()
        .await?;
    chats.extend(found.into_iter().flatten().map(|read| read.value));
    Ok((chats, cut))
}

/// Serves `/api/chats`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    let principal = request.principal()?;
    // It reads the caller's unread counts: a read of history, counted as one.
    if let Err(retry_after_ms) = app.rates.history_reads.check(&principal.user_id) {
        return Err(ApiError::RateLimited { retry_after_ms });
    }
    let mine: BTreeSet<_> = app
        .store
        .chats_of(&principal.user_id)
        .await?
        .into_iter()
        .collect();
    let (chats, cut) = read_chats(app, &mine).await?;
    let memberships: BTreeMap<_, _> = mine
        .iter()
        .map(|id| (id, Member::new(id, &principal.user_id, &principal.name)))
        .collect();
    let (groups, more) = listed(&chats, &mine, MAX_CHATS_LISTED);
    let private = own_private(&chats, &mine, &principal.user_id);
    let counted = groups
        .iter()
        .map(|c| c.id.clone())
        .filter(|id| mine.contains(id))
        .chain(private.iter().map(|(id, _)| id.clone()))
        .collect();
    let unread = unread_counts(app, &principal.user_id, counted).await?;
    let with_counts = |id: &ChatId, mut view: serde_json::Value| {
        if let Some(read) = unread.get(id) {
            view["unread"] = read.counts.unread.into();
            view["mentions"] = read.counts.mentions.into();
            if let Some(cursor) = &read.read_up_to {
                view["readUpTo"] = cursor.as_str().into();
            }
        }
        view
    };
    let listed: BTreeMap<&str, _> = groups
        .into_iter()
        .map(|c| {
            #[expect(
                clippy::expect_used,
                reason = "a chat's view is strings, a number and string-keyed maps"
            )]
            let view = serde_json::to_value(c.view(memberships.get(&c.id))).expect("JSON");
            (c.id.as_str(), with_counts(&c.id, view))
        })
        .collect();
    let mut direct = direct(app, private).await?;
    for (id, view) in &mut direct {
        if let Ok(id) = ChatId::parse(id.as_str()) {
            *view = with_counts(&id, std::mem::take(view));
        }
    }
    let mut body = serde_json::json!({ "chats": listed, "direct": direct });
    if more || cut {
        body["more"] = serde_json::Value::Bool(true);
    }
    Ok(warp::reply::json(&body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_support::{chat_id, name, uid};

    fn group(id: &str) -> Chat {
        Chat::group(chat_id(id), name("Room"), uid("owner"))
    }

    #[test]
    fn the_list_is_bounded_the_callers_chats_first_and_says_when_it_is_cut() {
        let mut gone = group("c0");
        gone.deleted = true;
        let private = Chat::private(chat_id("private_a_b"), [uid("a"), uid("b")]);
        let chats = vec![gone, group("c1"), group("c2"), group("c3"), private];
        let mine: BTreeSet<ChatId> = [chat_id("c3")].into();
        let (shown, more) = listed(&chats, &mine, 2);
        let ids: Vec<&str> = shown.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c3", "c1"]);
        assert!(more);
        let (all, more) = listed(&chats, &mine, 10);
        assert_eq!(all.len(), 3, "neither deleted nor private chats are listed");
        assert!(!more);
    }

    #[test]
    fn only_the_callers_live_private_chats_are_their_direct_chats() {
        let ab = Chat::private(chat_id("private_a_b"), [uid("a"), uid("b")]);
        let bc = Chat::private(chat_id("private_b_c"), [uid("b"), uid("c")]);
        let mut ad = Chat::private(chat_id("private_a_d"), [uid("a"), uid("d")]);
        ad.deleted = true;
        let chats = vec![ab, bc, ad, group("g")];
        let mine: BTreeSet<ChatId> = ["private_a_b", "private_a_d", "g"]
            .into_iter()
            .map(chat_id)
            .collect();
        let found: Vec<(String, String)> = own_private(&chats, &mine, &uid("a"))
            .into_iter()
            .map(|(c, other)| (c.as_str().to_string(), other.as_str().to_string()))
            .collect();
        assert_eq!(found, [("private_a_b".to_string(), "b".to_string())]);
    }
}
