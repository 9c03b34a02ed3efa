//! Our own accept loop for every HTTP listener (the site, the handler, the emulator), instead
//! of warp's `serve`: HTTPS when given a certificate (warp 0.4 has no TLS), HTTP/1.1 with
//! upgrades, a time limit on request headers and bodies, a bound on open connections, and a
//! shutdown that ends (warp's graceful shutdown waits for every connection, however long).
//!
//! # Layout
//! - `mod.rs`: [`serve`], the loop: accept (or refuse past the bound), TLS handshake, one
//!   tracked task per connection; [`Handoff`], what a request needs to take its socket over.
//! - [`hosts`]: the `Host` names a listener answers to (`chatr dev`: this machine's only).
//! - [`limits`]: the timeouts, the connection bound and the descriptor limit it is a share of.
//! - [`tasks`]: the set of a listener's tasks and its bounded drain (mini-redis's `server.rs`).
//! - [`tls`]: the certificate and key, from PEM files.

pub mod hosts;
pub mod limits;
pub mod tasks;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::{service_fn, Service};
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::http_body::BodyDeadline;
pub use limits::Limits;
pub use tasks::Tasks;

/// The longest a client may take over its TLS handshake before its socket is closed.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a new connection past the bound is told before it is closed.
const BUSY_BODY: &str =
    "{\"error\":\"tooManyConnections\",\"message\":\"Too many open connections; retry.\"}";

/// What a request's handler needs to take its socket over (a WebSocket upgrade): the
/// listener's tasks, to run the socket in (shutdown waits for it), and the connection's slot
/// under the bound, held as long as the socket lives. Every request carries one as an
/// extension.
#[derive(Clone, Debug)]
pub struct Handoff {
    tasks: Tasks,
    slot: Arc<OwnedSemaphorePermit>,
}

impl Handoff {
    /// Runs `task` (which owns the socket now) in the listener's tasks, holding the slot.
    pub fn spawn<F>(self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let slot = self.slot;
        // A combinator, not an `async` block (which would keep `task` twice; see `Tasks`).
        self.tasks
            .spawn(futures_util::FutureExt::map(task, move |()| drop(slot)));
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the loop serves: a hyper service of HTTP/1.1 requests (warp's routes, as
/// `TowerToHyperService::new(warp::service(routes))`). Every such service is one.
pub trait HttpService:
    Service<
        Request<Incoming>,
        Response = hyper::Response<Self::Body>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
    type Body: hyper::body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static;
}

impl<S, B> HttpService for S
where
    S: Service<Request<Incoming>, Response = hyper::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Body = B;
}

/// A listener's whole life: serves `service` until `shutdown`, runs `stopping` (the emulator
/// closes its sockets there), then drains the connections for `limits.grace` at most.
pub async fn serve_until(
    listener: TcpListener,
    service: impl HttpService,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    stopping: impl FnOnce(),
) {
    let tasks = Tasks::new();
    serve(listener, service, tls, limits, tasks.clone(), shutdown).await;
    stopping();
    tasks.drain(limits.grace).await;
}

/// Serves `service` on `listener` (over TLS when `tls` is given) within `limits` until
/// `shutdown`, then stops accepting and returns; the caller drains `tasks`
/// ([`Tasks::drain`] with `limits.grace`). Each connection is a task in `tasks`.
pub async fn serve(
    listener: TcpListener,
    service: impl HttpService,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    tasks: Tasks,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut refused: u64 = 0;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) if out_of_resources(&e) => {
                // Wait for descriptors or memory to be freed instead of spinning on the same
                // error.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => {
                // One connection's trouble (reset before it was accepted, say).
                tracing::debug!(error = %e, "a connection was lost while accepted");
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refused += 1;
            refuse(tcp, tls.is_none(), limits.max_connections, refused);
            continue;
        };
        let handoff = Handoff {
            tasks: tasks.clone(),
            slot: Arc::new(slot),
        };
        let (service, tls) = (service.clone(), tls.clone());
        tasks.spawn(async move {
            match tls {
                None => connection(tcp, service, limits, handoff).await,
                Some(tls) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.accept(tcp)).await {
                        Ok(Ok(stream)) => connection(stream, service, limits, handoff).await,
                        // Most often a client that does not trust the certificate.
                        Ok(Err(e)) => tracing::info!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::info!("TLS handshake timed out"),
                    }
                }
            }
        });
    }
}

/// True for the accept errors that say the process is out of descriptors or memory.
fn out_of_resources(e: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOMEM 12, ENOBUFS 105 on Linux.
    matches!(e.raw_os_error(), Some(24 | 23 | 12 | 105))
}

/// A connection past the bound: told 503 if it speaks plain HTTP and its socket takes the
/// answer at once, then closed. Logged at the 1st, 2nd, 4th, 8th… refusal, not every one: a
/// flood must not flood the log too.
fn refuse(tcp: TcpStream, plain_http: bool, bound: usize, refused: u64) {
    if refused.is_power_of_two() {
        tracing::warn!(
            bound,
            refused,
            "connections refused: too many open connections"
        );
    }
    if !plain_http {
        return; // a TLS client expects a handshake, not HTTP: it just sees the close
    }
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{BUSY_BODY}",
        BUSY_BODY.len()
    );
    let _ = tcp.try_write(answer.as_bytes());
}

/// One connection: HTTP/1.1 requests until the client closes it, a request upgrades it, its
/// headers are too slow, or shutdown starts (the request in hand is answered, then it closes).
async fn connection(
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    service: impl HttpService,
    limits: Limits,
    handoff: Handoff,
) {
    let stopping = handoff.tasks.clone();
    let with_extensions = service_fn(move |mut request: Request<Incoming>| {
        let deadline = BodyDeadline(tokio::time::Instant::now() + limits.body);
        request.extensions_mut().insert(deadline);
        request.extensions_mut().insert(handoff.clone());
        service.call(request)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .serve_connection(TokioIo::new(io), with_extensions)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = stopping.stopping() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests;
