//! Unit and property tests of the JSON subprotocol frames.

use super::*;
use proptest::prelude::*;

#[test]
fn every_client_frame_of_the_spec_parses() {
    assert_eq!(
        ClientFrame::parse(r#"{"type":"joinGroup","group":"g","ackId":1}"#),
        Ok(ClientFrame::JoinGroup {
            group: "g".into(),
            ack_id: Some(1)
        })
    );
    assert_eq!(
        ClientFrame::parse(r#"{"type":"leaveGroup","group":"g"}"#),
        Ok(ClientFrame::LeaveGroup {
            group: "g".into(),
            ack_id: None
        })
    );
    assert_eq!(
        ClientFrame::parse(
            r#"{"type":"sendToGroup","group":"g","ackId":2,"noEcho":true,"dataType":"text","data":"hi"}"#
        ),
        Ok(ClientFrame::SendToGroup {
            group: "g".into(),
            ack_id: Some(2),
            no_echo: true,
            data: Data::Text("hi".into())
        })
    );
    assert_eq!(
        ClientFrame::parse(
            r#"{"type":"event","event":"createChat","dataType":"json","data":{"a":1}}"#
        ),
        Ok(ClientFrame::Event {
            event: "createChat".into(),
            ack_id: None,
            data: Data::Json(json!({"a":1}))
        })
    );
    assert_eq!(
        ClientFrame::parse(r#"{"type":"event","event":"e","dataType":"binary","data":"AAE="}"#),
        Ok(ClientFrame::Event {
            event: "e".into(),
            ack_id: None,
            data: Data::Binary(vec![0, 1])
        })
    );
    assert_eq!(
        ClientFrame::parse(r#"{"type":"sequenceAck","sequenceId":5}"#),
        Ok(ClientFrame::SequenceAck { sequence_id: 5 })
    );
    assert_eq!(
        ClientFrame::parse(r#"{"type":"ping"}"#),
        Ok(ClientFrame::Ping)
    );
}

#[test]
fn data_type_defaults_to_json() {
    assert_eq!(
        ClientFrame::parse(r#"{"type":"sendToGroup","group":"g","data":[1]}"#),
        Ok(ClientFrame::SendToGroup {
            group: "g".into(),
            ack_id: None,
            no_echo: false,
            data: Data::Json(json!([1]))
        })
    );
}

#[test]
fn malformed_frames_are_invalid() {
    for bad in [
        "",
        "nope",
        "[]",
        r#"{"type":"joinGroup"}"#,
        r#"{"type":"joinGroup","group":"   "}"#,
        r#"{"type":"sendToGroup","group":"g","dataType":"text","data":5}"#,
        r#"{"type":"sendToGroup","group":"g","dataType":"binary","data":"***"}"#,
        r#"{"type":"event","event":"9bad","data":1}"#,
        r#"{"type":"event","data":1}"#,
        r#"{"type":"teleport"}"#,
        r#"{"type":"joinGroup","group":"g","ackId":-1}"#,
    ] {
        assert_eq!(ClientFrame::parse(bad), Err(FrameError::Invalid), "{bad}");
    }
}

#[test]
fn the_first_predefined_subprotocol_is_chosen() {
    assert_eq!(
        Protocol::negotiate(["foo", JSON_V1, JSON_RELIABLE_V1]),
        (Protocol::Json, Some(JSON_V1))
    );
    assert_eq!(
        Protocol::negotiate([JSON_RELIABLE_V1]),
        (Protocol::JsonReliable, Some(JSON_RELIABLE_V1))
    );
    assert_eq!(Protocol::negotiate(["mqtt"]), (Protocol::Simple, None));
    assert_eq!(Protocol::negotiate([]), (Protocol::Simple, None));
}

#[test]
fn service_frames_have_the_documented_shape() {
    let m = message(
        &From::Group {
            group: "g".into(),
            from_user_id: Some("u".into()),
        },
        &Data::Binary(vec![1, 2]),
    );
    assert_eq!(
        Value::Object(m),
        json!({"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"binary","data":"AQI="})
    );
    let m = message(&From::Server, &Data::Json(json!({"chatEvent":"x"})));
    assert_eq!(
        Value::Object(m),
        json!({"type":"message","from":"server","dataType":"json","data":{"chatEvent":"x"}})
    );
    assert_eq!(
        serde_json::from_str::<Value>(&ack(3, Some(("Forbidden", "no")))).expect("json"),
        json!({"type":"ack","ackId":3,"success":false,"error":{"name":"Forbidden","message":"no"}})
    );
    assert_eq!(
        serde_json::from_str::<Value>(&connected(Some("u"), "c", None)).expect("json"),
        json!({"type":"system","event":"connected","userId":"u","connectionId":"c"})
    );
}

#[test]
fn http_bodies_map_to_data_by_content_type() {
    assert_eq!(
        Data::from_body(Some("application/json; charset=utf-8"), b"{\"a\":1}"),
        Some(Ok(Data::Json(json!({"a":1}))))
    );
    assert_eq!(
        Data::from_body(Some("text/plain"), b"hi"),
        Some(Ok(Data::Text("hi".into())))
    );
    assert_eq!(
        Data::from_body(None, b"\x00"),
        Some(Ok(Data::Binary(vec![0])))
    );
    assert!(matches!(
        Data::from_body(Some("application/json"), b"{"),
        Some(Err(_))
    ));
    assert_eq!(Data::from_body(Some("image/png"), b""), None);
}

fn data_strategy() -> impl Strategy<Value = Data> {
    prop_oneof![
        any::<String>().prop_map(Data::Text),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Data::Binary),
        any::<i64>().prop_map(|n| Data::Json(json!({"n": n}))),
    ]
}

proptest! {
    #[test]
    fn parsing_never_panics_on_any_text(text in ".{0,200}") {
        let _ = ClientFrame::parse(&text);
    }

    #[test]
    fn a_send_to_group_frame_round_trips(group in "[a-zA-Z0-9_]{1,40}", ack in proptest::option::of(any::<u64>()), no_echo: bool, data in data_strategy()) {
        let mut frame = json!({"type":"sendToGroup","group":group,"noEcho":no_echo,"dataType":data.data_type(),"data":data.to_wire()});
        if let Some(a) = ack { frame["ackId"] = json!(a); }
        let parsed = ClientFrame::parse(&frame.to_string());
        prop_assert_eq!(parsed, Ok(ClientFrame::SendToGroup { group, ack_id: ack, no_echo, data }));
    }

    #[test]
    fn an_event_frame_round_trips(event in "[a-z][a-z0-9_.-]{0,30}", data in data_strategy()) {
        let frame = json!({"type":"event","event":event,"dataType":data.data_type(),"data":data.to_wire()});
        prop_assert_eq!(ClientFrame::parse(&frame.to_string()), Ok(ClientFrame::Event { event, ack_id: None, data }));
    }
}
