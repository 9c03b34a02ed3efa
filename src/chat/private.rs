//! Private chats: two users, a stored chat `private_<a>_<b>` that both can rejoin from any
//! tab, and nobody else can ever enter.

use crate::chat::group::{join_connection, Sender};
use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Action, Outcome, Reason, Refusal, ServerMessage, Versioned};
use crate::chat::room::{Chat, ChatKind};
use crate::chat::user::User;

const ACTION: &str = "createPrivateChat";

/// Whether `chat` is the private chat of exactly these two users.
fn is_between(chat: &Chat, a: &UserId, b: &UserId) -> bool {
    matches!(&chat.kind, ChatKind::Private { users } if (users[0] == *a && users[1] == *b) || (users[0] == *b && users[1] == *a))
}

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
        // The id alone does not say whose chat it is (`a_b` + `c` and `a` + `b_c` share one),
        // so a stored chat is reused only when it is these two users'.
        Some(read) if is_between(&read.value, sender.id, target) && !read.value.deleted => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::model::ConnectionId;
    use crate::chat::outcome::{Change, ChatEvent};
    use crate::chat::test_support::*;

    fn open(
        connection: &ConnectionId,
        me: &Versioned<User>,
        target: &str,
        target_read: Option<&Versioned<User>>,
        existing: Option<&Versioned<Chat>>,
    ) -> Result<Outcome, Refusal> {
        let sender = Sender {
            connection,
            id: &me.value.id,
            read: Some(me),
        };
        create(&sender, &me.value.id, &uid(target), target_read, existing)
    }

    #[test]
    fn both_users_every_connection_joins_and_each_hears_join_private_chat() {
        let me = user("alice", &["a1", "a2"]);
        let bob = user("bob", &["b1"]);
        let outcome = open(&cid("a1"), &me, "bob", Some(&bob), None).expect("opened");
        let id = chat_id("private_alice_bob");
        for c in ["a1", "a2", "b1"] {
            assert!(
                outcome
                    .actions
                    .contains(&Action::AddToGroup(id.clone(), cid(c))),
                "{c}"
            );
            assert!(
                outcome.actions.contains(&Action::Grant(cid(c), id.clone())),
                "{c}"
            );
        }
        assert!(outcome.actions.contains(&Action::SendToUser(
            uid("bob"),
            ServerMessage::join_private_chat(&id, "Chat with alice-name", false)
        )));
        assert!(outcome.actions.contains(&Action::SendToUser(
            uid("alice"),
            ServerMessage::join_private_chat(&id, "Chat with bob-name", true)
        )));
        assert_eq!(
            outcome.actions.last(),
            Some(&Action::Notice(
                id.clone(),
                "💬 alice-name wants to chat".into()
            ))
        );
        let chat = written_chat(&outcome.changes);
        assert!(
            matches!(&chat.kind, ChatKind::Private { users } if users.contains(&uid("alice")) && users.contains(&uid("bob")))
        );
        assert_eq!(
            written_users(&outcome.changes).len(),
            2,
            "both users' indexes record the chat"
        );
    }

    #[test]
    fn join_private_chat_data_is_a_json_string_in_the_original_shape() {
        let msg = ServerMessage::join_private_chat(&chat_id("private_a_b"), "Chat with B", true);
        assert_eq!(msg.chat_event, ChatEvent::JoinPrivateChat);
        let data: serde_json::Value = serde_json::from_str(&msg.data).expect("JSON string");
        assert_eq!(
            data,
            serde_json::json!({"id":"private_a_b","name":"Chat with B","grabFocus":true})
        );
    }

    #[test]
    fn an_initiator_other_than_the_sender_is_refused_fixing_hole_5() {
        let me = user("mallory", &["m1"]);
        let sender = Sender {
            connection: &cid("m1"),
            id: &me.value.id,
            read: Some(&me),
        };
        let refusal = create(
            &sender,
            &uid("alice"),
            &uid("bob"),
            Some(&user("bob", &["b1"])),
            None,
        )
        .expect_err("refused");
        assert_eq!(refusal.reason, Reason::IdentityMismatch);
    }

    #[test]
    fn an_offline_target_is_refused_and_nobody_is_removed_fixing_hole_21() {
        let me = user("alice", &["a1"]);
        let refusal =
            open(&cid("a1"), &me, "bob", Some(&user("bob", &[])), None).expect_err("refused");
        assert_eq!(refusal.reason, Reason::UserOffline);
        let refusal = open(&cid("a1"), &me, "ghost", None, None).expect_err("refused");
        assert_eq!(refusal.reason, Reason::UserOffline);
    }

    #[test]
    fn a_private_chat_with_oneself_is_refused() {
        let me = user("alice", &["a1"]);
        let refusal = open(&cid("a1"), &me, "alice", Some(&me), None).expect_err("refused");
        assert_eq!(refusal.reason, Reason::InvalidPayload);
    }

    #[test]
    fn opening_it_again_reuses_the_stored_chat() {
        let me = user("alice", &["a3"]);
        let bob = user("bob", &["b1"]);
        let first =
            open(&cid("a1"), &user("alice", &["a1"]), "bob", Some(&bob), None).expect("opened");
        let stored = Versioned {
            value: written_chat(&first.changes).clone(),
            version: crate::chat::outcome::Version("7".into()),
        };
        let again = open(&cid("a3"), &me, "bob", Some(&bob), Some(&stored)).expect("reopened");
        assert!(again.changes.iter().any(|c| matches!(
            c,
            Change::PutChat {
                expect: crate::chat::outcome::Expect::Version(_),
                ..
            }
        )));
        assert!(written_chat(&again.changes).has_connection(&uid("alice"), &cid("a3")));
    }

    #[test]
    fn a_colliding_id_never_opens_another_pairs_private_chat() {
        // `a_b` + `c` and `a` + `b_c` both make `private_a_b_c`.
        let theirs = Versioned {
            value: Chat::private(chat_id("private_a_b_c"), [uid("a_b"), uid("c")]),
            version: crate::chat::outcome::Version("1".into()),
        };
        let me = user("a", &["m1"]);
        let refusal = open(
            &cid("m1"),
            &me,
            "b_c",
            Some(&user("b_c", &["x1"])),
            Some(&theirs),
        )
        .expect_err("refused");
        assert_eq!(refusal.reason, Reason::ChatExists);
    }

    #[test]
    fn a_third_user_can_never_join_a_private_chat() {
        let stored = Versioned {
            value: Chat::private(chat_id("private_alice_bob"), [uid("alice"), uid("bob")]),
            version: crate::chat::outcome::Version("1".into()),
        };
        let eve = user("eve", &["e1"]);
        let sender = Sender {
            connection: &cid("e1"),
            id: &eve.value.id,
            read: Some(&eve),
        };
        let refusal = crate::chat::group::join(&sender, Some(&stored)).expect_err("refused");
        assert_eq!(refusal.reason, Reason::NotMember);
        let bob = user("bob", &["b9"]);
        let sender = Sender {
            connection: &cid("b9"),
            id: &bob.value.id,
            read: Some(&bob),
        };
        assert!(
            crate::chat::group::join(&sender, Some(&stored)).is_ok(),
            "its own users rejoin from a new tab"
        );
    }
}
