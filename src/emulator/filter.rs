//! The OData `filter` of the REST API (sends to all, a user or a group; `:addToGroups`,
//! `:removeFromGroups`): [`Filter::parse`] turns its text into a typed expression, or a
//! [`FilterError`] naming the position; [`Filter::matches`] evaluates it over one connection's
//! id, user and groups.
//!
//! # Grammar
//! The service's EBNF (MicrosoftDocs/azure-docs `articles/azure-web-pubsub/includes/filter.ebnf`,
//! shown in "OData filter syntax in Azure Web PubSub service") with the precedence table of the
//! same page, `not` > comparisons > `and` > `or`. As parsed:
//! ```text
//! filter     = or
//! or         = and *( "or" and )
//! and        = comparison *( "and" comparison )
//! comparison = unary [ ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) unary / "in" list ]
//! list       = "groups" / "(" or *( "," or ) ")"
//! unary      = "not" unary / primary
//! primary    = "(" or ")" / string / integer / "true" / "false" / "null"
//!            / "connectionId" / "userId" / "groups" / function "(" or *( "," or ) ")"
//! function   = "startswith" / "endswith" / "contains" / "indexof" / "concat" / "length"
//!            / "tolower" / "toupper" / "trim" / "substring"
//! string     = "'" *( any character but "'" / "''" ) "'"
//! integer    = [ "+" / "-" ] 1*DIGIT
//! ```
//! Each node is typed as it is built (a condition, a string, an integer, the `groups`
//! collection or `null`), so a filter that parses can always be evaluated. So `not` binds to
//! the next primary only: `not length(userId) gt 5` is refused, as the page says it is.
//!
//! # Semantics
//! Where the page is silent, Microsoft's emulator (`ODataFilterExecutor.cs` in
//! Azure/azure-webpubsub `tools/emulator`, said to follow the runtime) decides:
//! - The identifiers are case-insensitive (`UserId` is `userId`); keywords and function names
//!   are not (OData 4.0). Group names and strings compare case-sensitively.
//! - An anonymous connection's `userId` is `null`. `eq` is true for two nulls and false for a
//!   null and a value; `ne` is its negation; `gt ge lt le` with a null are false.
//! - Strings order ordinally by UTF-16 code unit, as .NET's `CompareOrdinal` (Microsoft's
//!   emulator orders integers only; the service's page shows no string ordering either).
//! - With a null argument `startswith`, `endswith`, `contains` are false, `indexof` is -1,
//!   `length`, `tolower`, `toupper`, `trim`, `substring` are null, and `concat` treats a
//!   null as empty unless both are null. `substring` out of range is null.
//! - Positions and lengths count characters (Unicode scalar values); the service counts UTF-16
//!   units. The two differ only outside the Basic Multilingual Plane.
//!
//! Left out, each a 400 naming its position: arithmetic (`add`, `sub`, …), lambdas
//! (`any`, `all`), paths (`/`), other identifiers (Microsoft's emulator also knows
//! `protocol`), other functions, decimals, dates and GUIDs, ordering conditions
//! (`true gt false`), parameter aliases (`@p`).
//!
//! # Layout
//! `filter/lex.rs` (text to tokens) → `filter/parse.rs` (the grammar) → `filter/typed.rs` (the
//! type of each node, as it is built) → here: the typed expression and its evaluation.
//!
//! # Bounds
//! [`MAX_FILTER_LEN`] bytes and [`MAX_DEPTH`] levels of parentheses, `not`s, function
//! arguments and `in` lists. `and`/`or` chains are flat lists, costing no depth.

mod lex;
mod parse;
mod typed;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;

/// Longest filter, in bytes. The service's page warns that filters "over 100 clauses" may
/// exceed its limit; 100 clauses such as `userId eq 'some-user-id'` take about 3 KiB.
pub const MAX_FILTER_LEN: usize = 4 * 1024;

