//! The site `chatr dev` serves on one port, as Static Web Apps serves the real one: the
//! route rules of `staticwebapp.config.json`, `/.auth/*`, the files of `client/`, and `/api/*`
//! forwarded to the handler with `x-ms-client-principal` taken from the auth cookie (a
//! header the browser sends itself is dropped).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use warp::filters::path::FullPath;
use warp::http::{HeaderMap, HeaderValue, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::dev::static_site;
use crate::dev::swa_auth::{self, Principal, COOKIE};
use crate::dev::swa_config::{Decision, SwaConfig};
use crate::http_client::HttpClientError;

/// Largest request body the site forwards (the webhook's limit plus room for headers).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// What the site needs.
#[derive(Clone)]
pub struct Site {
    pub config: Arc<SwaConfig>,
    pub root: PathBuf,
    /// The handler's base URL (`http://127.0.0.1:PORT`).
    pub handler: String,
    pub http: reqwest::Client,
}

impl Site {
    /// A site over `root` with `config`, forwarding `/api/*` to `handler`.
    pub fn new(config: SwaConfig, root: PathBuf, handler: String) -> Result<Self, HttpClientError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(crate::listener::limits::CLIENT_POOL_IDLE)
            .build()?;
        Ok(Self {
            config: Arc::new(config),
            root,
            handler,
            http,
        })
    }
}

fn with_body(status: StatusCode, content_type: &str, body: Bytes) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert("content-type", v);
    }
    r
}

fn redirect(location: &str, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
    let mut r = with_body(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(format!("Redirecting to {location}")),
    );
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert("location", v);
    }
    r
}

/// The methods some route of the site takes (the API's are the handler's to refine).
const ANY_ROUTE_TAKES: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// 405, with the methods the path takes.
fn method_not_allowed(allow: &str) -> Response {
    let body = serde_json::json!({
        "error": "methodNotAllowed",
        "message": format!("This path takes {allow} only."),
    });
    let mut r = with_body(
        StatusCode::METHOD_NOT_ALLOWED,
        "application/json",
        Bytes::from(body.to_string()),
    );
    if let Ok(v) = HeaderValue::from_str(allow) {
        r.headers_mut().insert("allow", v);
    }
    r
}

/// Serves the site on `listener` within `limits`, answering only to `hosts`, until
/// `shutdown`, then lets the requests in hand finish (for the grace period at most).
pub async fn run(
    listener: tokio::net::TcpListener,
    site: Site,
    limits: crate::listener::Limits,
    hosts: crate::listener::hosts::AllowedHosts,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let routes = crate::listener::hosts::guard(Some(hosts))
        .or(routes(site))
        .unify();
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes));
    crate::listener::serve_until(listener, service, None, limits, shutdown, || ()).await;
}

/// The site as a warp filter.
pub fn routes(site: Site) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let raw_query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(raw_query)
        .and(warp::header::headers_cloned())
        .and(crate::functions::body::stream())
        .then(
            move |method, path: FullPath, query: String, headers: HeaderMap, body| {
                let site = site.clone();
                async move {
                    match crate::functions::body::read_limited(&headers, body, MAX_BODY).await {
                        Ok(body) => {
                            site.handle(method, path.as_str().to_string(), query, headers, body)
                                .await
                        }
                        Err(e) => e.into_response(),
                    }
                }
            },
        )
}

impl Site {
    async fn handle(
        &self,
        method: Method,
        path: String,
        query: String,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        // CONNECT, TRACE and the like: nothing here takes them, and the proxy cannot forward
        // them (they used to come back 502 from `/api`).
        if !ANY_ROUTE_TAKES.contains(&method.as_str()) {
            return method_not_allowed(&ANY_ROUTE_TAKES.join(", "));
        }
        let principal =
            Principal::from_cookie_header(headers.get("cookie").and_then(|v| v.to_str().ok()));
        let mut roles = vec!["anonymous".to_string()];
        if let Some(p) = &principal {
            roles.extend(p.user_roles.iter().filter(|r| *r != "anonymous").cloned());
        }
        let mut response = match self.config.decide(&path, method.as_str(), &roles) {
            Decision::Redirect { location, status } => redirect(&location, status),
            Decision::Status(code) => self.error(code),
            Decision::Serve {
                path: target,
                headers: extra,
            } => {
                if target.starts_with("/.auth/") {
                    self.auth(&method, &target, &query, &body, principal.as_ref())
                } else if target.to_ascii_lowercase().starts_with("/api/") {
                    return self
                        .forward(method, &target, &query, headers, body, principal.as_ref())
                        .await;
                } else if method != Method::GET && method != Method::HEAD {
                    method_not_allowed("GET, HEAD")
                } else {
                    let mut r = self.file(&target);
                    for (k, v) in extra {
                        if let (Ok(k), Ok(v)) = (
                            warp::http::HeaderName::from_bytes(k.as_bytes()),
                            HeaderValue::from_str(&v),
                        ) {
                            r.headers_mut().insert(k, v);
                        }
                    }
                    r
                }
            }
        };
        // globalHeaders apply to everything but the API, as in Azure.
        for (k, v) in &self.config.global_headers {
            if let (Ok(k), Ok(v)) = (
                warp::http::HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                response.headers_mut().entry(k).or_insert(v);
            }
        }
        response
    }

