//! `getChats` (`/api/chats`): the group chats, keyed by id, as the original client reads
//! them, `{chats:{<id>:{id,name,members,owner,memberCount}}}`, where `members` holds only
//! the caller's own entry when they are a member (enough for a client to know where it
//! belongs; the full membership is never listed). Private and deleted chats are never listed.

use std::collections::{BTreeMap, BTreeSet};

use warp::reply::Response;
use warp::Reply;

use crate::chat::member::Member;
use crate::chat::room::ChatKind;
use crate::functions::error::ApiError;
use crate::functions::{App, Request};

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
    let listed: BTreeMap<&str, _> = chats
        .iter()
        .filter(|c| !c.deleted && matches!(c.kind, ChatKind::Group { .. }))
        .map(|c| (c.id.as_str(), c.view(memberships.get(&c.id))))
        .collect();
    Ok(warp::reply::json(&serde_json::json!({ "chats": listed })).into_response())
}
