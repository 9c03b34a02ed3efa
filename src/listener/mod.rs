//! Our own accept loop for an HTTP listener, instead of warp's `serve`: HTTPS when given a
//! certificate (warp 0.4 has no TLS), HTTP/1.1 with upgrades, and a shutdown that ends (warp's
//! graceful shutdown waits for every connection, however long it takes).
//!
//! # Layout
//! - `mod.rs`: [`serve`], the loop: accept, TLS handshake, one tracked task per connection.
//! - [`tasks`]: the set of a listener's tasks and its bounded drain (mini-redis's `server.rs`).
//! - [`tls`]: the certificate and key, from PEM files.

pub mod tasks;
pub mod tls;

use std::future::Future;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::{service_fn, Service};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use tasks::Tasks;

/// The longest a client may take over its TLS handshake before its socket is closed.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `service` on `listener` (over TLS when `tls` is given) until `shutdown`, then stops
/// accepting and returns; the caller drains `tasks` ([`Tasks::drain`]). Each connection is a
/// task in `tasks`, and each request carries `tasks` as an extension, so that whoever takes
/// over a socket (a WebSocket upgrade) runs it in the same set.
pub async fn serve<S, B>(
    listener: TcpListener,
    service: S,
    tls: Option<TlsAcceptor>,
    tasks: Tasks,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = hyper::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
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
        let (service, tls, in_set) = (service.clone(), tls.clone(), tasks.clone());
        tasks.spawn(async move {
            match tls {
                None => connection(tcp, service, in_set).await,
                Some(tls) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.accept(tcp)).await {
                        Ok(Ok(stream)) => connection(stream, service, in_set).await,
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

/// One connection: HTTP/1.1 requests until the client closes it, a request upgrades it, or
/// shutdown starts (the request in hand is answered, then the connection closes).
async fn connection<I, S, B>(io: I, service: S, tasks: Tasks)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Incoming>, Response = hyper::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stopping = tasks.clone();
    let with_tasks = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(tasks.clone());
        service.call(request)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), with_tasks)
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
mod tests {
    use std::convert::Infallible;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    type Body = String;

    fn hello() -> impl Service<
        Request<Incoming>,
        Response = hyper::Response<Body>,
        Error = Infallible,
        Future = std::future::Ready<Result<hyper::Response<Body>, Infallible>>,
    > + Clone {
        service_fn(|request: Request<Incoming>| {
            let has_tasks = request.extensions().get::<Tasks>().is_some();
            std::future::ready(Ok(hyper::Response::new(format!("tasks: {has_tasks}"))))
        })
    }

    async fn started() -> (
        std::net::SocketAddr,
        Tasks,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let tasks = Tasks::new();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, hello(), None, tasks.clone(), async {
            let _ = stopped.await;
        }));
        (address, tasks, stop)
    }

    #[tokio::test]
    async fn a_request_is_answered_and_carries_the_listeners_tasks() {
        let (address, _tasks, _stop) = started().await;
        let mut client = TcpStream::connect(address).await.expect("connect");
        client
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .expect("write");
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("tasks: true"), "{answer}");
    }

    #[tokio::test]
    async fn shutdown_closes_idle_connections_and_cuts_a_half_sent_request_after_the_grace() {
        let (address, tasks, stop) = started().await;
        // An idle keep-alive connection: closed at once when shutdown starts.
        let mut idle = TcpStream::connect(address).await.expect("connect");
        idle.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buffer = [0u8; 256];
        let n = idle.read(&mut buffer).await.expect("answer");
        assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
        // A request whose headers never end: hyper waits for them, so only the grace ends it.
        let mut half = TcpStream::connect(address).await.expect("connect");
        half.write_all(b"GET / HTTP/1.1\r\nhost:")
            .await
            .expect("write");
        while tasks.len() < 2 {
            tokio::task::yield_now().await;
        }
        stop.send(()).expect("the loop runs");
        let cancelled = tasks.drain(Duration::from_millis(300)).await;
        assert_eq!(
            cancelled, 1,
            "only the half-sent request outlived the grace"
        );
        assert_eq!(
            idle.read(&mut buffer).await.expect("eof"),
            0,
            "idle: closed"
        );
        assert_eq!(half.read(&mut buffer).await.unwrap_or(0), 0, "half: closed");
        assert!(tasks.is_empty());
    }
}
