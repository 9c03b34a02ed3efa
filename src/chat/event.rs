//! Client events as the original client sends them, parsed from the webhook body, and
//! [`Incoming`]: everything that arrives at the webhook (system events and client events).

use crate::chat::message::{ClientMsgId, MessageId, MessageText};
use crate::chat::model::{ChatId, UserId};
use crate::chat::name::DisplayName;
use crate::chat::outcome::{Reason, Refusal};

mod messages;

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
    /// `{chatId, text, clientId?, mentions?}`: a message to a chat the sender is in.
    SendMessage {
        chat: ChatId,
        text: MessageText,
        client_id: Option<ClientMsgId>,
        mentions: Vec<UserId>,
    },
    /// `{chatId, id, text}`: the author changes a message's text.
    EditMessage {
        chat: ChatId,
        id: MessageId,
        text: MessageText,
    },
    /// `{chatId, id}`: the author, or the chat's owner, deletes a message.
    DeleteMessage { chat: ChatId, id: MessageId },
    /// `{chatId, id}`: the sender has read the chat up to this message (forward only).
    MarkRead { chat: ChatId, id: MessageId },
    /// `{chatId}`: the sender is typing in the chat (passed on, never stored).
    Typing { chat: ChatId },
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
            Self::SendMessage { .. } => "sendMessage",
            Self::EditMessage { .. } => "editMessage",
            Self::DeleteMessage { .. } => "deleteMessage",
            Self::MarkRead { .. } => "markRead",
            Self::Typing { .. } => "typing",
        }
    }

    /// The chat and `clientId` a message event is about (what its refusals name).
    pub fn about(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Self::SendMessage {
                chat, client_id, ..
            } => (
                Some(chat.as_str()),
                client_id.as_ref().map(ClientMsgId::as_str),
            ),
            Self::EditMessage { chat, .. }
            | Self::DeleteMessage { chat, .. }
            | Self::MarkRead { chat, .. }
            | Self::Typing { chat } => (Some(chat.as_str()), None),
            _ => (None, None),
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
            "sendMessage" | "editMessage" | "deleteMessage" | "markRead" | "typing" => {
                messages::parse(name, payload)
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

/// What arrived at the webhook, already verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The `connected` system event.
    Connected,
    /// The `disconnected` system event, or a dead connection found by the sweep.
    Disconnected,
    /// A user event.
    User(ClientEvent),
}

#[cfg(test)]
mod tests;
