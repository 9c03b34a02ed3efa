//! Unit tests of `chat::presence`: connections coming and going, and who hears of it.
use super::*;
use crate::chat::outcome::{Expect, Version};
use crate::chat::test_support::{cid, uid};
pub(super) fn stored(conns: &[(&str, bool)]) -> Versioned<User> {
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
            },
        );
    }
    user.online_announced = conns.iter().any(|(_, announced)| *announced);
    Versioned {
        value: user,
        version: Version("v1".into()),
    }
}
pub(super) fn put_user(outcome: &Outcome) -> (&User, &Expect) {
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
    let outcome = connected(&cid("c1"), &uid("u"), Some(&s), None);
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
    let outcome = connected(&cid("c1"), &uid("u"), None, None);
    let (user, expect) = put_user(&outcome);
    assert_eq!(user.name.as_str(), "u");
    assert_eq!(expect, &Expect::Absent);
}

#[test]
fn a_repeated_connected_changes_nothing() {
    let s = stored(&[("c1", false)]);
    assert_eq!(
        connected(&cid("c1"), &uid("u"), Some(&s), None),
        Outcome::default()
    );
}

#[test]
fn user_connected_on_the_first_connection_broadcasts_user_online() {
    let s = stored(&[("c1", false)]);
    let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s), None);
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
    let outcome = user_connected(&cid("c2"), &uid("u"), Some(&s), None);
    assert!(
        matches!(&outcome.actions[..], [Action::SendToConnection(c, m)] if c == &cid("c2") && m.chat_event == ChatEvent::UserOnline)
    );
}

#[test]
fn user_connected_before_connected_arrives_still_records_the_connection() {
    let s = stored(&[]);
    let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s), None);
    assert!(put_user(&outcome).0.connections.contains_key(&cid("c1")));
    assert!(matches!(outcome.actions[0], Action::SendToAll(_)));
}

#[test]
fn a_repeated_user_connected_writes_no_row_but_still_answers() {
    let s = stored(&[("c1", true)]);
    let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s), None);
    assert!(
        matches!(&outcome.changes[..], [Change::IndexUser { .. }]),
        "the index entry as it is, no row: {:?}",
        outcome.changes
    );
    assert!(
        matches!(&outcome.actions[..], [Action::SendToConnection(c, _)] if c == &cid("c1")),
        "already announced to everyone: only the asking connection hears it again"
    );
}

#[test]
fn a_returning_user_is_no_longer_idle() {
    let mut s = stored(&[]);
    s.value.idle = true;
    let outcome = user_connected(&cid("c1"), &uid("u"), Some(&s), None);
    assert!(!put_user(&outcome).0.idle);
}

#[test]
fn closing_one_of_two_connections_says_nothing() {
    let s = stored(&[("c1", true), ("c2", true)]);
    let outcome = disconnected(&cid("c1"), Some(&s));
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
    let outcome = disconnected(&cid("c1"), Some(&s));
    assert_eq!(
        outcome.actions,
        vec![Action::SendToAll(ServerMessage::user_offline(&uid("u")))]
    );
    assert!(!put_user(&outcome).0.is_online());
}

#[test]
fn closing_a_connection_that_never_said_hello_tells_nobody() {
    let s = stored(&[("c1", false)]);
    assert!(disconnected(&cid("c1"), Some(&s)).actions.is_empty());
}

#[test]
fn a_repeated_disconnected_only_forgets_the_binding() {
    let s = stored(&[("c2", true)]);
    let outcome = disconnected(&cid("c1"), Some(&s));
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
    let outcome = disconnected(&cid("c1"), None);
    assert_eq!(
        outcome.changes,
        vec![Change::UnbindConnection {
            connection: cid("c1")
        }]
    );
}
