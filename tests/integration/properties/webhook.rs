//! CloudEvents webhooks: any headers and any body are answered, never a panic; a request
//! signed with the key verifies, and one whose connection id or signature changed does not.

use chatr::chat::event::{ClientEvent, Payload};
use chatr::config::hub::HubName;
use chatr::webhook::cloud_event::verify;
use chatr::webhook::signature;
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

use super::key;

/// The chat's event names, and any other.
const EVENT_NAMES: &str = "createChat|createPrivateChat|deleteChat|deleteMessage|editMessage|joinChat|leaveChat|sendMessage|markRead|userConnected|userEnterIdle|userExitIdle|[a-zA-Z]{0,20}";

const CE_HEADERS: [&str; 8] = [
    "ce-connectionid",
    "ce-signature",
    "ce-hub",
    "ce-type",
    "ce-eventname",
    "ce-userid",
    "ce-specversion",
    "ce-awpsversion",
];

fn headers(pairs: &[(usize, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (i, value) in pairs {
        if let Ok(v) = HeaderValue::from_str(value) {
            map.append(HeaderName::from_static(CE_HEADERS[i % CE_HEADERS.len()]), v);
        }
    }
    map
}

fn signed(connection_id: &str, event: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        map.insert(name, HeaderValue::from_str(value).expect("header"));
    };
    put("ce-connectionid", connection_id);
    put("ce-signature", &signature::sign(&key(), connection_id));
    put("ce-hub", "chat");
    put("ce-type", &format!("azure.webpubsub.user.{event}"));
    put("ce-eventname", event);
    put("ce-userid", "someone");
    put("ce-specversion", "1.0");
    map
}

proptest! {
    #[test]
    fn any_headers_are_answered(pairs in proptest::collection::vec((0usize..16, "[ -~]{0,80}"), 0..12)) {
        let hub = HubName::parse("chat").expect("hub");
        let _ = verify(&headers(&pairs), &key(), &hub);
    }

    #[test]
    fn a_signed_request_verifies_and_a_changed_connection_id_does_not(
        id in "[A-Za-z0-9_-]{1,64}",
        other in "[A-Za-z0-9_-]{1,64}",
        event in "[a-zA-Z]{1,20}",
    ) {
        let hub = HubName::parse("chat").expect("hub");
        let map = signed(&id, &event);
        prop_assert!(verify(&map, &key(), &hub).is_ok());
        prop_assume!(id != other);
        let mut forged = map.clone();
        forged.insert("ce-connectionid", HeaderValue::from_str(&other).expect("header"));
        prop_assert!(verify(&forged, &key(), &hub).is_err());
    }

    #[test]
    fn any_signature_header_is_checked_without_panicking(value in "[ -~]{0,300}") {
        let _ = signature::verify(&key(), "connection", &value);
    }

    #[test]
    fn any_body_of_any_type_is_answered(
        content_type in proptest::option::of("[ -~]{0,40}"),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        name in EVENT_NAMES,
    ) {
        let payload = Payload::from_body(content_type.as_deref(), &body);
        let _ = ClientEvent::parse(&name, &payload);
    }

    #[test]
    fn any_json_fields_of_every_event_are_answered(
        name in EVENT_NAMES,
        fields in proptest::collection::vec(
            (prop_oneof!["name", "id", "chatId", "text", "clientId", "messageId", "mentions", "initiatorUserId", "targetUserId", "[a-z]{1,8}"],
             prop_oneof![
                 any::<i64>().prop_map(serde_json::Value::from),
                 "\\PC{0,80}".prop_map(serde_json::Value::from),
                 proptest::collection::vec("\\PC{0,20}", 0..5).prop_map(serde_json::Value::from),
                 Just(serde_json::Value::Null),
             ]),
            0..6,
        ),
    ) {
        let object: serde_json::Map<String, serde_json::Value> = fields.into_iter().collect();
        let _ = ClientEvent::parse(&name, &Payload::Json(serde_json::Value::Object(object)));
    }
}
