//! `--allowed-origins`: which web pages may open a WebSocket to the emulator. A browser sends
//! the page's `Origin` with every upgrade; SDKs and servers send none and are never refused.
//! Origins are compared as browsers serialise them (`scheme://host[:port]`, lowercase, no
//! default port, no path).

use std::str::FromStr;

/// Why an `--allowed-origins` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--allowed-origins takes `*` or origins like http://localhost:4280, comma-separated; not `{0}`"
)]
pub struct OriginsError(String);

/// The origins whose pages may connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// Every page (the default: as before, and as the service's own default).
    #[default]
    Any,
    /// These, serialised.
    Only(Vec<String>),
}

/// An origin as a browser sends it, or `None` when `raw` is not one (`null` included).
fn serialise(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    // An origin names no path, query, fragment or user: anything more is not one.
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty();
    let origin = url.origin();
    (bare && origin.is_tuple()).then(|| origin.ascii_serialization())
}

impl FromStr for AllowedOrigins {
    type Err = OriginsError;

    fn from_str(s: &str) -> Result<Self, OriginsError> {
        let items: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect();
        if items.is_empty() || items.contains(&"*") {
            return if items.len() <= 1 {
                Ok(Self::Any)
            } else {
                Err(OriginsError(s.to_string()))
            };
        }
        items
            .iter()
            .map(|i| serialise(i).ok_or_else(|| OriginsError((*i).to_string())))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Only)
    }
}

impl AllowedOrigins {
    /// Whether an upgrade with this `Origin` header (if any) may go on.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        match (self, origin) {
            (Self::Any, _) | (_, None) => true,
            (Self::Only(list), Some(raw)) => serialise(raw).is_some_and(|o| list.contains(&o)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_by_default_and_only_those_listed_otherwise() {
        let any: AllowedOrigins = "*".parse().expect("any");
        assert_eq!(any, AllowedOrigins::Any);
        assert!(any.allows(Some("https://evil.example")));
        let only: AllowedOrigins = "http://localhost:4280, HTTP://127.0.0.1:4280/"
            .parse()
            .expect("two");
        assert!(only.allows(Some("http://localhost:4280")));
        assert!(only.allows(Some("http://LOCALHOST:4280")));
        assert!(only.allows(Some("http://127.0.0.1:4280")));
        assert!(!only.allows(Some("http://localhost:4281")));
        assert!(
            !only.allows(Some("https://localhost:4280")),
            "another scheme"
        );
        assert!(!only.allows(Some("null")), "an opaque origin");
        assert!(
            only.allows(None),
            "clients without Origin (SDKs, servers) are not refused"
        );
        let default_port: AllowedOrigins = "http://localhost:80".parse().expect("one");
        assert!(default_port.allows(Some("http://localhost")));
    }

    #[test]
    fn a_value_that_is_not_an_origin_is_refused_when_read() {
        for bad in [
            "localhost:4280",
            "http://localhost:4280/path",
            "*, http://a",
            "ftp:",
        ] {
            assert!(bad.parse::<AllowedOrigins>().is_err(), "{bad}");
        }
    }
}
