//! The custom handler: the five Functions with their route templates, the warp filter that
//! serves them, and `run(listener, app, shutdown)`.
//!
//! The Functions host forwards each request unchanged (`enableForwardingHttpRequest`), so
//! this router sees `/api/<route>` and answers exactly what `function.json` declares: a
//! declared route with an undeclared method is 405, anything else 404. Routes match without
//! regard to case, as the host's do.
//!
//! # Layout
//! - `mod.rs`: [`Function`] (folder, route, methods, body limit), `resolve`, `dispatch`, `run`;
//!   [`route`]: route templates; [`body`]: bodies read with the Function's limit;
//!   [`error`]: `ApiError`, the one error at the edge; [`principal`]: the signed-in user.
//! - One file per Function: [`event_handler`], [`get_token`], [`get_users`], [`get_chats`],
//!   [`get_messages`].
//! - [`process`]: one event through the chat (read, decide, store, then call the service),
//!   one at a time per user and per chat ([`row_locks`]); [`connection_cap`]: the cap on one
//!   user's connections; [`rate_limits`]: per-user token buckets; [`sweep`]: connections
//!   whose `disconnected` was lost; [`unread`]: the caller's unread counts.
//!
//! # The life of a webhook
//! `dispatch` resolves the Function and reads the body → `event_handler` verifies the
//! signature and parses the event, in a span with its hub, connection and user → `process`
//! reads the state, asks `chat::handle`, stores the changes → then runs the service calls
//! through `pubsub` → a refusal is answered 200 `actionRefused`, a store failure 503.

pub mod body;
pub mod connection_cap;
pub mod error;
pub mod event_handler;
pub mod get_chats;
pub mod get_messages;
pub mod get_token;
pub mod get_users;
pub mod principal;
pub mod process;
pub mod rate_limits;
pub mod route;
pub mod row_locks;
pub mod sweep;
pub mod unread;

use std::convert::Infallible;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};

use bytes::Bytes;
use http::{HeaderMap, Method};
use tokio::net::TcpListener;
use warp::filters::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
use crate::config::limits::Limits;
use crate::functions::error::ApiError;
use crate::functions::principal::ClientPrincipal;
use crate::functions::rate_limits::RateLimits;
use crate::functions::route::{RouteParams, RouteTemplate};
use crate::functions::row_locks::{CallGates, RowLocks};
use crate::http_client::HttpClientError;
use crate::pubsub::PubSubClient;
use crate::store::SharedStore;

/// The route prefix (`extensions.http.routePrefix` in `host.json`).
pub const ROUTE_PREFIX: &str = "api";

/// One Function: a folder with a `function.json` at the repository root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    EventHandler,
    GetToken,
    GetUsers,
    GetChats,
    GetMessages,
}

impl Function {
    /// Every Function this handler serves; the host-contract test compares them with
    /// `host.json` and every `function.json`, so a Function folder missing here fails it.
    pub const ALL: [Function; 5] = [
        Function::EventHandler,
        Function::GetToken,
        Function::GetUsers,
        Function::GetChats,
        Function::GetMessages,
    ];

    /// The Function's folder (its name in the Functions host).
    pub fn folder(self) -> &'static str {
        match self {
            Function::EventHandler => "eventHandler",
            Function::GetToken => "getToken",
            Function::GetUsers => "getUsers",
            Function::GetChats => "getChats",
            Function::GetMessages => "getMessages",
        }
    }

    /// The route template under `/api` (`function.json`'s `route`, or the folder name).
    pub fn route(self) -> &'static str {
        match self {
            Function::EventHandler => "eventHandler",
            Function::GetToken => "getToken",
            Function::GetUsers => "users",
            Function::GetChats => "chats",
            Function::GetMessages => "chats/{chatId}/messages",
        }
    }

    /// The methods `function.json` declares, upper case.
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            Function::EventHandler => &["POST", "OPTIONS"],
            Function::GetToken
            | Function::GetUsers
            | Function::GetChats
            | Function::GetMessages => &["GET"],
        }
    }

    /// The largest request body the Function reads.
    pub fn body_limit(self) -> usize {
        match self {
            Function::EventHandler => body::MAX_WEBHOOK_BODY,
            Function::GetToken
            | Function::GetUsers
            | Function::GetChats
            | Function::GetMessages => body::MAX_API_BODY,
        }
    }
}

