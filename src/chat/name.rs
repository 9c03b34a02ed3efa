//! A display name (a user's, a chat's): what a new one may be, and how a stored one is read.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chat::model::UserId;
use crate::chat::visible_text::{self, TextProblem, MAX_COMBINING_RUN};

/// Longest user or chat name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

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
    #[error("the name contains a control of text direction (an embedding, override or isolate)")]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
