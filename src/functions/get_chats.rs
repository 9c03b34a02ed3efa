//! `getChats` (`/api/chats`): the group chats, keyed by id, as the original client reads
//! them: `{chats:{<id>:{id,name,members,owner}}}`. Chats themselves arrive with the chat
//! rooms; until then the map is empty.

use warp::reply::Response;
use warp::Reply;

use crate::functions::error::ApiError;
use crate::functions::{App, Request};

/// Serves `/api/chats`.
pub async fn handle(_app: &App, request: Request) -> Result<Response, ApiError> {
    request.principal()?;
    Ok(warp::reply::json(&serde_json::json!({ "chats": {} })).into_response())
}
