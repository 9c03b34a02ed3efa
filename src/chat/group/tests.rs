//! Unit tests of `chat::group`.
use super::*;
use crate::chat::outcome::{Change, Expect, Version};
use crate::chat::test_support::*;

fn sender<'a>(
    connection: &'a ConnectionId,
    id: &'a UserId,
    read: Option<&'a Versioned<User>>,
) -> Sender<'a> {
    Sender {
        connection,
        id,
        read,
    }
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

#[test]
fn create_chat_stores_the_chat_owned_by_the_sender_and_broadcasts_it() {
    let (c, u, outcome) = alice_creates_the_room();
    let chat = written_chat(&outcome.changes);
    assert_eq!(chat.owner(), Some(&u));
    assert!(outcome.changes.iter().any(|ch| matches!(
        ch,
        Change::PutChat {
            expect: Expect::Absent,
            ..
        }
    )));
    assert_eq!(
        outcome.actions[..2],
        [
            Action::AddToGroup(chat_id(ROOM), c.clone()),
            Action::Grant(c.clone(), chat_id(ROOM)),
        ],
        "the creator is in the group, with the right to publish, before the chat is announced"
    );
    let Action::SendToAll(msg) = &outcome.actions[2] else {
        panic!("chatCreated after the creator's membership")
    };
    assert!(
        matches!(&outcome.actions[3], Action::Notice(..)),
        "the joined notice comes after chatCreated, which opens the creator's tab"
    );
    assert_eq!(msg.chat_event, ChatEvent::ChatCreated);
    let data: serde_json::Value = serde_json::from_str(&msg.data).expect("a JSON string");
    assert_eq!(data["id"], ROOM);
    assert_eq!(data["name"], "Room");
    assert_eq!(data["owner"], "alice");
}

#[test]
fn create_chat_joins_the_creator_so_join_order_does_not_matter_fixing_hole_17() {
    let (c, u, outcome) = alice_creates_the_room();
    assert!(outcome
        .actions
        .contains(&Action::AddToGroup(chat_id(ROOM), c.clone())));
    assert!(outcome
        .actions
        .contains(&Action::Grant(c.clone(), chat_id(ROOM))));
    assert!(written_chat(&outcome.changes).has_connection(&u, &c));
    // The original client's joinChat right after changes nothing and announces nothing.
    let stored = Versioned {
        value: written_chat(&outcome.changes).clone(),
        version: Version("c1".into()),
    };
    let me_after = Versioned {
        value: written_users(&outcome.changes)[0].clone(),
        version: Version("u2".into()),
    };
    let again = join(&sender(&c, &u, Some(&me_after)), Some(&stored)).expect("joined");
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert!(!again
        .actions
        .iter()
        .any(|a| matches!(a, Action::Notice(..))));
}

#[test]
fn create_chat_never_overwrites_an_existing_chat_fixing_hole_4() {
    let (c, u) = (cid("c1"), uid("mallory"));
    let existing = room("alice", &[]);
    let refusal = create(
        &sender(&c, &u, None),
        &chat_id(ROOM),
        &name("Mine now"),
        Some(&existing),
    )
    .expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatExists);
    let mut deleted = existing;
    deleted.value.deleted = true;
    let refusal = create(
        &sender(&c, &u, None),
        &chat_id(ROOM),
        &name("Reuse"),
        Some(&deleted),
    )
    .expect_err("refused");
    assert_eq!(
        refusal.reason,
        Reason::ChatExists,
        "a deleted chat's id is never reused"
    );
}

#[test]
fn joining_grants_the_sending_connection_send_to_group_for_that_chat_alone_fixing_hole_2() {
    let (c, u, me) = (cid("c2"), uid("bob"), user("bob", &["c2", "c3"]));
    let outcome = join(
        &sender(&c, &u, Some(&me)),
        Some(&room("alice", &[("alice", "c1")])),
    )
    .expect("joined");
    assert_eq!(
        outcome.actions,
        vec![
            Action::AddToGroup(chat_id(ROOM), cid("c2")),
            Action::Grant(cid("c2"), chat_id(ROOM)),
            Action::Notice(chat_id(ROOM), "💬 bob-name has joined the chat".into()),
        ],
        "the other tab c3 joins on its own"
    );
    let chat = written_chat(&outcome.changes);
    assert!(chat.has_connection(&u, &c) && !chat.has_connection(&u, &cid("c3")));
    let users = written_users(&outcome.changes);
    assert!(
        users[0].connections[&c].chats.contains(&chat_id(ROOM)),
        "the user's index records the chat"
    );
}

