//! Group chats: create, join, leave, delete. Membership is per user and lasts until they
//! leave or the chat is deleted; every connection of a member is in the chat's group (a
//! connection that arrives later is put in by the `connect` answer), and may publish there
//! only with the direct relay: messages go through the server.

use std::collections::BTreeSet;

use crate::chat::member::Member;
use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::name::DisplayName;
use crate::chat::outcome::{
    Action, Change, ChatEvent, Expect, Outcome, Reason, Refusal, ServerMessage, Versioned,
};
use crate::chat::presence::{left_notice, user_or_new};
use crate::chat::room::{Chat, MAX_MEMBERS};
use crate::chat::user::User;

/// The sender of an event: their connection and their record as read.
pub struct Sender<'a> {
    pub connection: &'a ConnectionId,
    pub id: &'a UserId,
    pub read: Option<&'a Versioned<User>>,
    /// Members' connections may publish to their chats' groups themselves
    /// (`CHATR_DIRECT_RELAY`: the original client's path, unkept and unlimited).
    pub relay: bool,
}

impl Sender<'_> {
    /// A working copy of the sender's record.
    pub fn user(&self) -> User {
        user_or_new(self.id, self.read)
    }

    /// The sender's live connections, the sending one included.
    pub fn connections(&self) -> BTreeSet<ConnectionId> {
        let mut all = connections_of(self.read);
        all.insert(self.connection.clone());
        all
    }

    /// The connections to grant (or revoke) the right to publish to a chat's group: the
    /// sender's, with the direct relay on; none without it (messages go through the server).
    pub fn grantees(&self) -> BTreeSet<ConnectionId> {
        if self.relay {
            self.connections()
        } else {
            BTreeSet::new()
        }
    }
}

/// The live connections of a stored user (none when there is no record).
pub fn connections_of(user: Option<&Versioned<User>>) -> BTreeSet<ConnectionId> {
    user.map(|u| u.value.connections.keys().cloned().collect())
        .unwrap_or_default()
}

/// The notice a chat hears when a user joins.
pub fn joined_notice(name: &DisplayName) -> String {
    format!("💬 {name} has joined the chat")
}

/// The service calls that put every connection of `user` in `chat`'s group, and let
/// `publishers` publish there.
pub fn enter(chat: &ChatId, user: &UserId, publishers: BTreeSet<ConnectionId>) -> Vec<Action> {
    let mut actions = vec![Action::AddUserToGroup(chat.clone(), user.clone())];
    actions.extend(
        publishers
            .into_iter()
            .map(|c| Action::Grant(c, chat.clone())),
    );
    actions
}

/// The service calls that take every connection of `user` out of `chat`'s group, and the
/// right to publish there from `publishers`.
pub fn exit(chat: &ChatId, user: &UserId, publishers: BTreeSet<ConnectionId>) -> Vec<Action> {
    let mut actions = vec![Action::RemoveUserFromGroup(chat.clone(), user.clone())];
    actions.extend(
        publishers
            .into_iter()
            .map(|c| Action::Revoke(c, chat.clone())),
    );
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

/// `createChat`: a new group chat owned by the sender, who is its first member.
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
    let user = sender.user();
    let chat = Chat::group(id.clone(), name.clone(), sender.id.clone());
    let member = Member::new(id, sender.id, &user.name);
    let announced = Chat {
        member_count: 1,
        ..chat.clone()
    };
    // The creator is in the group (and, with the direct relay, may publish there) before
    // anybody learns that the chat exists: someone who joins at once is heard by them. The joined notice follows `chatCreated`, which opens the creator's tab.
    let mut actions = enter(id, sender.id, sender.grantees());
    actions.push(Action::SendToAll(ServerMessage::chat_created(
        &announced, &member,
    )));
    actions.push(Action::Notice(id.clone(), joined_notice(&user.name)));
    Ok(Outcome {
        reply: None,
        changes: vec![
            Change::PutChat {
                chat,
                expect: Expect::Absent,
            },
            Change::AddMember { member },
        ],
        actions,
    })
}

