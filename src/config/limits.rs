//! The chat's tunable bounds and schedules, each a number with a name: how many connections
//! one user may hold, how many chats one user may be in, how often the sweep runs, and how
//! fast one user may send messages, open chats and read history. `0` turns any of them off
//! (load tests do).

use std::num::NonZeroU32;
use std::time::Duration;

use crate::config::error::ConfigError;
use crate::config::names::{
    CHATR_CHAT_CREATE_PER_MINUTE, CHATR_DIRECT_RELAY, CHATR_HISTORY_READS_PER_MINUTE,
    CHATR_MAX_CHATS_PER_USER, CHATR_MAX_CONNECTIONS_PER_USER, CHATR_MESSAGE_BURST,
    CHATR_MESSAGE_RATE, CHATR_MESSAGE_RETENTION_DAYS, CHATR_SWEEP_SECONDS,
};

/// The default cap on one user's connections: tabs and devices, with room to spare.
pub const DEFAULT_MAX_CONNECTIONS_PER_USER: u32 = 20;
/// The default cap on one user's chats: more than a person follows, few enough for the
/// `connect` answer that names each.
pub const DEFAULT_MAX_CHATS_PER_USER: u32 = 1_000;
/// The default time between sweeps.
pub const DEFAULT_SWEEP_SECONDS: u64 = 5 * 60;

/// A rate limit as a token bucket: up to `burst` at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: NonZeroU32,
    pub per_minute: NonZeroU32,
}

impl Rate {
    /// `burst` at once, `per_minute` after; `None` when either is 0 (no limit).
    pub fn new(burst: u32, per_minute: u32) -> Option<Self> {
        Some(Self {
            burst: NonZeroU32::new(burst)?,
            per_minute: NonZeroU32::new(per_minute)?,
        })
    }
}

/// The default burst of messages one user may send.
pub const DEFAULT_MESSAGE_BURST: u32 = 20;
/// The default sustained messages per second of one user.
pub const DEFAULT_MESSAGE_RATE: u32 = 5;
/// The default chats one user may open per minute.
pub const DEFAULT_CHAT_CREATE_PER_MINUTE: u32 = 10;
/// The default pages of history one user may read per minute (half of them at once: enough to
/// open every tab of a big screen after a reconnect).
pub const DEFAULT_HISTORY_READS_PER_MINUTE: u32 = 120;

/// The bounds a handler runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most connections one user may hold at once; `None`: no limit.
    pub max_connections_per_user: Option<NonZeroU32>,
    /// The most chats one user may be in; `None`: no limit.
    pub max_chats_per_user: Option<NonZeroU32>,
    /// Time between sweeps of dead connections and deleted chats; `None`: no sweep.
    pub sweep_interval: Option<Duration>,
    /// Messages sent, edited and deleted by one user; `None`: no limit.
    pub messages: Option<Rate>,
    /// Chats (group or private) one user opens; `None`: no limit.
    pub chat_creates: Option<Rate>,
    /// Pages of history one user reads; `None`: no limit.
    pub history_reads: Option<Rate>,
    /// How long a message is kept (the sweep removes older ones); `None`: forever.
    pub message_retention: Option<Duration>,
    /// Members' connections may publish to their chats' groups themselves (the original
    /// client's path: such messages are not kept, checked or limited). Off by default.
    pub direct_relay: bool,
}

/// A rate of `per_minute`, with a burst of `burst_share` of it.
fn per_minute(n: u32, burst_share: u32) -> Option<Rate> {
    Rate::new((n / burst_share).max(u32::from(n > 0)), n)
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections_per_user: NonZeroU32::new(DEFAULT_MAX_CONNECTIONS_PER_USER),
            max_chats_per_user: NonZeroU32::new(DEFAULT_MAX_CHATS_PER_USER),
            sweep_interval: Some(Duration::from_secs(DEFAULT_SWEEP_SECONDS)),
            messages: Rate::new(DEFAULT_MESSAGE_BURST, DEFAULT_MESSAGE_RATE * 60),
            chat_creates: per_minute(DEFAULT_CHAT_CREATE_PER_MINUTE, 1),
            history_reads: per_minute(DEFAULT_HISTORY_READS_PER_MINUTE, 2),
            message_retention: None,
            direct_relay: false,
        }
    }
}

fn number<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Malformed {
        name,
        reason: format!("`{value}` is not a whole number"),
        expected: "a whole number, 0 to turn it off",
    })
}