/// Every Function's parsed route template, made once.
static TEMPLATES: LazyLock<Vec<(Function, RouteTemplate<'static>)>> = LazyLock::new(|| {
    Function::ALL
        .iter()
        .map(|&f| {
            #[expect(
                clippy::expect_used,
                reason = "the templates are constants, each parsed by a unit test"
            )]
            let template = RouteTemplate::parse(f.route()).expect("a constant route template");
            (f, template)
        })
        .collect()
});

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
    /// One event at a time per user (until its service calls are done)…
    pub user_locks: Arc<RowLocks>,
    /// …and per chat (until its change is stored).
    pub chat_locks: Arc<RowLocks>,
    /// A chat's service calls after that: a delete's after those of the events before it.
    pub chat_gates: Arc<CallGates>,
    /// The most connections one user may hold at once (`None`: no limit).
    pub max_connections_per_user: Option<NonZeroU32>,
    /// The most chats one user may be in (`None`: no limit).
    pub max_chats_per_user: Option<NonZeroU32>,
    /// How fast one user may send messages, open chats and read history.
    pub rates: Arc<RateLimits>,
    /// Members may publish to their chats' groups themselves (`CHATR_DIRECT_RELAY`).
    pub direct_relay: bool,
    /// How long messages are kept (`CHATR_MESSAGE_RETENTION_DAYS`); `None`: forever.
    pub message_retention: Option<std::time::Duration>,
}

impl App {
    /// Wires a handler for `hub` of `service` over `store`.
    pub fn new(
        service: WebPubSubConnectionString,
        hub: HubName,
        store: SharedStore,
    ) -> Result<Self, HttpClientError> {
        let pubsub = PubSubClient::new(service.clone(), hub.clone())?;
        Ok(Self {
            service,
            hub,
            store,
            pubsub,
            sweep_interval: Limits::default().sweep_interval,
            user_locks: Arc::default(),
            chat_locks: Arc::default(),
            chat_gates: Arc::default(),
            max_connections_per_user: Limits::default().max_connections_per_user,
            max_chats_per_user: Limits::default().max_chats_per_user,
            rates: Arc::new(RateLimits::of(&Limits::default())),
            direct_relay: Limits::default().direct_relay,
            message_retention: Limits::default().message_retention,
        })
    }

    /// The refusal of a user at the connection cap.
    pub fn too_many_connections(&self) -> ApiError {
        ApiError::TooManyConnections {
            cap: self.max_connections_per_user.map_or(0, NonZeroU32::get),
        }
    }

    /// The handler trusting the CA certificates of `pem` when it calls Web PubSub
    /// (`CHATR_EXTRA_CA_CERTS`).
    pub fn trusting(mut self, pem: &[u8]) -> Result<Self, HttpClientError> {
        self.pubsub = self.pubsub.trusting(pem)?;
        Ok(self)
    }

    /// The handler with these limits instead of the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.sweep_interval = limits.sweep_interval;
        self.max_connections_per_user = limits.max_connections_per_user;
        self.max_chats_per_user = limits.max_chats_per_user;
        self.rates = Arc::new(RateLimits::of(&limits));
        self.direct_relay = limits.direct_relay;
        self.message_retention = limits.message_retention;
        self
    }
}

/// A request as the handlers see it.
pub struct Request {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The values of the route template's parameters.
    pub params: RouteParams,
    /// The query string's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
}

