//! `typing`: who hears it, and who may send it.
use super::*;

#[test]
fn typing_goes_to_the_others_only_stores_nothing_and_needs_membership() {
    let f = fixture();
    let ca = cid("ca");
    let room_id = chat_id(ROOM);
    let ctx = Context {
        chat: Some(&f.chat),
        member: Some(&f.member),
        message: None,
    };
    let outcome = typing(&sender(&f, &ca), &room_id, &ctx).expect("passed on");
    assert!(outcome.changes.is_empty() && outcome.reply.is_none());
    let expected = Json::of(&serde_json::json!({
        "chatEvent": "typing",
        "data": {"chatId": ROOM, "userId": "alice", "userName": "alice-name"},
    }));
    assert_eq!(
        outcome.actions,
        vec![Action::SendToGroup {
            chat: room_id.clone(),
            payload: expected.clone(),
            except: Some(ca.clone())
        }]
    );
    let outside = Context {
        member: None,
        ..ctx
    };
    let refusal = typing(&sender(&f, &ca), &room_id, &outside).expect_err("refused");
    assert_eq!(refusal.reason, Reason::NotMember);
    let gone = Context { chat: None, ..ctx };
    let refusal = typing(&sender(&f, &ca), &room_id, &gone).expect_err("refused");
    assert_eq!(refusal.reason, Reason::ChatNotFound);

    // In a private chat only the other user hears it (not the typist's other tabs).
    let private_id = chat_id("private_alice_bob");
    let private = Versioned {
        value: Chat::private(private_id.clone(), [uid("alice"), uid("bob")]),
        version: Version("1".into()),
    };
    let ctx = Context {
        chat: Some(&private),
        member: Some(&f.member),
        message: None,
    };
    let outcome = typing(&sender(&f, &ca), &private_id, &ctx).expect("passed on");
    let expected = Json::of(&serde_json::json!({
        "chatEvent": "typing",
        "data": {"chatId": "private_alice_bob", "userId": "alice", "userName": "alice-name"},
    }));
    assert_eq!(
        outcome.actions,
        vec![Action::SendJsonToUser(uid("bob"), expected)]
    );
}
