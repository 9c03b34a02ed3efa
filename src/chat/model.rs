//! Typed domain values that exist only once they parse: ids and providers (names are
//! `name.rs`'s).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest key Azure Table Storage accepts (1 KiB); ids are checked against it everywhere.
pub const MAX_KEY_BYTES: usize = 1024;

/// Why an id was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("the id is empty")]
    Empty,
    #[error("the id is longer than 1 KiB")]
    TooLong,
    #[error("the id contains a control character or one of / \\ # ?")]
    ForbiddenCharacter,
    #[error("a new chat's id must be a UUID")]
    NotUuid,
}

/// Checks the rules every stored key obeys (Table Storage's `PartitionKey`/`RowKey` rules).
fn check_key(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX_KEY_BYTES {
        return Err(IdError::TooLong);
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '/' | '\\' | '#' | '?'))
    {
        return Err(IdError::ForbiddenCharacter);
    }
    Ok(())
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses an id: non-empty, at most 1 KiB, no control characters, no `/ \ # ?`.
            pub fn parse(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_key(&s)?;
                Ok(Self(s))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

key_type!(
    /// A user, as Static Web Apps and Web PubSub name them (`userId`, `sub`, `ce-userId`).
    UserId
);
key_type!(
    /// One WebSocket connection of a user (`ce-connectionId`).
    ConnectionId
);
key_type!(
    /// A chat: a UUID for group chats, `private_<a>_<b>` for private ones. Also the name of
    /// the chat's Web PubSub group.
    ChatId
);

/// The prefix of private chat ids.
pub const PRIVATE_PREFIX: &str = "private_";

impl ChatId {
    /// A new group chat's id: a UUID in its hyphenated form (what the original client makes),
    /// which also keeps `private_…` ids out of reach.
    pub fn parse_group(s: &str) -> Result<Self, IdError> {
        if s.len() == 36 && uuid::Uuid::try_parse(s).is_ok() {
            Self::parse(s)
        } else {
            Err(IdError::NotUuid)
        }
    }

    /// The private chat of two users: `private_<a>_<b>` with the ids sorted, so both
    /// directions name the same chat.
    pub fn private(a: &UserId, b: &UserId) -> Result<Self, IdError> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        Self::parse(format!("{PRIVATE_PREFIX}{lo}_{hi}"))
    }

    /// Whether this names a private chat.
    pub fn is_private(&self) -> bool {
        self.0.starts_with(PRIVATE_PREFIX)
    }
}

/// The sign-in provider (`identityProvider`): `github`, `aad`, …; lowercase letters, digits
/// and `-`, at most 32 characters; anything else becomes `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Provider(String);

impl Provider {
    /// Normalises a provider name.
    pub fn new(s: &str) -> Self {
        let s = s.trim().to_ascii_lowercase();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        Self(if ok { s } else { "unknown".into() })
    }

    /// The provider as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Provider {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl From<Provider> for String {
    fn from(p: Provider) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_table_key_rules() {
        assert!(UserId::parse("a1b2c3").is_ok());
        assert!(UserId::parse("ünïcode-user").is_ok());
        assert_eq!(UserId::parse(""), Err(IdError::Empty));
        assert_eq!(UserId::parse("x".repeat(1025)), Err(IdError::TooLong));
        assert!(UserId::parse("x".repeat(1024)).is_ok());
        for bad in ["a/b", "a\\b", "a#b", "a?b", "a\nb", "a\u{7f}b"] {
            assert_eq!(
                ConnectionId::parse(bad),
                Err(IdError::ForbiddenCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ids_refuse_bad_values_when_deserialised() {
        assert!(serde_json::from_str::<UserId>(r#""ok""#).is_ok());
        assert!(serde_json::from_str::<UserId>(r#""a/b""#).is_err());
    }

    #[test]
    fn providers_are_normalised() {
        assert_eq!(Provider::new("GitHub").as_str(), "github");
        assert_eq!(Provider::new("aad").as_str(), "aad");
        assert_eq!(Provider::new("<script>").as_str(), "unknown");
        assert_eq!(Provider::new("").as_str(), "unknown");
    }

    #[test]
    fn group_chat_ids_must_be_uuids() {
        assert!(ChatId::parse_group("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in [
            "",
            "chat",
            "private_a_b",
            "0f8fad5bd9cb469fa16570867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        ] {
            assert_eq!(ChatId::parse_group(bad), Err(IdError::NotUuid), "{bad}");
        }
    }

    #[test]
    fn private_chat_ids_sort_their_users() {
        let (a, b) = (
            UserId::parse("alice").expect("id"),
            UserId::parse("bob").expect("id"),
        );
        let id = ChatId::private(&b, &a).expect("id");
        assert_eq!(id.as_str(), "private_alice_bob");
        assert_eq!(ChatId::private(&a, &b), Ok(id.clone()));
        assert!(id.is_private());
        assert!(!ChatId::parse("0f8fad5b-d9cb-469f-a165-70867728950e")
            .expect("id")
            .is_private());
    }

    #[test]
    fn a_private_id_too_long_for_a_key_is_refused() {
        let long = UserId::parse("x".repeat(600)).expect("id");
        let other = UserId::parse("y".repeat(600)).expect("id");
        assert_eq!(ChatId::private(&long, &other), Err(IdError::TooLong));
    }
}
