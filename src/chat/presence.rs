//! Presence: which users are online, through which connections, who is told, and idle.

use std::collections::BTreeMap;

use crate::chat::model::{ChatId, ConnectionId, DisplayName, Provider, UserId};
use crate::chat::outcome::{Action, Change, ChatEvent, Expect, Outcome, ServerMessage, Versioned};
use crate::chat::room::Chat;
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

/// `connected`: the connection joins the user's set of live connections.
pub fn connected(
    connection: &ConnectionId,
    user_id: &UserId,
    stored: Option<&Versioned<User>>,
) -> Outcome {
    let mut user = user_or_new(user_id, stored);
    let mut changes = Vec::new();
    if !user.connections.contains_key(connection) {
        user.connections
            .insert(connection.clone(), ConnectionState::default());
        changes.push(Change::PutUser {
            user,
            expect: Expect::of(stored),
        });
    }
    Outcome {
        changes,
        actions: Vec::new(),
    }
}

/// `userConnected`: the original client's hello. Everyone hears `userOnline` when no other
/// connection of the user has announced it; otherwise only this connection does (the
/// original client waits for its own `userOnline` before it shows anything).
pub fn user_connected(
    connection: &ConnectionId,
    user_id: &UserId,
    stored: Option<&Versioned<User>>,
) -> Outcome {
    let mut user = user_or_new(user_id, stored);
    let first = !user.announced_elsewhere(connection);
    if first {
        user.idle = false;
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
    let mut changes = Vec::new();
    if stored.map(|s| &s.value) != Some(&user) {
        changes.push(Change::PutUser {
            user,
            expect: Expect::of(stored),
        });
    }
    Outcome {
        changes,
        actions: vec![action],
    }
}

/// `disconnected` (or a dead connection found by the sweep): the connection leaves every
/// chat it was in (a user whose last connection there goes leaves the members, and the chat
/// hears it) and the user's set of connections; when the user's last announced connection
/// goes, everyone hears one `userOffline`. A repeated `disconnected` changes nothing.
pub fn disconnected(
    connection: &ConnectionId,
    stored: Option<&Versioned<User>>,
    chats: &BTreeMap<ChatId, Versioned<Chat>>,
) -> Outcome {
    let mut outcome = Outcome::default();
    if let Some(stored) = stored {
        let mut user = stored.value.clone();
        if let Some(state) = user.connections.remove(connection) {
            // The chats first: they are the truth, the user's index only points at them.
            for id in &state.chats {
                let Some(read) = chats.get(id) else { continue };
                let mut chat = read.value.clone();
                if let Some(name) = chat.remove_connection(&user.id, connection) {
                    if !chat.deleted {
                        outcome
                            .actions
                            .push(Action::Notice(chat.id.clone(), left_notice(&name)));
                    }
                }
                outcome.put_chat(chat, Some(read));
            }
            let was_announced = state.announced || user.announced_elsewhere(connection);
            if !user.is_online() {
                user.idle = false;
                if was_announced {
                    outcome
                        .actions
                        .push(Action::SendToAll(ServerMessage::user_offline(&user.id)));
                }
            }
            outcome.changes.push(Change::PutUser {
                user,
                expect: Expect::Version(stored.version.clone()),
            });
        }
    }
    outcome.changes.push(Change::UnbindConnection {
        connection: connection.clone(),
    });
    outcome
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
/// Returns the write that records them, or nothing when the record already says so.
pub fn signed_in(
    user_id: &UserId,
    name: DisplayName,
    provider: Provider,
    stored: Option<&Versioned<User>>,
) -> Option<Change> {
    let mut user = user_or_new(user_id, stored);
    if stored.is_some() && user.name == name && user.provider == provider {
        return None;
    }
    user.name = name;
    user.provider = provider;
    Some(Change::PutUser {
        user,
        expect: Expect::of(stored),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::outcome::Version;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).expect("valid")
    }
    fn cid(s: &str) -> ConnectionId {
        ConnectionId::parse(s).expect("valid")
    }
    fn stored(conns: &[(&str, bool)]) -> Versioned<User> {
        let mut user = User::new(
            uid("u"),
            DisplayName::parse("Ursula").expect("valid"),
            Provider::new("github"),
        );
        for (c, announced) in conns {
            user.connections.insert(
                cid(c),
                ConnectionState {
                    announced: *announced,
                    ..Default::default()
                },
            );
        }
        Versioned {
            value: user,
            version: Version("v1".into()),
        }
    }
    fn put_user(outcome: &Outcome) -> (&User, &Expect) {
        outcome
            .changes
            .iter()
            .find_map(|c| match c {
                Change::PutUser { user, expect } => Some((user, expect)),
                _ => None,
            })
            .expect("a PutUser change")
    }

    #[test]
    fn connected_adds_the_connection_with_the_read_version() {
        let s = stored(&[]);
        let outcome = connected(&cid("c1"), &uid("u"), Some(&s));
        let (user, expect) = put_user(&outcome);
        assert!(user.connections.contains_key(&cid("c1")));
        assert_eq!(expect, &Expect::Version(Version("v1".into())));
        assert!(
            outcome.actions.is_empty(),
            "connected says nothing; userConnected does"
        );
    }

    #[test]
    fn connected_for_an_unknown_user_creates_one_named_after_the_id() {
        let outcome = connected(&cid("c1"), &uid("u"), None);
        let (user, expect) = put_user(&outcome);
        assert_eq!(user.name.as_str(), "u");
        assert_eq!(expect, &Expect::Absent);
    }

    #[test]
    fn a_repeated_connected_changes_nothing() {
        let s = stored(&[("c1", false)]);
        assert_eq!(
            connected(&cid("c1"), &uid("u"), Some(&s)),
            Outcome::default()
        );
    }

    #[test]
    fn user_connected_on_the_first_connection_broadcasts_user_online() {
        let s = stored(&[("c1", false)]);
        let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s));
        let Action::SendToAll(msg) = &outcome.actions[0] else {
            panic!("broadcast expected")
        };
        assert_eq!(msg.chat_event, ChatEvent::UserOnline);
        let data: serde_json::Value = serde_json::from_str(&msg.data).expect("JSON string");
        assert_eq!(
            data,
            serde_json::json!({"userId":"u","userName":"Ursula","userProvider":"github","idle":false})
        );
        assert!(put_user(&outcome).0.connections[&cid("c1")].announced);
    }

    #[test]
    fn user_connected_on_a_second_connection_answers_that_connection_alone() {
        let s = stored(&[("c1", true), ("c2", false)]);
        let outcome = user_connected(&cid("c2"), &uid("u"), Some(&s));
        assert!(
            matches!(&outcome.actions[..], [Action::SendToConnection(c, m)] if c == &cid("c2") && m.chat_event == ChatEvent::UserOnline)
        );
    }

    #[test]
    fn user_connected_before_connected_arrives_still_records_the_connection() {
        let s = stored(&[]);
        let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s));
        assert!(put_user(&outcome).0.connections.contains_key(&cid("c1")));
        assert!(matches!(outcome.actions[0], Action::SendToAll(_)));
    }

    #[test]
    fn a_repeated_user_connected_writes_nothing_but_still_answers() {
        let s = stored(&[("c1", true)]);
        let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s));
        assert!(outcome.changes.is_empty());
        assert!(matches!(outcome.actions[0], Action::SendToAll(_)));
    }

    #[test]
    fn a_returning_user_is_no_longer_idle() {
        let mut s = stored(&[]);
        s.value.idle = true;
        let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s));
        assert!(!put_user(&outcome).0.idle);
    }

    #[test]
    fn closing_one_of_two_connections_says_nothing() {
        let s = stored(&[("c1", true), ("c2", true)]);
        let outcome = disconnected(&cid("c1"), Some(&s), &BTreeMap::new());
        assert!(outcome.actions.is_empty());
        let (user, _) = put_user(&outcome);
        assert_eq!(
            user.connections.keys().collect::<Vec<_>>(),
            vec![&cid("c2")]
        );
        assert!(outcome.changes.contains(&Change::UnbindConnection {
            connection: cid("c1")
        }));
    }

    #[test]
    fn closing_the_last_connection_broadcasts_one_user_offline() {
        let s = stored(&[("c1", true)]);
        let outcome = disconnected(&cid("c1"), Some(&s), &BTreeMap::new());
        assert_eq!(
            outcome.actions,
            vec![Action::SendToAll(ServerMessage::user_offline(&uid("u")))]
        );
        assert!(!put_user(&outcome).0.is_online());
    }

    #[test]
    fn closing_a_connection_that_never_said_hello_tells_nobody() {
        let s = stored(&[("c1", false)]);
        assert!(disconnected(&cid("c1"), Some(&s), &BTreeMap::new())
            .actions
            .is_empty());
    }

    #[test]
    fn a_repeated_disconnected_only_forgets_the_binding() {
        let s = stored(&[("c2", true)]);
        let outcome = disconnected(&cid("c1"), Some(&s), &BTreeMap::new());
        assert!(outcome.actions.is_empty());
        assert_eq!(
            outcome.changes,
            vec![Change::UnbindConnection {
                connection: cid("c1")
            }]
        );
    }

    #[test]
    fn disconnected_of_an_unknown_user_only_forgets_the_binding() {
        let outcome = disconnected(&cid("c1"), None, &BTreeMap::new());
        assert_eq!(
            outcome.changes,
            vec![Change::UnbindConnection {
                connection: cid("c1")
            }]
        );
    }

    #[test]
    fn signing_in_records_name_and_provider_and_keeps_connections() {
        let s = stored(&[("c1", true)]);
        let change = signed_in(
            &uid("u"),
            DisplayName::parse("New").expect("valid"),
            Provider::new("aad"),
            Some(&s),
        )
        .expect("a write");
        let Change::PutUser { user, expect } = change else {
            panic!("PutUser expected")
        };
        assert_eq!(user.name.as_str(), "New");
        assert_eq!(user.provider.as_str(), "aad");
        assert!(user.connections.contains_key(&cid("c1")));
        assert_eq!(expect, Expect::Version(Version("v1".into())));
    }

    #[test]
    fn signing_in_again_with_the_same_details_writes_nothing() {
        let s = stored(&[]);
        assert_eq!(
            signed_in(
                &uid("u"),
                DisplayName::parse("Ursula").expect("valid"),
                Provider::new("github"),
                Some(&s)
            ),
            None
        );
    }

    #[test]
    fn signing_in_for_the_first_time_creates_the_user() {
        let change = signed_in(
            &uid("u"),
            DisplayName::parse("Ursula").expect("valid"),
            Provider::new("github"),
            None,
        );
        assert!(matches!(
            change,
            Some(Change::PutUser {
                expect: Expect::Absent,
                ..
            })
        ));
    }

    fn room_with(members: &[(&str, &[&str])]) -> Versioned<Chat> {
        let mut chat = Chat::group(
            ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").expect("id"),
            DisplayName::parse("Room").expect("name"),
            uid("owner"),
        );
        for (u, conns) in members {
            for c in *conns {
                chat.add_connection(&uid(u), &DisplayName::parse(u).expect("name"), &cid(c));
            }
        }
        Versioned {
            value: chat,
            version: Version("7".into()),
        }
    }

    #[test]
    fn closing_the_last_connection_in_a_chat_leaves_it_and_tells_the_chat() {
        let room = room_with(&[("u", &["c1"]), ("v", &["c9"])]);
        let mut s = stored(&[("c1", true)]);
        s.value
            .connections
            .get_mut(&cid("c1"))
            .expect("c1")
            .chats
            .insert(room.value.id.clone());
        let chats = BTreeMap::from([(room.value.id.clone(), room.clone())]);
        let outcome = disconnected(&cid("c1"), Some(&s), &chats);
        let Change::PutChat { chat, expect } = &outcome.changes[0] else {
            panic!("chat first: {:?}", outcome.changes)
        };
        assert!(!chat.members.contains_key(&uid("u")));
        assert!(chat.members.contains_key(&uid("v")));
        assert_eq!(expect, &Expect::Version(Version("7".into())));
        assert!(outcome.actions.contains(&Action::Notice(
            room.value.id.clone(),
            "💨 u has left the chat".into()
        )));
        assert!(outcome
            .actions
            .contains(&Action::SendToAll(ServerMessage::user_offline(&uid("u")))));
    }

    #[test]
    fn closing_one_of_two_connections_in_a_chat_keeps_the_member() {
        let room = room_with(&[("u", &["c1", "c2"])]);
        let mut s = stored(&[("c1", true), ("c2", true)]);
        s.value
            .connections
            .get_mut(&cid("c1"))
            .expect("c1")
            .chats
            .insert(room.value.id.clone());
        let chats = BTreeMap::from([(room.value.id.clone(), room)]);
        let outcome = disconnected(&cid("c1"), Some(&s), &chats);
        assert!(outcome.actions.is_empty(), "{:?}", outcome.actions);
        let Change::PutChat { chat, .. } = &outcome.changes[0] else {
            panic!()
        };
        assert_eq!(chat.members[&uid("u")].connections.len(), 1);
    }

    #[test]
    fn going_idle_is_stored_and_broadcast_with_the_sender_id() {
        let s = stored(&[("c1", true)]);
        let outcome = set_idle(&uid("u"), true, Some(&s));
        assert_eq!(
            outcome.actions,
            vec![Action::SendToAll(ServerMessage::bare(
                ChatEvent::UserIsIdle,
                "u"
            ))]
        );
        assert!(put_user(&outcome).0.idle);
        let mut idle = s.clone();
        idle.value.idle = true;
        let back = set_idle(&uid("u"), false, Some(&idle));
        assert_eq!(
            back.actions,
            vec![Action::SendToAll(ServerMessage::bare(
                ChatEvent::UserNotIdle,
                "u"
            ))]
        );
    }

    #[test]
    fn going_idle_twice_says_nothing_the_second_time() {
        let mut s = stored(&[("c1", true)]);
        s.value.idle = true;
        assert_eq!(set_idle(&uid("u"), true, Some(&s)), Outcome::default());
    }
}