/// Deepest nesting of parentheses, `not`s, function calls and `in` lists: deep enough for any
/// filter a program writes, shallow enough that parsing and evaluating recurse safely.
pub const MAX_DEPTH: usize = 64;

/// A filter that parsed: a condition over one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter(Cond);

/// What a filter looks at: one connection.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub connection_id: &'a str,
    /// `None` for an anonymous connection: `null` to the filter.
    pub user_id: Option<&'a str>,
    pub groups: &'a HashSet<String>,
}

impl Filter {
    /// Parses a filter's text.
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        parse::parse(text).map(Self)
    }

    /// Whether the connection matches.
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        self.0.eval(subject)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Why a filter's text is not a filter. Positions count characters from 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("the filter is empty")]
    Empty,
    #[error("the filter is {len} bytes long, longer than the {max} allowed", max = MAX_FILTER_LEN)]
    TooLong { len: usize },
    #[error("the filter nests deeper than {max} levels at position {at}", max = MAX_DEPTH)]
    TooDeep { at: usize },
    #[error("the string that opens at position {at} is not closed")]
    UnclosedString { at: usize },
    #[error("the integer at position {at} is out of range")]
    IntegerOutOfRange { at: usize },
    #[error("unexpected character {ch:?} at position {at}")]
    UnexpectedCharacter { at: usize, ch: char },
    #[error("expected {expected} at position {at}, found {found}")]
    Expected {
        at: usize,
        expected: &'static str,
        found: String,
    },
    #[error(
        "`{name}` at position {at} is not supported (identifiers: connectionId, userId, groups)"
    )]
    Unsupported { at: usize, name: String },
    #[error("{name} at position {at} takes {expected}")]
    Arity {
        at: usize,
        name: &'static str,
        expected: &'static str,
    },
    #[error("expected {expected} at position {at}, found {found}")]
    Type {
        at: usize,
        expected: Kind,
        found: Kind,
    },
    #[error("conditions are not ordered: `{op}` at position {at} (use eq or ne)")]
    Unordered { at: usize, op: &'static str },
}

/// The type of a filter's expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Condition,
    String,
    Integer,
    Collection,
    Null,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Condition => "a condition",
            Self::String => "a string",
            Self::Integer => "an integer",
            Self::Collection => "the collection groups",
            Self::Null => "null",
        })
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// OData's rule for nulls: two nulls are equal, a null equals nothing else, and nothing is
    /// ordered against a null.
    fn compare<T>(
        self,
        a: Option<T>,
        b: Option<T>,
        order: impl FnOnce(&T, &T) -> Ordering,
    ) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = order(&a, &b);
                match self {
                    Self::Eq => o.is_eq(),
                    Self::Ne => o.is_ne(),
                    Self::Gt => o.is_gt(),
                    Self::Ge => o.is_ge(),
                    Self::Lt => o.is_lt(),
                    Self::Le => o.is_le(),
                }
            }
            (None, None) => self == Self::Eq,
            _ => self == Self::Ne,
        }
    }
}

/// A string test function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    StartsWith,
    EndsWith,
    Contains,
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cond {
    Literal(bool),
    Not(Box<Cond>),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Texts(Text, Op, Text),
    Numbers(Number, Op, Number),
    /// `eq` or `ne` between two conditions.
    Conds(Box<Cond>, Op, Box<Cond>),
    InGroups(Text),
    TextIn(Text, Vec<Text>),
    NumberIn(Number, Vec<Number>),
    Test(Test, Text, Text),
}

/// A string expression; `None` when evaluated is null.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Text {
    Null,
    Literal(String),
    ConnectionId,
    UserId,
    Lower(Box<Text>),
    Upper(Box<Text>),
    Trim(Box<Text>),
    Substring(Box<Text>, Box<Number>, Option<Box<Number>>),
    Concat(Box<Text>, Box<Text>),
}

/// An integer expression; `None` when evaluated is null.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Number {
    Null,
    Literal(i64),
    Length(Box<Text>),
    GroupCount,
    IndexOf(Box<Text>, Box<Text>),
}

