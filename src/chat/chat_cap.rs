//! The cap on the chats one user is in (`CHATR_MAX_CHATS_PER_USER`, default 1,000). A
//! connection's `connect` answer names the group of every chat its user is in, and a right
//! to publish in each, so the answer, and the work of each arriving connection, grow with a
//! user's chats: the cap bounds them. An event that would make someone a member of one chat
//! more than the cap allows is refused (`tooManyChats`) and changes nothing.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use crate::chat::model::{ChatId, UserId};
use crate::chat::outcome::{Change, Outcome, Reason, Refusal};

/// What the cap needs read: the cap, and how many chats each user an event may add to a chat
/// is in now (counted up to the cap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatsHeld {
    /// `None`: no limit.
    pub cap: Option<NonZeroU32>,
    pub counts: BTreeMap<UserId, usize>,
}

impl ChatsHeld {
    /// Refuses `outcome` when it makes a user who is not yet a member (`is_member` says) a
    /// member of one chat more than the cap allows.
    pub fn check(
        &self,
        action: &str,
        sender: &UserId,
        outcome: &Outcome,
        is_member: impl Fn(&ChatId, &UserId) -> bool,
    ) -> Result<(), Refusal> {
        let Some(cap) = self.cap else {
            return Ok(());
        };
        let cap = usize::try_from(cap.get()).unwrap_or(usize::MAX);
        for change in &outcome.changes {
            let Change::AddMember { member } = change else {
                continue;
            };
            if is_member(&member.chat, &member.user) {
                continue; // written again as it is: a repair, not one chat more
            }
            if self.counts.get(&member.user).copied().unwrap_or(0) >= cap {
                let message = if &member.user == sender {
                    format!("You are in {cap} chats, the most one user may be in: leave one first.")
                } else {
                    format!(
                        "{} is in {cap} chats, the most one user may be in.",
                        member.name
                    )
                };
                return Err(Refusal::new(action, Reason::TooManyChats, message));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::member::Member;
    use crate::chat::name::DisplayName;
    use crate::chat::test_support::uid;

    fn join(user: &str) -> Outcome {
        Outcome {
            changes: vec![Change::AddMember {
                member: Member::new(
                    &ChatId::parse("room").expect("id"),
                    &uid(user),
                    &DisplayName::parse(&format!("{user} name")).expect("name"),
                ),
            }],
            ..Outcome::default()
        }
    }

    fn held(cap: u32, counts: &[(&str, usize)]) -> ChatsHeld {
        ChatsHeld {
            cap: NonZeroU32::new(cap),
            counts: counts.iter().map(|(u, n)| (uid(u), *n)).collect(),
        }
    }

    #[test]
    fn one_below_the_cap_may_join_and_at_the_cap_is_refused() {
        let never = |_: &ChatId, _: &UserId| false;
        let below = held(3, &[("alice", 2)]);
        assert!(below
            .check("joinChat", &uid("alice"), &join("alice"), never)
            .is_ok());
        let at = held(3, &[("alice", 3)]);
        let refusal = at
            .check("joinChat", &uid("alice"), &join("alice"), never)
            .expect_err("refused");
        assert_eq!(refusal.reason, Reason::TooManyChats);
        assert!(
            refusal.message.contains("You are in 3 chats"),
            "{refusal:?}"
        );
    }

    #[test]
    fn the_other_user_of_a_private_chat_is_named_when_at_the_cap() {
        let at = held(2, &[("bob", 2)]);
        let refusal = at
            .check("createPrivateChat", &uid("alice"), &join("bob"), |_, _| {
                false
            })
            .expect_err("refused");
        assert!(
            refusal.message.starts_with("bob name is in 2 chats"),
            "{refusal:?}"
        );
    }

    #[test]
    fn a_member_written_again_and_no_cap_are_never_refused() {
        let at = held(1, &[("alice", 1)]);
        assert!(at
            .check("joinChat", &uid("alice"), &join("alice"), |_, _| true)
            .is_ok());
        let none = held(0, &[("alice", 10_000)]);
        assert!(none
            .check("joinChat", &uid("alice"), &join("alice"), |_, _| false)
            .is_ok());
    }
}
