//! Messages: send, edit, delete, the reader's cursor (`markRead`, told to the reader's other
//! connections as `chatRead`), and `typing`. A message is stored before anyone hears of it;
//! the webhook's answer (which the service hands to the sending connection alone) is the stored
//! message, the sender's acknowledgement; the other members get it from the service: a group
//! chat's by a send to its group that leaves the sending connection out, a private chat's by a
//! send to each of its two users, so that one whose tab was closed or reloaded gets it on every
//! connection.

use crate::chat::group::Sender;
use crate::chat::member::Member;
use crate::chat::message::{ClientMsgId, Message, MessageId, MessageText, Stamp};
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{Action, Change, Expect, Json, Outcome, Reason, Refusal, Versioned};
use crate::chat::room::{Chat, ChatKind};

/// What a message event reads: the chat, the sender's membership, and the message it is
/// about (for a send: the one stored under its `clientId` already, if any).
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub chat: Option<&'a Versioned<Chat>>,
    pub member: Option<&'a Member>,
    pub message: Option<&'a Versioned<Message>>,
}

/// A message to send.
pub struct Draft<'a> {
    pub chat: &'a ChatId,
    pub text: &'a MessageText,
    pub client_id: Option<&'a ClientMsgId>,
    pub mentions: &'a [UserId],
}

/// The sender may speak in the chat: it exists and they are a member. A private chat they are
/// not in is "not found", as it is to anyone outside it.
fn may_speak<'a>(
    action: &str,
    chat_id: &ChatId,
    client_id: Option<&ClientMsgId>,
    ctx: &Context<'a>,
) -> Result<&'a Chat, Refusal> {
    let refuse = |reason, message: &str| {
        Refusal::new(action, reason, message)
            .about(Some(chat_id.as_str()), client_id.map(ClientMsgId::as_str))
    };
    let chat = ctx
        .chat
        .map(|c| &c.value)
        .filter(|c| !c.deleted)
        .ok_or_else(|| refuse(Reason::ChatNotFound, "That chat does not exist (any more)."))?;
    match (ctx.member, &chat.kind) {
        (Some(_), _) => Ok(chat),
        (None, ChatKind::Private { .. }) => Err(refuse(
            Reason::ChatNotFound,
            "That chat does not exist (any more).",
        )),
        (None, ChatKind::Group { .. }) => Err(refuse(
            Reason::NotMember,
            "Join the chat before writing in it.",
        )),
    }
}

/// The service calls that give `payload` to every member but the sending connection.
fn deliver(chat: &Chat, sending: &ConnectionId, payload: &Json) -> Vec<Action> {
    match &chat.kind {
        ChatKind::Group { .. } => vec![Action::SendToGroup {
            chat: chat.id.clone(),
            payload: payload.clone(),
            except: Some(sending.clone()),
        }],
        ChatKind::Private { users } => users
            .iter()
            .map(|u| Action::SendJsonToUser(u.clone(), payload.clone()))
            .collect(),
    }
}

/// `sendMessage`: stored, then answered and delivered. A resend with a `clientId` already
/// stored stores nothing, and answers and delivers the stored message again (which heals a
/// send whose delivery failed after the store).
pub fn send(
    sender: &Sender,
    draft: &Draft,
    ctx: &Context,
    stamp: &Stamp,
) -> Result<Outcome, Refusal> {
    let chat = may_speak("sendMessage", draft.chat, draft.client_id, ctx)?;
    let (message, changes) = match ctx.message {
        Some(stored) => (stored.value.clone(), Vec::new()),
        None => {
            let message = Message {
                id: stamp.id.clone(),
                chat: chat.id.clone(),
                from: sender.id.clone(),
                from_name: sender.user().name,
                text: draft.text.as_str().to_string(),
                time: stamp.time.clone(),
                client_id: draft.client_id.cloned(),
                mentions: draft.mentions.to_vec(),
                edited_at: None,
                deleted: false,
            };
            let put = Change::PutMessage {
                message: message.clone(),
                expect: Expect::Absent,
            };
            (message, vec![put])
        }
    };
    let payload = Json::of(&message.view());
    Ok(Outcome {
        changes,
        actions: deliver(chat, sender.connection, &payload),
        reply: Some(payload),
    })
}

/// The `{chatEvent, data}` of an edit or delete, `data` the message as it now is.
fn changed(event: &str, message: &Message) -> Json {
    Json::of(&serde_json::json!({"chatEvent": event, "data": message.view()}))
}

/// The live message an edit or delete is about, in a chat the sender may speak in.
fn target<'a>(
    action: &str,
    chat_id: &ChatId,
    ctx: &Context<'a>,
) -> Result<(&'a Chat, &'a Versioned<Message>), Refusal> {
    let chat = may_speak(action, chat_id, None, ctx)?;
    let message = ctx.message.filter(|m| !m.value.deleted).ok_or_else(|| {
        Refusal::new(
            action,
            Reason::MessageNotFound,
            "That message does not exist (any more).",
        )
        .about(Some(chat_id.as_str()), None)
    })?;
    Ok((chat, message))
}

