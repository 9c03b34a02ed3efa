//! Private chats: a stored chat `private_<a>_<b>` of two users, both members from its creation
//! whether or not the other is online (they find it when they come back), and nobody else can
//! ever enter.

use crate::chat::group::{connections_of, enter, Sender};
use crate::chat::member::Member;
use std::collections::BTreeSet;

use crate::chat::model::{ChatId, ConnectionId, UserId};
use crate::chat::outcome::{
    Action, Change, Expect, Outcome, Reason, Refusal, ServerMessage, Versioned,
};
use crate::chat::presence::user_or_new;
use crate::chat::room::{Chat, ChatKind};
use crate::chat::user::User;

const ACTION: &str = "createPrivateChat";

/// Who of the other user may publish to the chat's group: their connections, with the direct
/// relay on; nobody without it.
fn publishers(relay: bool, target: &Versioned<User>) -> BTreeSet<ConnectionId> {
    if relay {
        connections_of(Some(target))
    } else {
        BTreeSet::new()
    }
}

/// Whether `chat` is the private chat of exactly these two users.
fn is_between(chat: &Chat, a: &UserId, b: &UserId) -> bool {
    matches!(&chat.kind, ChatKind::Private { users } if (users[0] == *a && users[1] == *b) || (users[0] == *b && users[1] == *a))
}

/// What opening a private chat reads: the target's record, the chat if stored, and each
/// user's membership of it.
pub struct Opening<'a> {
    pub target: Option<&'a Versioned<User>>,
    pub existing: Option<&'a Versioned<Chat>>,
    pub sender_member: Option<&'a Member>,
    pub target_member: Option<&'a Member>,
}

/// `createPrivateChat`: the sender (who must be the initiator the body names) opens a chat
/// with a user who has signed in here, online or not. Both are members; every current
/// connection of each enters the group (publishing there only with the direct relay); each user hears
/// `joinPrivateChat` (focus for the initiator); the chat itself hears nothing (its first message
/// is how the other hears of it: a notice would only be one more line). Opening
/// again a chat both are still in is quiet: the sender's connections are put back and only the
/// asking connection hears `joinPrivateChat`, so a page reopening it invites nobody. Opening it
/// again after the other left brings them back (only these two users can).
pub fn create(
    sender: &Sender,
    initiator: &UserId,
    target: &UserId,
    read: &Opening,
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
    let Some(target_read) = read.target else {
        return Err(Refusal::new(
            ACTION,
            Reason::UnknownUser,
            "Nobody with that id has signed in to chatr.",
        ));
    };
    let id = ChatId::private(sender.id, target).map_err(|e| {
        Refusal::new(
            ACTION,
            Reason::InvalidId,
            format!("Those user ids make no chat id: {e}."),
        )
    })?;
    let mut outcome = Outcome::default();
    match read.existing {
        // The id alone does not say whose chat it is (`a_b` + `c` and `a` + `b_c` share one),
        // so a stored chat is reused only when it is these two users'.
        Some(stored) if is_between(&stored.value, sender.id, target) && !stored.value.deleted => {}
        Some(_) => {
            return Err(Refusal::new(
                ACTION,
                Reason::ChatExists,
                "That chat id is taken.",
            ))
        }
        None => outcome.changes.push(Change::PutChat {
            chat: Chat::private(id.clone(), [sender.id.clone(), target.clone()]),
            expect: Expect::Absent,
        }),
    }
    let me = sender.user();
    let other = user_or_new(target, Some(target_read));
    if read.existing.is_some() && read.sender_member.is_some() && read.target_member.is_some() {
        let mut actions = enter(&id, sender.id, sender.grantees());
        // The asking tab alone opens it: the sender's other tabs and devices stay where they are.
        actions.push(Action::SendToConnection(
            sender.connection.clone(),
            ServerMessage::join_private_chat(&id, &format!("Chat with {}", other.name), true),
        ));
        return Ok(Outcome { actions, ..outcome });
    }
    for (user, member) in [(&me, read.sender_member), (&other, read.target_member)] {
        if member.is_none() {
            outcome.changes.push(Change::AddMember {
                member: Member::new(&id, &user.id, &user.name),
            });
        }
    }
    outcome
        .actions
        .extend(enter(&id, sender.id, sender.grantees()));
    outcome
        .actions
        .extend(enter(&id, target, publishers(sender.relay, target_read)));
    outcome.actions.push(Action::SendToUser(
        other.id.clone(),
        ServerMessage::join_private_chat(&id, &format!("Chat with {}", me.name), false),
    ));
    outcome.actions.push(Action::SendToUser(
        me.id.clone(),
        ServerMessage::join_private_chat(&id, &format!("Chat with {}", other.name), true),
    ));
    Ok(outcome)
}

#[cfg(test)]
mod tests;
