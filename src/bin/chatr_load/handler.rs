//! A tiny event handler for the `connects` scenario: it passes the abuse-protection
//! `OPTIONS`, answers `connect` 200 and every other event 204, checks each `ce-signature`
//! and counts what it saw.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use chatr::access_key::AccessKey;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use warp::http::StatusCode;
use warp::{Filter, Reply};

/// Events seen, by kind.
#[derive(Debug, Default)]
pub struct Counts {
    pub connect: AtomicUsize,
    pub connected: AtomicUsize,
    pub disconnected: AtomicUsize,
    pub other: AtomicUsize,
    pub bad_signatures: AtomicUsize,
}

impl Counts {
    /// How many `connected` events arrived.
    pub fn connected(&self) -> usize {
        self.connected.load(Ordering::Relaxed)
    }
}

/// A running handler; it stops when dropped.
pub struct Handler {
    pub addr: SocketAddr,
    pub counts: Arc<Counts>,
    _stop: oneshot::Sender<()>,
}

impl Handler {
    /// The URL to give the emulator's `--event-handler`.
    pub fn url(&self) -> String {
        format!("http://{}/eventHandler", self.addr)
    }
}

fn on_event(
    counts: &Counts,
    key: &AccessKey,
    kind: Option<String>,
    connection_id: Option<String>,
    signature: Option<String>,
) -> warp::reply::Response {
    let signed = match (connection_id, signature) {
        (Some(id), Some(sig)) => chatr::webhook::signature::verify(key, &id, &sig),
        _ => false,
    };
    if !signed {
        counts.bad_signatures.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let (counter, status) = match kind.as_deref() {
        Some("azure.webpubsub.sys.connect") => (&counts.connect, StatusCode::OK),
        Some("azure.webpubsub.sys.connected") => (&counts.connected, StatusCode::NO_CONTENT),
        Some("azure.webpubsub.sys.disconnected") => (&counts.disconnected, StatusCode::NO_CONTENT),
        _ => (&counts.other, StatusCode::NO_CONTENT),
    };
    counter.fetch_add(1, Ordering::Relaxed);
    status.into_response()
}

/// Starts a handler on `127.0.0.1:port` (0: any free port) that trusts `key`.
pub async fn start(port: u16, key: AccessKey) -> anyhow::Result<Handler> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let addr = listener.local_addr()?;
    let counts = Arc::new(Counts::default());
    let validate = warp::options().map(|| {
        warp::reply::with_header(StatusCode::OK, "WebHook-Allowed-Origin", "*").into_response()
    });
    let event = {
        let counts = counts.clone();
        warp::post()
            .and(warp::body::content_length_limit(64 * 1024))
            .and(warp::header::optional::<String>("ce-type"))
            .and(warp::header::optional::<String>("ce-connectionid"))
            .and(warp::header::optional::<String>("ce-signature"))
            .and(warp::body::bytes())
            .map(move |kind, id, signature, _body: Bytes| {
                on_event(&counts, &key, kind, id, signature)
            })
    };
    let routes = warp::path("eventHandler")
        .and(warp::path::end())
        .and(validate.or(event).unify());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(
        warp::serve(routes)
            .incoming(listener)
            .graceful(async {
                let _ = stopped.await;
            })
            .run(),
    );
    Ok(Handler {
        addr,
        counts,
        _stop: stop,
    })
}
