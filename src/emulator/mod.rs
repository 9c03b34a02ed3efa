//! `chatr emulator`: a local Azure Web PubSub, faithful enough that Microsoft's SDKs work
//! against it unchanged. It knows nothing of chats: it is the service, with its client
//! endpoint (`json.webpubsub.azure.v1`, `json.reliable.webpubsub.azure.v1`, simple clients),
//! its CloudEvents upstream and its data-plane REST API. `docs/webpubsub-protocol.md` is the
//! specification.
//!
//! # Layout
//! - `mod.rs`: [`build`] (settings → [`service::Emulator`], what the sockets and the REST API
//!   share) and [`run`] (serve on a bound listener until shutdown, then drain);
//!   [`config`]: the parsed settings; [`hub_key`]: hub names, case folded once.
//! - The client endpoint: [`client_socket`] (the handshake: token, subprotocol, origin, the
//!   blocking `connect` event), [`websocket`] (the upgrade, with its own read buffer),
//!   [`auth`] (client and server tokens), [`origins`] (`--allowed-origins`).
//! - One connection: [`live`] (what a live connection is: what its handshake accepted, its
//!   mailbox, signals, upstream jobs and the ack ids it has seen; it imports none of the
//!   parts that use it: connection, reader, upstream worker, registry), [`connection`] (its start and a reliable client's recovery), [`reader`] (one
//!   socket's frames, over any stream), [`session`] (the one writer; the reliable buffer),
//!   [`mailbox`] (what others post to it), [`signals`] (what readers tell the session beside
//!   the mailbox: `sequenceAck`s, newer sockets; the queue's bound).
//! - [`registry`]: every live connection, its groups, users and current rights, and the
//!   reliable sessions a client may recover; [`permissions`]: roles and granted rights;
//!   [`protocol`]: the JSON subprotocols' frames and limits.
//! - Upstream: [`upstream_worker`] (one connection's events, one at a time, in order),
//!   [`upstream`] (CloudEvents over HTTP, abuse protection).
//! - [`rest`]: the data-plane REST API (`rest/batch.rs`: `:addToGroups`, `:removeFromGroups`;
//!   `rest/generate_token.rs`: `:generateToken`; `rest/methods.rs`: which methods each path
//!   takes, for 405);
//!   [`filter`]: the OData `filter` its sends and batch group calls take.
//!
//! Two words: an *ack* is only the service's answer to a client frame that carried an
//! `ackId` ([`mailbox::Mailbox::ack`]); a reliable client's acknowledgement of the messages it
//! received is its *`sequenceAck`* ([`signals::Signals::sequence_ack`]).
//!
//! # The life of a connection
//! 1. Handshake (`client_socket.rs`): the token, the subprotocol and the `Origin` are checked;
//!    the upstream's blocking `connect` may refuse it or set its user, groups and roles;
//!    `websocket.rs` answers 101 and hands the socket over in a task of the listener's
//!    (`crate::listener`), which shutdown waits for.
//! 2. Start (`connection.rs`): a [`live::Live`] is built around a new mailbox; the `connected`
//!    frame is its first mail; it is registered (`registry.rs`) with its groups and rights;
//!    `connected` is queued for the upstream worker.
//! 3. Reading (`reader.rs`): each frame becomes a group join or leave, a group send (through
//!    the registry into the members' mailboxes), a user event (a job for the upstream worker)
//!    or a `sequenceAck`; a protocol breach closes it (1003, 1007, 1009, 1011).
//! 4. Writing (`session.rs`): the one task that writes to the socket, draining the mailbox in
//!    batches; on the reliable subprotocol it numbers messages and keeps them until a
//!    `sequenceAck` covers them. A full queue drops the connection (1008).
//! 5. Upstream (`upstream_worker.rs` → `upstream.rs`): events go one at a time, in order; a
//!    user event's answer comes back through the mailbox.
//! 6. End: a close frame, a lost socket (after the reconnect window on the reliable
//!    subprotocol, where `connection.rs` may attach a recovering socket instead), a REST close
//!    or shutdown ends the session; the connection is unregistered and `disconnected` is the
//!    last event upstream.

pub mod auth;
pub mod client_socket;
pub mod config;
pub mod connection;
pub mod filter;
pub mod hub_key;
pub mod live;
pub mod mailbox;
pub mod origins;
pub mod permissions;
pub mod protocol;
pub mod reader;
pub mod registry;
pub mod rest;
pub mod service;
pub mod session;
pub mod signals;
pub mod upstream;
pub mod upstream_worker;
pub mod websocket;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use warp::Filter;

use crate::emulator::config::EmulatorConfig;
use crate::emulator::registry::Registry;
use crate::emulator::service::Emulator;
use crate::emulator::upstream::Upstream;
use crate::http_client::HttpClientError;

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
        allowed_origins: Arc::new(config.allowed_origins.clone()),
        tls,
        listener: config.listener,
        allowed_hosts: config.allowed_hosts.clone(),
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

/// Serves the emulator on `listener` until `shutdown`; then stops accepting, closes every
/// socket with a close frame (1001), and returns once every connection's task has ended (or
/// after the listener's grace period, cutting what is left).
pub async fn run(
    listener: TcpListener,
    emulator: Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    no_delay(&listener);
    let registry = emulator.registry.clone();
    let (tls, limits) = (emulator.tls.clone(), emulator.listener);
    let routes = crate::listener::hosts::guard(emulator.allowed_hosts.clone())
        .or(client_socket::routes(emulator.clone()))
        .unify()
        .or(rest::routes(emulator))
        .unify()
        .or(warp::any().map(not_found))
        .unify();
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes));
    // A socket upgraded from then on is closed as it registers (the registry is closing).
    let stopping = move || registry.close_all_for_shutdown();
    crate::listener::serve_until(listener, service, tls, limits, shutdown, stopping).await;
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
