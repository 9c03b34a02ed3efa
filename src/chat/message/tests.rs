//! Unit tests of `chat::message`.
use super::*;

#[test]
fn text_is_refused_when_empty_or_whitespace_and_over_4000_scalar_values() {
    assert_eq!(MessageText::parse(""), Err(TextError::Empty));
    assert_eq!(MessageText::parse(" \n\t\u{3000}"), Err(TextError::Empty));
    let at_limit = "é".repeat(MAX_MESSAGE_CHARS);
    assert_eq!(
        MessageText::parse(&at_limit).expect("fits").as_str(),
        at_limit
    );
    // An emoji outside the BMP is one scalar value (two UTF-16 units, four bytes).
    let emoji = "😀".repeat(MAX_MESSAGE_CHARS);
    assert!(MessageText::parse(&emoji).is_ok());
    assert_eq!(
        MessageText::parse(&format!("{emoji}x")),
        Err(TextError::TooLong)
    );
    // Kept verbatim: surrounding whitespace and markup are the sender's.
    assert_eq!(
        MessageText::parse(" <b>hi</b> \n").expect("ok").as_str(),
        " <b>hi</b> \n"
    );
}

#[test]
fn client_ids_are_bounded_and_printable() {
    assert!(ClientMsgId::parse("a").is_ok());
    assert!(ClientMsgId::parse(&"x".repeat(64)).is_ok());
    assert_eq!(ClientMsgId::parse(&"x".repeat(65)), Err(ClientIdError));
    assert_eq!(ClientMsgId::parse(""), Err(ClientIdError));
    assert_eq!(ClientMsgId::parse("a\nb"), Err(ClientIdError));
}

#[test]
fn message_ids_are_canonical_uuids_that_sort_by_their_time() {
    let a = MessageId::from_uuid(uuid::Uuid::now_v7());
    let b = MessageId::from_uuid(uuid::Uuid::now_v7());
    assert!(a < b, "{a} then {b}");
    assert_eq!(MessageId::parse(a.as_str()), Ok(a.clone()));
    assert_eq!(
        MessageId::parse(&a.as_str().to_uppercase()),
        Err(MessageIdError)
    );
    assert_eq!(MessageId::parse(&a.hex()), Err(MessageIdError));
    assert_eq!(MessageId::parse("not-an-id"), Err(MessageIdError));
    let floor = MessageId::floor_at(a.millis());
    assert!(floor <= a);
    assert_eq!(floor.millis(), a.millis());
    assert!(MessageId::floor_at(a.millis() + 1) > a);
    assert_eq!(
        MessageId::floor_at(0).as_str(),
        "00000000-0000-0000-0000-000000000000"
    );
}

#[test]
fn a_live_message_shows_the_originals_fields_and_a_tombstone_no_text() {
    let message = Message {
        id: MessageId::parse("01900000-0000-7000-8000-000000000001").expect("id"),
        chat: crate::chat::test_support::chat_id("room"),
        from: crate::chat::test_support::uid("alice"),
        from_name: crate::chat::test_support::name("Alice"),
        text: "hi @bob".into(),
        time: "2024-06-01T00:00:00.000Z".into(),
        client_id: Some(ClientMsgId::parse("k1").expect("key")),
        mentions: vec![crate::chat::test_support::uid("bob")],
        edited_at: None,
        deleted: false,
    };
    assert_eq!(
        serde_json::to_value(message.view()).expect("json"),
        serde_json::json!({"message": "hi @bob", "fromUserId": "alice", "fromUserName": "Alice",
            "id": "01900000-0000-7000-8000-000000000001", "chatId": "room",
            "time": "2024-06-01T00:00:00.000Z", "clientId": "k1", "mentions": ["bob"]})
    );
    assert_eq!(
        serde_json::to_value(message.tombstone().view()).expect("json"),
        serde_json::json!({"id": "01900000-0000-7000-8000-000000000001", "chatId": "room",
            "deleted": true, "time": "2024-06-01T00:00:00.000Z", "clientId": "k1"})
    );
    let stored = serde_json::to_string(&message).expect("json");
    assert_eq!(
        serde_json::from_str::<Message>(&stored).expect("back"),
        message
    );
}
