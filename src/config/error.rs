//! The error of a setting that is missing or malformed: it names the setting and the form it
//! must take.

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("setting {name} is missing; expected {expected}")]
    Missing {
        name: &'static str,
        expected: &'static str,
    },
    #[error("setting {name} is malformed: {reason}; expected {expected}")]
    Malformed {
        name: &'static str,
        reason: String,
        expected: &'static str,
    },
}
