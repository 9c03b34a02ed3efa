//! Each rejected filter with its error and position, and the bounds on length and depth.

use super::super::{Filter, FilterError, Kind, MAX_DEPTH, MAX_FILTER_LEN};
use super::{alice, error};

#[test]
fn malformed_filters_are_refused_with_the_position() {
    use FilterError::*;
    let expected = |at, expected, found: &str| Expected {
        at,
        expected,
        found: found.into(),
    };
    let (value, close, end) = ("a value", "')'", "the end of the filter");
    let more = "`and`, `or` or the end of the filter";
    let unsupported = |at, name: &str| Unsupported {
        at,
        name: name.into(),
    };
    let arity = |name, expected| Arity {
        at: 0,
        name,
        expected,
    };
    let cases = [
        ("", Empty),
        ("  \t", Empty),
        ("userId eq 'abc", UnclosedString { at: 10 }),
        ("userId eq \"abc\"", UnexpectedCharacter { at: 10, ch: '"' }),
        ("userId/x eq 'a'", UnexpectedCharacter { at: 6, ch: '/' }),
        (
            "groups/any(g: g eq 'a')",
            UnexpectedCharacter { at: 6, ch: '/' },
        ),
        ("userId eq @p", UnexpectedCharacter { at: 10, ch: '@' }),
        (
            "length(userId) eq 1.5",
            UnexpectedCharacter { at: 19, ch: '.' },
        ),
        (
            "length(userId) eq 99999999999999999999",
            IntegerOutOfRange { at: 18 },
        ),
        ("userId eq", expected(9, value, end)),
        ("userId eq 'a' and", expected(17, value, end)),
        ("(userId eq 'a'", expected(14, close, end)),
        ("userId eq 'a')", expected(13, more, close)),
        ("userId eq 'a' eq 'b'", expected(14, more, "`eq`")),
        ("length(userId) add 1 eq 2", expected(15, more, "`add`")),
        ("userId in ()", expected(11, value, close)),
        ("userId in 'a'", expected(10, "'(' or groups", "a string")),
        (
            "userId in ('a' 'b')",
            expected(15, "',' or ')'", "a string"),
        ),
        (
            "startswith userId",
            expected(11, "'(' after a function name", "`userId`"),
        ),
        ("and userId eq 'a'", unsupported(0, "and")),
        ("protocol eq 'json'", unsupported(0, "protocol")),
        ("StartsWith(userId, 'a')", unsupported(0, "StartsWith")),
        (
            "matchesPattern(userId, 'a')",
            unsupported(0, "matchesPattern"),
        ),
        ("startswith(userId)", arity("startswith", "two arguments")),
        ("length(userId, 'a') eq 1", arity("length", "one argument")),
        (
            "substring(userId) eq 'a'",
            arity("substring", "two or three arguments"),
        ),
        (
            "substring(userId, 1, 2, 3) eq 'a'",
            arity("substring", "two or three arguments"),
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(error(filter), expected, "{filter:?}");
    }
}

#[test]
fn ill_typed_filters_are_refused_with_the_position() {
    let mismatch = |at, expected, found| FilterError::Type {
        at,
        expected,
        found,
    };
    use Kind::*;
    let cases = [
        ("userId", mismatch(0, Condition, String)),
        ("'a' in groups and userId", mismatch(18, Condition, String)),
        ("userId eq 1", mismatch(10, String, Integer)),
        ("length(userId) eq 'a'", mismatch(0, String, Integer)),
        ("groups eq 'a'", mismatch(0, String, Collection)),
        ("(userId in groups) eq 1", mismatch(0, Integer, Condition)),
        ("true eq null", mismatch(8, Condition, Null)),
        ("not userId", mismatch(4, Condition, String)),
        ("'a' in ('a', groups)", mismatch(13, String, Collection)),
        ("1 in ('a')", mismatch(6, Integer, String)),
        ("startswith(userId, 1)", mismatch(19, String, Integer)),
        ("length(true) eq 1", mismatch(7, String, Condition)),
        (
            "substring(userId, null) eq 'a'",
            mismatch(18, Integer, Null),
        ),
        (
            "substring(userId, 'a') eq 'a'",
            mismatch(18, Integer, String),
        ),
        ("tolower(groups) eq 'a'", mismatch(8, String, Collection)),
    ];
    for (filter, expected) in cases {
        assert_eq!(error(filter), expected, "{filter:?}");
    }
}

#[test]
fn a_filter_of_max_filter_len_bytes_parses_and_one_byte_more_is_refused() {
    let clause = "userId ne 'user-000000' and ";
    let mut filter = clause.repeat(MAX_FILTER_LEN / clause.len());
    filter.push_str("true");
    filter.push_str(&" ".repeat(MAX_FILTER_LEN - filter.len()));
    assert_eq!(filter.len(), MAX_FILTER_LEN);
    assert!(alice(&filter));
    filter.push(' ');
    assert_eq!(
        error(&filter),
        FilterError::TooLong {
            len: MAX_FILTER_LEN + 1
        }
    );
}

#[test]
fn nesting_max_depth_levels_parses_and_one_more_is_refused() {
    let nested = |n: usize| format!("{}true{}", "(".repeat(n), ")".repeat(n));
    assert!(alice(&nested(MAX_DEPTH)));
    assert_eq!(
        error(&nested(MAX_DEPTH + 1)),
        FilterError::TooDeep { at: MAX_DEPTH }
    );
    let nots = |n: usize| format!("{}true", "not ".repeat(n));
    assert!(alice(&nots(MAX_DEPTH)));
    assert_eq!(
        error(&nots(MAX_DEPTH + 1)),
        FilterError::TooDeep { at: 4 * MAX_DEPTH }
    );
    let calls = |n: usize| format!("{}userId{} eq 'alice'", "trim(".repeat(n), ")".repeat(n));
    assert!(alice(&calls(MAX_DEPTH)));
    assert_eq!(
        error(&calls(MAX_DEPTH + 1)),
        FilterError::TooDeep {
            at: 5 * MAX_DEPTH + 4
        }
    );
}

#[test]
fn a_long_and_chain_costs_no_depth() {
    let filter = vec!["true"; 400].join(" and ");
    assert!(alice(&filter));
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(
        error("userId eq 1").to_string(),
        "expected a string at position 10, found an integer"
    );
    assert_eq!(
        error(&"x".repeat(MAX_FILTER_LEN + 1)).to_string(),
        "the filter is 4097 bytes long, longer than the 4096 allowed"
    );
    assert_eq!(
        "userId eq 'a'".parse::<Filter>(),
        Filter::parse("userId eq 'a'")
    );
}
