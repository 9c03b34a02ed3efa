//! What handling an event produces: state changes to store, then service actions to run,
//! or a refusal to hand back to the sender.

use serde::Serialize;

use crate::chat::member::Member;
use crate::chat::message::{Message, MessageId};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::room::Chat;
use crate::chat::user::{search_key, User};

/// An opaque row version (an ETag, or an SQLite counter) that a write must still match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

/// A stored value with the version it was read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: Version,
}

/// What a write expects of the row it replaces: nothing there yet, or this version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Absent,
    Version(Version),
}

impl Expect {
    /// The expectation for replacing `row` (or creating it when there is none).
    pub fn of<T>(row: Option<&Versioned<T>>) -> Self {
        row.map_or(Self::Absent, |r| Self::Version(r.version.clone()))
    }
}

/// A state change, applied in order. Writes with an [`Expect`] fail with a conflict when
/// the row moved on, and the event is then handled again from a fresh read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create or replace a user.
    PutUser { user: User, expect: Expect },
    /// Keep the user findable: by name (for `?q=` search) and among the online users. Comes
    /// before every `PutUser`, and with every event that read the user even when the row stays
    /// as it was; `entry` is to be written as it is, `was` is what the row said before (none for
    /// a new user), so a store can remove an old name entry. (A store that keeps the index in
    /// the user's row itself may do it all in `PutUser`.)
    IndexUser {
        user: UserId,
        entry: UserEntry,
        was: Option<UserEntry>,
    },
    /// Create or replace a chat (its member count is the store's: a replace keeps it).
    PutChat { chat: Chat, expect: Expect },
    /// Make a user a member of a chat; the chat's count grows when they were not one
    /// (idempotent).
    AddMember { member: Member },
    /// A user is no longer a member; the count shrinks when they were one (idempotent).
    RemoveMember { chat: ChatId, user: UserId },
    /// Remember which user a connection belongs to (idempotent).
    BindConnection {
        connection: ConnectionId,
        user: UserId,
    },
    /// Forget a connection (idempotent).
    UnbindConnection { connection: ConnectionId },
    /// Store a message: a new one (`Expect::Absent`, with its `clientId` marker when it has
    /// one, both or neither), or a stored one edited or made a tombstone.
    PutMessage { message: Message, expect: Expect },
    /// Move a user's read cursor in a chat to `id`, unless it is there or further already.
    MarkRead {
        chat: ChatId,
        user: UserId,
        id: MessageId,
    },
}

/// What the user index holds of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntry {
    /// `search_key` of their name: where a name search finds them.
    pub key: String,
    pub online: bool,
}

impl UserEntry {
    /// The entry of a user as they are.
    pub fn of(user: &User) -> Self {
        Self {
            key: search_key(&user.name, &user.id),
            online: user.is_online(),
        }
    }
}

/// The `chatEvent` names the original client understands, plus `actionRefused`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChatEvent {
    UserOnline,
    UserOffline,
    ChatCreated,
    ChatDeleted,
    JoinPrivateChat,
    UserIsIdle,
    UserNotIdle,
    ActionRefused,
}

/// A server message `{chatEvent, data}`; `data` is a string, as the original sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerMessage {
    pub chat_event: ChatEvent,
    pub data: String,
}

/// The user as `userOnline` and `/api/users` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary<'a> {
    pub user_id: &'a str,
    pub user_name: &'a str,
    pub user_provider: &'a str,
    pub idle: bool,
}

impl<'a> From<&'a User> for UserSummary<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            user_id: u.id.as_str(),
            user_name: u.name.as_str(),
            user_provider: u.provider.as_str(),
            idle: u.idle,
        }
    }
}

/// The JSON text of a value whose fields are strings, numbers and string-keyed maps.
fn json_string(value: &impl Serialize) -> String {
    #[expect(
        clippy::expect_used,
        reason = "strings, numbers and string-keyed maps always serialise to JSON"
    )]
    serde_json::to_string(value).expect("a JSON text")
}

impl ServerMessage {
    /// `userOnline` with the JSON string of the user, as the original client parses it.
    pub fn user_online(user: &User) -> Self {
        Self {
            chat_event: ChatEvent::UserOnline,
            data: json_string(&UserSummary::from(user)),
        }
    }

    /// `userOffline` with the bare user id.
    pub fn user_offline(user: &UserId) -> Self {
        Self::bare(ChatEvent::UserOffline, user.as_str())
    }

    /// An event whose data is a bare id.
    pub fn bare(chat_event: ChatEvent, data: &str) -> Self {
        Self {
            chat_event,
            data: data.to_string(),
        }
    }

    /// `chatCreated` with the JSON string of the chat in the original's shape, its creator
    /// as the one member shown.
    pub fn chat_created(chat: &Chat, creator: &Member) -> Self {
        Self {
            chat_event: ChatEvent::ChatCreated,
            data: json_string(&chat.view(Some(creator))),
        }
    }

    /// `joinPrivateChat` with the JSON string of `{id, name, grabFocus}`.
    pub fn join_private_chat(chat: &ChatId, name: &str, grab_focus: bool) -> Self {
        let data = serde_json::json!({"id": chat.as_str(), "name": name, "grabFocus": grab_focus});
        Self {
            chat_event: ChatEvent::JoinPrivateChat,
            data: data.to_string(),
        }
    }
}

