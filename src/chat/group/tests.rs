//! Unit tests of `chat::group`.
use super::*;
use crate::chat::outcome::{Change, Expect, Version};
use crate::chat::room::NOTICE_MAX_MEMBERS;
use crate::chat::test_support::*;

fn sender<'a>(
    connection: &'a ConnectionId,
    id: &'a UserId,
    read: Option<&'a Versioned<User>>,
) -> Sender<'a> {
    // The direct relay on, so that grants show; `a_join_without_the_relay_grants_nothing`
    // covers it off.
    Sender {
        connection,
        id,
        read,
        relay: true,
    }
}

#[test]
fn a_join_without_the_relay_grants_nothing() {
    let bob = crate::chat::test_support::user("bob", &["b1", "b2"]);
    let b1 = ConnectionId::parse("b1").expect("id");
    let chat = crate::chat::test_support::room("alice", 1);
    let quiet = Sender {
        connection: &b1,
        id: &bob.value.id,
        read: Some(&bob),
        relay: false,
    };
    let outcome = join(&quiet, Some(&chat), None).expect("joined");
    assert!(
        !outcome
            .actions
            .iter()
            .any(|a| matches!(a, Action::Grant(..))),
        "{:?}",
        outcome.actions
    );
    assert!(outcome.actions.contains(&Action::AddUserToGroup(
        chat.value.id.clone(),
        bob.value.id.clone()
    )));
}

/// alice, on connection c1, creates the room.
fn alice_creates_the_room() -> (ConnectionId, UserId, Outcome) {
    let (c, u, me) = (cid("c1"), uid("alice"), user("alice", &["c1"]));
    let outcome = create(
        &sender(&c, &u, Some(&me)),
        &chat_id(ROOM),
        &name("Room"),
        None,
    )
    .expect("created");
    (c, u, outcome)
}

fn notices(outcome: &Outcome) -> Vec<&Action> {
    outcome
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Notice(..)))
        .collect()
}

#[test]
fn create_chat_stores_the_chat_and_its_owner_as_first_member_then_announces_it() {
    let (c, u, outcome) = alice_creates_the_room();
    let chat = written_chat(&outcome.changes);
    assert_eq!(chat.owner(), Some(&u));
    assert_eq!(
        outcome.changes[1..],
        [Change::AddMember {
            member: member("alice")
        }]
    );
    assert!(matches!(
        &outcome.changes[0],
        Change::PutChat {
            expect: Expect::Absent,
            ..
        }
    ));
    assert_eq!(
        outcome.actions[..2],
        [
            Action::AddUserToGroup(chat_id(ROOM), u.clone()),
            Action::Grant(c.clone(), chat_id(ROOM)),
        ],
        "the creator is in the group, with the right to publish, before the chat is announced"
    );
    let Action::SendToAll(msg) = &outcome.actions[2] else {
        panic!("chatCreated after the creator's membership")
    };
    assert_eq!(msg.chat_event, ChatEvent::ChatCreated);
    let data: serde_json::Value = serde_json::from_str(&msg.data).expect("a JSON string");
    assert_eq!(
        data,
        serde_json::json!({"id": ROOM, "name": "Room", "owner": "alice", "memberCount": 1,
            "members": {"alice": {"userId": "alice", "userName": "alice-name"}}})
    );
    assert_eq!(
        outcome.actions[3],
        Action::Notice(chat_id(ROOM), "💬 alice-name has joined the chat".into()),
        "the joined notice comes after chatCreated, which opens the creator's tab"
    );
}

#[test]
fn create_chat_never_overwrites_an_existing_chat_fixing_hole_4() {
    let (c, u) = (cid("c1"), uid("mallory"));
    let existing = room("alice", 1);
    let mut deleted = existing.clone();
    deleted.value.deleted = true;
    for (stored, why) in [(existing, "a live chat"), (deleted, "a deleted chat's id")] {
        let refusal = create(
            &sender(&c, &u, None),
            &chat_id(ROOM),
            &name("Mine now"),
            Some(&stored),
        )
        .expect_err("refused");
        assert_eq!(refusal.reason, Reason::ChatExists, "{why} is never reused");
    }
}

