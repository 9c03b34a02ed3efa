//! `chatr emulator`: a local Azure Web PubSub, faithful enough that Microsoft's SDKs work
//! against it unchanged. It knows nothing of chats: it is the service, with its client
//! endpoint (`json.webpubsub.azure.v1`, `json.reliable.webpubsub.azure.v1`, simple clients),
//! its CloudEvents upstream and its data-plane REST API. `docs/webpubsub-protocol.md` is the
//! specification.
//!
//! # Layout
//! - `mod.rs`: `build(config, port)` and `run(listener, emulator, shutdown)`; [`config`]: the
//!   parsed settings; [`hub_key`]: hub names, case folded once; [`service`]: what the sockets
//!   and the REST API share.
//! - [`origins`]: which web pages may open a WebSocket (`--allowed-origins`).
//! - The client endpoint: [`client_socket`] (handshake: token, subprotocol, the blocking
//!   `connect` event), [`websocket`] (the upgrade), [`auth`] (client and server tokens).
//! - A live connection: [`live`] (what one is: accepted identity and rights, mailbox,
//!   signals, upstream jobs, ack ids seen; a leaf), [`connection`] (start and recovery), [`reader`] (one socket's
//!   frames), [`session`] (the one writer, the reliable buffer), [`mailbox`] (what others
//!   send it), [`signals`] (acks and newer sockets, from the readers; the queue's bound).
//! - [`hub`]: the registry of connections, groups, users and rights; [`permissions`]: roles
//!   and granted rights; [`protocol`]: the JSON subprotocols' frames.
//! - Upstream: [`events`] (one connection's events, in order), [`upstream`] (CloudEvents over
//!   HTTP, abuse protection).
//! - [`rest`]: the data-plane REST API (`rest/batch.rs`: `:addToGroups`, `:removeFromGroups`);
//!   [`filter`]: the OData `filter` its sends and batch group calls take.
//!
//! # The life of a connection
//! `client_socket` checks the handshake (and asks the upstream on `connect`) → `connection`
//! registers it in the `hub` registry, starts its `session` and its `events` worker → its
//! `reader` turns frames into group joins, sends and user events → others reach it through
//! its `mailbox`; the `session` writes to the socket → when it ends, `connection` unregisters
//! it and `events` sends `disconnected` last.

pub mod auth;
pub mod client_socket;
pub mod config;
pub mod connection;
pub mod events;
pub mod filter;
pub mod hub;
pub mod hub_key;
pub mod live;
pub mod mailbox;
pub mod origins;
pub mod permissions;
pub mod protocol;
pub mod reader;
pub mod rest;
pub mod service;
pub mod session;
pub mod signals;
pub mod upstream;
pub mod websocket;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use warp::Filter;

use crate::emulator::config::EmulatorConfig;
use crate::emulator::hub::Registry;
use crate::emulator::service::Emulator;
use crate::emulator::upstream::Upstream;
use crate::http_client::HttpClientError;
use crate::listener::Tasks;

/// The development access key every run uses unless told otherwise, so that the connection
/// string is the same each time. Public and documented, like Azurite's key; never use it for
/// anything reachable from outside this machine.
pub const DEFAULT_ACCESS_KEY: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
/// The default port.
pub const DEFAULT_PORT: u16 = 8080;
/// The default event handler URL template.
pub const DEFAULT_EVENT_HANDLER: &str = "http://127.0.0.1:7071/api/eventHandler";

/// The emulator could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Http(#[from] HttpClientError),
    #[error(transparent)]
    Tls(#[from] crate::listener::tls::TlsError),
}

/// The emulator for a listener on `port` (HTTPS when the configuration names a certificate).
pub fn build(config: &EmulatorConfig, port: u16) -> Result<Emulator, BuildError> {
    let tls = match &config.tls {
        Some(files) => Some(crate::listener::tls::acceptor(&files.cert, &files.key)?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let endpoint = format!("{scheme}://localhost:{port}");
    let upstream = Upstream::new(
        Some(config.event_handler.clone()),
        config.access_key.clone(),
        "localhost".into(),
        Some(port),
    )?;
    Ok(Emulator {
        registry: Registry::default(),
        upstream: Arc::new(upstream),
        key: config.access_key.clone(),
        endpoint,
        port,
        timing: config.timing,
        sessions: Arc::default(),
        allowed_origins: Arc::new(config.allowed_origins.clone()),
        tls,
    })
}

fn not_found() -> warp::reply::Response {
    use warp::Reply;
    warp::reply::with_status("Not found", warp::http::StatusCode::NOT_FOUND).into_response()
}

/// Turns Nagle's algorithm off for every socket `listener` accepts (Linux copies the option
/// from the listening socket): a frame is one small write, and waiting to coalesce it with the
/// next held some deliveries back ~40 ms.
fn no_delay(listener: &TcpListener) {
    if let Err(e) = socket2::SockRef::from(listener).set_tcp_nodelay(true) {
        tracing::warn!(error = %e, "TCP_NODELAY could not be set on the emulator's listener");
    }
}

/// How long shutdown waits for the sockets to close before it cuts what is left.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves the emulator on `listener` until `shutdown`; then stops accepting, closes every
/// socket with a close frame (1001), and returns once every connection's task has ended (or
/// after [`SHUTDOWN_GRACE`], cancelling what is left).
pub async fn run(
    listener: TcpListener,
    emulator: Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    no_delay(&listener);
    let registry = emulator.registry.clone();
    let tls = emulator.tls.clone();
    let routes = client_socket::routes(emulator.clone())
        .or(rest::routes(emulator))
        .unify()
        .or(warp::any().map(not_found))
        .unify();
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes));
    let tasks = Tasks::new();
    crate::listener::serve(listener, service, tls, tasks.clone(), shutdown).await;
    // A socket upgraded from now on is closed as it registers (the registry is closing).
    registry.close_all_for_shutdown();
    tasks.drain(SHUTDOWN_GRACE).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_send_without_delay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        no_delay(&listener);
        let address = listener.local_addr().expect("address");
        let (client, accepted) =
            tokio::join!(tokio::net::TcpStream::connect(address), listener.accept());
        let (accepted, _) = accepted.expect("accept");
        assert!(accepted.nodelay().expect("nodelay"));
        drop(client);
    }

    #[tokio::test]
    async fn the_rest_api_refuses_a_chunked_body_over_one_mib_with_413() {
        let config = EmulatorConfig::new(
            config::parse_access_key(DEFAULT_ACCESS_KEY).expect("key"),
            hub_key::HubKey::new("chat"),
            DEFAULT_EVENT_HANDLER.parse().expect("url"),
        );
        let response = warp::test::request()
            .method("POST")
            .path("/api/hubs/chat/:send?api-version=2024-01-01")
            .header("transfer-encoding", "chunked")
            .body(vec![b'x'; rest::MAX_BODY + 1])
            .reply(&rest::routes(build(&config, 8080).expect("emulator")))
            .await;
        assert_eq!(response.status(), 413);
        let body: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON");
        assert_eq!(body["code"], "PayloadTooLarge");
    }
}
