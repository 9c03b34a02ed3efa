//! A chat as stored: group or private, its name, whether it was deleted, and how many members
//! it has. Who the members are is kept in rows of their own ([`crate::chat::member`]), so
//! that a chat's record does not grow with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chat::member::Member;
use crate::chat::model::{ChatId, UserId};
use crate::chat::name::DisplayName;

/// Most members a chat holds (`chatFull` past it): a bound on what one chat's join, leave and
/// delete may cost, far above any chat people hold a conversation in.
pub const MAX_MEMBERS: u64 = 100_000;

/// Chats of more members than this announce no joins and leaves (the member count changes
/// instead): in a big chat the notices would drown the conversation.
pub const NOTICE_MAX_MEMBERS: u64 = 200;

/// Who a chat belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ChatKind {
    /// A group chat anyone may join; only its owner deletes it.
    Group { owner: UserId },
    /// A private chat of exactly two users, both members from its creation; nobody else
    /// ever joins.
    Private { users: [UserId; 2] },
}

/// A chat room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: ChatId,
    pub name: DisplayName,
    #[serde(flatten)]
    pub kind: ChatKind,
    /// A deleted chat keeps its row so that its id is never reused.
    #[serde(default)]
    pub deleted: bool,
    /// How many members it has: the store keeps it beside the row as members come and go,
    /// and fills it in on reading (it is not part of the row's JSON).
    #[serde(skip)]
    pub member_count: u64,
}

/// A chat as the original client reads it, `{id, name, members:{<id>:{userId,userName}},
/// owner}`, plus `memberCount`. `members` holds at most the viewer's own entry (enough for a
/// client to know where it belongs), never the whole membership.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub members: BTreeMap<&'a str, MemberView<'a>>,
    pub owner: &'a str,
    pub member_count: u64,
}

/// A member as the original client reads it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView<'a> {
    pub user_id: &'a str,
    pub user_name: &'a str,
}

impl Chat {
    /// A new group chat with no members yet.
    pub fn group(id: ChatId, name: DisplayName, owner: UserId) -> Self {
        Self {
            id,
            name,
            kind: ChatKind::Group { owner },
            deleted: false,
            member_count: 0,
        }
    }

    /// A new private chat of two users, with no members yet.
    pub fn private(id: ChatId, users: [UserId; 2]) -> Self {
        #[expect(
            clippy::expect_used,
            reason = "a constant name, parsed by a_private_chat_is_named_private_chat"
        )]
        let name = DisplayName::parse("Private chat").expect("a valid constant name");
        Self {
            id,
            name,
            kind: ChatKind::Private { users },
            deleted: false,
            member_count: 0,
        }
    }

    /// The owner of a group chat.
    pub fn owner(&self) -> Option<&UserId> {
        match &self.kind {
            ChatKind::Group { owner } => Some(owner),
            ChatKind::Private { .. } => None,
        }
    }

    /// Whether `user` may be a member: anyone for a group chat, its two users for a private
    /// one.
    pub fn may_join(&self, user: &UserId) -> bool {
        match &self.kind {
            ChatKind::Group { .. } => true,
            ChatKind::Private { users } => users.contains(user),
        }
    }

    /// Whether a join or leave is announced to the chat: only in chats small enough to talk
    /// in (`count` is the member count around the change, the larger side).
    pub fn announces(count: u64) -> bool {
        count <= NOTICE_MAX_MEMBERS
    }

    /// The client's view of the chat, with `viewer`'s own membership when there is one.
    pub fn view<'a>(&'a self, viewer: Option<&'a Member>) -> ChatView<'a> {
        ChatView {
            id: self.id.as_str(),
            name: self.name.as_str(),
            members: viewer
                .map(|m| {
                    (
                        m.user.as_str(),
                        MemberView {
                            user_id: m.user.as_str(),
                            user_name: m.name.as_str(),
                        },
                    )
                })
                .into_iter()
                .collect(),
            owner: self.owner().map(UserId::as_str).unwrap_or_default(),
            member_count: self.member_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_support::{chat_id, name, uid, ROOM};

    fn chat() -> Chat {
        Chat::group(chat_id(ROOM), name("Room"), uid("owner"))
    }

    #[test]
    fn the_view_is_the_original_shape_with_only_the_viewer_as_member() {
        let mut c = chat();
        c.member_count = 7;
        let me = Member::new(&c.id, &uid("a"), &name("A"));
        let json = serde_json::to_value(c.view(Some(&me))).expect("JSON");
        assert_eq!(
            json,
            serde_json::json!({"id": ROOM, "name": "Room", "members": {"a": {"userId": "a", "userName": "A"}}, "owner": "owner", "memberCount": 7})
        );
        let anonymous = serde_json::to_value(c.view(None)).expect("JSON");
        assert_eq!(anonymous["members"], serde_json::json!({}));
    }

    #[test]
    fn a_private_chat_is_named_private_chat_and_only_its_two_users_may_join() {
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
    fn joins_and_leaves_are_announced_up_to_two_hundred_members() {
        assert!(Chat::announces(1));
        assert!(Chat::announces(NOTICE_MAX_MEMBERS));
        assert!(!Chat::announces(NOTICE_MAX_MEMBERS + 1));
    }

    #[test]
    fn a_chat_round_trips_through_json_and_an_old_row_with_members_still_reads() {
        let c = chat();
        let back: Chat =
            serde_json::from_str(&serde_json::to_string(&c).expect("JSON")).expect("parse");
        assert_eq!(back, c);
        let old = serde_json::json!({"id": ROOM, "name": "Room", "kind": "group", "owner": "owner",
            "members": {"a": {"name": "A", "connections": ["c1"]}}, "deleted": false});
        let read: Chat = serde_json::from_value(old).expect("an old row parses");
        assert_eq!(read.member_count, 0, "the migration counts the members");
    }
}
