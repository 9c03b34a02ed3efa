//! Which rows an event reads, beyond its connection's binding: the user it is about, the
//! chats and memberships it touches, the other user of a private chat, and whose chats are
//! counted against the cap. `process` reads exactly these before `chat::handle` decides.

use crate::chat::event::{ClientEvent, Incoming};
use crate::chat::message::{ClientMsgId, MessageId};
use crate::chat::model::{ChatId, UserId};

/// What an event needs read beyond the binding and its user's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub other_user: Option<UserId>,
    pub chats: Vec<ChatId>,
    /// Memberships, as (chat, user).
    pub members: Vec<(ChatId, UserId)>,
    /// Users the event may make members of a chat, whose chats are counted (when capped).
    pub chats_held: Vec<UserId>,
    /// A message event (send, edit, delete): it changes no chat row and no membership.
    pub about_messages: bool,
    /// The message a message event is about.
    pub message: Option<MessageNeed>,
}

/// Which stored message an event reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageNeed {
    /// The one a user sent to a chat under a `clientId` (a resend finds it).
    ByClient(ChatId, UserId, ClientMsgId),
    /// The one with this id in a chat.
    ById(ChatId, MessageId),
}

impl Needs {
    /// The chats whose lock the event takes: those whose rows or memberships it may change.
    /// A message event changes neither (its message has a key of its own), so messages into
    /// one chat never wait for each other.
    pub fn locked_chats(&self) -> &[ChatId] {
        if self.about_messages {
            &[]
        } else {
            &self.chats
        }
    }
}

/// The user whose record an event needs: the binding wins over what the event claims.
pub fn subject(binding: Option<&UserId>, claimed: Option<&UserId>) -> Option<UserId> {
    binding.or(claimed).cloned()
}

/// The rows an event of `user` reads.
pub fn needs(incoming: &Incoming, user: Option<&UserId>) -> Needs {
    let Incoming::User(event) = incoming else {
        return Needs::default();
    };
    let chat = |id: &ChatId| Needs {
        chats: vec![id.clone()],
        ..Needs::default()
    };
    let with_membership = |id: &ChatId| Needs {
        chats: vec![id.clone()],
        members: user.map(|u| (id.clone(), u.clone())).into_iter().collect(),
        ..Needs::default()
    };
    let counted = |needs: Needs| Needs {
        chats_held: user.into_iter().cloned().collect(),
        ..needs
    };
    match event {
        ClientEvent::CreateChat { id, .. } => counted(chat(id)),
        ClientEvent::DeleteChat(id) => chat(id),
        ClientEvent::JoinChat(id) => counted(with_membership(id)),
        ClientEvent::LeaveChat(id) => with_membership(id),
        ClientEvent::CreatePrivateChat { initiator, target } => {
            let id = ChatId::private(initiator, target).ok();
            Needs {
                chats: id.iter().cloned().collect(),
                members: id
                    .iter()
                    .flat_map(|id| {
                        [
                            (id.clone(), initiator.clone()),
                            (id.clone(), target.clone()),
                        ]
                    })
                    .collect(),
                other_user: Some(target.clone()),
                chats_held: vec![initiator.clone(), target.clone()],
                ..Needs::default()
            }
        }
        ClientEvent::SendMessage {
            chat: id,
            client_id,
            ..
        } => Needs {
            message: client_id.as_ref().and_then(|c| {
                user.map(|u| MessageNeed::ByClient(id.clone(), u.clone(), c.clone()))
            }),
            about_messages: true,
            ..with_membership(id)
        },
        ClientEvent::MarkRead { chat: id, .. } | ClientEvent::Typing { chat: id } => Needs {
            about_messages: true,
            ..with_membership(id)
        },
        ClientEvent::EditMessage {
            chat: id,
            id: message,
            ..
        }
        | ClientEvent::DeleteMessage {
            chat: id,
            id: message,
        } => Needs {
            message: Some(MessageNeed::ById(id.clone(), message.clone())),
            about_messages: true,
            ..with_membership(id)
        },
        ClientEvent::UserConnected | ClientEvent::UserEnterIdle | ClientEvent::UserExitIdle => {
            Needs::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_support::{chat_id, uid, ROOM};

    #[test]
    fn a_disconnect_reads_no_chat_and_a_join_reads_the_senders_membership() {
        assert_eq!(
            needs(&Incoming::Disconnected, Some(&uid("u"))),
            Needs::default()
        );
        let room = chat_id(ROOM);
        let join = Incoming::User(ClientEvent::JoinChat(room.clone()));
        assert_eq!(
            needs(&join, Some(&uid("u"))),
            Needs {
                chats: vec![room.clone()],
                members: vec![(room, uid("u"))],
                other_user: None,
                chats_held: vec![uid("u")],
                ..Needs::default()
            }
        );
    }

    #[test]
    fn a_message_reads_the_membership_and_its_client_id_and_locks_no_chat() {
        use crate::chat::message::{ClientMsgId, MessageText};
        let room = chat_id(ROOM);
        let send = |client_id: Option<&str>| {
            Incoming::User(ClientEvent::SendMessage {
                chat: room.clone(),
                text: MessageText::parse("hi").expect("text"),
                client_id: client_id.map(|c| ClientMsgId::parse(c).expect("key")),
                mentions: Vec::new(),
            })
        };
        let with_key = needs(&send(Some("k")), Some(&uid("u")));
        assert_eq!(with_key.members, vec![(room.clone(), uid("u"))]);
        assert_eq!(
            with_key.message,
            Some(MessageNeed::ByClient(
                room.clone(),
                uid("u"),
                ClientMsgId::parse("k").expect("key")
            ))
        );
        assert!(with_key.locked_chats().is_empty());
        let without = needs(&send(None), Some(&uid("u")));
        assert_eq!(without.message, None);
        assert!(without.locked_chats().is_empty());
        let join = needs(
            &Incoming::User(ClientEvent::JoinChat(room.clone())),
            Some(&uid("u")),
        );
        assert_eq!(join.locked_chats(), [room]);
    }

    #[test]
    fn opening_a_private_chat_reads_the_target_the_chat_and_both_memberships() {
        let event = Incoming::User(ClientEvent::CreatePrivateChat {
            initiator: uid("b"),
            target: uid("a"),
        });
        let needs = needs(&event, Some(&uid("b")));
        let id = ChatId::parse("private_a_b").expect("id");
        assert_eq!(needs.other_user, Some(uid("a")));
        assert_eq!(needs.chats, vec![id.clone()]);
        assert_eq!(needs.members, vec![(id.clone(), uid("b")), (id, uid("a"))]);
        assert_eq!(
            needs.chats_held,
            vec![uid("b"), uid("a")],
            "both may gain a chat"
        );
    }
}
