//! `getUsers` (`/api/users`): the online users, keyed by id, as the original client reads
//! them: `{users:{<id>:{userName,userProvider,idle}}}`.

use serde::Serialize;
use std::collections::BTreeMap;
use warp::reply::Response;
use warp::Reply;

use crate::functions::error::ApiError;
use crate::functions::{App, Request};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserEntry {
    user_name: String,
    user_provider: String,
    idle: bool,
}

/// Serves `/api/users`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    request.principal()?;
    let users = app.store.list_users().await?;
    let online: BTreeMap<String, UserEntry> = users
        .into_iter()
        .filter(|u| u.is_online())
        .map(|u| {
            (
                u.id.as_str().to_string(),
                UserEntry {
                    user_name: u.name.as_str().to_string(),
                    user_provider: u.provider.as_str().to_string(),
                    idle: u.idle,
                },
            )
        })
        .collect();
    Ok(warp::reply::json(&serde_json::json!({ "users": online })).into_response())
}