/// .NET's ordinal order: by UTF-16 code unit.
fn ordinal(a: &&str, b: &&str) -> Ordering {
    if a == b {
        Ordering::Equal
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Cond {
    fn eval(&self, s: &Subject<'_>) -> bool {
        match self {
            Self::Literal(b) => *b,
            Self::Not(c) => !c.eval(s),
            Self::All(cs) => cs.iter().all(|c| c.eval(s)),
            Self::Any(cs) => cs.iter().any(|c| c.eval(s)),
            Self::Texts(a, op, b) => {
                op.compare(a.eval(s).as_deref(), b.eval(s).as_deref(), ordinal)
            }
            Self::Numbers(a, op, b) => op.compare(a.eval(s), b.eval(s), Ord::cmp),
            Self::Conds(a, op, b) => op.compare(Some(a.eval(s)), Some(b.eval(s)), Ord::cmp),
            Self::InGroups(g) => g.eval(s).is_some_and(|g| s.groups.contains(&*g)),
            Self::TextIn(x, list) => {
                let x = x.eval(s);
                list.iter()
                    .any(|item| Op::Eq.compare(x.as_deref(), item.eval(s).as_deref(), ordinal))
            }
            Self::NumberIn(x, list) => {
                let x = x.eval(s);
                list.iter()
                    .any(|item| Op::Eq.compare(x, item.eval(s), Ord::cmp))
            }
            Self::Test(test, a, b) => match (a.eval(s), b.eval(s)) {
                (Some(a), Some(b)) => match test {
                    Test::StartsWith => a.starts_with(&*b),
                    Test::EndsWith => a.ends_with(&*b),
                    Test::Contains => a.contains(&*b),
                },
                _ => false,
            },
        }
    }
}

impl Text {
    fn eval<'a>(&'a self, s: &Subject<'a>) -> Option<Cow<'a, str>> {
        match self {
            Self::Null => None,
            Self::Literal(t) => Some(Cow::Borrowed(t)),
            Self::ConnectionId => Some(Cow::Borrowed(s.connection_id)),
            Self::UserId => s.user_id.map(Cow::Borrowed),
            Self::Lower(t) => t.eval(s).map(|v| Cow::Owned(v.to_lowercase())),
            Self::Upper(t) => t.eval(s).map(|v| Cow::Owned(v.to_uppercase())),
            Self::Trim(t) => t.eval(s).map(|v| match v {
                Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
            }),
            Self::Substring(t, start, len) => {
                let v = t.eval(s)?;
                let len = match len {
                    Some(len) => Some(len.eval(s)?),
                    None => None,
                };
                substring(&v, start.eval(s)?, len).map(Cow::Owned)
            }
            Self::Concat(a, b) => match (a.eval(s), b.eval(s)) {
                (Some(a), Some(b)) => Some(Cow::Owned(format!("{a}{b}"))),
                (a, b) => a.or(b),
            },
        }
    }
}

/// `length` characters of `v` from character `start` (to the end without a length); `None`
/// when that is not inside `v`.
fn substring(v: &str, start: i64, len: Option<i64>) -> Option<String> {
    let chars = v.chars().count();
    let start = usize::try_from(start).ok().filter(|s| *s <= chars)?;
    let len = match len {
        None => chars - start,
        Some(len) => usize::try_from(len).ok().filter(|l| *l <= chars - start)?,
    };
    Some(v.chars().skip(start).take(len).collect())
}

impl Number {
    fn eval(&self, s: &Subject<'_>) -> Option<i64> {
        match self {
            Self::Null => None,
            Self::Literal(n) => Some(*n),
            Self::Length(t) => t.eval(s).map(|v| count(v.chars().count())),
            Self::GroupCount => Some(count(s.groups.len())),
            Self::IndexOf(a, b) => Some(match (a.eval(s), b.eval(s)) {
                (Some(a), Some(b)) => a.find(&*b).map_or(-1, |i| count(a[..i].chars().count())),
                _ => -1,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
