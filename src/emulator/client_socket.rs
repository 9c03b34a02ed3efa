//! The client endpoint `/client/hubs/{hub}` (or `/client/?hub=`): the token check, subprotocol
//! negotiation and the blocking `connect` event, all before the WebSocket upgrade.

use std::collections::HashMap;
use std::convert::Infallible;

use serde::Deserialize;
use serde_json::{json, Value};
use warp::http::{HeaderMap, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::emulator::auth;
use crate::emulator::connection;
use crate::emulator::hub_key::HubKey;
use crate::emulator::live::Accepted;
use crate::emulator::permissions::Rights;
use crate::emulator::protocol::{valid_group_name, Protocol};
use crate::emulator::service::Emulator;
use crate::emulator::upstream::{EventKind, EventRequest};
use crate::emulator::websocket::{self, Upgrade};

/// What a `connect` handler may answer.
#[derive(Debug, Default, Deserialize)]
struct ConnectResponse {
    #[serde(rename = "userId")]
    user_id: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    roles: Vec<String>,
    subprotocol: Option<String>,
}

fn plain(status: StatusCode, text: &str) -> Response {
    warp::reply::with_status(text.to_string(), status).into_response()
}

fn query_map(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

/// The filter for both URL forms.
pub fn routes(
    emulator: Emulator,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let hub_in_path = warp::path!("client" / "hubs" / String).map(Some);
    let hub_in_query = warp::path!("client")
        .map(|| None)
        .or(warp::path!("client" / ..)
            .and(warp::path::end())
            .map(|| None))
        .unify();
    let raw_query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::get()
        .and(hub_in_path.or(hub_in_query).unify())
        .and(websocket::upgrade())
        .and(raw_query)
        .and(warp::header::headers_cloned())
        .and_then(move |hub, ws, query, headers| {
            let emulator = emulator.clone();
            async move { Ok::<_, Infallible>(handshake(emulator, hub, ws, query, headers).await) }
        })
}

async fn handshake(
    emulator: Emulator,
    hub: Option<String>,
    ws: Option<Upgrade>,
    raw_query: String,
    headers: HeaderMap,
) -> Response {
    let origin = headers
        .get(http::header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null"));
    if !emulator.allowed_origins.allows(origin) {
        return plain(StatusCode::FORBIDDEN, "The origin is not allowed.");
    }
    let query = query_map(&raw_query);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(hub) = hub
        .or_else(|| param("hub"))
        .filter(|h| !h.is_empty())
        .map(|h| HubKey::new(&h))
    else {
        return plain(StatusCode::BAD_REQUEST, "The hub is required.");
    };
    let Some(ws) = ws else {
        return plain(StatusCode::BAD_REQUEST, "A WebSocket request is required.");
    };
    let requested: Vec<String> = headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();

    // A reliable client coming back for its session (no token needed).
    if let (Some(id), Some(token)) = (
        param("awps_connection_id"),
        param("awps_reconnection_token"),
    ) {
        return connection::recover(emulator, hub, ws, id, token, &requested);
    }

    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let token = param("access_token").or(bearer);
    let claims = match auth::client_token(
        token.as_deref(),
        &emulator.key,
        &hub,
        emulator.port,
        crate::clock::unix_now(),
    ) {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!(error = %e, %hub, "client refused");
            return plain(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
    };
    if claims.groups.iter().any(|g| !valid_group_name(g)) {
        return plain(
            StatusCode::BAD_REQUEST,
            "The token contains an invalid group name.",
        );
    }
    let connection_id = uuid::Uuid::new_v4().simple().to_string();
    let mut accepted = Accepted {
        hub: hub.clone(),
        connection_id: connection_id.clone(),
        user_id: claims.sub.clone(),
        groups: claims.groups.clone(),
        rights: Rights::from_roles(claims.role.iter().map(String::as_str)),
        protocol: Protocol::negotiate(requested.iter().map(String::as_str)).0,
        connection_state: None,
    };

    if emulator.upstream.handles(&hub, &EventKind::Connect) {
        let mut claim_map: HashMap<String, Vec<String>> = HashMap::new();
        if let Ok(Value::Object(map)) = serde_json::to_value(&claims) {
            for (k, v) in map {
                let values = match v {
                    Value::Array(items) => items,
                    other => vec![other],
                };
                // Every claim value is a string, as the service sends them (`Record<string[]>`).
                let strings = values.into_iter().map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                });
                claim_map.entry(k).or_default().extend(strings);
            }
        }
        let mut query_out: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in query.iter().filter(|(k, _)| k != "access_token") {
            query_out.entry(k.clone()).or_default().push(v.clone());
        }
        let mut headers_out: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in headers
            .iter()
            .filter(|(k, _)| k.as_str() != "authorization")
        {
            headers_out
                .entry(k.as_str().to_string())
                .or_default()
                .push(v.to_str().unwrap_or_default().to_string());
        }
        let body = json!({
            "claims": claim_map,
            "query": query_out,
            "headers": headers_out,
            "subprotocols": requested,
            "clientCertificates": [],
        });
        let request = EventRequest {
            kind: EventKind::Connect,
            hub: hub.clone(),
            connection_id: connection_id.clone(),
            user_id: claims.sub.clone(),
            subprotocol: None,
            connection_state: None,
            id: 0,
            content_type: "application/json; charset=utf-8".into(),
            body: body.to_string().into_bytes(),
        };
        match emulator.upstream.send(&request).await {
            Ok(r) if (200..300).contains(&r.status) => {
                accepted.connection_state = r.connection_state;
                if !r.body.is_empty() {
                    let Ok(answer) = serde_json::from_slice::<ConnectResponse>(&r.body) else {
                        return plain(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "The connect event handler answered an invalid body.",
                        );
                    };
                    if answer.user_id.is_some() {
                        accepted.user_id = answer.user_id;
                    }
                    accepted
                        .groups
                        .extend(answer.groups.into_iter().filter(|g| valid_group_name(g)));
                    accepted
                        .rights
                        .add_roles(answer.roles.iter().map(String::as_str));
                    if let Some(chosen) = answer.subprotocol {
                        if !requested.contains(&chosen) {
                            return plain(StatusCode::INTERNAL_SERVER_ERROR, "The connect event handler chose a subprotocol the client did not request.");
                        }
                        accepted.protocol = Protocol::negotiate([chosen.as_str()]).0;
                    }
                }
            }
            Ok(r) if (400..500).contains(&r.status) => {
                let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::UNAUTHORIZED);
                return warp::reply::with_status(r.body.to_vec(), status).into_response();
            }
            Ok(r) => {
                tracing::warn!(status = r.status, "the connect event handler failed");
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The connect event handler failed.",
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "the connect event could not be delivered");
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The connect event handler failed.",
                );
            }
        }
    }
    connection::upgrade(emulator, ws, accepted)
}
