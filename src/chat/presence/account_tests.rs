//! Unit tests of `chat::presence`: signing in, the online and name index, idle, the cap on
//! connections, and the `connect` answer.
use super::tests::{put_user, stored};
use super::*;
use crate::chat::outcome::{Expect, UserEntry, Version};
use crate::chat::test_support::{cid, uid};

#[test]
fn signing_in_records_name_and_provider_keeps_connections_and_reindexes_the_name() {
    let s = stored(&[("c1", true)]);
    let changes = signed_in(
        &uid("u"),
        DisplayName::parse("New").expect("valid"),
        Provider::new("aad"),
        Some(&s),
    );
    let [Change::IndexUser { entry, was, .. }, Change::PutUser { user, expect }] = &changes[..]
    else {
        panic!("IndexUser then PutUser expected: {changes:?}")
    };
    assert_eq!(user.name.as_str(), "New");
    assert_eq!(user.provider.as_str(), "aad");
    assert!(user.connections.contains_key(&cid("c1")));
    assert_eq!(expect, &Expect::Version(Version("v1".into())));
    assert_eq!(
        entry.key,
        crate::chat::user::search_key(&user.name, &user.id)
    );
    assert_eq!(
        was.as_ref().map(|w| w.key.clone()),
        Some(crate::chat::user::search_key(&s.value.name, &s.value.id)),
        "the old name's entry goes"
    );
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
        vec![]
    );
}

#[test]
fn signing_in_for_the_first_time_creates_the_user_and_its_index_entry() {
    let changes = signed_in(
        &uid("u"),
        DisplayName::parse("Ursula").expect("valid"),
        Provider::new("github"),
        None,
    );
    assert!(matches!(
        &changes[..],
        [
            Change::IndexUser {
                was: None,
                entry: UserEntry { online: false, .. },
                ..
            },
            Change::PutUser {
                expect: Expect::Absent,
                ..
            }
        ]
    ));
}

#[test]
fn the_first_connection_and_the_last_one_move_the_user_in_and_out_of_the_online_index() {
    let offline = stored(&[]);
    let arrived = connected(&cid("c1"), &uid("u"), Some(&offline), None);
    assert!(arrived.changes.iter().any(|c| matches!(
        c,
        Change::IndexUser {
            entry: UserEntry { online: true, .. },
            ..
        }
    )));
    let two = stored(&[("c1", true), ("c2", true)]);
    let one_left = disconnected(&cid("c1"), Some(&two));
    assert!(
        one_left.changes.iter().any(|c| matches!(
            c,
            Change::IndexUser {
                entry: UserEntry { online: true, .. },
                ..
            }
        )),
        "still online: the entry says so again"
    );
    let one = stored(&[("c1", true)]);
    let gone = disconnected(&cid("c1"), Some(&one));
    assert!(gone.changes.iter().any(|c| matches!(
        c,
        Change::IndexUser {
            entry: UserEntry { online: false, .. },
            ..
        }
    )));
}

#[test]
fn closing_the_last_connection_leaves_every_chat_membership_as_it_is() {
    // Membership lasts until leaveChat: a disconnect writes the user and the binding only.
    let s = stored(&[("c1", true)]);
    let outcome = disconnected(&cid("c1"), Some(&s));
    assert!(outcome.changes.iter().all(|c| matches!(
        c,
        Change::PutUser { .. } | Change::IndexUser { .. } | Change::UnbindConnection { .. }
    )));
    assert!(!outcome
        .actions
        .iter()
        .any(|a| matches!(a, Action::Notice(..))));
}

#[test]
fn a_connect_answer_puts_the_connection_in_every_chat_with_the_right_to_publish() {
    let chats = [
        ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").expect("id"),
        ChatId::parse("private_a_b").expect("id"),
    ];
    assert_eq!(
        serde_json::to_value(ConnectAnswer::for_chats(&chats, false)).expect("JSON"),
        serde_json::json!({
            "groups": ["0f8fad5b-d9cb-469f-a165-70867728950e", "private_a_b"],
            "roles": [],
        }),
        "without the direct relay, no right to publish"
    );
    let answer = ConnectAnswer::for_chats(&chats, true);
    assert_eq!(
        serde_json::to_value(&answer).expect("JSON"),
        serde_json::json!({
            "groups": ["0f8fad5b-d9cb-469f-a165-70867728950e", "private_a_b"],
            "roles": ["webpubsub.sendToGroup.0f8fad5b-d9cb-469f-a165-70867728950e", "webpubsub.sendToGroup.private_a_b"],
        })
    );
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

#[test]
fn the_last_of_several_connections_says_user_offline_even_if_it_never_said_hello() {
    // c1 announced the user to everyone and closed; c2 never said hello and closes last.
    let s = stored(&[("c1", true), ("c2", false)]);
    let first = disconnected(&cid("c1"), Some(&s));
    assert!(first.actions.is_empty(), "still online through c2");
    let Some(Change::PutUser { user, .. }) = first
        .changes
        .iter()
        .find(|c| matches!(c, Change::PutUser { .. }))
    else {
        panic!("user written")
    };
    let after = Versioned {
        value: user.clone(),
        version: Version("v2".into()),
    };
    let last = disconnected(&cid("c2"), Some(&after));
    assert_eq!(
        last.actions,
        vec![Action::SendToAll(ServerMessage::user_offline(&uid("u")))]
    );
}

#[test]
fn a_connection_past_the_cap_is_closed_and_not_recorded() {
    let two = stored(&[("c1", true), ("c2", true)]);
    let cap = std::num::NonZeroU32::new(2);
    let outcome = connected(&cid("c3"), &uid("u"), Some(&two), cap);
    assert!(outcome.changes.is_empty(), "{:?}", outcome.changes);
    assert_eq!(
        outcome.actions,
        vec![Action::CloseConnection(
            cid("c3"),
            "too many connections".into()
        )]
    );
    let again = connected(&cid("c2"), &uid("u"), Some(&two), cap);
    assert!(
        again.actions.is_empty(),
        "a known connection is never closed"
    );
    let room = connected(&cid("c3"), &uid("u"), Some(&stored(&[("c1", true)])), cap);
    assert!(room.actions.is_empty());
    // Its hello, should it come before the close, does not slip it in either.
    let hello = user_connected(&cid("c3"), &uid("u"), Some(&two), cap);
    assert!(hello.changes.is_empty(), "{:?}", hello.changes);
    assert_eq!(
        hello.actions,
        vec![Action::CloseConnection(
            cid("c3"),
            "too many connections".into()
        )]
    );
}

#[test]
fn an_online_users_presence_event_writes_their_entry_even_when_the_row_stays() {
    let indexed = |o: &Outcome| {
        o.changes
            .iter()
            .filter(|c| matches!(c, Change::IndexUser { .. } | Change::PutUser { .. }))
            .cloned()
            .collect::<Vec<_>>()
    };
    let two = stored(&[("c1", true), ("c2", true)]);
    // c3 is gone already (a repeated disconnected): no row to write, the entry all the same.
    let outcome = keep_indexed(disconnected(&cid("c3"), Some(&two)), Some(&two));
    assert!(
        matches!(
            &indexed(&outcome)[..],
            [Change::IndexUser {
                entry: UserEntry { online: true, .. },
                ..
            }]
        ),
        "{:?}",
        outcome.changes
    );
    let gone = stored(&[]);
    let offline = keep_indexed(disconnected(&cid("c3"), Some(&gone)), Some(&gone));
    assert!(
        indexed(&offline).is_empty(),
        "an offline user's entry is left to the reader"
    );
}
