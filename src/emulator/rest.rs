//! The data-plane REST API under `/api/hubs/{hub}/…` (swagger 2024-01-01, any `api-version`),
//! each call authorised by a server token whose `aud` is the full request URL. Success codes
//! are the service's: 202 for sends, 200 for adds and checks, 204 for removals and closes,
//! 404 for checks that find nothing. A `filter` on a send, or in the body of
//! `:addToGroups`/`:removeFromGroups` (`rest/batch.rs`), is the OData subset of `filter.rs`.

use std::convert::Infallible;

use bytes::Bytes;
use serde_json::json;
use warp::filters::path::FullPath;
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter as _, Reply};

use crate::emulator::auth;
use crate::emulator::filter::{Filter, FilterError};
use crate::emulator::hub_key::HubKey;
use crate::emulator::mailbox::{Delivery, Outgoing};
use crate::emulator::permissions::ClientPermission;
use crate::emulator::protocol::{valid_group_name, Data, From};
use crate::emulator::registry::{Membership, Scope};
use crate::emulator::service::Emulator;
use crate::http_body::{self, BodyError};

pub mod batch;
mod generate_token;
mod methods;

/// Largest REST body.
pub const MAX_BODY: usize = 1024 * 1024;

fn status(code: StatusCode) -> Response {
    warp::reply::with_status(warp::reply(), code).into_response()
}

fn error(code: StatusCode, error_code: &str, message: &str) -> Response {
    let body = warp::reply::json(&json!({"code": error_code, "message": message}));
    let reply = warp::reply::with_header(body, "x-ms-error-code", error_code);
    warp::reply::with_status(reply, code).into_response()
}

/// The 400 of a filter that does not parse.
fn invalid_filter(e: &FilterError) -> Response {
    let message = format!("Invalid filter: {e}.");
    error(StatusCode::BAD_REQUEST, "InvalidFilter", &message)
}

/// A parsed request.
struct Call {
    method: Method,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    content_type: Option<String>,
    body: Bytes,
}

impl Call {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn params(&self, names: &[&str]) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The `filter` query parameter; an empty one filters nothing, as in Microsoft's emulator.
    fn filter(&self) -> Result<Option<Filter>, Box<Response>> {
        match self.param("filter") {
            None | Some("") => Ok(None),
            Some(text) => Filter::parse(text)
                .map(Some)
                .map_err(|e| Box::new(invalid_filter(&e))),
        }
    }

    fn data(&self) -> Result<Data, Box<Response>> {
        match Data::from_body(self.content_type.as_deref(), &self.body) {
            Some(Ok(d)) => Ok(d),
            Some(Err(e)) => Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                "InvalidPayload",
                &format!("The body is not valid: {e}"),
            ))),
            None => Err(Box::new(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                "Use application/json, text/plain or application/octet-stream.",
            ))),
        }
    }
}

/// The REST routes (`/api/…`).
pub fn routes(
    emulator: Emulator,
) -> impl warp::Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let raw_query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::path("api")
        .and(warp::method())
        .and(warp::path::full())
        .and(raw_query)
        .and(warp::header::headers_cloned())
        .and(http_body::stream())
        .and_then(
            move |method, path: FullPath, query: String, headers: HeaderMap, body| {
                let emulator = emulator.clone();
                async move {
                    let body = match http_body::read_limited(&headers, body, MAX_BODY).await {
                        Ok(body) => body,
                        Err(e) => return Ok(body_refused(&e)),
                    };
                    Ok::<_, Infallible>(handle(
                        &emulator,
                        method,
                        path.as_str(),
                        &query,
                        &headers,
                        body,
                    ))
                }
            },
        )
}

