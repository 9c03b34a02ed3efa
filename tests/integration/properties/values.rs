//! Names and ids: any text is answered; what parses keeps the rules (trimmed, bounded, no
//! control or bidi characters, visible), parses again to itself, and reads back as stored.

use chatr::chat::model::{ChatId, UserId, MAX_KEY_BYTES};
use chatr::chat::name::{DisplayName, MAX_NAME_CHARS};
use chatr::chat::visible_text;
use proptest::prelude::*;

proptest! {
    #[test]
    fn a_name_that_parses_keeps_every_rule(text in "\\PC{0,80}|[\\u{200B}-\\u{206F}\\u{0300}-\\u{036F}a ]{0,70}") {
        if let Ok(name) = DisplayName::parse(&text) {
            let s = name.as_str();
            prop_assert_eq!(s, s.trim());
            prop_assert!(!s.is_empty() && s.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!s.chars().any(|c| c.is_control() || visible_text::is_bidi_control(c)));
            prop_assert!(!s.chars().all(visible_text::is_invisible));
            prop_assert_eq!(DisplayName::parse(s), Ok(name.clone()));
            prop_assert_eq!(DisplayName::stored(s), Ok(name.clone()));
        }
    }

    #[test]
    fn an_id_that_parses_is_a_valid_table_key(text in "\\PC{0,60}|[/#?\\\\a-z\\u{0}-\\u{1f}]{0,20}") {
        let parsed = [
            UserId::parse(text.as_str()).map(|i| i.as_str().to_string()),
            ChatId::parse(text.as_str()).map(|i| i.as_str().to_string()),
        ];
        for id in parsed.into_iter().flatten() {
            prop_assert!(!id.is_empty() && id.len() <= MAX_KEY_BYTES);
            prop_assert!(!id.chars().any(|c| matches!(c, '/' | '\\' | '#' | '?') || c.is_control()));
        }
    }
}
