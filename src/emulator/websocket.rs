//! The WebSocket upgrade of the client endpoint, done here instead of by warp's `ws()` filter.
//!
//! warp 0.4 builds every socket with tungstenite's default configuration, whose read buffer
//! (128 KiB, allocated and zero-filled up front) made up nine tenths of an idle connection's
//! memory (docs/PERFORMANCE.md). Taking hyper's upgrade here lets the emulator size that
//! buffer itself. The header checks are warp's (RFC 6455 §4.2.1); the route that uses the
//! filter requires GET.

use std::convert::Infallible;
use std::future::Future;

use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use warp::http::{header, HeaderMap, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use crate::listener::Handoff;

/// Largest WebSocket message read; the reader then closes anything over 1 MiB with 1009.
pub const MAX_READ_MESSAGE: usize = 4 * 1024 * 1024;

pub use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
pub use tokio_tungstenite::tungstenite::protocol::CloseFrame;
pub use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// A client's socket after the upgrade.
pub type WebSocket = WebSocketStream<TokioIo<Upgraded>>;

/// Bytes read from a socket at a time. Client frames are small (a JSON frame of a few hundred
/// bytes); a larger message is still read whole, a buffer's worth at a time.
pub const READ_BUFFER: usize = 4 * 1024;

/// A request that asked for a WebSocket, not yet answered.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
    /// How to take the socket over from the listener: in its tasks (shutdown waits for the
    /// socket), holding the connection's slot under its bound.
    handoff: Handoff,
}

fn header_has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The `Sec-WebSocket-Key` of a valid WebSocket request (`Connection: upgrade`, `Upgrade:
/// websocket`, version 13, a key), or `None`.
fn websocket_key(headers: &HeaderMap) -> Option<HeaderValue> {
    let asks = header_has_token(headers, header::CONNECTION, "upgrade")
        && header_has_token(headers, header::UPGRADE, "websocket")
        && headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .is_some_and(|v| v.as_bytes() == b"13");
    headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|key| asks && !key.is_empty())
        .cloned()
}

impl Upgrade {
    /// Answers `101 Switching Protocols` (with `protocol` as the chosen subprotocol) and runs
    /// `then` on the socket once hyper hands it over.
    pub fn accept<F, U>(self, protocol: Option<&str>, then: F) -> Response
    where
        F: FnOnce(WebSocket) -> U + Send + 'static,
        U: Future<Output = ()> + Send + 'static,
    {
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .max_message_size(Some(MAX_READ_MESSAGE));
        let on_upgrade = self.on_upgrade;
        self.handoff.spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let socket = WebSocketStream::from_raw_socket(
                        TokioIo::new(upgraded),
                        Role::Server,
                        Some(config),
                    )
                    .await;
                    then(socket).await;
                }
                Err(e) => tracing::debug!(error = %e, "the WebSocket upgrade failed"),
            }
        });
        let mut response = Response::default();
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(self.key.as_bytes())) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        if let Some(name) = protocol.and_then(|p| HeaderValue::from_str(p).ok()) {
            headers.insert(header::SEC_WEBSOCKET_PROTOCOL, name);
        }
        response
    }
}

/// The upgrade a request asks for, or `None` for any other request.
pub fn upgrade() -> impl Filter<Extract = (Option<Upgrade>,), Error = Infallible> + Clone {
    warp::header::headers_cloned()
        .and(warp::ext::optional::<OnUpgrade>())
        .and(warp::ext::optional::<Handoff>())
        .map(
            |headers: HeaderMap, on_upgrade: Option<OnUpgrade>, handoff: Option<Handoff>| {
                // Without hyper's upgrade handle, or outside our accept loop
                // (`crate::listener`), the connection cannot be upgraded.
                Some(Upgrade {
                    key: websocket_key(&headers)?,
                    on_upgrade: on_upgrade?,
                    handoff: handoff?,
                })
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, Upgrade"),
        );
        h.insert(header::UPGRADE, HeaderValue::from_static("WebSocket"));
        h.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        h.insert(
            header::SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        h
    }

    #[test]
    fn the_accept_key_is_rfc_6455s_example() {
        // RFC 6455 §1.3: this key gives this accept value.
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn only_a_request_with_every_upgrade_header_is_a_websocket_request() {
        assert_eq!(
            websocket_key(&asking()).expect("a WebSocket request"),
            "dGhlIHNhbXBsZSBub25jZQ=="
        );
        for missing in [
            header::CONNECTION,
            header::UPGRADE,
            header::SEC_WEBSOCKET_VERSION,
            header::SEC_WEBSOCKET_KEY,
        ] {
            let mut h = asking();
            h.remove(&missing);
            assert!(websocket_key(&h).is_none(), "without {missing}");
        }
        let mut old = asking();
        old.insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("8"));
        assert!(websocket_key(&old).is_none());
        let mut empty = asking();
        empty.insert(header::SEC_WEBSOCKET_KEY, HeaderValue::from_static(""));
        assert!(websocket_key(&empty).is_none());
        let mut other = asking();
        other.insert(header::UPGRADE, HeaderValue::from_static("h2c"));
        assert!(websocket_key(&other).is_none());
    }

    #[test]
    fn tokens_are_matched_case_insensitively_in_lists() {
        let h = asking();
        assert!(header_has_token(&h, header::CONNECTION, "upgrade"));
        assert!(header_has_token(&h, header::UPGRADE, "websocket"));
        assert!(!header_has_token(&h, header::CONNECTION, "close"));
    }
}
