//! Read state: how many of a chat's messages after a member's read cursor they have not read,
//! and how many of those mention them. Counted over a bounded run of messages (the caller reads
//! at most [`UNREAD_CAP`] after the cursor), so that a long-unread chat costs the same as a
//! short one and shows as "99+".

use serde::Serialize;

use crate::chat::message::Message;
use crate::chat::model::UserId;

/// The most messages after a cursor that are counted: past it, the count reads as "at least".
pub const UNREAD_CAP: usize = 100;

/// A member's unread counts in one chat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Unread {
    /// Messages of others after the cursor, deleted ones left out (at most `UNREAD_CAP`).
    pub unread: usize,
    /// Those of them that mention the member.
    pub mentions: usize,
}

/// Counts `after` (the messages after `me`'s cursor, oldest first, at most `UNREAD_CAP`).
pub fn count(after: &[Message], me: &UserId) -> Unread {
    after
        .iter()
        .filter(|m| !m.deleted && &m.from != me)
        .fold(Unread::default(), |acc, m| Unread {
            unread: acc.unread + 1,
            mentions: acc.mentions + usize::from(m.mentions.contains(me)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::message::MessageId;
    use crate::chat::test_support::{chat_id, name, uid};

    fn message(n: u64, from: &str, mentions: &[&str], deleted: bool) -> Message {
        Message {
            id: MessageId::floor_at(n),
            chat: chat_id("room"),
            from: uid(from),
            from_name: name(from),
            text: if deleted { String::new() } else { "hi".into() },
            time: String::new(),
            client_id: None,
            mentions: mentions.iter().map(|m| uid(m)).collect(),
            edited_at: None,
            deleted,
        }
    }

    #[test]
    fn others_live_messages_count_and_mentions_of_me_among_them() {
        let after = [
            message(1, "ann", &["me"], false),
            message(2, "me", &["me"], false),
            message(3, "bob", &[], false),
            message(4, "bob", &["me"], true),
            message(5, "bob", &["carol"], false),
        ];
        assert_eq!(
            count(&after, &uid("me")),
            Unread {
                unread: 3,
                mentions: 1
            }
        );
        assert_eq!(count(&[], &uid("me")), Unread::default());
    }
}
