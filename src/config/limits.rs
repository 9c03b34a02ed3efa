//! The chat's tunable bounds and schedules, each a number with a name: how many connections
//! one user may hold, how many chats one user may be in, and how often the sweep runs. `0`
//! turns any of them off (load tests do).

use std::num::NonZeroU32;
use std::time::Duration;

use crate::config::error::ConfigError;
use crate::config::names::{
    CHATR_MAX_CHATS_PER_USER, CHATR_MAX_CONNECTIONS_PER_USER, CHATR_SWEEP_SECONDS,
};

/// The default cap on one user's connections: tabs and devices, with room to spare.
pub const DEFAULT_MAX_CONNECTIONS_PER_USER: u32 = 20;
/// The default cap on one user's chats: more than a person follows, few enough for the
/// `connect` answer that names each.
pub const DEFAULT_MAX_CHATS_PER_USER: u32 = 1_000;
/// The default time between sweeps.
pub const DEFAULT_SWEEP_SECONDS: u64 = 5 * 60;

/// The bounds a handler runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most connections one user may hold at once; `None`: no limit.
    pub max_connections_per_user: Option<NonZeroU32>,
    /// The most chats one user may be in; `None`: no limit.
    pub max_chats_per_user: Option<NonZeroU32>,
    /// Time between sweeps of dead connections and deleted chats; `None`: no sweep.
    pub sweep_interval: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections_per_user: NonZeroU32::new(DEFAULT_MAX_CONNECTIONS_PER_USER),
            max_chats_per_user: NonZeroU32::new(DEFAULT_MAX_CHATS_PER_USER),
            sweep_interval: Some(Duration::from_secs(DEFAULT_SWEEP_SECONDS)),
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
