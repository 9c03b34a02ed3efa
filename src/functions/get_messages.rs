//! `getMessages` (`GET /api/chats/{chatId}/messages`): a chat's history, a page at a time,
//! for its members only.
//!
//! `?limit=N&before=ID` answers the newest `limit` (default 50, 1–200) older than `before`
//! (the newest of all without it), `?after=ID` those newer than `ID`; either way oldest to
//! newest, `{"messages": […], "next": ID-or-null}`, where `next` is the `before` (or `after`)
//! of the following page. `before`/`after` need not name a stored message. A group chat's
//! non-member gets 403 `notMember`; a private chat the caller is not in, or a chat that does
//! not exist (any more), 404 `chatNotFound`: nobody learns who talked to whom. Reads count
//! against the caller's history rate (429 `rateLimited`, with `Retry-After`).

use serde::Serialize;
use warp::reply::Response;
use warp::Reply;

use crate::chat::message::{Message, MessageId, MessageView};
use crate::chat::model::{ChatId, UserId};
use crate::chat::room::ChatKind;
use crate::functions::error::ApiError;
use crate::functions::{App, Request};

/// Messages per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 50;
/// The most messages one page holds.
pub const MAX_LIMIT: usize = 200;

/// Which way a page goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Direction {
    /// The newest older than this (all when `None`).
    Before(Option<MessageId>),
    /// The oldest newer than this.
    After(MessageId),
}

/// The query, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageQuery {
    limit: usize,
    direction: Direction,
}

fn parse_query(request: &Request) -> Result<PageQuery, ApiError> {
    let limit = match request.query_param("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalidLimit",
                    format!("limit is a whole number from 1 to {MAX_LIMIT}"),
                )
            })?,
    };
    let id = |name: &str, raw: &str| {
        MessageId::parse(raw)
            .map_err(|e| ApiError::bad_request("invalidMessageId", format!("{name}: {e}")))
    };
    let direction = match (request.query_param("before"), request.query_param("after")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "invalidQuery",
                "give before or after, not both",
            ))
        }
        (Some(raw), None) => Direction::Before(Some(id("before", raw)?)),
        (None, Some(raw)) => Direction::After(id("after", raw)?),
        (None, None) => Direction::Before(None),
    };
    Ok(PageQuery { limit, direction })
}

#[derive(Serialize)]
struct Page<'a> {
    messages: Vec<MessageView<'a>>,
    next: Option<&'a str>,
}

fn not_found() -> ApiError {
    ApiError::Missing {
        code: "chatNotFound",
        message: "no such chat".into(),
    }
}

/// The caller may read the chat: it exists, and they are in it (or are one of a private
/// chat's two users).
pub(crate) async fn check_reader(app: &App, chat: &ChatId, user: &UserId) -> Result<(), ApiError> {
    let found = app.store.get_chat(chat).await?;
    let chat_row = found.filter(|c| !c.value.deleted).ok_or_else(not_found)?;
    if app.store.get_member(chat, user).await?.is_some() {
        return Ok(());
    }
    match chat_row.value.kind {
        // Its two users read it even after one left it (a message to it still reaches both).
        ChatKind::Private { users } if users.contains(user) => Ok(()),
        ChatKind::Private { .. } => Err(not_found()),
        ChatKind::Group { .. } => Err(ApiError::Forbidden {
            code: "notMember",
            message: "join the chat to read it".into(),
        }),
    }
}

/// Serves `GET /api/chats/{chatId}/messages`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    let principal = request.principal()?;
    let user = UserId::parse(principal.user_id.as_str())
        .map_err(|e| ApiError::Unauthorized(format!("the principal's user id: {e}")))?;
    let chat = request
        .params
        .get("chatId")
        .map(ChatId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalidChatId", format!("chatId: {e}")))?
        .ok_or_else(|| ApiError::bad_request("invalidChatId", "chatId is missing"))?;
    let query = parse_query(&request)?;
    if let Err(retry_after_ms) = app.rates.history_reads.check(&user) {
        return Err(ApiError::RateLimited { retry_after_ms });
    }
    check_reader(app, &chat, &user).await?;
    // One more than asked: whether a next page exists, without reading it.
    let (mut messages, newest_last) = match &query.direction {
        Direction::Before(before) => (
            app.store
                .messages_before(&chat, before.as_ref(), query.limit + 1)
                .await?,
            false,
        ),
        Direction::After(after) => (
            app.store
                .messages_after(&chat, after, query.limit + 1)
                .await?,
            true,
        ),
    };
    let more = messages.len() > query.limit;
    messages.truncate(query.limit);
    if !newest_last {
        messages.reverse();
    }
    Ok(warp::reply::json(&page(&messages, more, newest_last)).into_response())
}

/// A page oldest to newest; `next` continues the way it was read.
fn page(messages: &[Message], more: bool, newest_last_read: bool) -> Page<'_> {
    let edge = if newest_last_read {
        messages.last()
    } else {
        messages.first()
    };
    Page {
        messages: messages.iter().map(Message::view).collect(),
        next: edge.filter(|_| more).map(|m| m.id.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::route::RouteParams;

    fn request(query: &[(&str, &str)]) -> Request {
        Request {
            method: http::Method::GET,
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::new(),
            params: RouteParams::default(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_query_is_checked_limit_direction_and_ids() {
        let id = "01900000-0000-7000-8000-000000000001";
        assert_eq!(
            parse_query(&request(&[])).expect("ok"),
            PageQuery {
                limit: 50,
                direction: Direction::Before(None)
            }
        );
        assert_eq!(
            parse_query(&request(&[("limit", "200"), ("after", id)]))
                .expect("ok")
                .direction,
            Direction::After(MessageId::parse(id).expect("id"))
        );
        for bad in [
            vec![("limit", "0")],
            vec![("limit", "201")],
            vec![("limit", "ten")],
            vec![("before", "nope")],
            vec![("before", id), ("after", id)],
        ] {
            let err = parse_query(&request(&bad)).expect_err("400");
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }
}
