//! The chat's rules, pure: an event and the state it touches in, the changes to store and
//! the service calls to make out. No I/O, no clock, no async here.
//!
//! Every user event is checked against the connection's binding first: the webhook
//! signature covers only the connection id, so a connection belongs to the user it was
//! first seen with, and an event claiming another user is refused.
//!
//! # Layout
//! - `mod.rs`: `handle`; [`needs`](mod@needs): which rows an event reads; [`event`]: client events
//!   parsed from the webhook body; [`outcome`]: changes, service actions, refusals.
//! - Values: [`model`] (ids that exist only once they parse), [`name`] (display names; what a
//!   new one may not be is [`visible_text`]: invisible, bidi controls, stacked marks),
//!   [`user`] (a user's
//!   record), [`room`] (a chat as stored), [`member`] (a user's membership of a chat).
//! - Rules: [`presence`] (online, idle, who is told), [`group`] (group chats: create, join,
//!   leave, delete), [`private`] (private chats of two users), [`chat_cap`] (how many chats
//!   one user may be in), [`messaging`] (send, edit, delete a message).
//! - [`message`]: a message as kept, with its id, text and idempotency key; [`rate`]: a token
//!   bucket (rate limits); [`read_state`]: unread and mention counts after a read cursor.
//!
//! Unit tests named `…_fixing_hole_N` prove hole N of the original app
//! (`docs/chatr-original.md` §9) closed.

pub mod chat_cap;
pub mod event;
pub mod group;
pub mod member;
pub mod message;
pub mod messaging;
pub mod model;
pub mod name;
pub mod needs;
pub mod outcome;
pub mod presence;
pub mod private;
pub mod rate;
pub mod read_state;
pub mod room;
pub mod user;
pub mod visible_text;

#[cfg(test)]
pub(crate) mod test_support;

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use crate::chat::chat_cap::ChatsHeld;
use crate::chat::event::ClientEvent;
pub use crate::chat::event::Incoming;
use crate::chat::group::Sender;
use crate::chat::member::Member;
use crate::chat::message::{Message, Stamp};
use crate::chat::model::{ChatId, ConnectionId, UserId};
pub use crate::chat::needs::{needs, subject, MessageNeed, Needs};
use crate::chat::outcome::{Change, Outcome, Reason, Refusal, Versioned};
use crate::chat::private::Opening;
use crate::chat::room::Chat;
use crate::chat::user::User;

/// The state an event reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The user the connection was first seen with, if it was seen before.
    pub binding: Option<UserId>,
    /// The connection has closed (its binding is kept so it is never bound again).
    pub closed: bool,
    /// The record of the event's user.
    pub user: Option<Versioned<User>>,
    /// The other user of a private chat being opened.
    pub other_user: Option<Versioned<User>>,
    /// The chats the event touches, by id (absent: no such chat).
    pub chats: BTreeMap<ChatId, Versioned<Chat>>,
    /// The memberships the event touches, by (chat, user) (absent: not a member).
    pub members: BTreeMap<(ChatId, UserId), Member>,
    /// The most connections the user may hold (the handler's setting; `None`: no limit).
    pub connection_cap: Option<NonZeroU32>,
    /// The cap on a user's chats, and the chats held by the users of `Needs::chats_held`.
    pub chats_held: ChatsHeld,
    /// The message the event is about (`Needs::message`), if stored.
    pub message: Option<Versioned<Message>>,
    /// The id and time a message sent or edited by this event gets.
    pub stamp: Stamp,
    /// Members' connections may publish to their chats' groups themselves.
    pub direct_relay: bool,
}

impl Snapshot {
    fn member(&self, chat: &ChatId, user: &UserId) -> Option<&Member> {
        self.members.get(&(chat.clone(), user.clone()))
    }
}

/// Handles one event from `connection`, whose verified `ce-userId` is `claimed`. Every
/// refusal of a message event names its chat and `clientId`, whatever refused it.
pub fn handle(
    connection: &ConnectionId,
    claimed: Option<&UserId>,
    incoming: &Incoming,
    snapshot: &Snapshot,
) -> Result<Outcome, Refusal> {
    decide(connection, claimed, incoming, snapshot).map_err(|refusal| match incoming {
        Incoming::User(event) if refusal.chat_id.is_none() => {
            let (chat, client_id) = event.about();
            refusal.about(chat, client_id)
        }
        _ => refusal,
    })
}

