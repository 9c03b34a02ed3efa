//! Route templates as `function.json` writes them (`chats/{chatId}/messages`): literal
//! segments matched without regard to case, as the Functions host does, and `{name}`
//! parameters that take one non-empty segment each, percent-decoded. Where two templates
//! match a path, the one with a literal at the first segment where they differ wins
//! (`chats/mine` over `chats/{chatId}`), as in the host.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

/// Why a route template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("a route template has at least one segment")]
    Empty,
    #[error("segment {0} is empty")]
    EmptySegment(usize),
    #[error("`{0}` is not a parameter: write `{{name}}` with a name of letters and digits")]
    BadParameter(String),
    #[error("the parameter `{0}` appears twice")]
    DuplicateParameter(String),
}

/// One segment of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Literal(&'a str),
    Parameter(&'a str),
}

/// A parsed route template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTemplate<'a> {
    segments: Vec<Segment<'a>>,
}

/// The values of a matched route's parameters, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteParams(BTreeMap<&'static str, String>);

impl RouteParams {
    /// The value of a parameter the route declares.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<'a> RouteTemplate<'a> {
    /// Parses `template`: segments split by `/`, each a literal or a `{name}` parameter.
    pub fn parse(template: &'a str) -> Result<Self, TemplateError> {
        if template.is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut segments = Vec::new();
        for (i, raw) in template.split('/').enumerate() {
            if raw.is_empty() {
                return Err(TemplateError::EmptySegment(i));
            }
            let segment = match raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Some(name)
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
                {
                    if segments.contains(&Segment::Parameter(name)) {
                        return Err(TemplateError::DuplicateParameter(name.to_string()));
                    }
                    Segment::Parameter(name)
                }
                _ if raw.contains(['{', '}']) => {
                    return Err(TemplateError::BadParameter(raw.to_string()))
                }
                _ => Segment::Literal(raw),
            };
            segments.push(segment);
        }
        Ok(Self { segments })
    }

    /// The segments, in order.
    pub fn segments(&self) -> &[Segment<'a>] {
        &self.segments
    }
}

impl RouteTemplate<'_> {
    /// Which segments are literals: of two templates matching one path, the greater is the
    /// more specific (a literal beats a parameter at the first segment where they differ).
    pub fn specificity(&self) -> Vec<bool> {
        self.segments
            .iter()
            .map(|s| matches!(s, Segment::Literal(_)))
            .collect()
    }

    /// The template with parameter names and the case of literals left out: two templates of
    /// one shape match exactly the same paths.
    pub fn shape(&self) -> Vec<Option<String>> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => Some(l.to_ascii_lowercase()),
                Segment::Parameter(_) => None,
            })
            .collect()
    }

    /// Whether some path matches both templates.
    pub fn overlaps(&self, other: &RouteTemplate<'_>) -> bool {
        self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Literal(a), Segment::Literal(b)) => a.eq_ignore_ascii_case(b),
                    _ => true,
                })
    }
}

impl RouteTemplate<'static> {
    /// The parameters `path` (the part after the route prefix, no leading `/`) gives this
    /// template, percent-decoded, or `None` when it does not match (a parameter that does not
    /// decode to UTF-8 does not match).
    pub fn matches(&self, path: &str) -> Option<RouteParams> {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = RouteParams::default();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) if literal.eq_ignore_ascii_case(part) => {}
                Segment::Parameter(name) if !part.is_empty() => {
                    let value = percent_decode_str(part).decode_utf8().ok()?;
                    params.0.insert(name, value.into_owned());
                }
                _ => return None,
            }
        }
        Some(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(t: &'static str) -> RouteTemplate<'static> {
        RouteTemplate::parse(t).expect("a valid template")
    }

    #[test]
    fn literals_match_without_regard_to_case() {
        assert_eq!(
            template("getToken").matches("GETTOKEN"),
            Some(RouteParams::default())
        );
        assert_eq!(template("getToken").matches("getTokens"), None);
    }

    #[test]
    fn a_parameter_takes_exactly_one_non_empty_segment_percent_decoded() {
        let t = template("chats/{chatId}/messages");
        let params = t.matches("chats/abc%20d/messages").expect("matches");
        assert_eq!(params.get("chatId"), Some("abc d"));
        assert_eq!(params.get("other"), None);
        let upper = t.matches("Chats/a/MESSAGES").expect("literals ignore case");
        assert_eq!(upper.get("chatId"), Some("a"));
        for path in [
            "chats//messages",
            "chats/a/b/messages",
            "chats/a",
            "chats/%FF/messages",
        ] {
            assert_eq!(t.matches(path), None, "{path}");
        }
    }

    #[test]
    fn a_literal_is_more_specific_than_a_parameter_at_the_first_difference() {
        let (mine, any, any_mine) = (
            template("chats/mine"),
            template("chats/{chatId}"),
            template("{a}/mine"),
        );
        assert!(mine.specificity() > any.specificity());
        assert!(any.specificity() > any_mine.specificity());
    }

    #[test]
    fn templates_overlap_when_some_path_matches_both() {
        let t = template("chats/{chatId}/messages");
        assert!(t.overlaps(&template("chats/{id}/messages")));
        assert!(t.overlaps(&template("CHATS/mine/{x}")));
        assert!(!t.overlaps(&template("chats/{chatId}")));
        assert!(!t.overlaps(&template("users/{id}/messages")));
        assert_eq!(
            t.shape(),
            template("Chats/{other}/messages").shape(),
            "one shape whatever the names and case"
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        for (bad, why) in [
            ("", TemplateError::Empty),
            ("chats//x", TemplateError::EmptySegment(1)),
            ("chats/{}", TemplateError::BadParameter("{}".into())),
            (
                "chats/{id:int}",
                TemplateError::BadParameter("{id:int}".into()),
            ),
            ("chats/x{id}", TemplateError::BadParameter("x{id}".into())),
            ("{a}/{a}", TemplateError::DuplicateParameter("a".into())),
        ] {
            assert_eq!(RouteTemplate::parse(bad), Err(why), "{bad}");
        }
    }
}
