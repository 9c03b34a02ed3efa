//! The grammar of `filter.rs`, by recursive descent over the tokens of `lex.rs`, each node
//! typed by `typed.rs` as it is built.

use super::lex::{lex, Tok};
use super::typed::{call, compare, in_values, Node, Typed, FUNCTIONS};
use super::{Cond, FilterError, Number, Op, Text, MAX_DEPTH, MAX_FILTER_LEN};

/// Parses a whole filter, which must be a condition.
pub(super) fn parse(text: &str) -> Result<Cond, FilterError> {
    if text.len() > MAX_FILTER_LEN {
        return Err(FilterError::TooLong { len: text.len() });
    }
    if text.trim().is_empty() {
        return Err(FilterError::Empty);
    }
    let mut parser = Parser {
        tokens: lex(text)?,
        next: 0,
        depth: 0,
    };
    let node = parser.or()?;
    match parser.bump() {
        (Tok::End, _) => node.into_cond(),
        (found, at) => Err(FilterError::Expected {
            at,
            expected: "`and`, `or` or the end of the filter",
            found: found.to_string(),
        }),
    }
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    next: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> (&Tok, usize) {
        match self.tokens.get(self.next) {
            Some((tok, at)) => (tok, *at),
            None => (&Tok::End, self.tokens.last().map_or(0, |(_, at)| *at)),
        }
    }

    fn bump(&mut self) -> (Tok, usize) {
        let (tok, at) = self.peek();
        let tok = tok.clone();
        if tok != Tok::End {
            self.next += 1;
        }
        (tok, at)
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek().0, Tok::Word(w) if w == word)
    }

    fn enter(&mut self, at: usize) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::TooDeep { at });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn or(&mut self) -> Result<Node, FilterError> {
        let first = self.and()?;
        if !self.at_word("or") {
            return Ok(first);
        }
        let at = first.at;
        let mut any = vec![first.into_cond()?];
        while self.at_word("or") {
            self.bump();
            any.push(self.and()?.into_cond()?);
        }
        Ok(Node::new(Typed::Cond(Cond::Any(any)), at))
    }

    fn and(&mut self) -> Result<Node, FilterError> {
        let first = self.comparison()?;
        if !self.at_word("and") {
            return Ok(first);
        }
        let at = first.at;
        let mut all = vec![first.into_cond()?];
        while self.at_word("and") {
            self.bump();
            all.push(self.comparison()?.into_cond()?);
        }
        Ok(Node::new(Typed::Cond(Cond::All(all)), at))
    }

    fn comparison(&mut self) -> Result<Node, FilterError> {
        let left = self.unary()?;
        let (Tok::Word(word), op_at) = self.peek() else {
            return Ok(left);
        };
        let op = match word.as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            "in" => {
                self.bump();
                return self.in_list(left);
            }
            _ => return Ok(left),
        };
        self.bump();
        let at = left.at;
        let right = self.unary()?;
        Ok(Node::new(Typed::Cond(compare(left, op, op_at, right)?), at))
    }

    /// After `in`: `groups`, `(groups)` or a parenthesized list of values of the left's type.
    fn in_list(&mut self, left: Node) -> Result<Node, FilterError> {
        let at = left.at;
        let items = match self.bump() {
            (Tok::Word(w), _) if w.eq_ignore_ascii_case("groups") => {
                return Ok(Node::new(
                    Typed::Cond(Cond::InGroups(left.into_text()?)),
                    at,
                ));
            }
            (Tok::Open, open) => self.arguments(open)?,
            (found, at) => {
                return Err(FilterError::Expected {
                    at,
                    expected: "'(' or groups",
                    found: found.to_string(),
                })
            }
        };
        let cond = match items.as_slice() {
            [Node {
                value: Typed::Groups,
                ..
            }] => Cond::InGroups(left.into_text()?),
            _ => in_values(left, items)?,
        };
        Ok(Node::new(Typed::Cond(cond), at))
    }

    fn unary(&mut self) -> Result<Node, FilterError> {
        let (tok, at) = self.peek();
        if !matches!(tok, Tok::Word(w) if w == "not") {
            return self.primary();
        }
        self.bump();
        self.enter(at)?;
        let operand = self.unary()?.into_cond()?;
        self.leave();
        Ok(Node::new(Typed::Cond(Cond::Not(Box::new(operand))), at))
    }

    fn primary(&mut self) -> Result<Node, FilterError> {
        let (tok, at) = self.bump();
        let value = match tok {
            Tok::Open => {
                self.enter(at)?;
                let inner = self.or()?;
                match self.bump() {
                    (Tok::Close, _) => {}
                    (found, at) => {
                        return Err(FilterError::Expected {
                            at,
                            expected: "')'",
                            found: found.to_string(),
                        })
                    }
                }
                self.leave();
                inner.value
            }
            Tok::Str(s) => Typed::Text(Text::Literal(s)),
            Tok::Int(n) => Typed::Number(Number::Literal(n)),
            Tok::Word(w) => self.word(w, at)?,
            found => {
                return Err(FilterError::Expected {
                    at,
                    expected: "a value",
                    found: found.to_string(),
                })
            }
        };
        Ok(Node::new(value, at))
    }

    fn word(&mut self, word: String, at: usize) -> Result<Typed, FilterError> {
        let is = |name: &str| word.eq_ignore_ascii_case(name);
        Ok(match word.as_str() {
            "true" => Typed::Cond(Cond::Literal(true)),
            "false" => Typed::Cond(Cond::Literal(false)),
            "null" => Typed::Null,
            _ if is("connectionId") => Typed::Text(Text::ConnectionId),
            _ if is("userId") => Typed::Text(Text::UserId),
            _ if is("groups") => Typed::Groups,
            name => {
                let Some(function) = FUNCTIONS.iter().find(|f| **f == name) else {
                    return Err(FilterError::Unsupported { at, name: word });
                };
                match self.bump() {
                    (Tok::Open, open) => {
                        let args = self.arguments(open)?;
                        call(function, at, args)?
                    }
                    (found, at) => {
                        return Err(FilterError::Expected {
                            at,
                            expected: "'(' after a function name",
                            found: found.to_string(),
                        })
                    }
                }
            }
        })
    }

    /// After `(`: one or more expressions separated by commas, then `)`.
    fn arguments(&mut self, open: usize) -> Result<Vec<Node>, FilterError> {
        self.enter(open)?;
        let mut args = vec![self.or()?];
        loop {
            match self.bump() {
                (Tok::Comma, _) => args.push(self.or()?),
                (Tok::Close, _) => break,
                (found, at) => {
                    return Err(FilterError::Expected {
                        at,
                        expected: "',' or ')'",
                        found: found.to_string(),
                    })
                }
            }
        }
        self.leave();
        Ok(args)
    }
}