fn decide(
    connection: &ConnectionId,
    claimed: Option<&UserId>,
    incoming: &Incoming,
    snapshot: &Snapshot,
) -> Result<Outcome, Refusal> {
    let user = snapshot.user.as_ref();
    if snapshot.closed {
        // A closed connection takes no part any more: only a replay can speak for it.
        return match incoming {
            Incoming::User(event) => Err(Refusal::new(
                event.name(),
                Reason::IdentityMismatch,
                "This connection has closed.",
            )),
            Incoming::Connected | Incoming::Disconnected => Ok(Outcome::default()),
        };
    }
    match incoming {
        Incoming::Disconnected => Ok(presence::keep_indexed(
            presence::disconnected(connection, user),
            user,
        )),
        Incoming::Connected => {
            let Some(claimed) = claimed else {
                return Ok(Outcome::default()); // anonymous connections take no part in chat
            };
            if snapshot.binding.as_ref().is_some_and(|b| b != claimed) {
                return Ok(Outcome::default());
            }
            Ok(bound(
                connection,
                claimed,
                snapshot,
                presence::keep_indexed(
                    presence::connected(connection, claimed, user, snapshot.connection_cap),
                    user,
                ),
            ))
        }
        Incoming::User(event) => {
            let name = event.name();
            let Some(claimed) = claimed else {
                return Err(Refusal::new(
                    name,
                    Reason::NotSignedIn,
                    "Sign in before using the chat.",
                ));
            };
            if snapshot.binding.as_ref().is_some_and(|b| b != claimed) {
                return Err(Refusal::new(
                    name,
                    Reason::IdentityMismatch,
                    "This connection belongs to another user.",
                ));
            }
            let sender = Sender {
                connection,
                id: claimed,
                read: user,
                relay: snapshot.direct_relay,
            };
            let chat = |id: &ChatId| snapshot.chats.get(id);
            let member = |id: &ChatId| snapshot.member(id, claimed);
            let talk = |id: &ChatId| messaging::Context {
                chat: chat(id),
                member: member(id),
                message: snapshot.message.as_ref(),
            };
            let outcome = match event {
                ClientEvent::UserConnected => presence::keep_indexed(
                    presence::user_connected(connection, claimed, user, snapshot.connection_cap),
                    user,
                ),
                ClientEvent::UserEnterIdle => {
                    presence::keep_indexed(presence::set_idle(claimed, true, user), user)
                }
                ClientEvent::UserExitIdle => {
                    presence::keep_indexed(presence::set_idle(claimed, false, user), user)
                }
                ClientEvent::CreateChat { id, name } => group::create(&sender, id, name, chat(id))?,
                ClientEvent::JoinChat(id) => group::join(&sender, chat(id), member(id))?,
                ClientEvent::LeaveChat(id) => group::leave(&sender, chat(id), member(id))?,
                ClientEvent::DeleteChat(id) => group::delete(&sender, chat(id))?,
                ClientEvent::CreatePrivateChat { initiator, target } => {
                    let id = ChatId::private(initiator, target).ok();
                    let opening = Opening {
                        target: snapshot.other_user.as_ref(),
                        existing: id.as_ref().and_then(chat),
                        sender_member: id.as_ref().and_then(member),
                        target_member: id.as_ref().and_then(|id| snapshot.member(id, target)),
                    };
                    private::create(&sender, initiator, target, &opening)?
                }
                ClientEvent::SendMessage {
                    chat: id,
                    text,
                    client_id,
                    mentions,
                } => {
                    let draft = messaging::Draft {
                        chat: id,
                        text,
                        client_id: client_id.as_ref(),
                        mentions,
                    };
                    messaging::send(&sender, &draft, &talk(id), &snapshot.stamp)?
                }
                ClientEvent::EditMessage { chat: id, text, .. } => {
                    messaging::edit(&sender, id, text, &talk(id), &snapshot.stamp)?
                }
                ClientEvent::DeleteMessage {
                    chat: id,
                    id: message,
                } => messaging::delete(&sender, id, message, &talk(id))?,
                ClientEvent::MarkRead {
                    chat: id,
                    id: message,
                } => messaging::mark_read(&sender, id, message, &talk(id), &snapshot.stamp)?,
                ClientEvent::Typing { chat: id } => messaging::typing(&sender, id, &talk(id))?,
            };
            snapshot
                .chats_held
                .check(name, claimed, &outcome, |chat, user| {
                    snapshot.member(chat, user).is_some()
                })?;
            Ok(bound(connection, claimed, snapshot, outcome))
        }
    }
}

