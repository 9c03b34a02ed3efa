//! Which `Host` names a listener answers to. A local server that answers any name can be
//! reached by DNS rebinding: a web page whose own name now resolves to 127.0.0.1 sends its
//! requests here, and the browser, seeing the same origin, lets it read the answers. `chatr
//! dev` answers only to the names of this machine; anything else is refused with 421
//! Misdirected Request (RFC 9110 §15.5.20) before any route sees it.

use std::sync::Arc;

use warp::http::{header, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

/// The host names (lowercase, no port) a listener answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts(Arc<Vec<String>>);

impl AllowedHosts {
    /// `localhost`, `127.0.0.1` and `[::1]`, and `extra` (names given with `--host`).
    pub fn local(extra: &[String]) -> Self {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(str::to_string)
            .collect();
        names.extend(extra.iter().map(|h| h.trim().to_ascii_lowercase()));
        Self(Arc::new(names))
    }

    /// Whether a `Host` header's name is one of these (with any port, or none).
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name_end = if host.starts_with('[') {
            // `[::1]:4280`: the name runs to the bracket.
            host.find(']').map_or(host.len(), |i| i + 1)
        } else {
            host.find(':').unwrap_or(host.len())
        };
        let (name, rest) = host.split_at(name_end);
        let port_ok = rest.is_empty()
            || rest
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        port_ok && !name.is_empty() && self.0.iter().any(|allowed| allowed == name)
    }
}

/// A `--host` value as the `Host` header would carry it: a DNS name or an address (IPv6 in
/// brackets), lowercase, without scheme or port.
pub fn host_name(raw: &str) -> Result<String, String> {
    let lower = raw.trim().to_ascii_lowercase();
    let candidate = if lower.contains(':') && !lower.starts_with('[') {
        format!("[{lower}]")
    } else {
        lower
    };
    match url::Host::parse(&candidate) {
        Ok(url::Host::Domain(d))
            if d.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }) =>
        {
            Ok(d)
        }
        Ok(url::Host::Ipv4(a)) => Ok(a.to_string()),
        Ok(url::Host::Ipv6(a)) => Ok(format!("[{a}]")),
        _ => Err(format!(
            "--host takes a host name or address, like my-laptop.local, without scheme or port; not `{raw}`"
        )),
    }
}

/// The answer to a request for another host name.
fn misdirected(host: &str) -> Response {
    tracing::warn!(
        host,
        "request for a host name this server does not answer to: 421"
    );
    let body = serde_json::json!({
        "error": "unknownHost",
        "message": "This server answers only to the names of this machine (localhost, 127.0.0.1, [::1]; add one with --host).",
    });
    warp::reply::with_status(warp::reply::json(&body), StatusCode::MISDIRECTED_REQUEST)
        .into_response()
}

/// A filter to put before a listener's routes, `guard(hosts).or(routes).unify()`: with
/// `Some(hosts)` it answers a request for any other name (or none) with 421, and passes the
/// rest on (rejects, so that `or` tries the routes); with `None` it passes everything on.
pub fn guard(
    hosts: Option<AllowedHosts>,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::header::optional::<String>(header::HOST.as_str()).and_then(move |host: Option<String>| {
        let hosts = hosts.clone();
        async move {
            let host = host.unwrap_or_default();
            match hosts {
                Some(hosts) if !hosts.allows(&host) => Ok(misdirected(&host)),
                _ => Err(warp::reject::not_found()),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_machines_names_are_allowed_whatever_the_port_or_case() {
        let hosts = AllowedHosts::local(&["My-Laptop.local".into()]);
        for ok in [
            "localhost",
            "localhost:4280",
            "LOCALHOST:4280",
            "127.0.0.1:8080",
            "[::1]:4280",
            "[::1]",
            "my-laptop.local:4280",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:4280",
            "localhost.evil.example",
            "127.0.0.2",
            "[::2]:4280",
            "[::1",
            "0.0.0.0:4280",
            "localhost:junk",
            "localhost:",
            "[::1]junk",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn a_host_flag_is_a_name_or_an_address_and_nothing_more() {
        assert_eq!(host_name("My-Laptop.local"), Ok("my-laptop.local".into()));
        assert_eq!(host_name("192.168.1.5"), Ok("192.168.1.5".into()));
        assert_eq!(host_name("::1"), Ok("[::1]".into()));
        assert_eq!(host_name("[fe80::1]"), Ok("[fe80::1]".into()));
        for bad in ["http://x", "x:4280", "two words", "", "a..b", "under_score"] {
            let err = host_name(bad).expect_err(bad);
            assert!(err.contains("--host"), "{err}");
        }
    }

    #[tokio::test]
    async fn another_name_is_answered_421_before_the_routes() {
        let routes = guard(Some(AllowedHosts::local(&[])))
            .or(warp::any().map(|| "routed".into_response()))
            .unify();
        let evil = warp::test::request()
            .header("host", "rebound.example:4280")
            .reply(&routes)
            .await;
        assert_eq!(evil.status(), 421);
        let body: serde_json::Value = serde_json::from_slice(evil.body()).expect("JSON");
        assert_eq!(body["error"], "unknownHost");
        let local = warp::test::request()
            .header("host", "localhost:4280")
            .reply(&routes)
            .await;
        assert_eq!(local.body(), "routed");
        let open = guard(None)
            .or(warp::any().map(|| "routed".into_response()))
            .unify();
        let any = warp::test::request()
            .header("host", "rebound.example")
            .reply(&open)
            .await;
        assert_eq!(any.body(), "routed");
    }
}
