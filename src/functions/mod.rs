//! The custom handler: one route table for the four Functions, the warp filter that serves
//! it, and `run(listener, app, shutdown)`.
//!
//! The Functions host forwards each request unchanged (`enableForwardingHttpRequest`), so
//! this router sees `/api/<route>` and answers exactly what `function.json` declares: a
//! declared route with an undeclared method is 405, anything else 404. Routes match without
//! regard to case, as the host's do.

pub mod body;
pub mod error;
pub mod event_handler;
pub mod get_chats;
pub mod get_token;
pub mod get_users;
pub mod principal;
pub mod process;
pub mod sweep;

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, Method};
use tokio::net::TcpListener;
use warp::filters::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
use crate::functions::error::ApiError;
use crate::functions::principal::ClientPrincipal;
use crate::pubsub::PubSubClient;
use crate::store::SharedStore;

/// The route prefix (`extensions.http.routePrefix` in `host.json`).
pub const ROUTE_PREFIX: &str = "api";

/// One Function: its folder name, its route under `/api`, and its methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub function: &'static str,
    pub route: &'static str,
    pub methods: &'static [&'static str],
}

/// Every Function this handler serves; the host-contract test compares it with `host.json`
/// and every `function.json`.
pub const ROUTES: &[Route] = &[
    Route {
        function: "eventHandler",
        route: "eventHandler",
        methods: &["POST", "OPTIONS"],
    },
    Route {
        function: "getToken",
        route: "getToken",
        methods: &["GET"],
    },
    Route {
        function: "getUsers",
        route: "users",
        methods: &["GET"],
    },
    Route {
        function: "getChats",
        route: "chats",
        methods: &["GET"],
    },
];

/// Everything a request handler needs.
#[derive(Clone)]
pub struct App {
    pub service: WebPubSubConnectionString,
    pub hub: HubName,
    pub store: SharedStore,
    pub pubsub: PubSubClient,
    /// How often dead connections are swept (at start-up, then at this interval); `None`
    /// turns the sweep off (tests that run it by hand).
    pub sweep_interval: Option<std::time::Duration>,
}

impl App {
    /// Wires a handler for `hub` of `service` over `store`.
    pub fn new(service: WebPubSubConnectionString, hub: HubName, store: SharedStore) -> Self {
        let pubsub = PubSubClient::new(service.clone(), hub.clone());
        Self {
            service,
            hub,
            store,
            pubsub,
            sweep_interval: Some(sweep::INTERVAL),
        }
    }
}

/// A request as the handlers see it.
pub struct Request {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    /// The signed-in user, or a 401.
    pub fn principal(&self) -> Result<ClientPrincipal, ApiError> {
        let header = self
            .headers
            .get(principal::HEADER)
            .map(|v| {
                v.to_str().map_err(|_| {
                    ApiError::Unauthorized("the x-ms-client-principal header is not text".into())
                })
            })
            .transpose()?;
        ClientPrincipal::parse(header).map_err(|e| ApiError::Unauthorized(e.to_string()))
    }
}

/// Finds the Function for a path and method.
pub fn resolve(path: &str, method: &Method) -> Result<&'static Route, ApiError> {
    let path = path.trim_end_matches('/');
    let route = ROUTES
        .iter()
        .find(|r| {
            path.strip_prefix('/')
                .and_then(|p| p.split_once('/'))
                .is_some_and(|(prefix, rest)| {
                    prefix.eq_ignore_ascii_case(ROUTE_PREFIX) && rest.eq_ignore_ascii_case(r.route)
                })
        })
        .ok_or(ApiError::NotFound)?;
    if route
        .methods
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method.as_str()))
    {
        Ok(route)
    } else {
        Err(ApiError::MethodNotAllowed {
            allow: route.methods.join(", "),
        })
    }
}

async fn dispatch(
    app: App,
    method: Method,
    path: FullPath,
    headers: HeaderMap,
    body: body::BodyStream,
) -> Response {
    let result = async {
        let route = resolve(path.as_str(), &method)?;
        let limit = if route.function == "eventHandler" {
            body::MAX_WEBHOOK_BODY
        } else {
            body::MAX_API_BODY
        };
        let body = body::read_limited(&headers, body, limit).await?;
        let request = Request {
            method,
            headers,
            body,
        };
        match route.function {
            "eventHandler" => event_handler::handle(&app, request).await,
            "getToken" => get_token::handle(&app, request).await,
            "getUsers" => get_users::handle(&app, request).await,
            "getChats" => get_chats::handle(&app, request).await,
            _ => Err(ApiError::NotFound),
        }
    }
    .await;
    result.unwrap_or_else(ApiError::into_response)
}

/// The whole handler as a warp filter.
pub fn routes(app: App) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone {
    warp::method()
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and(body::stream())
        .then(move |method, path, headers, body| dispatch(app.clone(), method, path, headers, body))
        .recover(|_rejection| async { Ok::<_, Infallible>(ApiError::NotFound.into_response()) })
        .unify()
        .map(|r: Response| r.into_response())
}

/// Serves the handler on `listener` until `shutdown` completes, sweeping dead connections
/// in the background.
pub async fn run(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let sweeper = app
        .sweep_interval
        .map(|every| tokio::spawn(sweep::run_forever(app.clone(), every)));
    warp::serve(routes(app))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
    if let Some(sweeper) = sweeper {
        sweeper.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_routes_resolve_case_insensitively() {
        assert_eq!(
            resolve("/api/getToken", &Method::GET)
                .map(|r| r.function)
                .ok(),
            Some("getToken")
        );
        assert_eq!(
            resolve("/API/GETTOKEN", &Method::GET)
                .map(|r| r.function)
                .ok(),
            Some("getToken")
        );
        assert_eq!(
            resolve("/api/users/", &Method::GET)
                .map(|r| r.function)
                .ok(),
            Some("getUsers")
        );
    }

    #[test]
    fn undeclared_paths_are_not_found_and_undeclared_methods_not_allowed() {
        assert!(matches!(
            resolve("/api/getUsers", &Method::GET),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            resolve("/users", &Method::GET),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            resolve("/api/users/x", &Method::GET),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            resolve("/api/getToken", &Method::POST),
            Err(ApiError::MethodNotAllowed { .. })
        ));
        assert!(matches!(
            resolve("/api/eventHandler", &Method::GET),
            Err(ApiError::MethodNotAllowed { .. })
        ));
    }
}
