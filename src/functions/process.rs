//! Runs one event through the chat: read the state it touches, decide (pure), store the
//! changes, and only then call the service. A write conflict starts over from a fresh read.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::chat::chat_cap::ChatsHeld;
use crate::chat::message::{MessageId, Stamp};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Action, Json, Refusal};
use crate::chat::{self, Incoming, MessageNeed, Snapshot};
use crate::functions::App;
use crate::store::StoreError;

/// How long an event keeps retrying write conflicts before it gives up with a 503.
pub const CONFLICT_DEADLINE: Duration = Duration::from_secs(5);

/// Runs `attempt` until it does not end in a conflict, with jittered backoff, for at most
/// [`CONFLICT_DEADLINE`].
pub async fn retry_conflicts<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let deadline = Instant::now() + CONFLICT_DEADLINE;
    let mut tries: u32 = 0;
    loop {
        match attempt().await {
            Err(StoreError::Conflict) if Instant::now() < deadline => {
                tries += 1;
                let cap_ms = 2u64.saturating_pow(tries.min(7)); // 2 ms … 128 ms
                tokio::time::sleep(Duration::from_millis(1 + fastrand::u64(0..=cap_ms))).await;
            }
            Err(StoreError::Conflict) => {
                return Err(StoreError::Unavailable(format!(
                    "still conflicting after {tries} retries"
                )))
            }
            other => return other,
        }
    }
}

/// The id and time of a message stamped now: a UUIDv7 (ordered within this process) and the
/// instant it holds.
pub fn stamp_now() -> Stamp {
    let id = MessageId::from_uuid(uuid::Uuid::now_v7());
    let time = crate::clock::rfc3339_millis(id.millis());
    Stamp { id, time }
}

/// A chat this event put connections in, found deleted now, is emptied again: another handler
/// instance's delete (whose calls no gate here orders), or a call the service applied late,
/// may have emptied its group before these calls. One read of each such chat.
async fn empty_again_if_deleted(app: &App, actions: &[Action]) {
    let entered: BTreeSet<&ChatId> = actions
        .iter()
        .filter_map(|a| match a {
            Action::AddUserToGroup(chat, _) => Some(chat),
            _ => None,
        })
        .collect();
    for chat in entered {
        match app.store.get_chat(chat).await {
            Ok(Some(read)) if read.value.deleted => {
                if let Err(e) = app.pubsub.run(&[Action::EmptyGroup(chat.clone())]).await {
                    tracing::error!(chat_id = %chat, error = %e, "could not empty a deleted chat's group again");
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(chat_id = %chat, error = %e, "could not check whether a chat was deleted meanwhile");
            }
        }
    }
}

/// Handles an event from `connection` whose verified user is `claimed`. `Ok(Ok(reply))` is
/// an accepted event with the webhook's answer, if it has one; `Ok(Err(refusal))` a refused
/// user event; `Err` a store fault (the caller answers 503).
///
/// The rows the event writes are locked first (`row_locks`), so events of one user or one
/// chat take turns here instead of colliding in the store: the users' locks, then the chats'.
/// A chat's lock is let go once the change is stored, so the joins of a busy chat wait only
/// for each other's store writes, never for each other's calls to the service (a delete's
/// calls wait for theirs at the chat's gate, `CallGates`); a user's lock is held until the
/// service calls are done, so one user's calls keep their order (a leave's never overtakes the
/// join before it).
pub async fn process(
    app: &App,
    connection: &ConnectionId,
    claimed: Option<&UserId>,
    incoming: &Incoming,
) -> Result<Result<Option<Json>, Refusal>, StoreError> {
    let found = app.store.get_binding(connection).await?;
    let subject = chat::subject(found.as_ref().map(|b| &b.user), claimed);
    let needs = chat::needs(incoming, subject.as_ref());
    let users = subject.iter().chain(needs.other_user.as_ref());
    let user_turn = app.user_locks.lock(users.map(UserId::as_str)).await;
    let chat_turn = app
        .chat_locks
        .lock(needs.locked_chats().iter().map(ChatId::as_str))
        .await;
    // Made once: a retried attempt stamps a new message with the same id.
    let stamp = stamp_now();
    let decided = retry_conflicts(|| async {
        let found = app.store.get_binding(connection).await?;
        let closed = found.as_ref().is_some_and(|b| b.closed);
        let binding = found.map(|b| b.user);
        let user = match &subject {
            Some(id) => app.store.get_user(id).await?,
            None => None,
        };
        let other_user = match &needs.other_user {
            Some(id) => app.store.get_user(id).await?,
            None => None,
        };
        let mut chats = BTreeMap::new();
        for id in &needs.chats {
            if let Some(chat) = app.store.get_chat(id).await? {
                chats.insert(id.clone(), chat);
            }
        }
        let mut members = BTreeMap::new();
        for (chat, user) in &needs.members {
            if let Some(member) = app.store.get_member(chat, user).await? {
                members.insert((chat.clone(), user.clone()), member);
            }
        }
        let mut chats_held = ChatsHeld {
            cap: app.max_chats_per_user,
            counts: BTreeMap::new(),
        };
        if let Some(cap) = app.max_chats_per_user {
            let cap = usize::try_from(cap.get()).unwrap_or(usize::MAX);
            for user in &needs.chats_held {
                let count = app.store.count_chats_of(user, cap).await?;
                chats_held.counts.insert(user.clone(), count);
            }
        }
        let message = match &needs.message {
            Some(MessageNeed::ByClient(chat, user, client_id)) => {
                app.store.message_by_client(chat, user, client_id).await?
            }
            Some(MessageNeed::ById(chat, id)) => app.store.get_message(chat, id).await?,
            None => None,
        };
        let snapshot = Snapshot {
            binding,
            closed,
            user,
            other_user,
            chats,
            members,
            connection_cap: app.max_connections_per_user,
            chats_held,
            message,
            stamp: stamp.clone(),
            direct_relay: app.direct_relay,
        };
        match chat::handle(connection, claimed, incoming, &snapshot) {
            Err(refusal) => Ok(Err(refusal)),
            Ok(outcome) => {
                app.store.apply(&outcome.changes).await?;
                Ok(Ok((outcome.actions, outcome.reply)))
            }
        }
    })
    .await?;
    let answer = match decided {
        Err(refusal) => Ok(Err(refusal)),
        Ok((actions, reply)) => {
            // Through the chats' gates before their lock is let go, so that a delete stored
            // after this event waits for these calls (and this event, if it is the delete,
            // for the calls of those stored before it).
            let empties = actions.iter().any(|a| matches!(a, Action::EmptyGroup(_)));
            let _passed = app
                .chat_gates
                .pass(needs.chats.iter().map(ChatId::as_str), empties)
                .await;
            drop(chat_turn);
            if let Err(e) = app.pubsub.run(&actions).await {
                // The state is stored; a lost notification is logged, not turned into a
                // non-2xx that would make the service drop the user's socket.
                tracing::error!(error = %e, "a Web PubSub call failed after the change was stored");
            }
            empty_again_if_deleted(app, &actions).await;
            Ok(Ok(reply))
        }
    };
    drop(user_turn);
    answer
}
