//! A filter's text to tokens, each with the character position where it starts.

use std::fmt;

use super::FilterError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Open,
    Close,
    Comma,
    Str(String),
    Int(i64),
    Word(String),
    End,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open => f.write_str("'('"),
            Self::Close => f.write_str("')'"),
            Self::Comma => f.write_str("','"),
            Self::Str(_) => f.write_str("a string"),
            Self::Int(n) => write!(f, "{n}"),
            Self::Word(w) => write!(f, "`{w}`"),
            Self::End => f.write_str("the end of the filter"),
        }
    }
}

/// The tokens of `text` with the character position of each.
pub(super) fn lex(text: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let digit_at = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let at = i;
        i += 1;
        let tok = match c {
            ' ' | '\t' | '\r' | '\n' => continue,
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(FilterError::UnclosedString { at }),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit() || (matches!(c, '+' | '-') && digit_at(i)) => {
                while digit_at(i) {
                    i += 1;
                }
                let literal: String = chars[at..i].iter().collect();
                let n = literal
                    .parse()
                    .map_err(|_| FilterError::IntegerOutOfRange { at })?;
                Tok::Int(n)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                Tok::Word(chars[at..i].iter().collect())
            }
            ch => return Err(FilterError::UnexpectedCharacter { at, ch }),
        };
        tokens.push((tok, at));
    }
    tokens.push((Tok::End, chars.len()));
    Ok(tokens)
}
