//! Unit tests of `chat::messaging`.
use super::*;
use crate::chat::message::{Message, MessageId, Stamp};
use crate::chat::model::ChatId;
use crate::chat::outcome::Version;
use crate::chat::room::Chat;
use crate::chat::test_support::{chat_id, cid, member, name, room, uid, user, ROOM};

fn stamp(n: u64) -> Stamp {
    Stamp {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(
            (u128::from(1_700_000_000_000 + n) << 80) | (0x7 << 76) | (0x8 << 60),
        )),
        time: format!("2023-11-14T22:13:20.{n:03}Z"),
    }
}

fn text(s: &str) -> MessageText {
    MessageText::parse(s).expect("text")
}

fn key(s: &str) -> ClientMsgId {
    ClientMsgId::parse(s).expect("key")
}

fn stored(from: &str, n: u64) -> Versioned<Message> {
    let s = stamp(n);
    Versioned {
        value: Message {
            id: s.id,
            chat: chat_id(ROOM),
            from: uid(from),
            from_name: name(&format!("{from}-name")),
            text: "first".into(),
            time: s.time,
            client_id: Some(key("k1")),
            mentions: Vec::new(),
            edited_at: None,
            deleted: false,
        },
        version: Version("m1".into()),
    }
}

struct Fixture {
    alice: Versioned<crate::chat::user::User>,
    chat: Versioned<Chat>,
    member: crate::chat::member::Member,
}

fn fixture() -> Fixture {
    Fixture {
        alice: user("alice", &["ca"]),
        chat: room("owner", 2),
        member: member("alice"),
    }
}

fn sender<'a>(f: &'a Fixture, connection: &'a crate::chat::model::ConnectionId) -> Sender<'a> {
    Sender {
        connection,
        id: &f.alice.value.id,
        read: Some(&f.alice),
        relay: false,
    }
}

#[test]
fn a_members_message_is_stored_answered_and_sent_to_the_group_but_the_sending_connection() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let body = text("hello <b>you</b>");
    let mentions = [uid("bob")];
    let draft = Draft {
        chat: &room_id,
        text: &body,
        client_id: Some(&key("k1")),
        mentions: &mentions,
    };
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: None,
    };
    let outcome = send(&sender(&f, &ca), &draft, &ctx, &stamp(1)).expect("sent");
    let Change::PutMessage { message, expect } = &outcome.changes[0] else {
        panic!("a message is stored first: {:?}", outcome.changes);
    };
    assert_eq!(expect, &Expect::Absent);
    assert_eq!(message.id, stamp(1).id);
    assert_eq!(message.time, stamp(1).time);
    assert_eq!(message.from, uid("alice"));
    assert_eq!(message.from_name, name("alice-name"));
    assert_eq!(message.text, "hello <b>you</b>");
    assert_eq!(message.mentions, vec![uid("bob")]);
    let payload = Json::of(&message.view());
    assert_eq!(outcome.reply, Some(payload.clone()));
    assert_eq!(
        outcome.actions,
        vec![Action::SendToGroup {
            chat: room_id,
            payload,
            except: Some(ca)
        }]
    );
}

#[test]
fn a_resend_with_a_stored_client_id_stores_nothing_and_answers_and_delivers_the_stored_one() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let earlier = stored("alice", 1);
    let body = text("first");
    let draft = Draft {
        chat: &room_id,
        text: &body,
        client_id: Some(&key("k1")),
        mentions: &[],
    };
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: Some(&earlier),
    };
    let outcome = send(&sender(&f, &ca), &draft, &ctx, &stamp(9)).expect("sent");
    assert!(outcome.changes.is_empty());
    let payload = Json::of(&earlier.value.view());
    assert_eq!(outcome.reply, Some(payload.clone()));
    assert_eq!(outcome.actions.len(), 1);
}

#[test]
fn outsiders_are_refused_with_the_chat_and_client_id_named() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let body = text("hi");
    let draft = Draft {
        chat: &room_id,
        text: &body,
        client_id: Some(&key("k7")),
        mentions: &[],
    };
    let not_member = Context {
        chat: Some(&f.chat),
        member: None,
        message: None,
    };
    let refusal = send(&sender(&f, &ca), &draft, &not_member, &stamp(1)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotMember);
    assert_eq!(refusal.chat_id.as_deref(), Some(ROOM));
    assert_eq!(refusal.client_id.as_deref(), Some("k7"));
    let no_chat = Context::default();
    let refusal = send(&sender(&f, &ca), &draft, &no_chat, &stamp(1)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatNotFound);
    let mut deleted = f.chat.clone();
    deleted.value.deleted = true;
    let gone = Context {
        chat: Some(&deleted),
        member: Some(&f.member),
        message: None,
    };
    let refusal = send(&sender(&f, &ca), &draft, &gone, &stamp(1)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatNotFound);
}

#[test]
fn a_private_message_goes_to_both_users_and_outsiders_learn_nothing() {
    let f = fixture();
    let ca = cid("ca");
    let id = ChatId::private(&uid("alice"), &uid("bob")).expect("id");
    let chat = Versioned {
        value: Chat::private(id.clone(), [uid("alice"), uid("bob")]),
        version: Version("p1".into()),
    };
    let alice_in = crate::chat::member::Member::new(&id, &uid("alice"), &name("alice-name"));
    let body = text("psst");
    let draft = Draft {
        chat: &id,
        text: &body,
        client_id: None,
        mentions: &[],
    };
    let ctx = Context {
        chat: Some(&chat),
        member: Some(&alice_in),
        message: None,
    };
    let outcome = send(&sender(&f, &ca), &draft, &ctx, &stamp(1)).expect("sent");
    let payload = outcome.reply.clone().expect("answered");
    assert_eq!(
        outcome.actions,
        vec![
            Action::SendJsonToUser(uid("alice"), payload.clone()),
            Action::SendJsonToUser(uid("bob"), payload),
        ]
    );
    let outsider = Context {
        chat: Some(&chat),
        member: None,
        message: None,
    };
    let refusal = send(&sender(&f, &ca), &draft, &outsider, &stamp(1)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatNotFound);
}

