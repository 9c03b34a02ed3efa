//! Builders shared by the chat core's unit tests.

use crate::chat::model::{ChatId, ConnectionId, DisplayName, Provider, UserId};
use crate::chat::outcome::{Change, Version, Versioned};
use crate::chat::room::Chat;
use crate::chat::user::{ConnectionState, User};

pub(crate) const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

pub(crate) fn uid(s: &str) -> UserId {
    UserId::parse(s).expect("id")
}
pub(crate) fn cid(s: &str) -> ConnectionId {
    ConnectionId::parse(s).expect("id")
}
pub(crate) fn chat_id(s: &str) -> ChatId {
    ChatId::parse(s).expect("id")
}
pub(crate) fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).expect("name")
}

/// A stored user with these connections (all announced).
pub(crate) fn user(id: &str, connections: &[&str]) -> Versioned<User> {
    let mut u = User::new(
        uid(id),
        name(&format!("{id}-name")),
        Provider::new("github"),
    );
    for c in connections {
        u.connections.insert(
            cid(c),
            ConnectionState {
                announced: true,
                ..Default::default()
            },
        );
    }
    u.online_announced = !u.connections.is_empty();
    Versioned {
        value: u,
        version: Version("u1".into()),
    }
}

/// A stored group chat owned by `owner` with these (user, connection) pairs in it.
pub(crate) fn room(owner: &str, members: &[(&str, &str)]) -> Versioned<Chat> {
    let mut chat = Chat::group(chat_id(ROOM), name("Room"), uid(owner));
    for (u, c) in members {
        chat.add_connection(&uid(u), &name(&format!("{u}-name")), &cid(c));
    }
    Versioned {
        value: chat,
        version: Version("c1".into()),
    }
}

/// The chat written by an outcome.
pub(crate) fn written_chat(changes: &[Change]) -> &Chat {
    changes
        .iter()
        .find_map(|c| match c {
            Change::PutChat { chat, .. } => Some(chat),
            _ => None,
        })
        .expect("a PutChat change")
}

/// The users written by an outcome.
pub(crate) fn written_users(changes: &[Change]) -> Vec<&User> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::PutUser { user, .. } => Some(user),
            _ => None,
        })
        .collect()
}
