//! Unit tests of `chat::private`.

use super::*;
use crate::chat::model::ConnectionId;
use crate::chat::outcome::{ChatEvent, Version};
use crate::chat::test_support::*;

fn open(
    connection: &ConnectionId,
    me: &Versioned<User>,
    target: &str,
    read: &Opening,
) -> Result<Outcome, Refusal> {
    let sender = Sender {
        connection,
        id: &me.value.id,
        read: Some(me),
        relay: true,
    };
    create(&sender, &me.value.id, &uid(target), read)
}

fn fresh<'a>(target: Option<&'a Versioned<User>>) -> Opening<'a> {
    Opening {
        target,
        existing: None,
        sender_member: None,
        target_member: None,
    }
}

#[test]
fn both_users_become_members_and_every_connection_enters_the_group() {
    let me = user("alice", &["a1", "a2"]);
    let bob = user("bob", &["b1"]);
    let outcome = open(&cid("a1"), &me, "bob", &fresh(Some(&bob))).expect("opened");
    let id = chat_id("private_alice_bob");
    assert!(
        matches!(&outcome.changes[0], Change::PutChat { chat, expect: Expect::Absent }
        if matches!(&chat.kind, ChatKind::Private { users } if users == &[uid("alice"), uid("bob")]))
    );
    for who in ["alice", "bob"] {
        assert!(outcome.changes.contains(&Change::AddMember {
            member: Member::new(&id, &uid(who), &name(&format!("{who}-name")))
        }));
        assert!(outcome
            .actions
            .contains(&Action::AddUserToGroup(id.clone(), uid(who))));
    }
    for c in ["a1", "a2", "b1"] {
        assert!(
            outcome.actions.contains(&Action::Grant(cid(c), id.clone())),
            "{c}"
        );
    }
    assert!(outcome.actions.contains(&Action::SendToUser(
        uid("bob"),
        ServerMessage::join_private_chat(&id, "Chat with alice-name", false)
    )));
    assert!(outcome.actions.contains(&Action::SendToUser(
        uid("alice"),
        ServerMessage::join_private_chat(&id, "Chat with bob-name", true)
    )));
    assert!(
        !outcome
            .actions
            .iter()
            .any(|a| matches!(a, Action::Notice(..))),
        "no notice: the first message tells the other"
    );
}

#[test]
fn an_offline_user_can_be_written_to_and_finds_the_chat_when_back_fixing_hole_21() {
    let me = user("alice", &["a1"]);
    let bob = user("bob", &[]);
    let outcome = open(&cid("a1"), &me, "bob", &fresh(Some(&bob))).expect("opened");
    let id = chat_id("private_alice_bob");
    assert!(outcome.changes.contains(&Change::AddMember {
        member: Member::new(&id, &uid("bob"), &name("bob-name"))
    }));
    let grants: Vec<_> = outcome
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Grant(..)))
        .collect();
    assert_eq!(
        grants,
        [&Action::Grant(cid("a1"), id)],
        "bob has no connection yet"
    );
    assert!(!outcome
        .changes
        .iter()
        .any(|c| matches!(c, Change::RemoveMember { .. })));
}

#[test]
fn a_user_nobody_has_seen_is_refused() {
    let me = user("alice", &["a1"]);
    let refusal = open(&cid("a1"), &me, "ghost", &fresh(None)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::UnknownUser);
}

#[test]
fn join_private_chat_data_is_a_json_string_in_the_original_shape() {
    let msg = ServerMessage::join_private_chat(&chat_id("private_a_b"), "Chat with B", true);
    assert_eq!(msg.chat_event, ChatEvent::JoinPrivateChat);
    let data: serde_json::Value = serde_json::from_str(&msg.data).expect("JSON string");
    assert_eq!(
        data,
        serde_json::json!({"id":"private_a_b","name":"Chat with B","grabFocus":true})
    );
}

