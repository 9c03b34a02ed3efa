//! Which methods each REST path takes, so that a known path called with another method is
//! answered 405 with `Allow` (RFC 9110 §15.5.6), and only an unknown path 404.

use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

use super::error;

/// The methods `path` (the segments after `/api/hubs/{hub}/`) takes; `None` for no such path.
pub(super) fn allowed(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        [":send" | ":addToGroups" | ":removeFromGroups" | ":closeConnections" | ":generateToken"] => {
            "POST"
        }
        ["users" | "connections" | "groups", _, ":send"] => "POST",
        ["users" | "groups", _, ":closeConnections"] => "POST",
        ["connections", _] => "GET, HEAD, DELETE",
        ["users" | "groups", _] => "GET, HEAD",
        ["connections" | "users", _, "groups"] => "DELETE",
        ["groups", _, "connections", _] | ["users", _, "groups", _] => "PUT, DELETE",
        ["permissions", _, "connections", _] => "GET, HEAD, PUT, DELETE",
        _ => return None,
    })
}

/// 405 for a path that exists, with the methods it takes.
pub(super) fn not_allowed(allow: &'static str) -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!("This operation takes {allow} only."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_name_their_methods_and_unknown_ones_none() {
        assert_eq!(allowed(&[":send"]), Some("POST"));
        assert_eq!(
            allowed(&["groups", "g", "connections", "c"]),
            Some("PUT, DELETE")
        );
        assert_eq!(allowed(&["connections", "c"]), Some("GET, HEAD, DELETE"));
        assert_eq!(allowed(&["nothing"]), None);
        assert_eq!(allowed(&["users", "u", "elsewhere"]), None);
        let response = not_allowed("POST");
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "POST");
    }
}
