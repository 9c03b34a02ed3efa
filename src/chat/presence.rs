//! Presence: which users are online, through which connections, who is told, and idle.

use std::num::NonZeroU32;

use crate::chat::model::{ChatId, ConnectionId, Provider, UserId};
use crate::chat::name::DisplayName;
use crate::chat::outcome::{
    Action, Change, ChatEvent, Outcome, ServerMessage, UserEntry, Versioned,
};
use crate::chat::user::{ConnectionState, User};

/// The stored user, or a fresh record named after its id when the user never asked for a
/// token here (a token minted elsewhere with the same key).
pub fn user_or_new(user_id: &UserId, stored: Option<&Versioned<User>>) -> User {
    stored.map(|s| s.value.clone()).unwrap_or_else(|| {
        User::new(
            user_id.clone(),
            DisplayName::from_user_details("", user_id),
            Provider::new("unknown"),
        )
    })
}

/// `connected`: the connection joins the user's set of live connections; one past the cap
/// (`connect` lets one through when several race) is closed instead.
pub fn connected(
    connection: &ConnectionId,
    user_id: &UserId,
    stored: Option<&Versioned<User>>,
    cap: Option<NonZeroU32>,
) -> Outcome {
    let mut user = user_or_new(user_id, stored);
    let mut outcome = Outcome::default();
    if let Some(close) = past_the_cap(connection, &user, cap) {
        outcome.actions.push(close);
        return outcome;
    }
    if !user.connections.contains_key(connection) {
        user.connections
            .insert(connection.clone(), ConnectionState::default());
        outcome.put_user(user, stored);
    }
    outcome
}

/// Keeps an online user findable whatever a presence event wrote: when it writes no index
/// entry (nothing in the row changed), the entry of the row as read is written again, so that
/// one a racing handler instance removed comes back with the user's next presence event. Only
/// an online user's entry is written so: an entry left for a user gone offline is skipped by
/// the reader, while a missing one would hide someone who is there.
pub fn keep_indexed(mut outcome: Outcome, read: Option<&Versioned<User>>) -> Outcome {
    let Some(read) = read.filter(|r| r.value.is_online()) else {
        return outcome;
    };
    if !outcome
        .changes
        .iter()
        .any(|c| matches!(c, Change::IndexUser { .. }))
    {
        let entry = UserEntry::of(&read.value);
        outcome.changes.push(Change::IndexUser {
            user: read.value.id.clone(),
            entry: entry.clone(),
            was: Some(entry),
        });
    }
    outcome
}

/// The closing of a connection the user does not hold yet, when they hold the cap's worth.
fn past_the_cap(connection: &ConnectionId, user: &User, cap: Option<NonZeroU32>) -> Option<Action> {
    let full = cap.is_some_and(|cap| {
        user.connections.len() >= usize::try_from(cap.get()).unwrap_or(usize::MAX)
    });
    (full && !user.connections.contains_key(connection))
        .then(|| Action::CloseConnection(connection.clone(), "too many connections".into()))
}

/// `userConnected`: the original client's hello. Everyone hears `userOnline` when no other
/// connection of the user has announced it; otherwise only this connection does (the
/// original client waits for its own `userOnline` before it shows anything). A connection
/// the user does not hold yet is recorded, unless it is one too many (then it is closed).
pub fn user_connected(
    connection: &ConnectionId,
    user_id: &UserId,
    stored: Option<&Versioned<User>>,
    cap: Option<NonZeroU32>,
) -> Outcome {
    let mut user = user_or_new(user_id, stored);
    if let Some(close) = past_the_cap(connection, &user, cap) {
        return Outcome {
            actions: vec![close],
            ..Outcome::default()
        };
    }
    let first = !user.online_announced;
    if first {
        user.idle = false;
        user.online_announced = true;
    }
    user.connections
        .entry(connection.clone())
        .or_default()
        .announced = true;
    let message = ServerMessage::user_online(&user);
    let action = if first {
        Action::SendToAll(message)
    } else {
        Action::SendToConnection(connection.clone(), message)
    };
    let mut outcome = Outcome {
        actions: vec![action],
        ..Outcome::default()
    };
    outcome.put_user(user, stored);
    outcome
}

/// `disconnected` (or a dead connection found by the sweep): the connection leaves the
/// user's set of live connections (the service has taken it out of its groups: membership of
/// chats is untouched); when the user's last connection goes, everyone hears one
/// `userOffline`. A repeated `disconnected` changes nothing.
pub fn disconnected(connection: &ConnectionId, stored: Option<&Versioned<User>>) -> Outcome {
    let mut outcome = Outcome::default();
    if let Some(stored) = stored {
        let mut user = stored.value.clone();
        if user.connections.remove(connection).is_some() {
            if !user.is_online() {
                user.idle = false;
                if user.online_announced {
                    user.online_announced = false;
                    outcome
                        .actions
                        .push(Action::SendToAll(ServerMessage::user_offline(&user.id)));
                }
            }
            outcome.put_user(user, Some(stored));
        }
    }
    outcome.changes.push(Change::UnbindConnection {
        connection: connection.clone(),
    });
    outcome
}

/// What the `connect` event is answered with: the groups a new connection of a member joins
/// as it opens (its chats'), and with the direct relay the right to publish in each. The
/// service applies it before
/// the client hears `connected`, so no message of a member's chats misses the connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConnectAnswer {
    pub groups: Vec<String>,
    pub roles: Vec<String>,
}

impl ConnectAnswer {
    /// The answer for a user who is a member of `chats`; with the direct relay, the right to
    /// publish in each too.
    pub fn for_chats(chats: &[ChatId], relay: bool) -> Self {
        Self {
            groups: chats.iter().map(|c| c.as_str().to_string()).collect(),
            roles: chats
                .iter()
                .filter(|_| relay)
                .map(|c| format!("webpubsub.sendToGroup.{}", c.as_str()))
                .collect(),
        }
    }
}

/// The notice a chat hears when a member leaves.
pub fn left_notice(name: &DisplayName) -> String {
    format!("💨 {name} has left the chat")
}

/// `userEnterIdle` / `userExitIdle`: about the sender, whatever the body says. Stored, and
/// everyone hears `userIsIdle` / `userNotIdle` when it changes.
pub fn set_idle(user_id: &UserId, idle: bool, stored: Option<&Versioned<User>>) -> Outcome {
    let mut user = user_or_new(user_id, stored);
    let mut outcome = Outcome::default();
    if user.idle != idle {
        user.idle = idle;
        let event = if idle {
            ChatEvent::UserIsIdle
        } else {
            ChatEvent::UserNotIdle
        };
        outcome.actions.push(Action::SendToAll(ServerMessage::bare(
            event,
            user_id.as_str(),
        )));
        outcome.put_user(user, stored);
    }
    outcome
}

/// A signed-in user asked for a token: their name and provider come from the principal.
/// Returns the writes that record them, none when the record already says so.
pub fn signed_in(
    user_id: &UserId,
    name: DisplayName,
    provider: Provider,
    stored: Option<&Versioned<User>>,
) -> Vec<Change> {
    let mut user = user_or_new(user_id, stored);
    if stored.is_some() && user.name == name && user.provider == provider {
        return Vec::new();
    }
    user.name = name;
    user.provider = provider;
    let mut outcome = Outcome::default();
    outcome.put_user(user, stored);
    outcome.changes
}

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod tests;
