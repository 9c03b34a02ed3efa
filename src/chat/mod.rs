//! The chat's rules, pure: an event and the state it touches in, the changes to store and
//! the service calls to make out. No I/O, no clock, no async here.
//!
//! Every user event is checked against the connection's binding first: the webhook
//! signature covers only the connection id, so a connection belongs to the user it was
//! first seen with, and an event claiming another user is refused.
//!
//! # Layout
//! - `mod.rs`: `handle` (and `needs`: which rows an event reads); [`event`]: client events
//!   parsed from the webhook body; [`outcome`]: changes, service actions, refusals.
//! - Values: [`model`] (ids and names that exist only once they parse), [`user`] (a user's
//!   record), [`room`] (a chat as stored), [`member`] (a user's membership of a chat).
//! - Rules: [`presence`] (online, idle, who is told), [`group`] (group chats: create, join,
//!   leave, delete), [`private`] (private chats of two users), [`chat_cap`] (how many chats
//!   one user may be in).
//!
//! Unit tests named `…_fixing_hole_N` prove hole N of the original app
//! (`docs/chatr-original.md` §9) closed.

pub mod chat_cap;
pub mod event;
pub mod group;
pub mod member;
pub mod model;
pub mod outcome;
pub mod presence;
pub mod private;
pub mod room;
pub mod user;

#[cfg(test)]
pub(crate) mod test_support;

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use crate::chat::chat_cap::ChatsHeld;
use crate::chat::event::ClientEvent;
use crate::chat::group::Sender;
use crate::chat::member::Member;
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Change, Outcome, Reason, Refusal, Versioned};
use crate::chat::private::Opening;
use crate::chat::room::Chat;
use crate::chat::user::User;

/// What arrived at the webhook, already verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The `connected` system event.
    Connected,
    /// The `disconnected` system event, or a dead connection found by the sweep.
    Disconnected,
    /// A user event.
    User(ClientEvent),
}

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
}

impl Snapshot {
    fn member(&self, chat: &ChatId, user: &UserId) -> Option<&Member> {
        self.members.get(&(chat.clone(), user.clone()))
    }
}

/// What an event needs read beyond the binding and its user's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub other_user: Option<UserId>,
    pub chats: Vec<ChatId>,
    /// Memberships, as (chat, user).
    pub members: Vec<(ChatId, UserId)>,
    /// Users the event may make members of a chat, whose chats are counted (when capped).
    pub chats_held: Vec<UserId>,
}

/// The user whose record an event needs: the binding wins over what the event claims.
pub fn subject(binding: Option<&UserId>, claimed: Option<&UserId>) -> Option<UserId> {
    binding.or(claimed).cloned()
}

/// The rows an event of `user` reads.
pub fn needs(incoming: &Incoming, user: Option<&UserId>) -> Needs {
    let Incoming::User(event) = incoming else {
        return Needs::default();
    };
    let chat = |id: &ChatId| Needs {
        chats: vec![id.clone()],
        ..Needs::default()
    };
    let with_membership = |id: &ChatId| Needs {
        chats: vec![id.clone()],
        members: user.map(|u| (id.clone(), u.clone())).into_iter().collect(),
        ..Needs::default()
    };
    let counted = |needs: Needs| Needs {
        chats_held: user.into_iter().cloned().collect(),
        ..needs
    };
    match event {
        ClientEvent::CreateChat { id, .. } => counted(chat(id)),
        ClientEvent::DeleteChat(id) => chat(id),
        ClientEvent::JoinChat(id) => counted(with_membership(id)),
        ClientEvent::LeaveChat(id) => with_membership(id),
        ClientEvent::CreatePrivateChat { initiator, target } => {
            let id = ChatId::private(initiator, target).ok();
            Needs {
                chats: id.iter().cloned().collect(),
                members: id
                    .iter()
                    .flat_map(|id| {
                        [
                            (id.clone(), initiator.clone()),
                            (id.clone(), target.clone()),
                        ]
                    })
                    .collect(),
                other_user: Some(target.clone()),
                chats_held: vec![initiator.clone(), target.clone()],
            }
        }
        ClientEvent::UserConnected | ClientEvent::UserEnterIdle | ClientEvent::UserExitIdle => {
            Needs::default()
        }
    }
}

/// Handles one event from `connection`, whose verified `ce-userId` is `claimed`.
pub fn handle(
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
        Incoming::Disconnected => Ok(presence::disconnected(connection, user)),
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
                presence::connected(connection, claimed, user, snapshot.connection_cap),
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
            };
            let chat = |id: &ChatId| snapshot.chats.get(id);
            let member = |id: &ChatId| snapshot.member(id, claimed);
            let outcome = match event {
                ClientEvent::UserConnected => presence::user_connected(connection, claimed, user),
                ClientEvent::UserEnterIdle => presence::set_idle(claimed, true, user),
                ClientEvent::UserExitIdle => presence::set_idle(claimed, false, user),
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
    fn a_disconnect_reads_no_chat_and_a_join_reads_the_senders_membership() {
        assert_eq!(
            needs(&Incoming::Disconnected, Some(&uid("u"))),
            Needs::default()
        );
        let room = crate::chat::test_support::chat_id(crate::chat::test_support::ROOM);
        let join = Incoming::User(ClientEvent::JoinChat(room.clone()));
        assert_eq!(
            needs(&join, Some(&uid("u"))),
            Needs {
                chats: vec![room.clone()],
                members: vec![(room, uid("u"))],
                other_user: None,
                chats_held: vec![uid("u")],
            }
        );
    }

    #[test]
    fn opening_a_private_chat_reads_the_target_the_chat_and_both_memberships() {
        let event = Incoming::User(ClientEvent::CreatePrivateChat {
            initiator: uid("b"),
            target: uid("a"),
        });
        let needs = needs(&event, Some(&uid("b")));
        let id = ChatId::parse("private_a_b").expect("id");
        assert_eq!(needs.other_user, Some(uid("a")));
        assert_eq!(needs.chats, vec![id.clone()]);
        assert_eq!(needs.members, vec![(id.clone(), uid("b")), (id, uid("a"))]);
        assert_eq!(
            needs.chats_held,
            vec![uid("b"), uid("a")],
            "both may gain a chat"
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
