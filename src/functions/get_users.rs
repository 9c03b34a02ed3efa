//! `getUsers` (`/api/users`). Without a query: the users online now, keyed by id, as the
//! original client reads them, `{users:{<id>:{userName,userProvider,idle}}}`, at most
//! `MAX_ONLINE_LISTED` of them (`more: true` when there are others). With `?q=`: the users,
//! online or not, whose name starts with `q` (any case), by name, a page of `limit` (1–100,
//! default 20) after the cursor `after`: `{users:[{userId,userName,userProvider,idle,online}],
//! next}`, `next` being the cursor of the page after, or null: for starting a direct chat with
//! anyone who has signed in here. With `&chatId=` as well: only that chat's members (for the
//! `@` picker), to a reader of the chat (as `getMessages` decides);
//! each page looks at no more than `MAX_MEMBER_SCAN` users of the search (one membership read
//! each), so its cost does not grow with the chat: `next` goes on where it stopped.

use std::collections::BTreeMap;

use serde::Serialize;
use warp::reply::Response;
use warp::Reply;

use futures_util::{stream, StreamExt, TryStreamExt};

use crate::chat::model::{ChatId, UserId};
use crate::chat::user::User;
use crate::functions::error::ApiError;
use crate::functions::get_messages::check_reader;
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
/// Most users of the search one page of a chat's members looks at.
pub const MAX_MEMBER_SCAN: usize = 50;
/// Membership rows (or users by id) read at once.
const MEMBER_READS_AT_ONCE: usize = 8;
/// Most users one `?ids=` asks for (as many as a message mentions).
pub const MAX_IDS: usize = 50;

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
    // Read once: the searches below are the caller's (their rate, their chats).
    let me = request.principal()?.user_id;
    if let Some(ids) = request.query_param("ids") {
        return by_id(app, &me, ids).await;
    }
    match request.query_param("q") {
        None => online(app).await,
        Some(q) => search(app, &request, &me, q).await,
    }
}

/// `?ids=`: the users with these ids, online or not.
async fn by_id(app: &App, me: &UserId, ids: &str) -> Result<Response, ApiError> {
    let wanted: Vec<UserId> = ids
        .split(',')
        .filter(|id| !id.is_empty())
        .take(MAX_IDS + 1)
        .map(UserId::parse)
        .collect::<Result<_, _>>()
        .ok()
        .filter(|ids: &Vec<UserId>| (1..=MAX_IDS).contains(&ids.len()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalidIds",
                format!("ids is 1 to {MAX_IDS} user ids, separated by commas"),
            )
        })?;
    check_rate(app, me)?;
    let store = app.store.clone();
    let found: Vec<Option<User>> = stream::iter(wanted)
        .map(move |id| {
            let store = store.clone();
            async move { Ok::<_, ApiError>(store.get_user(&id).await?.map(|read| read.value)) }
        })
        .buffered(MEMBER_READS_AT_ONCE)
        .try_collect()
        .await?;
    let users: Vec<FoundEntry> = found.iter().flatten().map(entry).collect();
    Ok(warp::reply::json(&serde_json::json!({ "users": users })).into_response())
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

/// A search or a lookup by id: the caller's `searches` bucket (429 past it).
fn check_rate(app: &App, user: &UserId) -> Result<(), ApiError> {
    app.rates
        .searches
        .check(user)
        .map_err(|retry_after_ms| ApiError::RateLimited { retry_after_ms })
}

async fn search(app: &App, request: &Request, me: &UserId, q: &str) -> Result<Response, ApiError> {
    check_rate(app, me)?;
    let chat = request
        .query_param("chatId")
        .map(|raw| {
            ChatId::parse(raw)
                .map_err(|e| ApiError::bad_request("invalidChatId", format!("chatId: {e}")))
        })
        .transpose()?;
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
    let (found, next) = match &chat {
        None => {
            let mut found = app.store.search_users(q, after, limit + 1).await?;
            let next = (found.len() > limit).then(|| found[limit - 1].0.clone());
            found.truncate(limit);
            (found, next)
        }
        Some(chat) => members(app, me, chat, q, after, limit).await?,
    };
    // Keys hold a name's first 128 bytes: past that, the name itself decides.
    let wanted = q.to_lowercase();
    let users: Vec<FoundEntry> = found
        .iter()
        .filter(|(_, u)| u.name.as_str().to_lowercase().starts_with(&wanted))
        .map(|(_, u)| entry(u))
        .collect();
    Ok(warp::reply::json(&serde_json::json!({ "users": users, "next": next })).into_response())
}

/// Up to `limit` members of `chat` among the users the search finds, looking at no more than
/// `MAX_MEMBER_SCAN` of them; and the cursor to go on from, if the search went further.
async fn members(
    app: &App,
    me: &UserId,
    chat: &ChatId,
    q: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<(String, User)>, Option<String>), ApiError> {
    check_reader(app, chat, me).await?;
    let scan = app
        .store
        .search_users(q, after, MAX_MEMBER_SCAN + 1)
        .await?;
    let more = scan.len() > MAX_MEMBER_SCAN;
    let store = app.store.clone();
    let checked: Vec<((String, User), bool)> = stream::iter(scan.into_iter().take(MAX_MEMBER_SCAN))
        .map(move |(key, user)| {
            let store = store.clone();
            async move {
                let member = store.get_member(chat, &user.id).await?.is_some();
                Ok::<_, ApiError>(((key, user), member))
            }
        })
        .buffered(MEMBER_READS_AT_ONCE)
        .try_collect()
        .await?;
    let last_key = checked.last().map(|((key, _), _)| key.clone());
    let mut found: Vec<(String, User)> = Vec::new();
    let mut next = if more { last_key } else { None };
    for (row, member) in checked {
        if !member {
            continue;
        }
        if found.len() == limit {
            // The page is full: the next starts after the last one in it.
            next = found.last().map(|(key, _)| key.clone());
            break;
        }
        found.push(row);
    }
    Ok((found, next))
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