fn handle(
    emulator: &Emulator,
    method: Method,
    path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    if path.trim_end_matches('/') == "/api/health" {
        return status(StatusCode::OK);
    }
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    // `http` over TLS too: the audience check compares host, port and path, not the scheme.
    let url = if raw_query.is_empty() {
        format!("http://{host}{path}")
    } else {
        format!("http://{host}{path}?{raw_query}")
    };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if let Err(e) = auth::server_token(authorization, &emulator.key, &url, crate::clock::unix_now())
    {
        tracing::debug!(error = %e, path, "REST call refused");
        return error(StatusCode::UNAUTHORIZED, "Unauthorized", &e.to_string());
    }
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let call = Call {
        method,
        segments,
        query: url::form_urlencoded::parse(raw_query.as_bytes())
            .into_owned()
            .collect(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    };
    match call.segments.as_slice() {
        [api, hubs, hub, rest @ ..] if api == "api" && hubs == "hubs" => {
            route(emulator, &call, hub, rest)
        }
        _ => error(StatusCode::NOT_FOUND, "NotFound", "No such route."),
    }
}

fn route(e: &Emulator, call: &Call, hub_name: &str, rest: &[String]) -> Response {
    let hub = &HubKey::new(hub_name);
    let r = &e.registry;
    let excluded = call.params(&["excluded"]);
    let reason = call.param("reason").unwrap_or("");
    let strs: Vec<&str> = rest.iter().map(String::as_str).collect();
    let m = &call.method;
    let send = |scope: Scope<'_>| -> Response {
        // The swagger gives every send a filter but the one to a single connection.
        let filter = match scope {
            Scope::Connection(_) => None,
            _ => match call.filter() {
                Ok(f) => f,
                Err(resp) => return *resp,
            },
        };
        let filter = filter.as_ref();
        let data = match call.data() {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        let out = Outgoing::Message(Delivery::new(
            &match scope {
                Scope::Group(g) => From::Group {
                    group: g.to_string(),
                    from_user_id: None,
                },
                _ => From::Server,
            },
            &data,
        ));
        match scope {
            Scope::All => r.to_all(hub, &out, &excluded, filter),
            Scope::User(u) => r.to_user(hub, u, &out, filter),
            Scope::Connection(c) => r.to_connection(hub, c, out),
            Scope::Group(g) => {
                let ex: Vec<&str> = excluded.iter().map(String::as_str).collect();
                r.to_group(hub, g, &out, &ex, filter);
            }
        }
        status(StatusCode::ACCEPTED)
    };
    let exists = |found: bool| {
        status(if found {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        })
    };
    let close = |scope: Scope<'_>| {
        r.close(&r.select(hub, scope, &excluded), reason);
        status(StatusCode::NO_CONTENT)
    };
    match (m.as_str(), strs.as_slice()) {
        ("POST", [":send"]) => send(Scope::All),
        ("POST", ["users", u, ":send"]) => send(Scope::User(u)),
        ("POST", ["connections", c, ":send"]) => send(Scope::Connection(c)),
        ("POST", ["groups", g, ":send"]) => send(Scope::Group(g)),
        ("POST", [":addToGroups"]) => batch::change_groups(r, hub, call, Membership::Join),
        ("POST", [":removeFromGroups"]) => batch::change_groups(r, hub, call, Membership::Leave),
        ("POST", [":closeConnections"]) => close(Scope::All),
        ("POST", ["groups", g, ":closeConnections"]) => close(Scope::Group(g)),
        ("POST", ["users", u, ":closeConnections"]) => close(Scope::User(u)),
        ("DELETE", ["connections", c]) => close(Scope::Connection(c)),
        ("HEAD" | "GET", ["connections", c]) => {
            exists(!r.select(hub, Scope::Connection(c), &[]).is_empty())
        }
        ("HEAD" | "GET", ["users", u]) => exists(!r.select(hub, Scope::User(u), &[]).is_empty()),
        ("HEAD" | "GET", ["groups", g]) => exists(!r.select(hub, Scope::Group(g), &[]).is_empty()),
        ("DELETE", ["connections", c, "groups"]) => {
            r.leave_all(hub, c);
            status(StatusCode::NO_CONTENT)
        }
        ("PUT", ["groups", g, "connections", c]) => {
            if !valid_group_name(g) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidGroup",
                    "The group name is not valid.",
                );
            }
            if r.join(hub, c, g) {
                status(StatusCode::OK)
            } else {
                error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("Connection {c} is not found."),
                )
            }
        }
        ("DELETE", ["groups", _g, "connections", c])
            if r.select(hub, Scope::Connection(c), &[]).is_empty() =>
        {
            status(StatusCode::NO_CONTENT)
        }
        ("DELETE", ["groups", g, "connections", c]) => {
            r.leave(c, g);
            status(StatusCode::NO_CONTENT)
        }
        ("PUT", ["users", u, "groups", g]) => {
            if !valid_group_name(g) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidGroup",
                    "The group name is not valid.",
                );
            }
            if r.add_user_to_group(hub, u, g) {
                status(StatusCode::OK)
            } else {
                error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("User {u} is not found."),
                )
            }
        }
        ("DELETE", ["users", u, "groups", g]) => {
            r.remove_user_from_group(hub, u, Some(g));
            status(StatusCode::NO_CONTENT)
        }
        ("DELETE", ["users", u, "groups"]) => {
            r.remove_user_from_group(hub, u, None);
            status(StatusCode::NO_CONTENT)
        }
        (method, ["permissions", p, "connections", c]) => {
            let Some(permission) = ClientPermission::parse(p) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidPermission",
                    "The permission is joinLeaveGroup or sendToGroup.",
                );
            };
            let target = call.param("targetName").map(str::to_string);
            let result = match method {
                "PUT" => r.with_rights(hub, c, |rights| {
                    rights.grant(permission, target);
                    StatusCode::OK
                }),
                "DELETE" => {
                    // Revoking what a closed connection had is already done.
                    r.with_rights(hub, c, |rights| rights.revoke(permission, target));
                    Some(StatusCode::NO_CONTENT)
                }
                "HEAD" | "GET" => Some(
                    r.with_rights(hub, c, |rights| {
                        rights.has(permission, call.param("targetName"))
                    })
                    .filter(|has| *has)
                    .map_or(StatusCode::NOT_FOUND, |_| StatusCode::OK),
                ),
                _ => return methods::not_allowed("GET, HEAD, PUT, DELETE"),
            };
            match result {
                Some(code) => status(code),
                None => error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("Connection {c} is not found."),
                ),
            }
        }
        ("POST", [":generateToken"]) => generate_token::generate_token(e, call, hub_name),
        (_, path) => match methods::allowed(path) {
            Some(allow) => methods::not_allowed(allow),
            None => error(StatusCode::NOT_FOUND, "NotFound", "No such route."),
        },
    }
}

/// The answer to a body that could not be read: too large, too slow, or broken.
fn body_refused(e: &BodyError) -> Response {
    let (status, code, message) = match e {
        BodyError::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            "The body is larger than 1 MiB.".to_string(),
        ),
        BodyError::TimedOut => (
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            "The request body did not arrive in time.".to_string(),
        ),
        BodyError::Unreadable(_) => (StatusCode::BAD_REQUEST, "InvalidPayload", e.to_string()),
    };
    error(status, code, &message)
}
