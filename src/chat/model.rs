//! Typed domain values that exist only once they parse: ids, names, providers, and the
//! records the chat keeps about users.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chat::visible_text::{self, TextProblem, MAX_COMBINING_RUN};

/// Longest key Azure Table Storage accepts (1 KiB); ids are checked against it everywhere.
pub const MAX_KEY_BYTES: usize = 1024;
/// Longest user or chat name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

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

/// Why a name was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than 64 characters")]
    TooLong,
    #[error("the name contains a control character")]
    ControlCharacter,
    #[error("the name has nothing that can be seen")]
    Invisible,
    #[error("the name contains a right-to-left or left-to-right override")]
    BidiControl,
    #[error("the name stacks more than {MAX_COMBINING_RUN} accents on one letter")]
    CombiningRun,
}

/// A display name: trimmed, 1–64 characters, no control characters; a new one must also be
/// visible, without bidirectional controls or stacks of combining marks (`visible_text`).
/// Always shown as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a name a person typed: the stored rules, and the text must be visible, without
    /// bidirectional controls or stacks of combining marks.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let name = Self::stored(s)?;
        match visible_text::problem(name.as_str()) {
            None => Ok(name),
            Some(TextProblem::Invisible) => Err(NameError::Invisible),
            Some(TextProblem::BidiControl) => Err(NameError::BidiControl),
            Some(TextProblem::CombiningRun) => Err(NameError::CombiningRun),
        }
    }

    /// Reads a name that was stored (under the rules of its day): trimmed, 1–64 characters, no
    /// control characters. Tightening what new names may be never turns old rows into
    /// errors.
    pub fn stored(s: &str) -> Result<Self, NameError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(NameError::Empty);
        }
        if s.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        if s.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        Ok(Self(s.to_string()))
    }

    /// The name shown for a signed-in user, from the principal's `userDetails`: an e-mail
    /// address loses its domain, control characters go, and it is cut to 64 characters.
    /// Falls back to `fallback` (the user id) when nothing is left.
    pub fn from_user_details(details: &str, fallback: &UserId) -> Self {
        let local = details.split('@').next().unwrap_or_default();
        let cleaned: String = local
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .chars()
            .take(MAX_NAME_CHARS)
            .collect();
        Self::parse(&cleaned)
            .or_else(|_| {
                let short: String = fallback.as_str().chars().take(MAX_NAME_CHARS).collect();
                Self::parse(&short)
            })
            .unwrap_or_else(|_| Self("user".into()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Deserialising reads stored JSON (a chat row's data, a message): the lenient rules.
impl TryFrom<String> for DisplayName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        Self::stored(&s)
    }
}

impl From<DisplayName> for String {
    fn from(n: DisplayName) -> String {
        n.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Bob  ").map(|n| n.0), Ok("Bob".into()));
        assert_eq!(DisplayName::parse("   "), Err(NameError::Empty));
        assert_eq!(DisplayName::parse(&"é".repeat(65)), Err(NameError::TooLong));
        assert!(DisplayName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            DisplayName::parse("a\u{0}b"),
            Err(NameError::ControlCharacter)
        );
    }

    #[test]
    fn new_names_must_be_visible_but_stored_ones_are_read_as_they_were() {
        for (text, refused) in [
            ("\u{200B}", NameError::Invisible),
            ("a\u{202E}b", NameError::BidiControl),
            (
                &*format!("a{}", "\u{0300}".repeat(40)),
                NameError::CombiningRun,
            ),
        ] {
            assert_eq!(DisplayName::parse(text), Err(refused), "{text:?}");
            let kept = DisplayName::stored(text).expect("a stored name still reads");
            assert_eq!(kept.as_str(), text);
            let from_json: DisplayName =
                serde_json::from_value(serde_json::json!(text)).expect("stored JSON reads");
            assert_eq!(from_json, kept);
        }
        assert_eq!(
            DisplayName::stored("a\u{0}b"),
            Err(NameError::ControlCharacter)
        );
    }

    #[test]
    fn a_principal_whose_name_deceives_is_shown_by_id() {
        let id = UserId::parse("u1").expect("valid");
        assert_eq!(
            DisplayName::from_user_details("\u{202E}nimda", &id).as_str(),
            "u1"
        );
    }

    #[test]
    fn html_in_a_name_is_kept_as_text_not_refused() {
        let name = DisplayName::parse("<b>x</b>").expect("valid name");
        assert_eq!(name.as_str(), "<b>x</b>");
    }

    #[test]
    fn a_principal_email_loses_its_domain() {
        let id = UserId::parse("u1").expect("valid");
        assert_eq!(
            DisplayName::from_user_details("alice@example.com", &id).as_str(),
            "alice"
        );
        assert_eq!(
            DisplayName::from_user_details("  bob ", &id).as_str(),
            "bob"
        );
    }

    #[test]
    fn a_principal_name_is_cut_to_64_characters_and_cleaned() {
        let id = UserId::parse("u1").expect("valid");
        let long = "x".repeat(100);
        assert_eq!(
            DisplayName::from_user_details(&long, &id).as_str().len(),
            64
        );
        assert_eq!(
            DisplayName::from_user_details("a\u{1b}[31mb", &id).as_str(),
            "a[31mb"
        );
    }

    #[test]
    fn an_empty_principal_name_falls_back_to_the_user_id() {
        let id = UserId::parse("u1").expect("valid");
        assert_eq!(DisplayName::from_user_details("", &id).as_str(), "u1");
        assert_eq!(
            DisplayName::from_user_details("@example.com", &id).as_str(),
            "u1"
        );
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
