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
    let joins = join_connection(&mut chat, &mut user, sender.connection, true);
    let mut outcome = Outcome::default();
    outcome
        .actions
        .push(Action::SendToAll(ServerMessage::chat_created(&chat)));
    outcome.actions.extend(joins);
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
mod tests {
    use super::*;
    use crate::chat::outcome::{Change, Expect, Version};
    use crate::chat::test_support::*;

    fn sender<'a>(
        connection: &'a ConnectionId,
        id: &'a UserId,
        read: Option<&'a Versioned<User>>,
    ) -> Sender<'a> {
        Sender {
            connection,
            id,
            read,
        }
    }

    #[test]
    fn create_chat_stores_the_chat_owned_by_the_sender_and_broadcasts_it() {
        let (c, u, me) = (cid("c1"), uid("alice"), user("alice", &["c1"]));
        let outcome = create(
            &sender(&c, &u, Some(&me)),
            &chat_id(ROOM),
            &name("Room"),
            None,
        )
        .expect("created");
        let chat = written_chat(&outcome.changes);
        assert_eq!(chat.owner(), Some(&u));
        assert!(outcome.changes.iter().any(|ch| matches!(
            ch,
            Change::PutChat {
                expect: Expect::Absent,
                ..
            }
        )));
        let Action::SendToAll(msg) = &outcome.actions[0] else {
            panic!("chatCreated first")
        };
        assert_eq!(msg.chat_event, ChatEvent::ChatCreated);
        let data: serde_json::Value = serde_json::from_str(&msg.data).expect("a JSON string");
        assert_eq!(data["id"], ROOM);
        assert_eq!(data["name"], "Room");
        assert_eq!(data["owner"], "alice");
    }

    #[test]
    fn create_chat_joins_the_creator_so_join_order_does_not_matter_fixing_hole_17() {
        let (c, u, me) = (cid("c1"), uid("alice"), user("alice", &["c1"]));
        let outcome = create(
            &sender(&c, &u, Some(&me)),
            &chat_id(ROOM),
            &name("Room"),
            None,
        )
        .expect("created");
        assert!(outcome
            .actions
            .contains(&Action::AddToGroup(chat_id(ROOM), c.clone())));
        assert!(outcome
            .actions
            .contains(&Action::Grant(c.clone(), chat_id(ROOM))));
        assert!(written_chat(&outcome.changes).has_connection(&u, &c));
        // The original client's joinChat right after changes nothing and announces nothing.
        let stored = Versioned {
            value: written_chat(&outcome.changes).clone(),
            version: Version("c1".into()),
        };
        let me_after = Versioned {
            value: written_users(&outcome.changes)[0].clone(),
            version: Version("u2".into()),
        };
        let again = join(&sender(&c, &u, Some(&me_after)), Some(&stored)).expect("joined");
        assert!(again.changes.is_empty(), "{:?}", again.changes);
        assert!(!again
            .actions
            .iter()
            .any(|a| matches!(a, Action::Notice(..))));
    }

    #[test]
    fn create_chat_never_overwrites_an_existing_chat_fixing_hole_4() {
        let (c, u) = (cid("c1"), uid("mallory"));
        let existing = room("alice", &[]);
        let refusal = create(
            &sender(&c, &u, None),
            &chat_id(ROOM),
            &name("Mine now"),
            Some(&existing),
        )
        .expect_err("refused");
        assert_eq!(refusal.reason, Reason::ChatExists);
        let mut deleted = existing;
        deleted.value.deleted = true;
        let refusal = create(
            &sender(&c, &u, None),
            &chat_id(ROOM),
            &name("Reuse"),
            Some(&deleted),
        )
        .expect_err("refused");
        assert_eq!(
            refusal.reason,
            Reason::ChatExists,
            "a deleted chat's id is never reused"
        );
    }

    #[test]
    fn joining_grants_the_sending_connection_send_to_group_for_that_chat_alone_fixing_hole_2() {
        let (c, u, me) = (cid("c2"), uid("bob"), user("bob", &["c2", "c3"]));
        let outcome = join(
            &sender(&c, &u, Some(&me)),
            Some(&room("alice", &[("alice", "c1")])),
        )
        .expect("joined");
        assert_eq!(
            outcome.actions,
            vec![
                Action::AddToGroup(chat_id(ROOM), cid("c2")),
                Action::Grant(cid("c2"), chat_id(ROOM)),
                Action::Notice(chat_id(ROOM), "💬 bob-name has joined the chat".into()),
            ],
            "the other tab c3 joins on its own"
        );
        let chat = written_chat(&outcome.changes);
        assert!(chat.has_connection(&u, &c) && !chat.has_connection(&u, &cid("c3")));
        let users = written_users(&outcome.changes);
        assert!(
            users[0].connections[&c].chats.contains(&chat_id(ROOM)),
            "the user's index records the chat"
        );
    }

    #[test]
    fn notices_are_plain_text_fixing_hole_15() {
        let (c, u) = (cid("c2"), uid("bob"));
        let mut me = user("bob", &["c2"]);
        me.value.name = name("<img src=x onerror=alert(1)>");
        let outcome = join(&sender(&c, &u, Some(&me)), Some(&room("alice", &[]))).expect("joined");
        assert!(outcome.actions.contains(&Action::Notice(
            chat_id(ROOM),
            "💬 <img src=x onerror=alert(1)> has joined the chat".into()
        )));
        assert!(!outcome
            .actions
            .iter()
            .any(|a| matches!(a, Action::Notice(_, t) if t.contains("<b>"))));
    }

    #[test]
    fn joining_a_missing_chat_is_refused_fixing_hole_22() {
        let (c, u) = (cid("c1"), uid("bob"));
        assert_eq!(
            join(&sender(&c, &u, None), None)
                .expect_err("refused")
                .reason,
            Reason::ChatNotFound
        );
        let mut deleted = room("alice", &[]);
        deleted.value.deleted = true;
        assert_eq!(
            join(&sender(&c, &u, None), Some(&deleted))
                .expect_err("refused")
                .reason,
            Reason::ChatNotFound
        );
    }

    #[test]
    fn a_full_chat_refuses_a_new_member() {
        let mut full = room("alice", &[]);
        for i in 0..crate::chat::room::MAX_MEMBERS {
            full.value
                .add_connection(&uid(&format!("u{i}")), &name("U"), &cid(&format!("c{i}")));
        }
        let (c, u) = (cid("new"), uid("newcomer"));
        assert_eq!(
            join(&sender(&c, &u, None), Some(&full))
                .expect_err("refused")
                .reason,
            Reason::ChatFull
        );
    }

    #[test]
    fn leaving_from_one_tab_keeps_the_other_tab_in_the_chat_fixing_hole_19() {
        let (c, u) = (cid("c1"), uid("bob"));
        let me = user("bob", &["c1", "c2"]);
        let chat = room("alice", &[("bob", "c1"), ("bob", "c2")]);
        let outcome = leave(&sender(&c, &u, Some(&me)), Some(&chat)).expect("left");
        assert_eq!(
            outcome.actions,
            vec![
                Action::RemoveFromGroup(chat_id(ROOM), cid("c1")),
                Action::Revoke(cid("c1"), chat_id(ROOM))
            ]
        );
        assert!(written_chat(&outcome.changes).has_connection(&u, &cid("c2")));
    }

    #[test]
    fn leaving_from_the_last_tab_leaves_the_members_and_tells_the_chat_by_the_stored_name() {
        let (c, u) = (cid("c1"), uid("bob"));
        let chat = room("alice", &[("bob", "c1")]);
        let outcome =
            leave(&sender(&c, &u, Some(&user("bob", &["c1"]))), Some(&chat)).expect("left");
        assert!(outcome.actions.contains(&Action::Notice(
            chat_id(ROOM),
            "💨 bob-name has left the chat".into()
        )));
        assert!(!written_chat(&outcome.changes).members.contains_key(&u));
    }

    #[test]
    fn leaving_a_chat_one_is_not_in_is_refused() {
        let (c, u) = (cid("c9"), uid("bob"));
        let chat = room("alice", &[("bob", "c1")]);
        assert_eq!(
            leave(&sender(&c, &u, None), Some(&chat))
                .expect_err("refused")
                .reason,
            Reason::NotMember
        );
        assert_eq!(
            leave(&sender(&c, &u, None), None)
                .expect_err("refused")
                .reason,
            Reason::ChatNotFound
        );
    }

    #[test]
    fn a_non_owner_cannot_delete_a_chat_fixing_hole_4() {
        let (c, u) = (cid("c2"), uid("bob"));
        let refusal = delete(
            &sender(&c, &u, None),
            Some(&room("alice", &[("bob", "c2")])),
        )
        .expect_err("refused");
        assert_eq!(refusal.reason, Reason::NotOwner);
    }

    #[test]
    fn the_owner_deletes_every_connection_loses_group_and_grant_and_everyone_hears_it() {
        let (c, u) = (cid("c1"), uid("alice"));
        let chat = room("alice", &[("alice", "c1"), ("bob", "c2")]);
        let outcome = delete(&sender(&c, &u, None), Some(&chat)).expect("deleted");
        for conn in ["c1", "c2"] {
            assert!(outcome
                .actions
                .contains(&Action::RemoveFromGroup(chat_id(ROOM), cid(conn))));
            assert!(outcome
                .actions
                .contains(&Action::Revoke(cid(conn), chat_id(ROOM))));
        }
        assert_eq!(
            outcome.actions.last(),
            Some(&Action::SendToAll(ServerMessage::bare(
                ChatEvent::ChatDeleted,
                ROOM
            )))
        );
        let written = written_chat(&outcome.changes);
        assert!(written.deleted && written.members.is_empty());
        assert_eq!(
            delete(&sender(&c, &u, None), None)
                .expect_err("gone")
                .reason,
            Reason::ChatNotFound
        );
    }
}
