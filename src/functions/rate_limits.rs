//! Per-user rate limits, kept in this handler instance's memory: one token bucket per user
//! and kind (messages, chats opened, history pages, searches, typing in any chat), and per
//! user and chat for typing. With several instances behind the Functions host each keeps its
//! own, so a user's limit is per instance.
//!
//! The buckets are bounded: past `MAX_TRACKED` users, those whose bucket has refilled (whom
//! forgetting changes nothing) are dropped; should every one still be draining, the newcomer
//! is let through untracked rather than anyone's state being lost.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;

use tokio::time::Instant;

use crate::chat::model::{ChatId, UserId};
use crate::chat::rate::Bucket;
use crate::config::limits::{Limits, Rate};

/// Most keys (users, or users in a chat) whose buckets one limiter keeps.
pub const MAX_TRACKED: usize = 100_000;

/// `typing`: one per 2 s per user and chat (the client sends at most one every 3 s), no burst.
pub const TYPING_PER_MINUTE: u32 = 30;
/// `typing` in any chats: at most this many per minute per user (a burst of a tenth), so that
/// naming a new chat in each event does not get around the per-chat bucket.
pub const TYPING_ANY_CHAT_PER_MINUTE: u32 = 60;
/// `/api/users?q=` (with or without `chatId`) and `?ids=`: per user per minute (a quarter at
/// once): the @ picker and the people dialog search as someone types.
pub const SEARCHES_PER_MINUTE: u32 = 120;

/// One kind of event's buckets, one per key (a user, or a user in a chat).
#[derive(Debug)]
pub struct RateLimiter<K = UserId> {
    rate: Option<Rate>,
    started: Instant,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter at `rate` (`None`: no limit).
    pub fn new(rate: Option<Rate>) -> Self {
        Self {
            rate,
            started: Instant::now(),
            buckets: Mutex::default(),
        }
    }

    /// Takes one of `user`'s tokens, or says in how many milliseconds to try again.
    pub fn check(&self, user: &K) -> Result<(), u64> {
        let Some(rate) = &self.rate else {
            return Ok(());
        };
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned map limits nobody rather than everybody
        };
        if !buckets.contains_key(user) && buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, b| !b.is_full(rate, now));
            if buckets.len() >= MAX_TRACKED {
                tracing::warn!(
                    tracked = buckets.len(),
                    "rate limiter full; letting a user through untracked"
                );
                return Ok(());
            }
        }
        buckets
            .entry(user.clone())
            .or_insert_with(|| Bucket::full(rate, now))
            .take(rate, now)
    }

    /// How many users' buckets are kept.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }
}

/// The handler's limiters.
#[derive(Debug)]
pub struct RateLimits {
    pub messages: RateLimiter,
    pub chat_creates: RateLimiter,
    pub history_reads: RateLimiter,
    /// Keyed by the user and a hash of the chat id (`typing_key`): an entry's size does not
    /// depend on what a client names.
    pub typing: RateLimiter<(UserId, u64)>,
    pub typing_any_chat: RateLimiter,
    pub searches: RateLimiter,
    chat_hasher: RandomState,
}

impl RateLimits {
    /// The `typing` bucket's key for `user` in `chat`.
    pub fn typing_key(&self, user: &UserId, chat: &ChatId) -> (UserId, u64) {
        (user.clone(), self.chat_hasher.hash_one(chat.as_str()))
    }
}

impl RateLimits {
    /// The limiters of `limits`.
    pub fn of(limits: &Limits) -> Self {
        Self {
            messages: RateLimiter::new(limits.messages),
            chat_creates: RateLimiter::new(limits.chat_creates),
            history_reads: RateLimiter::new(limits.history_reads),
            typing: RateLimiter::new(Rate::new(1, TYPING_PER_MINUTE)),
            typing_any_chat: RateLimiter::new(Rate::new(
                TYPING_ANY_CHAT_PER_MINUTE / 10,
                TYPING_ANY_CHAT_PER_MINUTE,
            )),
            searches: RateLimiter::new(Rate::new(SEARCHES_PER_MINUTE / 4, SEARCHES_PER_MINUTE)),
            chat_hasher: RandomState::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).expect("id")
    }

    #[tokio::test(start_paused = true)]
    async fn each_user_has_a_bucket_of_their_own_refilled_as_time_passes() {
        let limiter = RateLimiter::new(Rate::new(2, 60));
        assert_eq!(limiter.check(&uid("a")), Ok(()));
        assert_eq!(limiter.check(&uid("a")), Ok(()));
        assert_eq!(limiter.check(&uid("a")), Err(1_000));
        assert_eq!(limiter.check(&uid("b")), Ok(()), "b is not a");
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        assert_eq!(limiter.check(&uid("a")), Ok(()));
        let off = RateLimiter::new(None);
        assert!((0..1000).all(|_| off.check(&uid("a")).is_ok()));
        assert_eq!(off.tracked(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_bound_only_refilled_buckets_are_forgotten() {
        let limiter = RateLimiter::new(Rate::new(1, 60));
        for i in 0..MAX_TRACKED {
            assert_eq!(limiter.check(&uid(&format!("u{i}"))), Ok(()));
        }
        assert_eq!(limiter.tracked(), MAX_TRACKED);
        // Every bucket is still draining: a newcomer passes untracked, nobody is forgotten.
        assert_eq!(limiter.check(&uid("new")), Ok(()));
        assert_eq!(limiter.tracked(), MAX_TRACKED);
        assert!(limiter.check(&uid("u0")).is_err(), "u0 is still limited");
        tokio::time::advance(std::time::Duration::from_secs(2)).await;
        assert_eq!(limiter.check(&uid("new")), Ok(()));
        assert_eq!(limiter.tracked(), 1, "the refilled buckets went");
    }
}
