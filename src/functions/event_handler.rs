//! `eventHandler`: the Web PubSub webhook. `OPTIONS` answers the abuse-protection handshake;
//! `POST` takes verified CloudEvents and runs them through the chat.
//!
//! A user event is never answered with a non-2xx (the service would drop the sender's
//! socket): a refused one gets 200 with an `actionRefused` message that the service hands
//! back to its sender. Only a store fault gets a 5xx.

use http::{Method, StatusCode};
use tracing::Instrument;
use warp::reply::Response;
use warp::Reply;

use crate::chat::event::{ClientEvent, Payload};
use crate::chat::message::ClientMsgId;
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Json, Reason, Refusal};
use crate::chat::presence::ConnectAnswer;
use crate::chat::Incoming;
use crate::functions::connection_cap;
use crate::functions::error::ApiError;
use crate::functions::process::process;
use crate::functions::{App, Request};
use crate::webhook::abuse_protection::{self, ALLOWED_ORIGIN, REQUEST_ORIGIN};
use crate::webhook::cloud_event::{self, CloudEvent, EventType, WebhookError};

/// The longest a `connect` waits for the user's events in flight (a blocking event: the
/// client's handshake waits on it).
const CONNECT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves `/api/eventHandler`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    if request.method == Method::OPTIONS {
        return handshake(app, &request);
    }
    let event = cloud_event::verify(&request.headers, app.service.access_key(), &app.hub)
        .map_err(webhook_error)?;
    // Every log line of the event, store failures included, carries who it is about.
    let span = tracing::info_span!(
        "event",
        hub = %app.hub,
        connection_id = %event.connection_id,
        user_id = %event.user_id.as_deref().unwrap_or(""),
        event = %event.event_type.name(),
    );
    run_event(app, &event, &request).instrument(span).await
}

/// Runs one verified event through the chat.
async fn run_event(app: &App, event: &CloudEvent, request: &Request) -> Result<Response, ApiError> {
    let connection = ConnectionId::parse(event.connection_id.as_str()).map_err(|e| {
        ApiError::bad_request("invalidConnectionId", format!("ce-connectionId: {e}"))
    })?;
    let claimed = event
        .user_id
        .as_deref()
        .map(|u| {
            UserId::parse(u)
                .map_err(|e| ApiError::bad_request("invalidUserId", format!("ce-userId: {e}")))
        })
        .transpose();
    let incoming = match &event.event_type {
        EventType::Connect => return connect(app, claimed?).await,
        EventType::Connected => Incoming::Connected,
        EventType::Disconnected => Incoming::Disconnected,
        EventType::User(name) => {
            // A user event is never refused with a 4xx (the service would drop the socket).
            let Ok(claimed) = claimed else {
                return Ok(refused(&Refusal::new(
                    name.as_str(),
                    Reason::InvalidId,
                    "Your user id cannot be used here.",
                )));
            };
            let payload = Payload::from_body(event.content_type.as_deref(), &request.body);
            return match ClientEvent::parse(name, &payload) {
                Err(refusal) => Ok(refused(&refusal)),
                Ok(client_event) => {
                    if let Some(refusal) = rate_limited(app, claimed.as_ref(), &client_event) {
                        return Ok(refused(&refusal));
                    }
                    run(
                        app,
                        &connection,
                        claimed.as_ref(),
                        &Incoming::User(client_event),
                    )
                    .await
                }
            };
        }
    };
    run(app, &connection, claimed?.as_ref(), &incoming).await
}

/// The refusal of an event past its sender's rate (messages, chats opened, read cursors,
/// typing), before anything is read or stored.
fn rate_limited(app: &App, user: Option<&UserId>, event: &ClientEvent) -> Option<Refusal> {
    let user = user?;
    let (limiter, chat, client_id) = match event {
        ClientEvent::SendMessage {
            chat, client_id, ..
        } => (
            &app.rates.messages,
            Some(chat),
            client_id.as_ref().map(ClientMsgId::as_str),
        ),
        ClientEvent::EditMessage { chat, .. } | ClientEvent::DeleteMessage { chat, .. } => {
            (&app.rates.messages, Some(chat), None)
        }
        ClientEvent::CreateChat { .. } | ClientEvent::CreatePrivateChat { .. } => {
            (&app.rates.chat_creates, None, None)
        }
        ClientEvent::MarkRead { chat, .. } => (&app.rates.history_reads, Some(chat), None),
        ClientEvent::Typing { chat } => {
            // The user's cap over all chats first: a bucket per chat is only made within it.
            let retry_after = app
                .rates
                .typing_any_chat
                .check(user)
                .and_then(|()| app.rates.typing.check(&app.rates.typing_key(user, chat)))
                .err()?;
            return Some(slow_down(event, Some(chat), None, retry_after));
        }
        _ => return None,
    };
    let retry_after = limiter.check(user).err()?;
    Some(slow_down(event, chat, client_id, retry_after))
}