#[test]
fn only_the_author_edits_and_an_edit_carries_edited_at() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let mine = stored("alice", 1);
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: Some(&mine),
    };
    let outcome = edit(&sender(&f, &ca), &room_id, &text("second"), &ctx, &stamp(5)).expect("ok");
    let Change::PutMessage { message, expect } = &outcome.changes[0] else {
        panic!("stored: {:?}", outcome.changes);
    };
    assert_eq!(expect, &Expect::Version(Version("m1".into())));
    assert_eq!(message.text, "second");
    assert_eq!(message.edited_at.as_deref(), Some(stamp(5).time.as_str()));
    assert_eq!(message.id, mine.value.id, "an edit keeps the id and time");
    let reply: serde_json::Value =
        serde_json::from_str(&outcome.reply.expect("answered").0).expect("json");
    assert_eq!(reply["chatEvent"], "messageEdited");
    assert_eq!(reply["data"]["message"], "second");
    let unchanged = edit(&sender(&f, &ca), &room_id, &text("first"), &ctx, &stamp(5)).expect("ok");
    assert!(unchanged.changes.is_empty() && unchanged.actions.is_empty());

    let theirs = stored("bob", 1);
    let ctx = Context {
        message: Some(&theirs),
        ..ctx
    };
    let refusal =
        edit(&sender(&f, &ca), &room_id, &text("x"), &ctx, &stamp(5)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotAuthor);
    let none = Context {
        message: None,
        ..ctx
    };
    let refusal =
        edit(&sender(&f, &ca), &room_id, &text("x"), &none, &stamp(5)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::MessageNotFound);
}

#[test]
fn the_author_or_the_owner_deletes_and_a_tombstone_is_deleted_once() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let theirs = stored("bob", 1);
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: Some(&theirs),
    };
    let id = theirs.value.id.clone();
    let refusal = delete(&sender(&f, &ca), &room_id, &id, &ctx).expect_err("not hers");
    assert_eq!(refusal.reason, Reason::NotAuthor);

    // The owner may delete anyone's message in their chat.
    let owner = user("owner", &["co"]);
    let co = cid("co");
    let owner_sender = Sender {
        connection: &co,
        id: &owner.value.id,
        read: Some(&owner),
        relay: false,
    };
    let owner_member = member("owner");
    let ctx = Context {
        member: Some(&owner_member),
        ..ctx
    };
    let outcome = delete(&owner_sender, &room_id, &id, &ctx).expect("owner deletes");
    let Change::PutMessage { message, .. } = &outcome.changes[0] else {
        panic!("stored: {:?}", outcome.changes);
    };
    assert!(message.deleted && message.text.is_empty());
    let reply: serde_json::Value =
        serde_json::from_str(&outcome.reply.expect("answered").0).expect("json");
    assert_eq!(
        reply,
        serde_json::json!({"chatEvent": "messageDeleted", "data": {"id": id.as_str(),
            "chatId": ROOM, "deleted": true, "time": theirs.value.time, "clientId": "k1"}})
    );

    let tombstone = Versioned {
        value: message.clone(),
        version: Version("m2".into()),
    };
    let again = Context {
        message: Some(&tombstone),
        ..ctx
    };
    let outcome = delete(&owner_sender, &room_id, &id, &again).expect("idempotent");
    assert!(outcome.changes.is_empty() && outcome.actions.is_empty());
    assert!(outcome.reply.is_some());
    let other = MessageId::floor_at(1);
    let refusal = delete(
        &owner_sender,
        &room_id,
        &other,
        &Context {
            message: None,
            ..again
        },
    )
    .expect_err("unknown");
    assert_eq!(refusal.reason, Reason::MessageNotFound);
}

#[test]
fn a_member_marks_read_and_an_outsider_cannot() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let id = stamp(3).id;
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: None,
    };
    let outcome = mark_read(&sender(&f, &ca), &room_id, &id, &ctx, &stamp(9)).expect("marked");
    assert_eq!(
        outcome.changes,
        vec![Change::MarkRead {
            chat: room_id.clone(),
            user: uid("alice"),
            id: id.clone()
        }]
    );
    assert!(outcome.reply.is_none());
    assert_eq!(
        outcome.actions,
        vec![Action::SendJsonToUser(
            uid("alice"),
            Json::of(
                &serde_json::json!({"chatEvent": "chatRead", "data": {"chatId": ROOM, "id": id}})
            )
        )],
        "the reader's other connections hear of it"
    );
    let outside = Context {
        member: None,
        ..ctx
    };
    let refusal =
        mark_read(&sender(&f, &ca), &room_id, &id, &outside, &stamp(9)).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotMember);
    // An id from the future goes no further than now.
    let future = MessageId::parse("ffffffff-ffff-7fff-bfff-ffffffffffff").expect("id");
    let outcome = mark_read(&sender(&f, &ca), &room_id, &future, &ctx, &stamp(9)).expect("ok");
    assert_eq!(
        outcome.changes,
        vec![Change::MarkRead {
            chat: room_id,
            user: uid("alice"),
            id: stamp(9).id
        }]
    );
}

mod typing;
