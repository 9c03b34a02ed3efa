//! Unit tests of `chat::event`.
use super::*;

#[test]
fn bodies_are_read_by_content_type() {
    assert_eq!(
        Payload::from_body(Some("text/plain; charset=utf-8"), b"hi"),
        Payload::Text("hi".into())
    );
    assert_eq!(
        Payload::from_body(Some("application/json"), br#"{"a":1}"#),
        Payload::Json(serde_json::json!({"a":1}))
    );
    assert_eq!(
        Payload::from_body(Some("application/json"), b"{oops"),
        Payload::Binary(b"{oops".to_vec())
    );
    assert_eq!(
        Payload::from_body(None, b"x"),
        Payload::Binary(b"x".to_vec())
    );
    assert_eq!(
        Payload::from_body(Some("text/plain"), &[0xff, 0xfe]),
        Payload::Binary(vec![0xff, 0xfe])
    );
}

#[test]
fn user_connected_ignores_its_body() {
    let body = Payload::Json(serde_json::json!({"userName":"<b>mallory</b>","userProvider":"x"}));
    assert_eq!(
        ClientEvent::parse("userConnected", &body),
        Ok(ClientEvent::UserConnected)
    );
}

#[test]
fn an_unknown_event_is_refused_with_unknown_event() {
    let refusal =
        ClientEvent::parse("launchMissiles", &Payload::Text(String::new())).expect_err("refused");
    assert_eq!(refusal.reason, Reason::UnknownEvent);
    assert_eq!(refusal.action, "launchMissiles");
}

const UUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

fn json(v: serde_json::Value) -> Payload {
    Payload::Json(v)
}
fn reason(name: &str, payload: Payload) -> Reason {
    ClientEvent::parse(name, &payload)
        .expect_err("refused")
        .reason
}

#[test]
fn every_original_event_parses_from_what_the_original_client_sends() {
    let cases = [
        (
            "createChat",
            json(serde_json::json!({"name":" Room ","id":UUID})),
        ),
        ("joinChat", Payload::Text(UUID.into())),
        (
            "leaveChat",
            json(serde_json::json!({"chatId":UUID,"userName":"ignored"})),
        ),
        ("deleteChat", Payload::Text(UUID.into())),
        (
            "createPrivateChat",
            json(serde_json::json!({"initiatorUserId":"a","targetUserId":"b"})),
        ),
        ("userEnterIdle", Payload::Text("a".into())),
        ("userExitIdle", Payload::Text("a".into())),
        (
            "userConnected",
            json(serde_json::json!({"userName":"x","userProvider":"y"})),
        ),
    ];
    for (name, payload) in cases {
        let event = ClientEvent::parse(name, &payload).unwrap_or_else(|r| panic!("{name}: {r:?}"));
        assert_eq!(event.name(), name);
    }
    let Ok(ClientEvent::CreateChat { name, .. }) = ClientEvent::parse(
        "createChat",
        &json(serde_json::json!({"name":" Room ","id":UUID})),
    ) else {
        panic!()
    };
    assert_eq!(name.as_str(), "Room");
}

#[test]
fn create_chat_refuses_a_missing_field_a_bad_name_and_a_non_uuid_id() {
    assert_eq!(
        reason("createChat", json(serde_json::json!({"name":"x"}))),
        Reason::InvalidPayload
    );
    assert_eq!(
        reason("createChat", Payload::Text("x".into())),
        Reason::InvalidPayload
    );
    assert_eq!(
        reason("createChat", json(serde_json::json!({"name":"x","id":5}))),
        Reason::InvalidPayload
    );
    assert_eq!(
        reason(
            "createChat",
            json(serde_json::json!({"name":"  ","id":UUID}))
        ),
        Reason::InvalidName
    );
    assert_eq!(
        reason(
            "createChat",
            json(serde_json::json!({"name":"x".repeat(65),"id":UUID}))
        ),
        Reason::InvalidName
    );
    assert_eq!(
        reason(
            "createChat",
            json(serde_json::json!({"name":"a\u{7}b","id":UUID}))
        ),
        Reason::InvalidName
    );
    assert_eq!(
        reason(
            "createChat",
            json(serde_json::json!({"name":"x","id":"private_a_b"}))
        ),
        Reason::InvalidId
    );
    assert_eq!(
        reason(
            "createChat",
            json(serde_json::json!({"name":"x","id":"not-a-uuid"}))
        ),
        Reason::InvalidId
    );
}

#[test]
fn create_chat_refuses_names_that_cannot_be_seen_or_that_deceive() {
    let zalgo = format!("hi{}", "\u{0301}".repeat(40));
    for name in [
        "\u{200B}",
        "\u{200B}\u{3164} ",
        "Pay\u{202E}fdp.exe",
        zalgo.as_str(),
    ] {
        assert_eq!(
            reason(
                "createChat",
                json(serde_json::json!({"name": name, "id": UUID}))
            ),
            Reason::InvalidName,
            "{name:?}"
        );
    }
    // Joiners inside an emoji sequence are a name like any other.
    let ok = ClientEvent::parse(
        "createChat",
        &json(serde_json::json!({"name": "👩\u{200D}💻 devs", "id": UUID})),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn chat_ids_with_table_illegal_characters_are_invalid() {
    for bad in ["", "a/b", "a#b", "a?b", "a\\b", "a\nb"] {
        assert_eq!(
            reason("joinChat", Payload::Text(bad.into())),
            Reason::InvalidId,
            "{bad:?}"
        );
    }
    assert_eq!(
        reason("deleteChat", Payload::Text("x".repeat(1025))),
        Reason::InvalidId
    );
}

#[test]
fn join_and_delete_need_a_text_id() {
    assert_eq!(
        reason("joinChat", json(serde_json::json!({"id":UUID}))),
        Reason::InvalidPayload
    );
    assert_eq!(
        reason("deleteChat", Payload::Binary(vec![1])),
        Reason::InvalidPayload
    );
    assert!(
        ClientEvent::parse("joinChat", &json(serde_json::json!(UUID))).is_ok(),
        "a JSON string is text too"
    );
}

#[test]
fn leave_chat_takes_the_chat_id_and_ignores_the_user_name() {
    let event = ClientEvent::parse(
        "leaveChat",
        &json(serde_json::json!({"chatId":UUID,"userName":"<b>Mallory</b>"})),
    )
    .expect("ok");
    assert_eq!(
        event,
        ClientEvent::LeaveChat(ChatId::parse(UUID).expect("id"))
    );
    assert_eq!(
        reason("leaveChat", json(serde_json::json!({"userName":"x"}))),
        Reason::InvalidPayload
    );
}

#[test]
fn create_private_chat_needs_both_user_ids() {
    assert_eq!(
        reason(
            "createPrivateChat",
            json(serde_json::json!({"targetUserId":"b"}))
        ),
        Reason::InvalidPayload
    );
    assert_eq!(
        reason(
            "createPrivateChat",
            json(serde_json::json!({"initiatorUserId":"a","targetUserId":"b/c"}))
        ),
        Reason::InvalidId
    );
}

#[test]
fn send_message_parses_text_key_and_mentions_and_refusals_name_the_chat_and_key() {
    let event = ClientEvent::parse(
        "sendMessage",
        &json(
            serde_json::json!({"chatId": "room", "text": " hi ", "clientId": "k1",
            "mentions": ["bob", "bob", "carol"]}),
        ),
    )
    .expect("parses");
    let ClientEvent::SendMessage {
        chat,
        text,
        client_id,
        mentions,
    } = event
    else {
        panic!("a sendMessage");
    };
    assert_eq!(chat.as_str(), "room");
    assert_eq!(text.as_str(), " hi ", "kept verbatim");
    assert_eq!(client_id.expect("key").as_str(), "k1");
    let mentions: Vec<&str> = mentions.iter().map(|u| u.as_str()).collect();
    assert_eq!(mentions, ["bob", "carol"]);

    let refuse = |body: serde_json::Value| {
        ClientEvent::parse("sendMessage", &json(body)).expect_err("refused")
    };
    let empty = refuse(serde_json::json!({"chatId": "room", "text": "  ", "clientId": "k2"}));
    assert_eq!(empty.reason, Reason::EmptyMessage);
    assert_eq!(empty.chat_id.as_deref(), Some("room"));
    assert_eq!(empty.client_id.as_deref(), Some("k2"));
    let long = refuse(serde_json::json!({"chatId": "room", "text": "😀".repeat(4001)}));
    assert_eq!(long.reason, Reason::MessageTooLong);
    assert_eq!(long.client_id, None);
    assert_eq!(
        refuse(serde_json::json!({"chatId": "room", "text": "x", "clientId": "k".repeat(65)}))
            .reason,
        Reason::InvalidPayload
    );
    assert_eq!(
        refuse(serde_json::json!({"chatId": "room", "text": "x", "mentions": "bob"})).reason,
        Reason::InvalidPayload
    );
    let long: Vec<String> = (0..5).map(|i| format!("{i}{}", "x".repeat(1000))).collect();
    assert_eq!(
        refuse(serde_json::json!({"chatId": "room", "text": "x", "mentions": long})).reason,
        Reason::InvalidPayload,
        "mentions are bounded in bytes too"
    );
    let many: Vec<String> = (0..51).map(|i| format!("u{i}")).collect();
    assert_eq!(
        refuse(serde_json::json!({"chatId": "room", "text": "x", "mentions": many})).reason,
        Reason::InvalidPayload
    );
    assert_eq!(
        refuse(serde_json::json!({"text": "x"})).reason,
        Reason::InvalidPayload
    );
    assert_eq!(
        ClientEvent::parse("sendMessage", &Payload::Text("hi".into()))
            .expect_err("text body")
            .reason,
        Reason::InvalidPayload
    );
}

#[test]
fn edit_and_delete_need_a_message_id() {
    let id = "01900000-0000-7000-8000-000000000001";
    assert!(matches!(
        ClientEvent::parse(
            "editMessage",
            &json(serde_json::json!({"chatId": "room", "id": id, "text": "new"}))
        ),
        Ok(ClientEvent::EditMessage { .. })
    ));
    assert!(matches!(
        ClientEvent::parse(
            "deleteMessage",
            &json(serde_json::json!({"chatId": "room", "id": id}))
        ),
        Ok(ClientEvent::DeleteMessage { .. })
    ));
    let bad = ClientEvent::parse(
        "deleteMessage",
        &json(serde_json::json!({"chatId": "room", "id": "nope"})),
    )
    .expect_err("refused");
    assert_eq!(bad.reason, Reason::InvalidId);
    assert_eq!(bad.chat_id.as_deref(), Some("room"));
}

#[test]
fn typing_names_a_chat_and_nothing_else() {
    assert_eq!(
        ClientEvent::parse("typing", &json(serde_json::json!({"chatId": " room "}))),
        Ok(ClientEvent::Typing {
            chat: ChatId::parse("room").expect("id")
        })
    );
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"chatId": 7}),
        serde_json::json!("room"),
    ] {
        let refusal = ClientEvent::parse("typing", &json(bad)).expect_err("refused");
        assert_eq!(refusal.reason, Reason::InvalidPayload);
        assert_eq!(refusal.action, "typing");
    }
    let bad = ClientEvent::parse("typing", &json(serde_json::json!({"chatId": ""})))
        .expect_err("refused");
    assert_eq!(bad.reason, Reason::InvalidId);
}