impl Request {
    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

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

/// Finds the Function for a path and method, with its route parameters.
pub fn resolve(path: &str, method: &Method) -> Result<(Function, RouteParams), ApiError> {
    resolve_in(&TEMPLATES, path, method)
}

/// [`resolve`] over a given table. Of the templates that match the path, the most specific
/// wins (a literal segment beats a parameter); Functions sharing that route are told apart
/// by method, and a method none of them takes is 405 naming what they take.
fn resolve_in(
    table: &[(Function, RouteTemplate<'static>)],
    path: &str,
    method: &Method,
) -> Result<(Function, RouteParams), ApiError> {
    let under_prefix = path
        .trim_end_matches('/')
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .filter(|(prefix, _)| prefix.eq_ignore_ascii_case(ROUTE_PREFIX))
        .map(|(_, rest)| rest)
        .ok_or(ApiError::NotFound)?;
    let matching: Vec<(Function, &RouteTemplate, RouteParams)> = table
        .iter()
        .filter_map(|(f, t)| t.matches(under_prefix).map(|p| (*f, t, p)))
        .collect();
    let best = matching
        .iter()
        .map(|(_, t, _)| t)
        .max_by_key(|t| t.specificity())
        .ok_or(ApiError::NotFound)?
        .shape();
    let same_route: Vec<(Function, RouteParams)> = matching
        .into_iter()
        .filter(|(_, t, _)| t.shape() == best)
        .map(|(f, _, p)| (f, p))
        .collect();
    let takes = |f: &Function| {
        f.methods()
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method.as_str()))
    };
    if let Some(found) = same_route.iter().find(|(f, _)| takes(f)) {
        return Ok(found.clone());
    }
    let allow: Vec<&str> = same_route
        .iter()
        .flat_map(|(f, _)| f.methods().iter().copied())
        .collect();
    Err(ApiError::MethodNotAllowed {
        allow: allow.join(", "),
    })
}

async fn dispatch(
    app: App,
    method: Method,
    path: FullPath,
    query: String,
    headers: HeaderMap,
    body: body::BodyStream,
) -> Response {
    let result = async {
        let (function, params) = resolve(path.as_str(), &method)?;
        let body = body::read_limited(&headers, body, function.body_limit()).await?;
        let request = Request {
            method,
            headers,
            body,
            params,
            query: url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        };
        match function {
            Function::EventHandler => event_handler::handle(&app, request).await,
            Function::GetToken => get_token::handle(&app, request).await,
            Function::GetUsers => get_users::handle(&app, request).await,
            Function::GetChats => get_chats::handle(&app, request).await,
            Function::GetMessages => get_messages::handle(&app, request).await,
        }
    }
    .await;
    result.unwrap_or_else(ApiError::into_response)
}

/// The whole handler as a warp filter.
pub fn routes(app: App) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone {
    let raw_query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(raw_query)
        .and(warp::header::headers_cloned())
        .and(body::stream())
        .then(move |method, path, query, headers, body| {
            dispatch(app.clone(), method, path, query, headers, body)
        })
        .recover(|_rejection| async { Ok::<_, Infallible>(ApiError::NotFound.into_response()) })
        .unify()
        .map(|r: Response| r.into_response())
}

/// Serves the handler on `listener` within `limits` (answering only to `hosts` when given:
/// `chatr dev`) until `shutdown` completes, sweeping
/// dead connections in the background; then lets the requests in hand finish (for the
/// grace period at most).
pub async fn run(
    listener: TcpListener,
    app: App,
    limits: crate::listener::Limits,
    hosts: Option<crate::listener::hosts::AllowedHosts>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let sweeper = app
        .sweep_interval
        .map(|every| tokio::spawn(sweep::run_forever(app.clone(), every)));
    let routes = crate::listener::hosts::guard(hosts).or(routes(app)).unify();
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes));
    crate::listener::serve_until(listener, service, None, limits, shutdown, || ()).await;
    if let Some(sweeper) = sweeper {
        sweeper.abort();
    }
}

#[cfg(test)]
mod tests;