/// `editMessage`: the author changes the text; everyone gets `messageEdited`.
pub fn edit(
    sender: &Sender,
    chat_id: &ChatId,
    text: &MessageText,
    ctx: &Context,
    stamp: &Stamp,
) -> Result<Outcome, Refusal> {
    let (chat, stored) = target("editMessage", chat_id, ctx)?;
    if &stored.value.from != sender.id {
        return Err(Refusal::new(
            "editMessage",
            Reason::NotAuthor,
            "Only its author may edit a message.",
        )
        .about(Some(chat_id.as_str()), None));
    }
    if stored.value.text == text.as_str() {
        return Ok(Outcome {
            reply: Some(changed("messageEdited", &stored.value)),
            ..Outcome::default()
        });
    }
    let message = Message {
        text: text.as_str().to_string(),
        edited_at: Some(stamp.time.clone()),
        ..stored.value.clone()
    };
    Ok(replace(chat, sender, stored, message, "messageEdited"))
}

/// Stores `message` over `stored` (at its version), answers the sender and tells the chat
/// with `{chatEvent: event, data: message}`.
fn replace(
    chat: &Chat,
    sender: &Sender,
    stored: &Versioned<Message>,
    message: Message,
    event: &str,
) -> Outcome {
    let payload = changed(event, &message);
    Outcome {
        changes: vec![Change::PutMessage {
            message,
            expect: Expect::of(Some(stored)),
        }],
        actions: deliver(chat, sender.connection, &payload),
        reply: Some(payload),
    }
}

/// `deleteMessage`: by its author, or by the owner of the group chat it is in; it becomes a
/// tombstone, and everyone gets `messageDeleted`.
pub fn delete(
    sender: &Sender,
    chat_id: &ChatId,
    id: &MessageId,
    ctx: &Context,
) -> Result<Outcome, Refusal> {
    let chat = may_speak("deleteMessage", chat_id, None, ctx)?;
    if let Some(gone) = ctx.message.filter(|m| m.value.deleted && &m.value.id == id) {
        // Deleted already: the same answer again, nothing stored or sent.
        return Ok(Outcome {
            reply: Some(changed("messageDeleted", &gone.value)),
            ..Outcome::default()
        });
    }
    let (_, stored) = target("deleteMessage", chat_id, ctx)?;
    if &stored.value.from != sender.id && chat.owner() != Some(sender.id) {
        return Err(Refusal::new(
            "deleteMessage",
            Reason::NotAuthor,
            "Only its author or the chat's owner may delete a message.",
        )
        .about(Some(chat_id.as_str()), None));
    }
    Ok(replace(
        chat,
        sender,
        stored,
        stored.value.tombstone(),
        "messageDeleted",
    ))
}

/// `markRead`: the sender has read `chat_id` up to `id`. Stored forward only (an older id
/// than the cursor changes nothing), and never past now (`stamp`: an id from the future would
/// mark every message to come read); nobody is told, and there is no answer.
pub fn mark_read(
    sender: &Sender,
    chat_id: &ChatId,
    id: &MessageId,
    ctx: &Context,
    stamp: &Stamp,
) -> Result<Outcome, Refusal> {
    may_speak("markRead", chat_id, None, ctx)?;
    let id = id.min(&stamp.id).clone();
    // The reader's other tabs and devices clear their counts too.
    let read = Json::of(&serde_json::json!({
        "chatEvent": "chatRead",
        "data": {"chatId": chat_id, "id": id},
    }));
    Ok(Outcome {
        changes: vec![Change::MarkRead {
            chat: chat_id.clone(),
            user: sender.id.clone(),
            id,
        }],
        actions: vec![Action::SendJsonToUser(sender.id.clone(), read)],
        reply: None,
    })
}

/// `typing`: the sender is writing in the chat. The others hear `typing` `{chatId, userId,
/// userName}` (a group chat's members but the sending connection; a private chat's other
/// user); nothing is stored. Its rate is the handler's, per user and chat.
pub fn typing(sender: &Sender, chat_id: &ChatId, ctx: &Context) -> Result<Outcome, Refusal> {
    let chat = may_speak("typing", chat_id, None, ctx)?;
    let payload = Json::of(&serde_json::json!({
        "chatEvent": "typing",
        "data": {"chatId": chat.id, "userId": sender.id, "userName": sender.user().name},
    }));
    let actions = match &chat.kind {
        ChatKind::Group { .. } => vec![Action::SendToGroup {
            chat: chat.id.clone(),
            payload,
            except: Some(sender.connection.clone()),
        }],
        ChatKind::Private { users } => users
            .iter()
            .filter(|u| *u != sender.id)
            .map(|u| Action::SendJsonToUser(u.clone(), payload.clone()))
            .collect(),
    };
    Ok(Outcome {
        actions,
        ..Outcome::default()
    })
}

#[cfg(test)]
mod tests;