#[test]
fn joining_makes_a_member_whose_every_connection_may_publish_to_that_chat_alone_fixing_hole_2() {
    let (c, u, me) = (cid("c2"), uid("bob"), user("bob", &["c2", "c3"]));
    let outcome = join(&sender(&c, &u, Some(&me)), Some(&room("alice", 1)), None).expect("joined");
    assert_eq!(
        outcome.changes,
        vec![Change::AddMember {
            member: member("bob")
        }]
    );
    assert_eq!(
        outcome.actions,
        vec![
            Action::AddUserToGroup(chat_id(ROOM), u.clone()),
            Action::Grant(cid("c2"), chat_id(ROOM)),
            Action::Grant(cid("c3"), chat_id(ROOM)),
            Action::Notice(chat_id(ROOM), "💬 bob-name has joined the chat".into()),
        ]
    );
}

#[test]
fn a_member_joining_again_puts_their_connections_and_rows_back_and_announces_nothing() {
    let (c, u, me) = (cid("c9"), uid("bob"), user("bob", &["c2"]));
    let bob = member("bob");
    let outcome = join(
        &sender(&c, &u, Some(&me)),
        Some(&room("alice", 2)),
        Some(&bob),
    )
    .expect("joined");
    assert_eq!(
        outcome.changes,
        [Change::AddMember { member: bob }],
        "the same row again: a repair, not a second member"
    );
    assert!(notices(&outcome).is_empty());
    assert!(outcome
        .actions
        .contains(&Action::Grant(cid("c9"), chat_id(ROOM))));
}

#[test]
fn chats_of_more_than_two_hundred_members_announce_no_joins_or_leaves() {
    let (c, u, me) = (cid("c2"), uid("bob"), user("bob", &["c2"]));
    let at_limit = room("alice", NOTICE_MAX_MEMBERS - 1);
    let joined = join(&sender(&c, &u, Some(&me)), Some(&at_limit), None).expect("joined");
    assert_eq!(notices(&joined).len(), 1, "the 200th member is announced");
    let big = room("alice", NOTICE_MAX_MEMBERS);
    let joined = join(&sender(&c, &u, Some(&me)), Some(&big), None).expect("joined");
    assert!(notices(&joined).is_empty(), "the 201st is not");
    let bob = member("bob");
    let left = leave(
        &sender(&c, &u, Some(&me)),
        Some(&room("alice", NOTICE_MAX_MEMBERS + 1)),
        Some(&bob),
    )
    .expect("left");
    assert!(notices(&left).is_empty());
}

#[test]
fn notices_are_plain_text_fixing_hole_15() {
    let (c, u) = (cid("c2"), uid("bob"));
    let mut me = user("bob", &["c2"]);
    me.value.name = name("<img src=x onerror=alert(1)>");
    let outcome = join(&sender(&c, &u, Some(&me)), Some(&room("alice", 1)), None).expect("joined");
    assert!(outcome.actions.contains(&Action::Notice(
        chat_id(ROOM),
        "💬 <img src=x onerror=alert(1)> has joined the chat".into()
    )));
    assert!(!outcome
        .actions
        .iter()
        .any(|a| matches!(a, Action::Notice(_, t) if t.contains("<b>"))));
}

#[test]
fn joining_a_missing_or_deleted_chat_is_refused_fixing_hole_22() {
    let (c, u) = (cid("c1"), uid("bob"));
    let refused = |chat: Option<&Versioned<Chat>>| {
        join(&sender(&c, &u, None), chat, None)
            .expect_err("refused")
            .reason
    };
    assert_eq!(refused(None), Reason::ChatNotFound);
    let mut deleted = room("alice", 1);
    deleted.value.deleted = true;
    assert_eq!(refused(Some(&deleted)), Reason::ChatNotFound);
}

