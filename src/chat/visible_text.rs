//! What makes a name unreadable or deceptive, character by character: text nobody can see
//! (zero-width spaces, fillers, formatting marks alone), bidirectional controls that reorder
//! what follows them (U+202E makes "exe.doc" read "cod.exe"), and stacks of combining marks
//! that spill over the lines around them ("Zalgo" text). New names are checked against these
//! rules; names already stored are not (see `DisplayName::stored`).
//!
//! Zero-width joiner and non-joiner (U+200D, U+200C) are allowed inside a name: emoji
//! sequences and Indic and Persian scripts need them. Stacked marks are caught two ways: a
//! run of the generic combining marks (U+0300–036F, U+0483–0489, U+1AB0–1AFF, U+1DC0–1DFF,
//! U+20D0–20FF, U+FE20–FE2F), and, whatever the script, a user-perceived character (a
//! grapheme cluster, UAX #29) made of more code points than any writing system or emoji
//! sequence needs.

use unicode_segmentation::UnicodeSegmentation;

/// The most combining marks allowed in a row: enough for any language's stacked diacritics
/// (Vietnamese uses two), too few to spill over a line.
pub const MAX_COMBINING_RUN: usize = 4;
/// The most code points in one user-perceived character: a family emoji takes seven, a
/// Tibetan stack eight; "Zalgo" takes dozens.
pub const MAX_CLUSTER_CHARS: usize = 10;

/// Why a name's text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Nothing in it can be seen.
    Invisible,
    /// It holds a bidirectional embedding, override or isolate control.
    BidiControl,
    /// More than [`MAX_COMBINING_RUN`] combining marks in a row, or a character of more than
    /// [`MAX_CLUSTER_CHARS`] code points.
    CombiningRun,
}

/// Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A combining mark of the combining-mark blocks (see the module's note).
pub fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// A character that shows nothing by itself: white space, zero-width and formatting
/// characters, fillers and blanks, variation selectors and tags, and combining marks (which
/// only change the character before them).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_combining_mark(c)
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{16FE4}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// The first problem of `text` for a new name, or `None` when it may be shown as a name.
pub fn problem(text: &str) -> Option<TextProblem> {
    if text.chars().any(is_bidi_control) {
        return Some(TextProblem::BidiControl);
    }
    let mut run = 0;
    for c in text.chars() {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        if run > MAX_COMBINING_RUN {
            return Some(TextProblem::CombiningRun);
        }
    }
    if text
        .graphemes(true)
        .any(|cluster| cluster.chars().count() > MAX_CLUSTER_CHARS)
    {
        return Some(TextProblem::CombiningRun);
    }
    if text.chars().all(is_invisible) {
        return Some(TextProblem::Invisible);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_nobody_can_see_is_refused() {
        for invisible in [
            "\u{200B}",
            "\u{200B}\u{200B}\u{200B}",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{FEFF}",
            "\u{200D}",
            "\u{0301}\u{0301}",
            "\u{E0041}",
            "\u{00A0}\u{2003}",
            "\u{1D173}\u{FFF9}",
        ] {
            assert_eq!(
                problem(invisible),
                Some(TextProblem::Invisible),
                "{invisible:?}"
            );
        }
    }

    #[test]
    fn bidi_controls_are_refused_anywhere() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(
                problem(&format!("report{c}fdp.exe")),
                Some(TextProblem::BidiControl)
            );
        }
    }

    #[test]
    fn long_runs_of_combining_marks_are_refused_short_ones_kept() {
        let zalgo = format!("a{}", "\u{0301}".repeat(64));
        assert_eq!(problem(&zalgo), Some(TextProblem::CombiningRun));
        let five = format!("a{}", "\u{0300}\u{0301}\u{0302}\u{0303}\u{0304}");
        assert_eq!(problem(&five), Some(TextProblem::CombiningRun));
        let four = format!("a{}", "\u{0300}\u{0301}\u{0302}\u{0303}");
        assert_eq!(problem(&four), None);
        // Vietnamese, decomposed: two marks on one letter.
        assert_eq!(problem("Nguye\u{0302}\u{0303}n"), None);
        // Marks of other scripts, or broken up by other ones, still stack on one character.
        let hebrew = format!("a{}", "\u{0591}".repeat(40));
        assert_eq!(problem(&hebrew), Some(TextProblem::CombiningRun));
        let mixed = format!("a{}", "\u{0301}\u{0301}\u{0301}\u{0301}\u{05B0}".repeat(8));
        assert_eq!(problem(&mixed), Some(TextProblem::CombiningRun));
        let joined = format!("a{}", "\u{0301}\u{0301}\u{200D}".repeat(8));
        assert_eq!(problem(&joined), Some(TextProblem::CombiningRun));
    }

    #[test]
    fn joiners_emoji_and_the_worlds_scripts_are_kept() {
        for fine in [
            "Ann",
            "👩\u{200D}💻 Dev team",
            "👨\u{200D}👩\u{200D}👧",
            "क्षत्रिय",
            "می\u{200C}خواهم",
            "Ζωή",
            "東京",
            "Zoë",
            "a\u{200B}b",
            "🇫🇷",
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",
            "བསྒྲུབས",
        ] {
            assert_eq!(problem(fine), None, "{fine:?}");
        }
    }
}
