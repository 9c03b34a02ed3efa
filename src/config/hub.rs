//! `HubName`: a Web PubSub hub, compared without regard to case as the service does.

use std::fmt;

/// Why a hub name was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a hub name: a letter, then up to 127 letters, digits or _ ` , . [ ]")]
pub struct HubNameError(pub String);

/// A hub name matching `^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$` (the service's rule).
#[derive(Debug, Clone)]
pub struct HubName(String);

impl HubName {
    /// Parses a hub name.
    pub fn parse(s: &str) -> Result<Self, HubNameError> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_`,.[]".contains(c));
        if first_ok && rest_ok && s.len() <= 128 {
            Ok(Self(s.to_string()))
        } else {
            Err(HubNameError(s.to_string()))
        }
    }

    /// The name as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` names this hub (case-insensitive, as the service lowercases hubs).
    pub fn matches(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl std::str::FromStr for HubName {
    type Err = HubNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl PartialEq for HubName {
    fn eq(&self, other: &Self) -> bool {
        self.matches(&other.0)
    }
}

impl Eq for HubName {}

impl fmt::Display for HubName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_style_names_parse() {
        for ok in ["chat", "Chat_1", "a", "a.b[c],d`e"] {
            assert!(HubName::parse(ok).is_ok(), "{ok}");
        }
        assert!(HubName::parse(&"a".repeat(128)).is_ok());
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["", "1chat", "_x", "ch at", "chat/x", "chät"] {
            assert!(HubName::parse(bad).is_err(), "{bad}");
        }
        assert!(HubName::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn hubs_compare_without_case() {
        let hub = HubName::parse("Chat").expect("valid");
        assert!(hub.matches("chat"));
        assert!(hub.matches("CHAT"));
        assert!(!hub.matches("chats"));
    }
}