#[test]
fn an_initiator_other_than_the_sender_is_refused_fixing_hole_5() {
    let me = user("mallory", &["m1"]);
    let sender = Sender {
        connection: &cid("m1"),
        id: &me.value.id,
        read: Some(&me),
        relay: true,
    };
    let bob = user("bob", &["b1"]);
    let refusal =
        create(&sender, &uid("alice"), &uid("bob"), &fresh(Some(&bob))).expect_err("refused");
    assert_eq!(refusal.reason, Reason::IdentityMismatch);
}

#[test]
fn a_private_chat_with_oneself_is_refused() {
    let me = user("alice", &["a1"]);
    let refusal = open(&cid("a1"), &me, "alice", &fresh(Some(&me))).expect_err("refused");
    assert_eq!(refusal.reason, Reason::InvalidPayload);
}

#[test]
fn opening_it_again_reuses_the_stored_chat_writes_nothing_and_invites_nobody() {
    let me = user("alice", &["a3"]);
    let bob = user("bob", &["b1"]);
    let id = chat_id("private_alice_bob");
    let stored = Versioned {
        value: Chat::private(id.clone(), [uid("alice"), uid("bob")]),
        version: Version("7".into()),
    };
    let (alice_m, bob_m) = (
        Member::new(&id, &uid("alice"), &name("alice-name")),
        Member::new(&id, &uid("bob"), &name("bob-name")),
    );
    let again = open(
        &cid("a3"),
        &me,
        "bob",
        &Opening {
            target: Some(&bob),
            existing: Some(&stored),
            sender_member: Some(&alice_m),
            target_member: Some(&bob_m),
        },
    )
    .expect("reopened");
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert!(again
        .actions
        .contains(&Action::Grant(cid("a3"), id.clone())));
    let told: Vec<&Action> = again
        .actions
        .iter()
        .filter(|a| {
            matches!(
                a,
                Action::SendToUser(..) | Action::SendToConnection(..) | Action::Notice(..)
            )
        })
        .collect();
    assert_eq!(
        told,
        [&Action::SendToConnection(
            cid("a3"),
            ServerMessage::join_private_chat(&id, "Chat with bob-name", true)
        )],
        "only the asking connection hears of it, and the chat hears nothing"
    );
    // When bob has left it, opening it again brings him back, and he hears of it.
    let after_leaving = open(
        &cid("a3"),
        &me,
        "bob",
        &Opening {
            target: Some(&bob),
            existing: Some(&stored),
            sender_member: Some(&alice_m),
            target_member: None,
        },
    )
    .expect("reopened");
    assert_eq!(after_leaving.changes, [Change::AddMember { member: bob_m }]);
    assert!(after_leaving.actions.contains(&Action::SendToUser(
        uid("bob"),
        ServerMessage::join_private_chat(&id, "Chat with alice-name", false)
    )));
}

#[test]
fn a_colliding_id_never_opens_another_pairs_private_chat() {
    // `a_b` + `c` and `a` + `b_c` both make `private_a_b_c`.
    let theirs = Versioned {
        value: Chat::private(chat_id("private_a_b_c"), [uid("a_b"), uid("c")]),
        version: Version("1".into()),
    };
    let me = user("a", &["m1"]);
    let target = user("b_c", &["x1"]);
    let refusal = open(
        &cid("m1"),
        &me,
        "b_c",
        &Opening {
            existing: Some(&theirs),
            ..fresh(Some(&target))
        },
    )
    .expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatExists);
}

#[test]
fn a_third_user_can_never_join_a_private_chat() {
    let stored = Versioned {
        value: Chat::private(chat_id("private_alice_bob"), [uid("alice"), uid("bob")]),
        version: Version("1".into()),
    };
    let eve = user("eve", &["e1"]);
    let sender = Sender {
        connection: &cid("e1"),
        id: &eve.value.id,
        read: Some(&eve),
        relay: true,
    };
    let refusal = crate::chat::group::join(&sender, Some(&stored), None).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotMember);
    let bob = user("bob", &["b9"]);
    let sender = Sender {
        connection: &cid("b9"),
        id: &bob.value.id,
        read: Some(&bob),
        relay: true,
    };
    assert!(
        crate::chat::group::join(&sender, Some(&stored), None).is_ok(),
        "its own users rejoin from a new tab"
    );
}
