//! `HubKey`: a hub name as the emulator files it. Hub names are case-insensitive in the
//! service, so a name is lowercased once, where it enters (a client's URL, a REST path, the
//! command line), and compared as it is everywhere after.

use std::fmt;

use crate::config::hub::HubName;

/// A hub name, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HubKey(String);

impl HubKey {
    /// The key of the hub named `name`, in any case.
    pub fn new(name: &str) -> Self {
        Self(name.to_ascii_lowercase())
    }

    /// The lowercase name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&HubName> for HubKey {
    fn from(name: &HubName) -> Self {
        Self::new(name.as_str())
    }
}

impl fmt::Display for HubKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_only_in_case_are_one_hub() {
        assert_eq!(HubKey::new("Chat"), HubKey::new("cHAT"));
        assert_eq!(HubKey::new("Chat").as_str(), "chat");
        assert_eq!(HubKey::new("Chat").to_string(), "chat");
        assert_ne!(HubKey::new("chat"), HubKey::new("chat2"));
    }
}