impl Limits {
    /// Reads the limits from a lookup; unset ones keep their defaults.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut limits = Self::default();
        if let Some(v) = get(CHATR_MAX_CONNECTIONS_PER_USER) {
            limits.max_connections_per_user =
                NonZeroU32::new(number(CHATR_MAX_CONNECTIONS_PER_USER, &v)?);
        }
        if let Some(v) = get(CHATR_MAX_CHATS_PER_USER) {
            limits.max_chats_per_user = NonZeroU32::new(number(CHATR_MAX_CHATS_PER_USER, &v)?);
        }
        if let Some(v) = get(CHATR_SWEEP_SECONDS) {
            let seconds: u64 = number(CHATR_SWEEP_SECONDS, &v)?;
            limits.sweep_interval = (seconds > 0).then(|| Duration::from_secs(seconds));
        }
        if get(CHATR_MESSAGE_BURST).is_some() || get(CHATR_MESSAGE_RATE).is_some() {
            let burst = match get(CHATR_MESSAGE_BURST) {
                Some(v) => number(CHATR_MESSAGE_BURST, &v)?,
                None => DEFAULT_MESSAGE_BURST,
            };
            let rate: u32 = match get(CHATR_MESSAGE_RATE) {
                Some(v) => number(CHATR_MESSAGE_RATE, &v)?,
                None => DEFAULT_MESSAGE_RATE,
            };
            limits.messages = Rate::new(burst, rate.saturating_mul(60));
        }
        if let Some(v) = get(CHATR_CHAT_CREATE_PER_MINUTE) {
            limits.chat_creates = per_minute(number(CHATR_CHAT_CREATE_PER_MINUTE, &v)?, 1);
        }
        if let Some(v) = get(CHATR_HISTORY_READS_PER_MINUTE) {
            limits.history_reads = per_minute(number(CHATR_HISTORY_READS_PER_MINUTE, &v)?, 2);
        }
        if let Some(v) = get(CHATR_MESSAGE_RETENTION_DAYS) {
            let days: u32 = number(CHATR_MESSAGE_RETENTION_DAYS, &v)?;
            limits.message_retention =
                (days > 0).then(|| Duration::from_secs(u64::from(days) * 86_400));
        }
        if let Some(v) = get(CHATR_DIRECT_RELAY) {
            limits.direct_relay = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => {
                    return Err(ConfigError::Malformed {
                        name: CHATR_DIRECT_RELAY,
                        reason: format!("`{v}` is not true or false"),
                        expected: "true or false",
                    })
                }
            };
        }
        Ok(limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pairs: &[(&str, &str)]) -> Result<Limits, ConfigError> {
        Limits::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_defaults_are_twenty_connections_a_thousand_chats_and_a_sweep_every_five_minutes() {
        let l = limits(&[]).expect("defaults");
        assert_eq!(l.max_connections_per_user.map(NonZeroU32::get), Some(20));
        assert_eq!(l.max_chats_per_user.map(NonZeroU32::get), Some(1_000));
        assert_eq!(l.sweep_interval, Some(Duration::from_secs(300)));
        assert_eq!(l.messages, Rate::new(20, 300));
        assert_eq!(l.chat_creates, Rate::new(10, 10));
        assert_eq!(l.history_reads, Rate::new(60, 120));
    }

    #[test]
    fn rates_are_read_and_zero_turns_each_off() {
        let l = limits(&[
            (CHATR_MESSAGE_RATE, "2"),
            (CHATR_CHAT_CREATE_PER_MINUTE, "1"),
            (CHATR_HISTORY_READS_PER_MINUTE, "0"),
        ])
        .expect("read");
        assert_eq!(l.messages, Rate::new(20, 120));
        assert_eq!(l.chat_creates, Rate::new(1, 1));
        assert_eq!(l.history_reads, None);
        let l = limits(&[(CHATR_MESSAGE_BURST, "0")]).expect("read");
        assert_eq!(l.messages, None);
        let err = limits(&[(CHATR_MESSAGE_RATE, "fast")]).expect_err("malformed");
        assert!(err.to_string().contains(CHATR_MESSAGE_RATE), "{err}");
    }

    #[test]
    fn messages_are_kept_forever_unless_a_retention_is_set() {
        assert_eq!(limits(&[]).expect("defaults").message_retention, None);
        assert_eq!(
            limits(&[(CHATR_MESSAGE_RETENTION_DAYS, "30")])
                .expect("set")
                .message_retention,
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(
            limits(&[(CHATR_MESSAGE_RETENTION_DAYS, "0")])
                .expect("off")
                .message_retention,
            None
        );
    }

    #[test]
    fn the_direct_relay_is_off_unless_turned_on() {
        assert!(!limits(&[]).expect("defaults").direct_relay);
        assert!(
            limits(&[(CHATR_DIRECT_RELAY, "true")])
                .expect("on")
                .direct_relay
        );
        assert!(
            !limits(&[(CHATR_DIRECT_RELAY, "False")])
                .expect("off")
                .direct_relay
        );
        let err = limits(&[(CHATR_DIRECT_RELAY, "maybe")]).expect_err("malformed");
        assert!(err.to_string().contains(CHATR_DIRECT_RELAY), "{err}");
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let l = limits(&[
            (CHATR_MAX_CONNECTIONS_PER_USER, "0"),
            (CHATR_MAX_CHATS_PER_USER, "0"),
            (CHATR_SWEEP_SECONDS, "0"),
        ])
        .expect("off");
        assert_eq!(l.max_connections_per_user, None);
        assert_eq!(l.max_chats_per_user, None);
        assert_eq!(l.sweep_interval, None);
        let l = limits(&[(CHATR_MAX_CONNECTIONS_PER_USER, " 3 ")]).expect("three");
        assert_eq!(l.max_connections_per_user.map(NonZeroU32::get), Some(3));
    }

    #[test]
    fn a_value_that_is_not_a_whole_number_names_the_setting() {
        for (name, bad) in [
            (CHATR_MAX_CONNECTIONS_PER_USER, "-1"),
            (CHATR_MAX_CHATS_PER_USER, "1e3"),
            (CHATR_SWEEP_SECONDS, "soon"),
        ] {
            let err = limits(&[(name, bad)]).expect_err("malformed");
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