/// `joinChat`: the sender becomes a member (a private chat's two users are already) and all
/// their connections enter the chat's group. A member joining again only puts their
/// connections back in, announcing nothing.
pub fn join(
    sender: &Sender,
    chat: Option<&Versioned<Chat>>,
    membership: Option<&Member>,
) -> Result<Outcome, Refusal> {
    let read = live("joinChat", chat)?;
    let chat = &read.value;
    if !chat.may_join(sender.id) {
        return Err(Refusal::new(
            "joinChat",
            Reason::NotMember,
            "That private chat belongs to two other users.",
        ));
    }
    let mut outcome = Outcome {
        actions: enter(&chat.id, sender.id, sender.grantees()),
        ..Outcome::default()
    };
    if membership.is_none() {
        if chat.member_count >= MAX_MEMBERS {
            return Err(Refusal::new(
                "joinChat",
                Reason::ChatFull,
                "That chat is full.",
            ));
        }
        let name = sender.user().name;
        if Chat::announces(chat.member_count + 1) {
            outcome
                .actions
                .push(Action::Notice(chat.id.clone(), joined_notice(&name)));
        }
        outcome.changes.push(Change::AddMember {
            member: Member::new(&chat.id, sender.id, &name),
        });
    } else if let Some(member) = membership {
        // Written again as it is (a store keeps the count): a join repairs a member whose
        // rows a failure left half-written, as the service calls repair the group.
        outcome.changes.push(Change::AddMember {
            member: member.clone(),
        });
    }
    Ok(outcome)
}

/// `leaveChat`: the sender is no longer a member, and none of their connections is in the
/// chat's group or may publish there.
pub fn leave(
    sender: &Sender,
    chat: Option<&Versioned<Chat>>,
    membership: Option<&Member>,
) -> Result<Outcome, Refusal> {
    let read = live("leaveChat", chat)?;
    let Some(member) = membership else {
        return Err(Refusal::new(
            "leaveChat",
            Reason::NotMember,
            "You are not in that chat.",
        ));
    };
    let chat = &read.value;
    let mut outcome = Outcome {
        reply: None,
        changes: vec![Change::RemoveMember {
            chat: chat.id.clone(),
            user: sender.id.clone(),
        }],
        actions: exit(&chat.id, sender.id, sender.grantees()),
    };
    if Chat::announces(chat.member_count) {
        outcome
            .actions
            .push(Action::Notice(chat.id.clone(), left_notice(&member.name)));
    }
    Ok(outcome)
}

/// `deleteChat`: only the owner. The chat's group is emptied in one call, everyone hears
/// `chatDeleted`, and the id stays taken. The member rows go in the sweep, not here, so that
/// deleting costs the same whatever the chat's size.
pub fn delete(sender: &Sender, chat: Option<&Versioned<Chat>>) -> Result<Outcome, Refusal> {
    if let Some(gone) = chat.filter(|c| c.value.deleted && c.value.owner() == Some(sender.id)) {
        // Its owner deleting it again (the calls after the first delete may have failed): the
        // row is written again as it is (a store marks it for the sweep again), the group is
        // emptied and the news sent again.
        return Ok(Outcome {
            reply: None,
            changes: vec![Change::PutChat {
                chat: gone.value.clone(),
                expect: Expect::Version(gone.version.clone()),
            }],
            actions: deleted_calls(&gone.value.id),
        });
    }
    let read = live("deleteChat", chat)?;
    if read.value.owner() != Some(sender.id) {
        return Err(Refusal::new(
            "deleteChat",
            Reason::NotOwner,
            "Only the chat's owner can delete it.",
        ));
    }
    let mut chat = read.value.clone();
    chat.deleted = true;
    let mut outcome = Outcome {
        actions: deleted_calls(&chat.id),
        ..Outcome::default()
    };
    outcome.put_chat(chat, Some(read));
    Ok(outcome)
}

/// What deleting a chat asks of the service: its group emptied, everyone told.
fn deleted_calls(chat: &ChatId) -> Vec<Action> {
    vec![
        Action::EmptyGroup(chat.clone()),
        Action::SendToAll(ServerMessage::bare(ChatEvent::ChatDeleted, chat.as_str())),
    ]
}

#[cfg(test)]
mod tests;
