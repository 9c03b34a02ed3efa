//! The types of a filter's expressions as the parser builds them: each node is a condition, a
//! string, an integer, the `groups` collection or `null`, and the operators and functions take
//! only what they can evaluate.

use super::{Cond, FilterError, Kind, Number, Op, Test, Text};

/// A typed expression, before it finds its place.
pub(super) enum Typed {
    Cond(Cond),
    Text(Text),
    Number(Number),
    Groups,
    Null,
}

/// An expression and where it starts.
pub(super) struct Node {
    pub(super) value: Typed,
    pub(super) at: usize,
}

impl Node {
    pub(super) fn new(value: Typed, at: usize) -> Self {
        Self { value, at }
    }

    pub(super) fn kind(&self) -> Kind {
        match self.value {
            Typed::Cond(_) => Kind::Condition,
            Typed::Text(_) => Kind::String,
            Typed::Number(_) => Kind::Integer,
            Typed::Groups => Kind::Collection,
            Typed::Null => Kind::Null,
        }
    }

    fn mismatch(&self, expected: Kind) -> FilterError {
        FilterError::Type {
            at: self.at,
            expected,
            found: self.kind(),
        }
    }

    pub(super) fn into_cond(self) -> Result<Cond, FilterError> {
        match self.value {
            Typed::Cond(c) => Ok(c),
            _ => Err(self.mismatch(Kind::Condition)),
        }
    }

    pub(super) fn into_text(self) -> Result<Text, FilterError> {
        match self.value {
            Typed::Text(t) => Ok(t),
            Typed::Null => Ok(Text::Null),
            _ => Err(self.mismatch(Kind::String)),
        }
    }

    pub(super) fn into_number(self) -> Result<Number, FilterError> {
        match self.value {
            Typed::Number(n) => Ok(n),
            Typed::Null => Ok(Number::Null),
            _ => Err(self.mismatch(Kind::Integer)),
        }
    }

    /// An integer argument (of `substring`): `null` is not one.
    pub(super) fn into_argument(self) -> Result<Number, FilterError> {
        match self.value {
            Typed::Number(n) => Ok(n),
            _ => Err(self.mismatch(Kind::Integer)),
        }
    }

    pub(super) fn is_number(&self) -> bool {
        matches!(self.value, Typed::Number(_))
    }
}

/// `left op right`, typed by its operands: strings if either is one, else integers if either is
/// one, else conditions (`eq`/`ne` only); two nulls compare as strings.
pub(super) fn compare(left: Node, op: Op, op_at: usize, right: Node) -> Result<Cond, FilterError> {
    let any = |f: fn(&Typed) -> bool| f(&left.value) || f(&right.value);
    let text = any(|v| matches!(v, Typed::Text(_)));
    let number = any(|v| matches!(v, Typed::Number(_)));
    let cond = any(|v| matches!(v, Typed::Cond(_)));
    if number && !text {
        return Ok(Cond::Numbers(left.into_number()?, op, right.into_number()?));
    }
    if cond && !text {
        if !matches!(op, Op::Eq | Op::Ne) {
            let op = match op {
                Op::Gt => "gt",
                Op::Ge => "ge",
                Op::Lt => "lt",
                _ => "le",
            };
            return Err(FilterError::Unordered { at: op_at, op });
        }
        let (left, right) = (left.into_cond()?, right.into_cond()?);
        return Ok(Cond::Conds(Box::new(left), op, Box::new(right)));
    }
    Ok(Cond::Texts(left.into_text()?, op, right.into_text()?))
}

/// `left in (items…)`: integers if the left or an item is one, else strings.
pub(super) fn in_values(left: Node, items: Vec<Node>) -> Result<Cond, FilterError> {
    if left.is_number() || items.iter().any(Node::is_number) {
        let items = items.into_iter().map(Node::into_number);
        Ok(Cond::NumberIn(
            left.into_number()?,
            items.collect::<Result<_, _>>()?,
        ))
    } else {
        let items = items.into_iter().map(Node::into_text);
        Ok(Cond::TextIn(
            left.into_text()?,
            items.collect::<Result<_, _>>()?,
        ))
    }
}

pub(super) const FUNCTIONS: [&str; 10] = [
    "startswith",
    "endswith",
    "contains",
    "indexof",
    "concat",
    "length",
    "tolower",
    "toupper",
    "trim",
    "substring",
];

/// A function call, typed by its name and arguments.
pub(super) fn call(name: &'static str, at: usize, args: Vec<Node>) -> Result<Typed, FilterError> {
    let arity = |expected| FilterError::Arity { at, name, expected };
    let text = |node: Node| node.into_text().map(Box::new);
    let pair = |args: Vec<Node>| -> Result<(Text, Text), FilterError> {
        let [a, b] = <[Node; 2]>::try_from(args).map_err(|_| arity("two arguments"))?;
        Ok((a.into_text()?, b.into_text()?))
    };
    let one = |args: Vec<Node>| -> Result<Node, FilterError> {
        let [a] = <[Node; 1]>::try_from(args).map_err(|_| arity("one argument"))?;
        Ok(a)
    };
    Ok(match name {
        "startswith" | "endswith" | "contains" => {
            let test = match name {
                "startswith" => Test::StartsWith,
                "endswith" => Test::EndsWith,
                _ => Test::Contains,
            };
            let (a, b) = pair(args)?;
            Typed::Cond(Cond::Test(test, a, b))
        }
        "indexof" => {
            let (a, b) = pair(args)?;
            Typed::Number(Number::IndexOf(Box::new(a), Box::new(b)))
        }
        "concat" => {
            let (a, b) = pair(args)?;
            Typed::Text(Text::Concat(Box::new(a), Box::new(b)))
        }
        "length" => match one(args)? {
            Node {
                value: Typed::Groups,
                ..
            } => Typed::Number(Number::GroupCount),
            node => Typed::Number(Number::Length(text(node)?)),
        },
        "tolower" => Typed::Text(Text::Lower(text(one(args)?)?)),
        "toupper" => Typed::Text(Text::Upper(text(one(args)?)?)),
        "trim" => Typed::Text(Text::Trim(text(one(args)?)?)),
        _ => {
            let mut args = args.into_iter();
            let (Some(value), Some(start), length, None) =
                (args.next(), args.next(), args.next(), args.next())
            else {
                return Err(arity("two or three arguments"));
            };
            let length = length.map(Node::into_argument).transpose()?;
            Typed::Text(Text::Substring(
                text(value)?,
                Box::new(start.into_argument()?),
                length.map(Box::new),
            ))
        }
    })
}
