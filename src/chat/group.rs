//! Group chats: create, join, leave, delete. Membership and publishing rights are per
//! connection; a user is a member while any of their connections is in the chat.

use crate::chat::model::{ChatId, ConnectionId, DisplayName, UserId};
use crate::chat::outcome::{Action, ChatEvent, Outcome, Reason, Refusal, ServerMessage, Versioned};
use crate::chat::presence::{left_notice, user_or_new};
use crate::chat::room::Chat;
use crate::chat::user::User;

/// The sender of an event: their connection and their record as read.
pub struct Sender<'a> {
    pub connection: &'a ConnectionId,
    pub id: &'a UserId,
    pub read: Option<&'a Versioned<User>>,
}

impl Sender<'_> {
    /// A working copy of the sender's record.
    pub fn user(&self) -> User {
        user_or_new(self.id, self.read)
    }
}

/// The notice a chat hears when a user joins.
pub fn joined_notice(name: &DisplayName) -> String {
    format!("💬 {name} has joined the chat")
}

/// Puts `connection` of `user` in `chat`: group membership, the right to publish there, the
/// user's index, and (when the user just became a member and `announce`) a notice.
pub fn join_connection(
    chat: &mut Chat,
    user: &mut User,
    connection: &ConnectionId,
    announce: bool,
) -> Vec<Action> {
    let became_member = chat.add_connection(&user.id, &user.name, connection);
    user.connections
        .entry(connection.clone())
        .or_default()
        .chats
        .insert(chat.id.clone());
    let mut actions = vec![
        Action::AddToGroup(chat.id.clone(), connection.clone()),
        Action::Grant(connection.clone(), chat.id.clone()),
    ];
    if became_member && announce {
        actions.push(Action::Notice(chat.id.clone(), joined_notice(&user.name)));
    }
    actions
}

fn live<'a>(
    action: &str,
    chat: Option<&'a Versioned<Chat>>,
) -> Result<&'a Versioned<Chat>, Refusal> {
    chat.filter(|c| !c.value.deleted).ok_or_else(|| {
        Refusal::new(
            action,
            Reason::ChatNotFound,
            "That chat does not exist (any more).",
        )
    })
}

/// `createChat`: a new group chat owned by the sender, who joins it at once.
pub fn create(
    sender: &Sender,
    id: &ChatId,
    name: &DisplayName,
    existing: Option<&Versioned<Chat>>,
) -> Result<Outcome, Refusal> {
    if existing.is_some() {
        return Err(Refusal::new(
            "createChat",
            Reason::ChatExists,
            "A chat with that id exists already.",
        ));
    }
    let mut user = sender.user();
    let mut chat = Chat::group(id.clone(), name.clone(), sender.id.clone());
    // The creator is in the group, and may publish there, before anybody learns that the
    // chat exists: someone who joins at once is heard by them, and their first message is
    // not refused. The joined notice follows `chatCreated`, which opens the creator's tab.
    let (notices, membership): (Vec<Action>, Vec<Action>) =
        join_connection(&mut chat, &mut user, sender.connection, true)
            .into_iter()
            .partition(|a| matches!(a, Action::Notice(..)));
    let mut outcome = Outcome {
        actions: membership,
        ..Outcome::default()
    };
    outcome
        .actions
        .push(Action::SendToAll(ServerMessage::chat_created(&chat)));
    outcome.actions.extend(notices);
    outcome.put_user(user, sender.read);
    outcome.put_chat(chat, None);
    Ok(outcome)
}

/// `joinChat`: the sending connection joins an existing chat (a private one only if it is
/// the sender's).
pub fn join(sender: &Sender, chat: Option<&Versioned<Chat>>) -> Result<Outcome, Refusal> {
    let read = live("joinChat", chat)?;
    if !read.value.may_join(sender.id) {
        return Err(Refusal::new(
            "joinChat",
            Reason::NotMember,
            "That private chat belongs to two other users.",
        ));
    }
    if read.value.is_full_for(sender.id) {
        return Err(Refusal::new(
            "joinChat",
            Reason::ChatFull,
            "That chat is full.",
        ));
    }
    let (mut chat, mut user) = (read.value.clone(), sender.user());
    let mut outcome = Outcome {
        actions: join_connection(&mut chat, &mut user, sender.connection, true),
        ..Outcome::default()
    };
    outcome.put_user(user, sender.read);
    outcome.put_chat(chat, Some(read));
    Ok(outcome)
}

/// `leaveChat`: the sending connection leaves; the user leaves the members when none of
/// their connections remains.
pub fn leave(sender: &Sender, chat: Option<&Versioned<Chat>>) -> Result<Outcome, Refusal> {
    let read = live("leaveChat", chat)?;
    if !read.value.has_connection(sender.id, sender.connection) {
        return Err(Refusal::new(
            "leaveChat",
            Reason::NotMember,
            "You are not in that chat.",
        ));
    }
    let (mut chat, mut user) = (read.value.clone(), sender.user());
    let left = chat.remove_connection(sender.id, sender.connection);
    if let Some(state) = user.connections.get_mut(sender.connection) {
        state.chats.remove(&chat.id);
    }
    let mut outcome = Outcome::default();
    outcome.actions.push(Action::RemoveFromGroup(
        chat.id.clone(),
        sender.connection.clone(),
    ));
    outcome
        .actions
        .push(Action::Revoke(sender.connection.clone(), chat.id.clone()));
    if let Some(name) = left {
        outcome
            .actions
            .push(Action::Notice(chat.id.clone(), left_notice(&name)));
    }
    outcome.put_chat(chat, Some(read));
    outcome.put_user(user, sender.read);
    Ok(outcome)
}

/// `deleteChat`: only the owner. Every connection leaves the group and loses its right to
/// publish, everyone hears `chatDeleted`, and the id stays taken.
pub fn delete(sender: &Sender, chat: Option<&Versioned<Chat>>) -> Result<Outcome, Refusal> {
    let read = live("deleteChat", chat)?;
    if read.value.owner() != Some(sender.id) {
        return Err(Refusal::new(
            "deleteChat",
            Reason::NotOwner,
            "Only the chat's owner can delete it.",
        ));
    }
    let mut chat = read.value.clone();
    let mut outcome = Outcome::default();
    for (_, connection) in chat.connections() {
        outcome
            .actions
            .push(Action::RemoveFromGroup(chat.id.clone(), connection.clone()));
        outcome
            .actions
            .push(Action::Revoke(connection.clone(), chat.id.clone()));
    }
    outcome.actions.push(Action::SendToAll(ServerMessage::bare(
        ChatEvent::ChatDeleted,
        chat.id.as_str(),
    )));
    chat.deleted = true;
    chat.members.clear();
    outcome.put_chat(chat, Some(read));
    Ok(outcome)
}

#[cfg(test)]
mod tests;
