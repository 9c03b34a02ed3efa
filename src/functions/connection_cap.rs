//! The cap on one user's connections (`CHATR_MAX_CONNECTIONS_PER_USER`, default 20): a user at
//! it gets no new token (`getToken` answers 429 `tooManyConnections`, which the page can read
//! and show) and no new connection (`connect` is answered the same; the service refuses the
//! handshake). Only connections the service confirms count: a user's record may still list
//! a connection whose `disconnected` was lost, and such a ghost is let go here, as the sweep
//! would, instead of holding a place.

use futures_util::{stream, StreamExt};

use crate::chat::model::{ConnectionId, UserId};
use crate::chat::Incoming;
use crate::functions::process::process;
use crate::functions::App;
use crate::store::StoreError;

/// How many connections are checked with the service at once.
const CHECKS_AT_ONCE: usize = 8;

/// Whether `user` may open one more connection.
pub async fn has_room(app: &App, user: &UserId) -> Result<bool, StoreError> {
    let Some(cap) = app.max_connections_per_user else {
        return Ok(true);
    };
    let cap = usize::try_from(cap.get()).unwrap_or(usize::MAX);
    let Some(stored) = app.store.get_user(user).await? else {
        return Ok(true);
    };
    if stored.value.connections.len() < cap {
        return Ok(true);
    }
    // At the cap by the record: ask the service which of them are still there.
    let ids: Vec<ConnectionId> = stored.value.connections.into_keys().collect();
    let answers: Vec<(ConnectionId, bool)> = stream::iter(ids)
        .map(|connection| async move {
            let gone = matches!(app.pubsub.connection_exists(&connection).await, Ok(false));
            (connection, gone)
        })
        .buffer_unordered(CHECKS_AT_ONCE)
        .collect()
        .await;
    let mut live = 0;
    for (connection, gone) in answers {
        if gone {
            // The binding decides whose connection it was; no claim is needed.
            if let Err(refusal) = process(app, &connection, None, &Incoming::Disconnected).await? {
                tracing::debug!(reason = ?refusal.reason, "a ghost connection was already gone");
            }
        } else {
            live += 1; // a connection the service could not tell about still counts
        }
    }
    Ok(live < cap)
}
