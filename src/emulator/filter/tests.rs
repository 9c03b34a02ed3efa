//! What filters mean: every operator and function, precedence, nulls and escaping
//! (`tests/rejections.rs`: each rejected input with its error, and the bounds).

use super::*;

/// Whether `filter` matches a connection `id` of `user` in `groups`.
fn on(filter: &str, id: &str, user: Option<&str>, groups: &[&str]) -> bool {
    let filter = Filter::parse(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
    let groups: HashSet<String> = groups.iter().map(|g| g.to_string()).collect();
    filter.matches(&Subject {
        connection_id: id,
        user_id: user,
        groups: &groups,
    })
}

/// For `alice` on connection `c1` in groups `room` and `lobby`.
pub(super) fn alice(filter: &str) -> bool {
    on(filter, "c1", Some("alice"), &["room", "lobby"])
}

/// For an anonymous connection `c2` in no group.
fn anonymous(filter: &str) -> bool {
    on(filter, "c2", None, &[])
}

pub(super) fn error(filter: &str) -> FilterError {
    match Filter::parse(filter) {
        Ok(parsed) => panic!("{filter:?} parsed as {parsed:?}"),
        Err(e) => e,
    }
}

#[test]
fn each_comparison_operator_compares_strings_ordinally() {
    assert!(alice("userId eq 'alice'"));
    assert!(!alice("userId eq 'Alice'"), "strings are case-sensitive");
    assert!(alice("userId ne 'bob'"));
    assert!(!alice("userId ne 'alice'"));
    assert!(alice("userId gt 'Alice'"), "'a' comes after 'A'");
    assert!(alice("userId ge 'alice'"));
    assert!(alice("userId lt 'alicf'"));
    assert!(alice("userId le 'alice'"));
    assert!(!alice("userId lt 'alice'"));
    assert!(alice("connectionId eq 'c1'"));
}

#[test]
fn strings_order_by_utf16_code_unit_as_dotnet_ordinal() {
    // U+FF5E is above the surrogates that encode U+1F600 in UTF-16, though below it in UTF-8.
    assert!(on("userId gt '\u{1F600}'", "c", Some("\u{FF5E}"), &[]));
}

#[test]
fn each_comparison_operator_compares_integers() {
    assert!(alice("length(userId) eq 5"));
    assert!(alice("length(userId) ne 4"));
    assert!(alice("length(userId) gt 4"));
    assert!(alice("length(userId) ge 5"));
    assert!(alice("length(userId) lt 6"));
    assert!(alice("length(userId) le 5"));
    assert!(!alice("length(userId) gt 5"));
    assert!(alice("-1 lt +0"), "integers take a sign");
}

#[test]
fn an_anonymous_user_id_is_null() {
    assert!(anonymous("userId eq null"));
    assert!(!alice("userId eq null"));
    assert!(alice("userId ne null"));
    assert!(!anonymous("userId ne null"));
    assert!(!anonymous("userId eq 'alice'"));
    assert!(anonymous("userId ne 'alice'"), "ne is the negation of eq");
    for op in ["gt", "ge", "lt", "le"] {
        assert!(!anonymous(&format!("userId {op} 'a'")), "{op} with a null");
        assert!(
            !anonymous(&format!("length(userId) {op} 0")),
            "{op} with a null length"
        );
    }
    assert!(anonymous("null eq null"));
    assert!(anonymous("length(userId) eq null"));
}

#[test]
fn and_or_and_not_combine_conditions() {
    assert!(alice("userId eq 'alice' and connectionId eq 'c1'"));
    assert!(!alice("userId eq 'alice' and connectionId eq 'c2'"));
    assert!(alice("userId eq 'bob' or connectionId eq 'c1'"));
    assert!(!alice("userId eq 'bob' or connectionId eq 'c2'"));
    assert!(alice("not (userId eq 'bob')"));
    assert!(alice("not not true"));
    assert!(alice("true") && !alice("false"));
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_override_it() {
    // true or (false and false) = true; (true or false) and false = false.
    assert!(alice("true or false and false"));
    assert!(!alice("(true or false) and false"));
    // The service's page: these two are the same filter.
    let bare = "length(userId) gt 0 and length(userId) lt 3 or length(userId) gt 4 and length(userId) lt 10";
    let explicit = "((length(userId) gt 0) and (length(userId) lt 3)) or ((length(userId) gt 4) and (length(userId) lt 10))";
    assert_eq!(Filter::parse(bare), Filter::parse(explicit));
    assert!(alice(bare));
}

#[test]
fn not_binds_to_the_next_primary_only() {
    assert!(!alice("not endswith(userId, 'ice')"));
    assert!(alice("not ('g1' in groups)"));
    assert_eq!(
        error("not length(userId) gt 5"),
        FilterError::Type {
            at: 4,
            expected: Kind::Condition,
            found: Kind::Integer
        }
    );
}

#[test]
fn in_groups_tests_membership() {
    assert!(alice("'room' in groups"));
    assert!(alice("'lobby' in (groups)"));
    assert!(!alice("'Room' in groups"), "group names are case-sensitive");
    assert!(!alice("'kitchen' in groups"));
    assert!(!anonymous("'room' in groups"));
    assert!(alice("'room' in groups and not ('kitchen' in groups)"));
    assert!(alice("concat('ro', 'om') in groups"));
    assert!(!alice("userId in groups"));
}

#[test]
fn in_a_list_tests_equality_with_any_item() {
    assert!(alice("userId in ('bob', 'alice')"));
    assert!(!alice("userId in ('bob')"));
    assert!(anonymous("userId in ('bob', null)"));
    assert!(!anonymous("userId in ('bob')"));
    assert!(alice("length(userId) in (4, 5)"));
    assert!(!alice("length(userId) in (4)"));
    assert!(alice("'x' in ('a', 'b') or 'a' in ('a', 'b')"));
}

#[test]
fn identifiers_are_case_insensitive_but_keywords_and_functions_are_not() {
    assert!(alice(
        "UserId eq 'alice' and CONNECTIONID eq 'c1' and 'room' in Groups"
    ));
    assert_eq!(
        error("userId EQ 'alice'"),
        FilterError::Expected {
            at: 7,
            expected: "`and`, `or` or the end of the filter",
            found: "`EQ`".into()
        }
    );
    assert_eq!(
        error("StartsWith(userId, 'a')"),
        FilterError::Unsupported {
            at: 0,
            name: "StartsWith".into()
        }
    );
}

#[test]
fn string_literals_escape_a_quote_by_doubling_it() {
    assert!(on("userId eq 'o''brien'", "c", Some("o'brien"), &[]));
    assert!(on("userId eq ''''", "c", Some("'"), &[]));
    assert!(on("userId eq ''", "c", Some(""), &[]));
    assert!(on(
        "userId eq 'zoë ü/1 (x, y)'",
        "c",
        Some("zoë ü/1 (x, y)"),
        &[]
    ));
}

#[test]
fn the_boolean_string_functions_follow_odata() {
    assert!(alice("startswith(userId, 'al')"));
    assert!(!alice("startswith(userId, 'AL')"));
    assert!(alice("endswith(userId, 'ice')"));
    assert!(alice("contains(userId, 'lic')"));
    assert!(!alice("contains(userId, 'bob')"));
    assert!(alice("startswith(userId, '')"));
    for f in ["startswith", "endswith", "contains"] {
        assert!(!anonymous(&format!("{f}(userId, '')")), "{f} of null");
        assert!(
            !alice(&format!("{f}(userId, null)")),
            "{f} with a null argument"
        );
    }
}

#[test]
fn indexof_and_length_count_characters() {
    assert!(alice("indexof(userId, 'ice') eq 2"));
    assert!(alice("indexof(userId, 'bob') eq -1"));
    assert!(
        anonymous("indexof(userId, 'a') eq -1"),
        "indexof of null is -1"
    );
    assert!(on("indexof(userId, 'b') eq 2", "c", Some("éèb"), &[]));
    assert!(on("length(userId) eq 3", "c", Some("éèb"), &[]));
    assert!(alice("length(groups) eq 2"));
    assert!(anonymous("length(groups) eq 0"));
    assert!(anonymous("length(userId) eq null"));
}

#[test]
fn the_string_functions_transform_and_pass_null_on() {
    assert!(on("tolower(userId) eq 'user1'", "c", Some("USER1"), &[]));
    assert!(on("toupper(userId) eq 'USER1'", "c", Some("user1"), &[]));
    assert!(on("trim(userId) eq 'user1'", "c", Some("  user1 \t"), &[]));
    assert!(on("concat(userId, '-x') eq 'a-x'", "c", Some("a"), &[]));
    assert!(on(
        "concat(concat(userId, ':'), connectionId) eq 'a:c'",
        "c",
        Some("a"),
        &[]
    ));
    for f in ["tolower", "toupper", "trim"] {
        assert!(anonymous(&format!("{f}(userId) eq null")), "{f} of null");
    }
    assert!(
        anonymous("concat(userId, 'x') eq 'x'"),
        "a null concatenates as empty"
    );
    assert!(
        anonymous("concat(null, userId) eq null"),
        "two nulls concatenate to null"
    );
}

#[test]
fn substring_takes_a_start_and_a_length_and_is_null_out_of_range() {
    // The service's page: `substring(userId,5,2) eq 'ab'` matches user-ab-de.
    let user = Some("user-ab-de");
    assert!(on("substring(userId, 5, 2) eq 'ab'", "c", user, &[]));
    assert!(on("substring(userId, 8) eq 'de'", "c", user, &[]));
    assert!(on("substring(userId, 10) eq ''", "c", user, &[]));
    assert!(on("substring(userId, 11) eq null", "c", user, &[]));
    assert!(on("substring(userId, -1) eq null", "c", user, &[]));
    assert!(on("substring(userId, 8, 3) eq null", "c", user, &[]));
    assert!(on("substring(userId, 0, -1) eq null", "c", user, &[]));
    assert!(on(
        "substring(userId, indexof(userId, '-') ) eq '-ab-de'",
        "c",
        user,
        &[]
    ));
    assert!(anonymous("substring(userId, 0) eq null"));
    assert!(on("substring(userId, 1, 1) eq 'è'", "c", Some("éèb"), &[]));
}

#[test]
fn conditions_compare_with_eq_and_ne() {
    assert!(alice("startswith(userId, 'a') eq true"));
    assert!(alice("startswith(userId, 'b') ne true"));
    assert_eq!(
        error("true gt false"),
        FilterError::Unordered { at: 5, op: "gt" }
    );
}

#[test]
fn the_filters_of_the_service_documentation_parse() {
    for filter in [
        "userId ne 'user1' and userId ne 'user2'",
        "not('group1' in groups)",
        "startswith(userId, 'listener-')",
        "'group1' in groups or 'group2' in groups or 'group3' in groups",
        "userId in ('user1', 'user2', 'user3') and 'group1' in groups",
        "userId eq 'user1' and connectionId ne '123'",
        "userId eq 'user1' and (not ('group1' in groups))",
        "userId eq 'user1' or (not (startswith(userId,'user2')))",
        "length(userId) le 10 and length(userId) gt 3",
        "userId eq 'user''1'",
    ] {
        assert!(Filter::parse(filter).is_ok(), "{filter}");
    }
}

/// Tokens that filters are made of, for random filters.
const WORDS: &[&str] = &[
    "(",
    ")",
    ",",
    "'a'",
    "''''",
    "'x y'",
    "'",
    "0",
    "-1",
    "5",
    "userId",
    "connectionId",
    "groups",
    "null",
    "true",
    "false",
    "not",
    "and",
    "or",
    "eq",
    "ne",
    "gt",
    "le",
    "in",
    "startswith",
    "contains",
    "length",
    "substring",
    "concat",
    "indexof",
    "tolower",
    "trim",
];

proptest::proptest! {
    #[test]
    fn parsing_never_panics_on_any_text(text in ".{0,200}") {
        let _ = Filter::parse(&text);
    }

    #[test]
    fn a_random_filter_parses_or_is_refused_and_evaluates_without_panicking(
        words in proptest::collection::vec(proptest::sample::select(WORDS), 0..40)
    ) {
        if let Ok(filter) = Filter::parse(&words.join(" ")) {
            let groups: HashSet<String> = ["a".to_string()].into();
            for user_id in [None, Some("a"), Some("x y")] {
                let _ = filter.matches(&Subject { connection_id: "a", user_id, groups: &groups });
            }
        }
    }
}

mod rejections;
