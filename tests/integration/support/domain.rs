//! Domain values for tests, from strings known to parse: ids, users, chats, and the chat id
//! every test uses.

use chatr::chat::model::{ChatId, ConnectionId, Provider, UserId};
use chatr::chat::name::DisplayName;
use chatr::chat::room::Chat;
use chatr::chat::user::User;

/// The id of the group chat the tests create (a UUID, as the client makes them).
pub const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
/// Another chat id, never created unless a test says so.
pub const OTHER_ROOM: &str = "1f8fad5b-d9cb-469f-a165-70867728950e";

pub fn uid(s: &str) -> UserId {
    UserId::parse(s).expect("a valid user id")
}

pub fn cid(s: &str) -> ConnectionId {
    ConnectionId::parse(s).expect("a valid connection id")
}

pub fn chat_id(s: &str) -> ChatId {
    ChatId::parse(s).expect("a valid chat id")
}

pub fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).expect("a valid display name")
}

/// A GitHub user named after its id, offline and not idle.
pub fn user(id: &str) -> User {
    User::new(uid(id), name(id), Provider::new("github"))
}

/// An empty group chat "Room" owned by `owner`.
pub fn group_chat(id: &str) -> Chat {
    Chat::group(chat_id(id), name("Room"), uid("owner"))
}
