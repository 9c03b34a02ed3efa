//! Client events as the original client sends them, parsed from the webhook body.

use crate::chat::model::{ChatId, DisplayName, UserId};
use crate::chat::outcome::{Reason, Refusal};

/// A user event's body as the service delivers it (`dataType` → content type).
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `text/plain`.
    Text(String),
    /// `application/json`.
    Json(serde_json::Value),
    /// `application/octet-stream`, or anything else.
    Binary(Vec<u8>),
}

impl Payload {
    /// Reads a body by its content type. A JSON body that does not parse is kept as binary
    /// so that the event, not the webhook, refuses it.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Self {
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match mime.as_str() {
            "application/json" => serde_json::from_slice(body)
                .map(Payload::Json)
                .unwrap_or_else(|_| Payload::Binary(body.to_vec())),
            "text/plain" => match std::str::from_utf8(body) {
                Ok(text) => Payload::Text(text.to_string()),
                Err(_) => Payload::Binary(body.to_vec()),
            },
            _ => Payload::Binary(body.to_vec()),
        }
    }
}

/// A user event the chat understands, with its payload parsed into typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The original client's hello on socket open; its body (a self-declared name) is ignored.
    UserConnected,
    /// `{name, id}`: a new group chat with a client-made UUID.
    CreateChat { id: ChatId, name: DisplayName },
    /// A chat id (text).
    JoinChat(ChatId),
    /// `{chatId, userName}`; the name in the body is ignored.
    LeaveChat(ChatId),
    /// A chat id (text).
    DeleteChat(ChatId),
    /// `{initiatorUserId, targetUserId}`; the initiator must be the sender.
    CreatePrivateChat { initiator: UserId, target: UserId },
    /// The sender went idle (the body, a user id, is ignored).
    UserEnterIdle,
    /// The sender is back (the body is ignored).
    UserExitIdle,
}

impl ClientEvent {
    /// The event's wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::UserConnected => "userConnected",
            Self::CreateChat { .. } => "createChat",
            Self::JoinChat(_) => "joinChat",
            Self::LeaveChat(_) => "leaveChat",
            Self::DeleteChat(_) => "deleteChat",
            Self::CreatePrivateChat { .. } => "createPrivateChat",
            Self::UserEnterIdle => "userEnterIdle",
            Self::UserExitIdle => "userExitIdle",
        }
    }

    /// Parses event `name` with its payload, or says why not.
    pub fn parse(name: &str, payload: &Payload) -> Result<Self, Refusal> {
        let refuse = |reason, message: &str| Refusal::new(name, reason, message);
        let chat_id = |s: &str| {
            ChatId::parse(s.trim()).map_err(|e| {
                refuse(
                    Reason::InvalidId,
                    &format!("That chat id cannot be used: {e}."),
                )
            })
        };
        match name {
            "userConnected" => Ok(Self::UserConnected),
            "userEnterIdle" => Ok(Self::UserEnterIdle),
            "userExitIdle" => Ok(Self::UserExitIdle),
            "joinChat" => Ok(Self::JoinChat(chat_id(text(payload).ok_or_else(
                || refuse(Reason::InvalidPayload, "joinChat needs a chat id."),
            )?)?)),
            "deleteChat" => Ok(Self::DeleteChat(chat_id(text(payload).ok_or_else(
                || refuse(Reason::InvalidPayload, "deleteChat needs a chat id."),
            )?)?)),
            "leaveChat" => {
                let id = field(payload, "chatId")
                    .or_else(|| text(payload))
                    .ok_or_else(|| refuse(Reason::InvalidPayload, "leaveChat needs {chatId}."))?;
                Ok(Self::LeaveChat(chat_id(id)?))
            }
            "createChat" => {
                let (Some(raw_name), Some(raw_id)) = (field(payload, "name"), field(payload, "id"))
                else {
                    return Err(refuse(
                        Reason::InvalidPayload,
                        "createChat needs {name, id} as text.",
                    ));
                };
                let name = DisplayName::parse(raw_name).map_err(|e| {
                    refuse(
                        Reason::InvalidName,
                        &format!("That chat name cannot be used: {e}."),
                    )
                })?;
                let id = ChatId::parse_group(raw_id.trim()).map_err(|e| {
                    refuse(
                        Reason::InvalidId,
                        &format!("That chat id cannot be used: {e}."),
                    )
                })?;
                Ok(Self::CreateChat { id, name })
            }
            "createPrivateChat" => {
                let (Some(initiator), Some(target)) = (
                    field(payload, "initiatorUserId"),
                    field(payload, "targetUserId"),
                ) else {
                    return Err(refuse(
                        Reason::InvalidPayload,
                        "createPrivateChat needs {initiatorUserId, targetUserId}.",
                    ));
                };
                let user = |s: &str| {
                    UserId::parse(s).map_err(|e| {
                        refuse(
                            Reason::InvalidId,
                            &format!("That user id cannot be used: {e}."),
                        )
                    })
                };
                Ok(Self::CreatePrivateChat {
                    initiator: user(initiator)?,
                    target: user(target)?,
                })
            }
            other => Err(Refusal::new(
                other,
                Reason::UnknownEvent,
                format!(
                    "The server does not know the event \"{}\".",
                    truncate(other)
                ),
            )),
        }
    }
}

/// A text payload, or a JSON string.
fn text(payload: &Payload) -> Option<&str> {
    match payload {
        Payload::Text(s) => Some(s),
        Payload::Json(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A string field of a JSON object payload.
fn field<'a>(payload: &'a Payload, name: &str) -> Option<&'a str> {
    match payload {
        Payload::Json(serde_json::Value::Object(map)) => map.get(name)?.as_str(),
        _ => None,
    }
}

/// An event name cut short enough to quote back to a person.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
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
        let body =
            Payload::Json(serde_json::json!({"userName":"<b>mallory</b>","userProvider":"x"}));
        assert_eq!(
            ClientEvent::parse("userConnected", &body),
            Ok(ClientEvent::UserConnected)
        );
    }

    #[test]
    fn an_unknown_event_is_refused_with_unknown_event() {
        let refusal = ClientEvent::parse("launchMissiles", &Payload::Text(String::new()))
            .expect_err("refused");
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
            let event =
                ClientEvent::parse(name, &payload).unwrap_or_else(|r| panic!("{name}: {r:?}"));
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
}
