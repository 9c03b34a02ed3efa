//! A chat room as stored: group or private, its members and, per member, the connections
//! that are in it (membership and publishing rights are per connection in Web PubSub).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::chat::model::{ChatId, ConnectionId, DisplayName, UserId};

/// Most members a chat holds: keeps a chat row inside Table Storage's 64 KiB property limit.
pub const MAX_MEMBERS: usize = 500;

/// Who a chat belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ChatKind {
    /// A group chat anyone may join; only its owner deletes it.
    Group { owner: UserId },
    /// A private chat of exactly two users; nobody else ever joins.
    Private { users: [UserId; 2] },
}

/// A member: their name at joining, and their connections in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: DisplayName,
    pub connections: BTreeSet<ConnectionId>,
}

/// A chat room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: ChatId,
    pub name: DisplayName,
    #[serde(flatten)]
    pub kind: ChatKind,
    pub members: BTreeMap<UserId, Member>,
    /// A deleted chat keeps its row so that its id is never reused.
    #[serde(default)]
    pub deleted: bool,
}

/// A chat as the original client reads it: `{id, name, members:{<id>:{userId,userName}}, owner}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub members: BTreeMap<&'a str, MemberView<'a>>,
    pub owner: &'a str,
}

/// A member as the original client reads it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView<'a> {
    pub user_id: &'a str,
    pub user_name: &'a str,
}

impl Chat {
    /// A new, empty group chat.
    pub fn group(id: ChatId, name: DisplayName, owner: UserId) -> Self {
        Self {
            id,
            name,
            kind: ChatKind::Group { owner },
            members: BTreeMap::new(),
            deleted: false,
        }
    }

    /// A new, empty private chat of two users.
    pub fn private(id: ChatId, users: [UserId; 2]) -> Self {
        #[expect(
            clippy::expect_used,
            reason = "a constant name, parsed by only_its_two_users_may_join_a_private_chat"
        )]
        let name = DisplayName::parse("Private chat").expect("a valid constant name");
        Self {
            id,
            name,
            kind: ChatKind::Private { users },
            members: BTreeMap::new(),
            deleted: false,
        }
    }

    /// The owner of a group chat.
    pub fn owner(&self) -> Option<&UserId> {
        match &self.kind {
            ChatKind::Group { owner } => Some(owner),
            ChatKind::Private { .. } => None,
        }
    }

    /// Whether `user` may join: anyone for a group chat, its two users for a private one.
    pub fn may_join(&self, user: &UserId) -> bool {
        match &self.kind {
            ChatKind::Group { .. } => true,
            ChatKind::Private { users } => users.contains(user),
        }
    }

    /// Whether the chat has no room for one more user.
    pub fn is_full_for(&self, user: &UserId) -> bool {
        !self.members.contains_key(user) && self.members.len() >= MAX_MEMBERS
    }

    /// Adds a connection; true when the user became a member by it.
    pub fn add_connection(
        &mut self,
        user: &UserId,
        name: &DisplayName,
        connection: &ConnectionId,
    ) -> bool {
        let new_member = !self.members.contains_key(user);
        self.members
            .entry(user.clone())
            .or_insert_with(|| Member {
                name: name.clone(),
                connections: BTreeSet::new(),
            })
            .connections
            .insert(connection.clone());
        new_member
    }

    /// Whether this connection is in the chat.
    pub fn has_connection(&self, user: &UserId, connection: &ConnectionId) -> bool {
        self.members
            .get(user)
            .is_some_and(|m| m.connections.contains(connection))
    }

    /// Removes a connection; `Some(name)` when the user left the members by it.
    pub fn remove_connection(
        &mut self,
        user: &UserId,
        connection: &ConnectionId,
    ) -> Option<DisplayName> {
        let member = self.members.get_mut(user)?;
        member.connections.remove(connection);
        if member.connections.is_empty() {
            self.members.remove(user).map(|m| m.name)
        } else {
            None
        }
    }

    /// Every connection in the chat with its user.
    pub fn connections(&self) -> impl Iterator<Item = (&UserId, &ConnectionId)> {
        self.members
            .iter()
            .flat_map(|(u, m)| m.connections.iter().map(move |c| (u, c)))
    }

    /// The original client's view of a group chat.
    pub fn view(&self) -> ChatView<'_> {
        ChatView {
            id: self.id.as_str(),
            name: self.name.as_str(),
            members: self
                .members
                .iter()
                .map(|(id, m)| {
                    (
                        id.as_str(),
                        MemberView {
                            user_id: id.as_str(),
                            user_name: m.name.as_str(),
                        },
                    )
                })
                .collect(),
            owner: self.owner().map(UserId::as_str).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_support::{cid, name, uid};
    fn chat() -> Chat {
        Chat::group(
            ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").expect("id"),
            name("Room"),
            uid("owner"),
        )
    }

    #[test]
    fn a_user_stays_a_member_while_any_of_their_connections_is_in() {
        let mut c = chat();
        assert!(c.add_connection(&uid("a"), &name("A"), &cid("c1")));
        assert!(!c.add_connection(&uid("a"), &name("A"), &cid("c2")));
        assert_eq!(c.remove_connection(&uid("a"), &cid("c1")), None);
        assert!(c.members.contains_key(&uid("a")));
        assert_eq!(c.remove_connection(&uid("a"), &cid("c2")), Some(name("A")));
        assert!(c.members.is_empty());
    }

    #[test]
    fn the_view_is_the_original_shape() {
        let mut c = chat();
        c.add_connection(&uid("a"), &name("A"), &cid("c1"));
        let json = serde_json::to_value(c.view()).expect("JSON");
        assert_eq!(
            json,
            serde_json::json!({"id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"Room","members":{"a":{"userId":"a","userName":"A"}},"owner":"owner"})
        );
    }

    #[test]
    fn only_its_two_users_may_join_a_private_chat() {
        let c = Chat::private(
            ChatId::private(&uid("a"), &uid("b")).expect("id"),
            [uid("a"), uid("b")],
        );
        assert_eq!(c.name.as_str(), "Private chat");
        assert!(c.may_join(&uid("a")) && c.may_join(&uid("b")));
        assert!(!c.may_join(&uid("eve")));
        assert!(chat().may_join(&uid("eve")));
    }

    #[test]
    fn a_full_chat_still_takes_another_connection_of_a_member() {
        let mut c = chat();
        for i in 0..MAX_MEMBERS {
            c.add_connection(&uid(&format!("u{i}")), &name("U"), &cid(&format!("c{i}")));
        }
        assert!(c.is_full_for(&uid("newcomer")));
        assert!(!c.is_full_for(&uid("u0")));
    }

    #[test]
    fn a_chat_round_trips_through_json() {
        let mut c = chat();
        c.add_connection(&uid("a"), &name("A"), &cid("c1"));
        let back: Chat =
            serde_json::from_str(&serde_json::to_string(&c).expect("JSON")).expect("parse");
        assert_eq!(back, c);
    }
}