#[test]
fn a_full_chat_takes_no_new_member_but_its_members_still_come_back() {
    let (c, u) = (cid("c1"), uid("newcomer"));
    let full = room("alice", crate::chat::room::MAX_MEMBERS);
    assert_eq!(
        join(&sender(&c, &u, None), Some(&full), None)
            .expect_err("refused")
            .reason,
        Reason::ChatFull
    );
    let back = member("newcomer");
    assert!(join(&sender(&c, &u, None), Some(&full), Some(&back)).is_ok());
}

#[test]
fn leaving_ends_the_membership_on_every_connection_of_the_user() {
    let (c, u, me) = (cid("c2"), uid("bob"), user("bob", &["c2", "c3"]));
    let bob = member("bob");
    let outcome = leave(
        &sender(&c, &u, Some(&me)),
        Some(&room("alice", 2)),
        Some(&bob),
    )
    .expect("left");
    assert_eq!(
        outcome.changes,
        vec![Change::RemoveMember {
            chat: chat_id(ROOM),
            user: u.clone()
        }]
    );
    assert_eq!(
        outcome.actions,
        vec![
            Action::RemoveUserFromGroup(chat_id(ROOM), u.clone()),
            Action::Revoke(cid("c2"), chat_id(ROOM)),
            Action::Revoke(cid("c3"), chat_id(ROOM)),
            Action::Notice(chat_id(ROOM), "💨 bob-name has left the chat".into()),
        ]
    );
}

#[test]
fn leaving_a_chat_one_is_not_in_is_refused() {
    let (c, u) = (cid("c2"), uid("bob"));
    let refusal = leave(&sender(&c, &u, None), Some(&room("alice", 1)), None).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotMember);
}

#[test]
fn a_non_owner_cannot_delete_a_chat_fixing_hole_4() {
    let (c, u) = (cid("c2"), uid("bob"));
    let refusal = delete(&sender(&c, &u, None), Some(&room("alice", 3))).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotOwner);
}

#[test]
fn deleting_empties_the_group_in_one_call_whatever_the_size_and_keeps_the_id() {
    let (c, u) = (cid("c1"), uid("alice"));
    let outcome = delete(&sender(&c, &u, None), Some(&room("alice", 10_000))).expect("deleted");
    assert_eq!(
        outcome.actions,
        vec![
            Action::EmptyGroup(chat_id(ROOM)),
            Action::SendToAll(ServerMessage::bare(ChatEvent::ChatDeleted, ROOM)),
        ]
    );
    let [Change::PutChat { chat, expect }] = &outcome.changes[..] else {
        panic!("only the chat row is written: {:?}", outcome.changes)
    };
    assert!(chat.deleted, "the row stays, so the id is never reused");
    assert_eq!(expect, &Expect::Version(Version("c1".into())));
}

#[test]
fn its_owner_deleting_a_deleted_chat_again_repeats_the_calls_and_writes_the_row_as_it_is() {
    let mut gone = room("alice", 3);
    gone.value.deleted = true;
    let (c, u) = (cid("c1"), uid("alice"));
    let again = delete(&sender(&c, &u, None), Some(&gone)).expect("repeated");
    assert_eq!(
        again.changes,
        [Change::PutChat {
            chat: gone.value.clone(),
            expect: Expect::Version(gone.version.clone()),
        }],
        "the same row again, so that a store marks it for the sweep again"
    );
    assert_eq!(again.actions[0], Action::EmptyGroup(chat_id(ROOM)));
    let (m, mallory) = (cid("m1"), uid("mallory"));
    let refusal = delete(&sender(&m, &mallory, None), Some(&gone)).expect_err("refused");
    assert_eq!(
        refusal.reason,
        Reason::ChatNotFound,
        "anyone else: no such chat"
    );
}