    /// An error status, through `responseOverrides` when one is configured.
    fn error(&self, code: u16) -> Response {
        if let Some(o) = self.config.override_for(code) {
            if let Some(location) = &o.redirect {
                return redirect(location, o.status_code.unwrap_or(302));
            }
            if let Some(path) = &o.rewrite {
                let mut r = self.file(path);
                *r.status_mut() = StatusCode::from_u16(o.status_code.unwrap_or(code))
                    .unwrap_or(StatusCode::NOT_FOUND);
                return r;
            }
        }
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
        with_body(
            status,
            "text/plain; charset=utf-8",
            Bytes::from(status.canonical_reason().unwrap_or("Error").to_string()),
        )
    }

    /// A file of `client/`, or the navigation fallback, or a 404.
    fn file(&self, path: &str) -> Response {
        let found = static_site::resolve(&self.root, path).or_else(|| {
            self.config
                .falls_back(path)
                .and_then(|fallback| static_site::resolve(&self.root, fallback))
        });
        let Some(file) = found else {
            return self.not_found();
        };
        match std::fs::read(&file) {
            Ok(bytes) => {
                let mut r = with_body(
                    StatusCode::OK,
                    &self.config.mime_type(&file.to_string_lossy()),
                    Bytes::from(bytes),
                );
                r.headers_mut()
                    .insert("cache-control", HeaderValue::from_static("no-cache"));
                r
            }
            Err(_) => self.not_found(),
        }
    }

    fn not_found(&self) -> Response {
        match self.config.override_for(404) {
            Some(_) => self.error(404),
            None => with_body(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                Bytes::from_static(b"Not found"),
            ),
        }
    }

    /// `/.auth/login/{provider}`, `/.auth/me`, `/.auth/logout`, `/.auth/purge/{provider}`.
    fn auth(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        body: &Bytes,
        principal: Option<&Principal>,
    ) -> Response {
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let segments: Vec<&str> = path.trim_start_matches("/.auth/").split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["me"]) => {
                let body = serde_json::json!({ "clientPrincipal": principal });
                warp::reply::json(&body).into_response()
            }
            ("GET", ["login", provider]) if swa_auth::PROVIDERS.contains(provider) => {
                let target = swa_auth::safe_redirect(param("post_login_redirect_uri"));
                with_body(
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    Bytes::from(swa_auth::login_page(provider, &target)),
                )
            }
            ("POST", ["login", provider]) if swa_auth::PROVIDERS.contains(provider) => {
                let form: Vec<(String, String)> =
                    url::form_urlencoded::parse(body).into_owned().collect();
                let field = |name: &str| {
                    form.iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                };
                let Some(p) = Principal::new(
                    provider,
                    field("userDetails").unwrap_or_default(),
                    field("userId"),
                ) else {
                    return with_body(StatusCode::BAD_REQUEST, "text/plain; charset=utf-8", Bytes::from_static(b"Enter a user name of 1 to 64 characters (and, if you give one, a user id of letters, digits, - and _)."));
                };
                let mut r = redirect(
                    &swa_auth::safe_redirect(field("post_login_redirect_uri")),
                    302,
                );
                let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", p.to_cookie());
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    r.headers_mut().insert("set-cookie", v);
                }
                r
            }
            ("GET", ["logout"]) | ("GET", ["purge", _]) => {
                let mut r = redirect(
                    &swa_auth::safe_redirect(param("post_logout_redirect_uri")),
                    302,
                );
                r.headers_mut().insert(
                    "set-cookie",
                    HeaderValue::from_static(
                        "StaticWebAppsAuthCookie=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
                    ),
                );
                r
            }
            _ => self.error(404),
        }
    }

    /// Forwards `/api/*` to the handler as Static Web Apps forwards to a linked backend.
    async fn forward(
        &self,
        method: Method,
        path: &str,
        query: &str,
        headers: HeaderMap,
        body: Bytes,
        principal: Option<&Principal>,
    ) -> Response {
        let url = if query.is_empty() {
            format!("{}{path}", self.handler)
        } else {
            format!("{}{path}?{query}", self.handler)
        };
        let mut request = self.http.request(method, &url).body(body);
        for (name, value) in &headers {
            let n = name.as_str();
            if !matches!(
                n,
                "host"
                    | "connection"
                    | "content-length"
                    | "transfer-encoding"
                    | "x-ms-client-principal"
                    | "keep-alive"
                    | "upgrade"
            ) {
                request = request.header(name, value);
            }
        }
        if let Some(p) = principal {
            request = request.header("x-ms-client-principal", p.to_api_header());
        }
        match request.send().await {
            Ok(r) => {
                let status = r.status();
                let mut out_headers = HeaderMap::new();
                for (name, value) in r.headers() {
                    if !matches!(
                        name.as_str(),
                        "connection" | "transfer-encoding" | "content-length" | "keep-alive"
                    ) {
                        out_headers.append(name, value.clone());
                    }
                }
                let body = r.bytes().await.unwrap_or_default();
                let mut response = Response::new(body.into());
                *response.status_mut() = status;
                *response.headers_mut() = out_headers;
                response
            }
            Err(e) => {
                tracing::warn!(error = %e, "the handler did not answer");
                with_body(StatusCode::BAD_GATEWAY, "application/json", Bytes::from_static(br#"{"error":{"code":"backendUnavailable","message":"The API is not reachable."}}"#))
            }
        }
    }
}