/// Prepends the binding of a connection seen for the first time.
fn bound(
    connection: &ConnectionId,
    user: &UserId,
    snapshot: &Snapshot,
    mut outcome: Outcome,
) -> Outcome {
    if snapshot.binding.is_none() {
        outcome.changes.insert(
            0,
            Change::BindConnection {
                connection: connection.clone(),
                user: user.clone(),
            },
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::outcome::Action;
    use crate::chat::test_support::{cid, uid};

    #[test]
    fn a_first_seen_connection_is_bound_to_its_user() {
        let outcome = handle(
            &cid("c"),
            Some(&uid("u")),
            &Incoming::Connected,
            &Snapshot::default(),
        )
        .expect("ok");
        assert_eq!(
            outcome.changes[0],
            Change::BindConnection {
                connection: cid("c"),
                user: uid("u")
            }
        );
    }

    #[test]
    fn a_user_event_claiming_another_user_than_the_binding_is_refused() {
        let snapshot = Snapshot {
            binding: Some(uid("alice")),
            ..Snapshot::default()
        };
        let event = Incoming::User(ClientEvent::UserConnected);
        let refusal =
            handle(&cid("c"), Some(&uid("mallory")), &event, &snapshot).expect_err("refused");
        assert_eq!(refusal.reason, Reason::IdentityMismatch);
        assert_eq!(refusal.action, "userConnected");
    }

    #[test]
    fn a_user_event_from_an_anonymous_connection_is_refused() {
        let event = Incoming::User(ClientEvent::UserConnected);
        let refusal = handle(&cid("c"), None, &event, &Snapshot::default()).expect_err("refused");
        assert_eq!(refusal.reason, Reason::NotSignedIn);
    }

    #[test]
    fn a_bound_user_event_is_handled_without_rebinding() {
        let snapshot = Snapshot {
            binding: Some(uid("u")),
            ..Snapshot::default()
        };
        let event = Incoming::User(ClientEvent::UserConnected);
        let outcome = handle(&cid("c"), Some(&uid("u")), &event, &snapshot).expect("ok");
        assert!(!outcome
            .changes
            .iter()
            .any(|c| matches!(c, Change::BindConnection { .. })));
        assert!(matches!(outcome.actions[0], Action::SendToAll(_)));
    }

    #[test]
    fn connected_for_a_connection_bound_to_someone_else_changes_nothing() {
        let snapshot = Snapshot {
            binding: Some(uid("alice")),
            ..Snapshot::default()
        };
        let outcome = handle(
            &cid("c"),
            Some(&uid("mallory")),
            &Incoming::Connected,
            &snapshot,
        )
        .expect("ok");
        assert_eq!(outcome, Outcome::default());
    }

    #[test]
    fn the_binding_decides_whose_record_an_event_reads() {
        assert_eq!(subject(Some(&uid("a")), Some(&uid("b"))), Some(uid("a")));
        assert_eq!(subject(None, Some(&uid("b"))), Some(uid("b")));
        assert_eq!(subject(None, None), None);
    }

    #[test]
    fn idle_is_about_the_sender_whatever_the_body_says_fixing_hole_5() {
        let payload = crate::chat::event::Payload::Text("someone-else".into());
        let event = ClientEvent::parse("userEnterIdle", &payload).expect("parses");
        let snapshot = Snapshot {
            binding: Some(uid("u")),
            ..Snapshot::default()
        };
        let outcome = handle(
            &cid("c"),
            Some(&uid("u")),
            &Incoming::User(event),
            &snapshot,
        )
        .expect("ok");
        assert_eq!(
            outcome.actions,
            vec![Action::SendToAll(
                crate::chat::outcome::ServerMessage::bare(
                    crate::chat::outcome::ChatEvent::UserIsIdle,
                    "u"
                )
            )]
        );
    }

    #[test]
    fn a_closed_connection_is_never_bound_again_or_heard() {
        let snapshot = Snapshot {
            binding: Some(uid("alice")),
            closed: true,
            ..Snapshot::default()
        };
        let replay = Incoming::User(ClientEvent::DeleteChat(ChatId::parse("x").expect("id")));
        let refusal =
            handle(&cid("c"), Some(&uid("alice")), &replay, &snapshot).expect_err("refused");
        assert_eq!(refusal.reason, Reason::IdentityMismatch);
        assert_eq!(
            handle(
                &cid("c"),
                Some(&uid("mallory")),
                &Incoming::Connected,
                &snapshot
            ),
            Ok(Outcome::default())
        );
        assert_eq!(
            handle(&cid("c"), None, &Incoming::Disconnected, &snapshot),
            Ok(Outcome::default())
        );
    }
}
