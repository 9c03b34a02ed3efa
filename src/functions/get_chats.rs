//! `getChats` (`/api/chats`): the group chats, keyed by id, as the original client reads
//! them: `{chats:{<id>:{id,name,members,owner}}}`. Private and deleted chats are never
//! listed.

use std::collections::BTreeMap;

use warp::reply::Response;
use warp::Reply;

use crate::chat::room::ChatKind;
use crate::functions::error::ApiError;
use crate::functions::{App, Request};

/// Serves `/api/chats`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    request.principal()?;
    let chats = app.store.list_chats().await?;
    let listed: BTreeMap<&str, _> = chats
        .iter()
        .filter(|c| !c.deleted && matches!(c.kind, ChatKind::Group { .. }))
        .map(|c| (c.id.as_str(), c.view()))
        .collect();
    Ok(warp::reply::json(&serde_json::json!({ "chats": listed })).into_response())
}
