//! `getChats` (`/api/chats`): the group chats, keyed by id, as the original client reads
//! them, `{chats:{<id>:{id,name,members,owner,memberCount}}}`, where `members` holds only
//! the caller's own entry when they are a member (enough for a client to know where it
//! belongs; the full membership is never listed). Private and deleted chats are never listed.
//! At most `MAX_CHATS_LISTED` chats, the caller's own first (`more: true` when some are
//! left out).

use std::collections::{BTreeMap, BTreeSet};

use warp::reply::Response;
use warp::Reply;

use crate::chat::member::Member;
use crate::chat::model::ChatId;
use crate::chat::room::{Chat, ChatKind};
use crate::functions::error::ApiError;
use crate::functions::{App, Request};

/// Most chats listed at once.
pub const MAX_CHATS_LISTED: usize = 1000;

/// The live group chats to list, the caller's (`mine`) first, at most `max`; and whether some
/// were left out.
fn listed<'a>(chats: &'a [Chat], mine: &BTreeSet<ChatId>, max: usize) -> (Vec<&'a Chat>, bool) {
    let mut groups: Vec<&Chat> = chats
        .iter()
        .filter(|c| !c.deleted && matches!(c.kind, ChatKind::Group { .. }))
        .collect();
    // The caller's chats first, so that a cut never hides where they belong.
    groups.sort_by_key(|c| !mine.contains(&c.id));
    let more = groups.len() > max;
    groups.truncate(max);
    (groups, more)
}

/// Serves `/api/chats`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    let principal = request.principal()?;
    let chats = app.store.list_chats().await?;
    let mine: BTreeSet<_> = app
        .store
        .chats_of(&principal.user_id)
        .await?
        .into_iter()
        .collect();
    let memberships: BTreeMap<_, _> = mine
        .iter()
        .map(|id| (id, Member::new(id, &principal.user_id, &principal.name)))
        .collect();
    let (groups, more) = listed(&chats, &mine, MAX_CHATS_LISTED);
    let listed: BTreeMap<&str, _> = groups
        .into_iter()
        .map(|c| (c.id.as_str(), c.view(memberships.get(&c.id))))
        .collect();
    let body = if more {
        serde_json::json!({ "chats": listed, "more": true })
    } else {
        serde_json::json!({ "chats": listed })
    };
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
}
