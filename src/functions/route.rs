//! Route templates as `function.json` writes them (`chats/{chatId}/messages`): literal
//! segments matched without regard to case, as the Functions host does, and `{name}`
//! parameters that take one non-empty segment each.

use std::collections::BTreeMap;

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

impl RouteTemplate<'static> {
    /// The parameters `path` (the part after the route prefix, no leading `/`) gives this
    /// template, or `None` when it does not match. Parameter values stay percent-encoded.
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
                    params.0.insert(name, part.to_string());
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
    fn a_parameter_takes_exactly_one_non_empty_segment() {
        let t = template("chats/{chatId}/messages");
        let params = t.matches("chats/abc%20d/messages").expect("matches");
        assert_eq!(params.get("chatId"), Some("abc%20d"));
        assert_eq!(params.get("other"), None);
        assert_eq!(t.matches("chats//messages"), None);
        assert_eq!(t.matches("chats/a/b/messages"), None);
        assert_eq!(t.matches("chats/a"), None);
        assert_eq!(
            t.matches("Chats/a/MESSAGES")
                .map(|p| p.get("chatId").map(str::to_string)),
            Some(Some("a".into()))
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        assert_eq!(RouteTemplate::parse(""), Err(TemplateError::Empty));
        assert_eq!(
            RouteTemplate::parse("chats//x"),
            Err(TemplateError::EmptySegment(1))
        );
        assert_eq!(
            RouteTemplate::parse("chats/{}"),
            Err(TemplateError::BadParameter("{}".into()))
        );
        assert_eq!(
            RouteTemplate::parse("chats/{id:int}"),
            Err(TemplateError::BadParameter("{id:int}".into()))
        );
        assert_eq!(
            RouteTemplate::parse("chats/x{id}"),
            Err(TemplateError::BadParameter("x{id}".into()))
        );
        assert_eq!(
            RouteTemplate::parse("{a}/{a}"),
            Err(TemplateError::DuplicateParameter("a".into()))
        );
    }
}
