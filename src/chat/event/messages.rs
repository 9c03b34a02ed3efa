//! The message events' payloads: `sendMessage`, `editMessage`, `deleteMessage`, `markRead`,
//! `typing`. Every refusal
//! names the chat and the `clientId` it was about (as far as they could be read), so that the
//! client knows which pending message failed.

use std::collections::BTreeSet;

use crate::chat::event::{field, ClientEvent, Payload};
use crate::chat::message::{
    ClientMsgId, MessageId, MessageText, TextError, MAX_MENTIONS, MAX_MENTION_BYTES,
};
use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Reason, Refusal};

/// Parses one of the message events (`name` is one of them).
pub(super) fn parse(name: &str, payload: &Payload) -> Result<ClientEvent, Refusal> {
    let raw_chat = field(payload, "chatId");
    let raw_client = field(payload, "clientId");
    let refuse = |reason, message: &str| {
        Refusal::new(name, reason, message).about(raw_chat, raw_client.filter(|c| c.len() <= 256))
    };
    let Some(raw_chat) = raw_chat else {
        return Err(refuse(
            Reason::InvalidPayload,
            &format!("{name} needs a JSON object with chatId."),
        ));
    };
    let chat = ChatId::parse(raw_chat.trim()).map_err(|e| {
        refuse(
            Reason::InvalidId,
            &format!("That chat id cannot be used: {e}."),
        )
    })?;
    let text = || {
        let raw = field(payload, "text")
            .ok_or_else(|| refuse(Reason::InvalidPayload, &format!("{name} needs text.")))?;
        MessageText::parse(raw).map_err(|e| match e {
            TextError::Empty => refuse(Reason::EmptyMessage, "A message needs some text."),
            TextError::TooLong => refuse(
                Reason::MessageTooLong,
                "That message is too long: at most 4,000 characters.",
            ),
        })
    };
    let id = || {
        let raw = field(payload, "id")
            .ok_or_else(|| refuse(Reason::InvalidPayload, &format!("{name} needs an id.")))?;
        MessageId::parse(raw)
            .map_err(|e| refuse(Reason::InvalidId, &format!("That message id: {e}.")))
    };
    match name {
        "sendMessage" => {
            let client_id = match object_value(payload, "clientId") {
                None | Some(serde_json::Value::Null) => None,
                Some(_) => Some(
                    raw_client
                        .and_then(|c| ClientMsgId::parse(c).ok())
                        .ok_or_else(|| {
                            refuse(
                                Reason::InvalidPayload,
                                "clientId is text of 1 to 64 characters.",
                            )
                        })?,
                ),
            };
            let mentions = mentions(payload).ok_or_else(|| {
                refuse(
                    Reason::InvalidPayload,
                    "mentions is a list of at most 50 user ids.",
                )
            })?;
            Ok(ClientEvent::SendMessage {
                chat,
                text: text()?,
                client_id,
                mentions,
            })
        }
        "editMessage" => Ok(ClientEvent::EditMessage {
            chat,
            id: id()?,
            text: text()?,
        }),
        "markRead" => Ok(ClientEvent::MarkRead { chat, id: id()? }),
        "typing" => Ok(ClientEvent::Typing { chat }),
        _ => Ok(ClientEvent::DeleteMessage { chat, id: id()? }),
    }
}

/// A field of a JSON object payload, whatever its type.
fn object_value<'a>(payload: &'a Payload, name: &str) -> Option<&'a serde_json::Value> {
    match payload {
        Payload::Json(serde_json::Value::Object(map)) => map.get(name),
        _ => None,
    }
}

/// The mentioned users, each once, in the order first given; `None` when the field is not a
/// list of at most [`MAX_MENTIONS`] valid user ids of at most [`MAX_MENTION_BYTES`] together.
fn mentions(payload: &Payload) -> Option<Vec<UserId>> {
    let list = match object_value(payload, "mentions") {
        None | Some(serde_json::Value::Null) => return Some(Vec::new()),
        Some(serde_json::Value::Array(list)) if list.len() <= MAX_MENTIONS => list,
        Some(_) => return None,
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut bytes = 0;
    for item in list {
        let user = UserId::parse(item.as_str()?).ok()?;
        bytes += user.as_str().len();
        if bytes > MAX_MENTION_BYTES {
            return None;
        }
        if seen.insert(user.clone()) {
            out.push(user);
        }
    }
    Some(out)
}
