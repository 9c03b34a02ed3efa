//! `getUsers` (`/api/users`). Without a query: the users online now, keyed by id, as the
//! original client reads them, `{users:{<id>:{userName,userProvider,idle}}}`, at most
//! `MAX_ONLINE_LISTED` of them (`more: true` when there are others). With `?q=`: the users,
//! online or not, whose name starts with `q` (any case), by name, a page of `limit` (1–100,
//! default 20) after the cursor `after`: `{users:[{userId,userName,userProvider,idle,online}],
//! next}`, `next` being the cursor of the page after, or null: for starting a direct chat with
//! anyone who has signed in here.

use std::collections::BTreeMap;

use serde::Serialize;
use warp::reply::Response;
use warp::Reply;

use crate::chat::user::User;
use crate::functions::error::ApiError;
use crate::functions::{App, Request};

/// Most online users listed at once.
pub const MAX_ONLINE_LISTED: usize = 500;
/// Users per search page unless `limit` says otherwise.
pub const DEFAULT_SEARCH_PAGE: usize = 20;
/// Most users per search page.
pub const MAX_SEARCH_PAGE: usize = 100;
/// The longest search text taken.
pub const MAX_QUERY_CHARS: usize = 64;
/// The longest cursor taken (a search key: a name's hex, `-`, an id).
pub const MAX_CURSOR_BYTES: usize = 2048;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OnlineEntry<'a> {
    user_name: &'a str,
    user_provider: &'a str,
    idle: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FoundEntry<'a> {
    user_id: &'a str,
    user_name: &'a str,
    user_provider: &'a str,
    idle: bool,
    online: bool,
}

/// Serves `/api/users`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    request.principal()?;
    match request.query_param("q") {
        None => online(app).await,
        Some(q) => search(app, &request, q).await,
    }
}

async fn online(app: &App) -> Result<Response, ApiError> {
    let mut users = app.store.online_users(MAX_ONLINE_LISTED + 1).await?;
    let more = users.len() > MAX_ONLINE_LISTED;
    users.truncate(MAX_ONLINE_LISTED);
    let listed: BTreeMap<&str, OnlineEntry> = users
        .iter()
        .map(|u| {
            (
                u.id.as_str(),
                OnlineEntry {
                    user_name: u.name.as_str(),
                    user_provider: u.provider.as_str(),
                    idle: u.idle,
                },
            )
        })
        .collect();
    let body = if more {
        serde_json::json!({ "users": listed, "more": true })
    } else {
        serde_json::json!({ "users": listed })
    };
    Ok(warp::reply::json(&body).into_response())
}

async fn search(app: &App, request: &Request, q: &str) -> Result<Response, ApiError> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalidQuery",
            format!(
                "q takes at most {MAX_QUERY_CHARS} characters, none of them control characters"
            ),
        ));
    }
    let limit = match request.query_param("limit") {
        None => DEFAULT_SEARCH_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SEARCH_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalidLimit",
                    format!("limit is a whole number from 1 to {MAX_SEARCH_PAGE}"),
                )
            })?,
    };
    let after = request.query_param("after");
    if after.is_some_and(|a| a.len() > MAX_CURSOR_BYTES) {
        return Err(ApiError::bad_request(
            "invalidCursor",
            "after is not a cursor of this list",
        ));
    }
    let mut found = app.store.search_users(q, after, limit + 1).await?;
    let next = (found.len() > limit).then(|| found[limit - 1].0.clone());
    found.truncate(limit);
    // Keys hold a name's first 128 bytes: past that, the name itself decides.
    let wanted = q.to_lowercase();
    let users: Vec<FoundEntry> = found
        .iter()
        .filter(|(_, u)| u.name.as_str().to_lowercase().starts_with(&wanted))
        .map(|(_, u)| entry(u))
        .collect();
    Ok(warp::reply::json(&serde_json::json!({ "users": users, "next": next })).into_response())
}

fn entry(u: &User) -> FoundEntry<'_> {
    FoundEntry {
        user_id: u.id.as_str(),
        user_name: u.name.as_str(),
        user_provider: u.provider.as_str(),
        idle: u.idle,
        online: u.is_online(),
    }
}