#[test]
fn notices_are_plain_text_fixing_hole_15() {
    let (c, u) = (cid("c2"), uid("bob"));
    let mut me = user("bob", &["c2"]);
    me.value.name = name("<img src=x onerror=alert(1)>");
    let outcome = join(&sender(&c, &u, Some(&me)), Some(&room("alice", &[]))).expect("joined");
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
fn joining_a_missing_chat_is_refused_fixing_hole_22() {
    let (c, u) = (cid("c1"), uid("bob"));
    assert_eq!(
        join(&sender(&c, &u, None), None)
            .expect_err("refused")
            .reason,
        Reason::ChatNotFound
    );
    let mut deleted = room("alice", &[]);
    deleted.value.deleted = true;
    assert_eq!(
        join(&sender(&c, &u, None), Some(&deleted))
            .expect_err("refused")
            .reason,
        Reason::ChatNotFound
    );
}

#[test]
fn a_full_chat_refuses_a_new_member() {
    let mut full = room("alice", &[]);
    for i in 0..crate::chat::room::MAX_MEMBERS {
        full.value
            .add_connection(&uid(&format!("u{i}")), &name("U"), &cid(&format!("c{i}")));
    }
    let (c, u) = (cid("new"), uid("newcomer"));
    assert_eq!(
        join(&sender(&c, &u, None), Some(&full))
            .expect_err("refused")
            .reason,
        Reason::ChatFull
    );
}

#[test]
fn leaving_from_one_tab_keeps_the_other_tab_in_the_chat_fixing_hole_19() {
    let (c, u) = (cid("c1"), uid("bob"));
    let me = user("bob", &["c1", "c2"]);
    let chat = room("alice", &[("bob", "c1"), ("bob", "c2")]);
    let outcome = leave(&sender(&c, &u, Some(&me)), Some(&chat)).expect("left");
    assert_eq!(
        outcome.actions,
        vec![
            Action::RemoveFromGroup(chat_id(ROOM), cid("c1")),
            Action::Revoke(cid("c1"), chat_id(ROOM))
        ]
    );
    assert!(written_chat(&outcome.changes).has_connection(&u, &cid("c2")));
}

#[test]
fn leaving_from_the_last_tab_leaves_the_members_and_tells_the_chat_by_the_stored_name() {
    let (c, u) = (cid("c1"), uid("bob"));
    let chat = room("alice", &[("bob", "c1")]);
    let outcome = leave(&sender(&c, &u, Some(&user("bob", &["c1"]))), Some(&chat)).expect("left");
    assert!(outcome.actions.contains(&Action::Notice(
        chat_id(ROOM),
        "💨 bob-name has left the chat".into()
    )));
    assert!(!written_chat(&outcome.changes).members.contains_key(&u));
}

#[test]
fn leaving_a_chat_one_is_not_in_is_refused() {
    let (c, u) = (cid("c9"), uid("bob"));
    let chat = room("alice", &[("bob", "c1")]);
    assert_eq!(
        leave(&sender(&c, &u, None), Some(&chat))
            .expect_err("refused")
            .reason,
        Reason::NotMember
    );
    assert_eq!(
        leave(&sender(&c, &u, None), None)
            .expect_err("refused")
            .reason,
        Reason::ChatNotFound
    );
}

#[test]
fn a_non_owner_cannot_delete_a_chat_fixing_hole_4() {
    let (c, u) = (cid("c2"), uid("bob"));
    let refusal = delete(
        &sender(&c, &u, None),
        Some(&room("alice", &[("bob", "c2")])),
    )
    .expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotOwner);
}

#[test]
fn the_owner_deletes_every_connection_loses_group_and_grant_and_everyone_hears_it() {
    let (c, u) = (cid("c1"), uid("alice"));
    let chat = room("alice", &[("alice", "c1"), ("bob", "c2")]);
    let outcome = delete(&sender(&c, &u, None), Some(&chat)).expect("deleted");
    for conn in ["c1", "c2"] {
        assert!(outcome
            .actions
            .contains(&Action::RemoveFromGroup(chat_id(ROOM), cid(conn))));
        assert!(outcome
            .actions
            .contains(&Action::Revoke(cid(conn), chat_id(ROOM))));
    }
    assert_eq!(
        outcome.actions.last(),
        Some(&Action::SendToAll(ServerMessage::bare(
            ChatEvent::ChatDeleted,
            ROOM
        )))
    );
    let written = written_chat(&outcome.changes);
    assert!(written.deleted && written.members.is_empty());
    assert_eq!(
        delete(&sender(&c, &u, None), None)
            .expect_err("gone")
            .reason,
        Reason::ChatNotFound
    );
}