/// "Slow down": the refusal of an event past its rate, with when to try again.
fn slow_down(
    event: &ClientEvent,
    chat: Option<&ChatId>,
    client_id: Option<&str>,
    retry_after: u64,
) -> Refusal {
    let mut refusal = Refusal::new(
        event.name(),
        Reason::RateLimited,
        format!(
            "Slow down: try again in {:.1} s.",
            retry_after as f64 / 1000.0
        ),
    )
    .about(chat.map(ChatId::as_str), client_id);
    refusal.retry_after_ms = Some(retry_after);
    refusal
}

/// `connect` (blocking): a signed-in user's new connection is answered with the groups of
/// their chats (and, with the direct relay, the right to publish in each), which the service
/// applies before the client
/// hears `connected`; an anonymous one, or a user in no chat, gets 204 (nothing to add). A
/// user at the connection cap gets 429, and the service refuses the handshake.
async fn connect(app: &App, user: Option<UserId>) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    // Letting dead connections go waits for the user's lock too: no longer than `CONNECT_WAIT`
    // (past it, the handshake goes ahead; `connected` checks the cap again).
    match tokio::time::timeout(CONNECT_WAIT, connection_cap::has_room(app, &user)).await {
        Ok(room) => {
            if !room? {
                return Err(app.too_many_connections());
            }
        }
        Err(_) => {
            tracing::warn!(user_id = %user, "connect let through without the connection count")
        }
    }
    // After this user's joins and leaves in flight, service calls included, so that the answer
    // names the chats they left the user in; but a handshake is not kept waiting on a slow
    // service: past `CONNECT_WAIT` the answer is read without the lock.
    let _user = match tokio::time::timeout(CONNECT_WAIT, app.user_locks.lock([user.as_str()])).await
    {
        Ok(held) => Some(held),
        Err(_) => {
            tracing::warn!(user_id = %user, "connect answered without waiting for the user's events in flight");
            None
        }
    };
    let chats = app.store.chats_of(&user).await?;
    if chats.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(warp::reply::json(&ConnectAnswer::for_chats(&chats, app.direct_relay)).into_response())
}

async fn run(
    app: &App,
    connection: &ConnectionId,
    claimed: Option<&UserId>,
    incoming: &Incoming,
) -> Result<Response, ApiError> {
    match process(app, connection, claimed, incoming).await? {
        Ok(None) => Ok(StatusCode::NO_CONTENT.into_response()),
        Ok(Some(reply)) => Ok(json_reply(reply)),
        Err(refusal) => Ok(refused(&refusal)),
    }
}

/// 200 with a JSON answer (a sent message), which the service hands to the sending
/// connection.
fn json_reply(reply: Json) -> Response {
    let mut response = Response::new(reply.0.into());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// 200 with the `actionRefused` message as the body, which the service sends to the sender.
pub fn refused(refusal: &Refusal) -> Response {
    tracing::info!(action = %refusal.action, reason = ?refusal.reason, "user event refused");
    warp::reply::json(&refusal.to_message()).into_response()
}

fn handshake(app: &App, request: &Request) -> Result<Response, ApiError> {
    let origin = request
        .headers
        .get(REQUEST_ORIGIN)
        .and_then(|v| v.to_str().ok());
    match abuse_protection::allowed_origin(origin, app.service.host()) {
        Some(allowed) => {
            Ok(warp::reply::with_header(warp::reply(), ALLOWED_ORIGIN, allowed).into_response())
        }
        None => Err(ApiError::bad_request(
            "originNotAllowed",
            "WebHook-Request-Origin does not name the configured Web PubSub service",
        )),
    }
}

fn webhook_error(e: WebhookError) -> ApiError {
    match e {
        WebhookError::BadSignature => ApiError::Unauthorized(e.to_string()),
        WebhookError::MissingHeader(_) | WebhookError::BadHeader(_) => {
            ApiError::bad_request("missingHeader", e.to_string())
        }
        WebhookError::WrongHub(_) => ApiError::bad_request("wrongHub", e.to_string()),
        WebhookError::UnknownType(_) | WebhookError::EventNameMismatch { .. } => {
            ApiError::bad_request("unknownEventType", e.to_string())
        }
    }
}

#[cfg(test)]
mod tests;
