//! Builders shared by the chat core's unit tests.

use crate::chat::member::Member;
use crate::chat::model::{ChatId, ConnectionId, Provider, UserId};
use crate::chat::name::DisplayName;
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
        u.connections
            .insert(cid(c), ConnectionState { announced: true });
    }
    u.online_announced = !u.connections.is_empty();
    Versioned {
        value: u,
        version: Version("u1".into()),
    }
}

/// The stored group chat ROOM owned by `owner`, of `members` members.
pub(crate) fn room(owner: &str, members: u64) -> Versioned<Chat> {
    let mut chat = Chat::group(chat_id(ROOM), name("Room"), uid(owner));
    chat.member_count = members;
    Versioned {
        value: chat,
        version: Version("c1".into()),
    }
}

/// `user`'s membership of ROOM.
pub(crate) fn member(user: &str) -> Member {
    Member::new(&chat_id(ROOM), &uid(user), &name(&format!("{user}-name")))
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
