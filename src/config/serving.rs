//! How long an HTTP listener waits for a client: its request headers, its request body, and
//! the connections still open at shutdown. The defaults fit the cloud and a laptop; tests set
//! them short so that a slow client is seen to be cut without waiting 30 s.

use std::time::Duration;

use crate::config::error::ConfigError;
use crate::config::names::{
    CHATR_BODY_TIMEOUT_SECS, CHATR_HEADER_TIMEOUT_SECS, CHATR_SHUTDOWN_GRACE_SECS,
};
use crate::listener::limits::{BODY_TIMEOUT, HEADER_READ_TIMEOUT, SHUTDOWN_GRACE};
use crate::listener::Limits;

/// The longest any of these may be set to.
const MAX_SECONDS: f64 = 3600.0;

/// The timeouts of every listener of one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serving {
    /// A request's headers must arrive within this (`CHATR_HEADER_TIMEOUT_SECS`).
    pub header_read: Duration,
    /// A request's body must arrive within this, from the request's start
    /// (`CHATR_BODY_TIMEOUT_SECS`).
    pub body: Duration,
    /// Shutdown waits this long for open connections (`CHATR_SHUTDOWN_GRACE_SECS`).
    pub grace: Duration,
}

impl Default for Serving {
    fn default() -> Self {
        Self {
            header_read: HEADER_READ_TIMEOUT,
            body: BODY_TIMEOUT,
            grace: SHUTDOWN_GRACE,
        }
    }
}

/// Seconds, fractions allowed (`0.5`), more than 0 and at most an hour.
pub fn seconds(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let malformed = |reason: String| ConfigError::Malformed {
        name,
        reason,
        expected: "seconds, more than 0 and at most 3600 (fractions allowed: 0.5)",
    };
    let n: f64 = value
        .trim()
        .parse()
        .map_err(|_| malformed(format!("`{value}` is not a number")))?;
    if !(n > 0.0 && n <= MAX_SECONDS) {
        return Err(malformed(format!("{n} is out of range")));
    }
    Ok(Duration::from_secs_f64(n))
}

impl Serving {
    /// Reads the timeouts from a lookup; unset ones keep their defaults.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut serving = Self::default();
        if let Some(v) = get(CHATR_HEADER_TIMEOUT_SECS) {
            serving.header_read = seconds(CHATR_HEADER_TIMEOUT_SECS, &v)?;
        }
        if let Some(v) = get(CHATR_BODY_TIMEOUT_SECS) {
            serving.body = seconds(CHATR_BODY_TIMEOUT_SECS, &v)?;
        }
        if let Some(v) = get(CHATR_SHUTDOWN_GRACE_SECS) {
            serving.grace = seconds(CHATR_SHUTDOWN_GRACE_SECS, &v)?;
        }
        Ok(serving)
    }

    /// A listener's limits: these timeouts, at most `max_connections` connections.
    pub fn limits(&self, max_connections: usize) -> Limits {
        Limits {
            header_read: self.header_read,
            body: self.body,
            max_connections: max_connections.max(1),
            grace: self.grace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_read_in_seconds_with_fractions() {
        let serving = Serving::from_lookup(|name| match name {
            CHATR_HEADER_TIMEOUT_SECS => Some("0.25".into()),
            CHATR_SHUTDOWN_GRACE_SECS => Some("2".into()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(serving.header_read, Duration::from_millis(250));
        assert_eq!(serving.body, BODY_TIMEOUT);
        assert_eq!(serving.grace, Duration::from_secs(2));
    }

    #[test]
    fn zero_negative_huge_and_words_are_refused_naming_the_setting() {
        for bad in ["0", "-1", "3601", "soon", "NaN", "inf"] {
            let err = Serving::from_lookup(|name| {
                (name == CHATR_BODY_TIMEOUT_SECS).then(|| bad.to_string())
            })
            .expect_err(bad);
            assert!(err.to_string().contains(CHATR_BODY_TIMEOUT_SECS), "{err}");
        }
    }
}
