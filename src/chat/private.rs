//! Private chats: two users, a stored chat `private_<a>_<b>` that both can rejoin from any
//! tab, and nobody else can ever enter.

use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Action, Outcome, Reason, Refusal, ServerMessage, Versioned};
use crate::chat::room::{Chat, ChatKind};
use crate::chat::rooms::{join_connection, Sender};
use crate::chat::user::User;

const ACTION: &str = "createPrivateChat";

/// `createPrivateChat`: the sender (who must be the initiator the body names) opens a chat
/// with an online target. Every current connection of both joins the group and may publish
/// there; each user hears `joinPrivateChat` (focus for the initiator) and the chat hears who
/// wants to chat.
pub fn create(
    sender: &Sender,
    initiator: &UserId,
    target: &UserId,
    target_read: Option<&Versioned<User>>,
    existing: Option<&Versioned<Chat>>,
) -> Result<Outcome, Refusal> {
    if initiator != sender.id {
        return Err(Refusal::new(
            ACTION,
            Reason::IdentityMismatch,
            "You can only start a private chat as yourself.",
        ));
    }
    if target == sender.id {
        return Err(Refusal::new(
            ACTION,
            Reason::InvalidPayload,
            "You cannot start a private chat with yourself.",
        ));
    }
    let Some(target_read) = target_read.filter(|t| t.value.is_online()) else {
        return Err(Refusal::new(
            ACTION,
            Reason::UserOffline,
            "That user is not online.",
        ));
    };
    let id = ChatId::private(sender.id, target).map_err(|e| {
        Refusal::new(
            ACTION,
            Reason::InvalidId,
            format!("Those user ids make no chat id: {e}."),
        )
    })?;
    let mut chat = match existing {
        Some(read)
            if matches!(read.value.kind, ChatKind::Private { .. }) && !read.value.deleted =>
        {
            read.value.clone()
        }
        Some(_) => {
            return Err(Refusal::new(
                ACTION,
                Reason::ChatExists,
                "That chat id is taken.",
            ))
        }
        None => Chat::private(id.clone(), [sender.id.clone(), target.clone()]),
    };
    let mut me = sender.user();
    me.connections.entry(sender.connection.clone()).or_default();
    let mut other = target_read.value.clone();
    let mut outcome = Outcome::default();
    for user in [&mut me, &mut other] {
        let connections: Vec<_> = user.connections.keys().cloned().collect();
        for connection in connections {
            outcome
                .actions
                .extend(join_connection(&mut chat, user, &connection, false));
        }
    }
    outcome.actions.push(Action::SendToUser(
        other.id.clone(),
        ServerMessage::join_private_chat(&id, &format!("Chat with {}", me.name), false),
    ));
    outcome.actions.push(Action::SendToUser(
        me.id.clone(),
        ServerMessage::join_private_chat(&id, &format!("Chat with {}", other.name), true),
    ));
    outcome
        .actions
        .push(Action::Notice(id, format!("💬 {} wants to chat", me.name)));
    outcome.put_user(me, sender.read);
    outcome.put_user(other, Some(target_read));
    outcome.put_chat(chat, existing);
    Ok(outcome)
}