/// A call to the Web PubSub service, made after the changes are stored. A chat's group is
/// named by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send to every connection of the hub.
    SendToAll(ServerMessage),
    /// Send to every connection of a user.
    SendToUser(UserId, ServerMessage),
    /// Send to one connection.
    SendToConnection(ConnectionId, ServerMessage),
    /// Send a plain-text notice to a chat's group.
    Notice(ChatId, String),
    /// Put every current connection of a user in a chat's group (a user with none: nothing).
    AddUserToGroup(ChatId, UserId),
    /// Take every current connection of a user out of a chat's group.
    RemoveUserFromGroup(ChatId, UserId),
    /// Take every connection out of a chat's group, in one call whatever the chat's size.
    EmptyGroup(ChatId),
    /// Let a connection publish to a chat's group (and nothing else).
    Grant(ConnectionId, ChatId),
    /// Take that right back.
    Revoke(ConnectionId, ChatId),
    /// Close a connection, with a reason.
    CloseConnection(ConnectionId, String),
    /// Send a JSON payload to a chat's group, but not to `except` (the sending connection,
    /// which has the webhook's answer).
    SendToGroup {
        chat: ChatId,
        payload: Json,
        except: Option<ConnectionId>,
    },
    /// Send a JSON payload to every connection of a user.
    SendJsonToUser(UserId, Json),
}

/// A JSON text, made once and sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json(pub String);

impl Json {
    /// The JSON text of `value`.
    pub fn of(value: &impl Serialize) -> Self {
        Self(json_string(value))
    }
}

/// What an accepted event does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub actions: Vec<Action>,
    /// The webhook's answer, which the service hands to the sending connection alone (a
    /// sent message's acknowledgement); none: 204.
    pub reply: Option<Json>,
}

impl Outcome {
    /// Writes the user's index entry, then `user` unless it equals what was read.
    pub fn put_user(&mut self, user: User, read: Option<&Versioned<User>>) {
        // The index first, and always, even when nothing changed: should the row's write fail
        // (another handler instance wrote it first), the event is handled again from the fresh
        // row and its entry written again; so the entry of the last event to store its row is
        // the last one written, whatever an attempt that lost the race wrote meanwhile.
        self.changes.push(Change::IndexUser {
            user: user.id.clone(),
            entry: UserEntry::of(&user),
            was: read.map(|r| UserEntry::of(&r.value)),
        });
        if read.map(|r| &r.value) == Some(&user) {
            return;
        }
        self.changes.push(Change::PutUser {
            user,
            expect: Expect::of(read),
        });
    }

    /// Writes `chat` unless it equals what was read.
    pub fn put_chat(&mut self, chat: Chat, read: Option<&Versioned<Chat>>) {
        if read.map(|r| &r.value) != Some(&chat) {
            self.changes.push(Change::PutChat {
                chat,
                expect: Expect::of(read),
            });
        }
    }
}

/// Why a user event was refused: a closed set, documented in README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The payload is not the shape the event needs.
    InvalidPayload,
    /// No such event.
    UnknownEvent,
    /// A name is empty, too long or has control characters.
    InvalidName,
    /// An id is malformed.
    InvalidId,
    /// The chat does not exist.
    ChatNotFound,
    /// A chat with that id exists already.
    ChatExists,
    /// Only the owner may do this.
    NotOwner,
    /// Only a member may do this.
    NotMember,
    /// Nobody with that user id has signed in here.
    UnknownUser,
    /// The chat has reached its member limit.
    ChatFull,
    /// A user would be in more chats than one user may be.
    TooManyChats,
    /// The connection belongs to another user than the event claims.
    IdentityMismatch,
    /// The connection has no user.
    NotSignedIn,
    /// A message with no text, or only whitespace.
    EmptyMessage,
    /// A message over the length limit.
    MessageTooLong,
    /// Only the message's author may do this.
    NotAuthor,
    /// No such message in that chat.
    MessageNotFound,
    /// Too many events of this kind too fast; `retryAfterMs` says when to try again.
    RateLimited,
}

/// A refused user event: answered 200 with an `actionRefused` message to its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// The event that was refused.
    pub action: String,
    pub reason: Reason,
    /// A sentence a person can read.
    pub message: String,
    /// The chat a refused message event was about, so the client knows which pending
    /// message failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<String>,
    /// The refused message's `clientId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// When a rate-limited sender may try again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl Refusal {
    /// A refusal of `action` for `reason`.
    pub fn new(action: impl Into<String>, reason: Reason, message: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            reason,
            message: message.into(),
            chat_id: None,
            client_id: None,
            retry_after_ms: None,
        }
    }

    /// The refusal naming the chat and `clientId` of the message event it refuses.
    pub fn about(mut self, chat: Option<&str>, client_id: Option<&str>) -> Self {
        self.chat_id = chat.map(str::to_string);
        self.client_id = client_id.map(str::to_string);
        self
    }

    /// The server message that carries this refusal back to the sender.
    pub fn to_message(&self) -> ServerMessage {
        ServerMessage {
            chat_event: ChatEvent::ActionRefused,
            data: json_string(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_refused_carries_a_json_string_of_action_reason_message() {
        let msg = Refusal::new("joinChat", Reason::ChatNotFound, "No such chat.").to_message();
        let json = serde_json::to_value(&msg).expect("serialises");
        assert_eq!(json["chatEvent"], "actionRefused");
        let data: serde_json::Value =
            serde_json::from_str(json["data"].as_str().expect("data is a string")).expect("JSON");
        assert_eq!(
            data,
            serde_json::json!({"action":"joinChat","reason":"chatNotFound","message":"No such chat."})
        );
    }
}
