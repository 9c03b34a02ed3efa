//! The accept loop on real sockets, in real time (a paused clock would jump past a timeout
//! while loopback bytes are still on their way): requests answered with the listener's
//! extensions, header and body timeouts of a fraction of a second, the connection bound, the
//! bounded drain.

use std::time::Duration;

use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use warp::http::StatusCode;
use warp::Filter;

use super::*;
use crate::http_body::{self, BodyDeadline, BodyError};

/// A listener serving `GET /` (says whether the request carries a `Handoff` and a
/// `BodyDeadline`) and `POST /` (reads a body of at most 16 bytes: its length, or 408).
async fn started(
    limits: Limits,
) -> (
    std::net::SocketAddr,
    Tasks,
    tokio::sync::oneshot::Sender<()>,
) {
    let get = warp::get()
        .and(warp::ext::optional::<Handoff>())
        .and(warp::ext::optional::<BodyDeadline>())
        .map(|h: Option<Handoff>, d: Option<BodyDeadline>| {
            format!("extensions: {}", h.is_some() && d.is_some())
        });
    let post = warp::post()
        .and(warp::header::headers_cloned())
        .and(http_body::stream())
        .then(|headers, body| async move {
            match http_body::read_limited(&headers, body, 16).await {
                Ok(bytes) => {
                    warp::reply::with_status(format!("read {}", bytes.len()), StatusCode::OK)
                }
                Err(BodyError::TimedOut) => {
                    warp::reply::with_status("late".to_string(), StatusCode::REQUEST_TIMEOUT)
                }
                Err(e) => warp::reply::with_status(e.to_string(), StatusCode::BAD_REQUEST),
            }
        });
    let routes = get
        .map(warp::Reply::into_response)
        .or(post.map(warp::Reply::into_response))
        .unify();
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let tasks = Tasks::new();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(
        listener,
        service,
        None,
        limits,
        tasks.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    (address, tasks, stop)
}

/// Short timeouts: the tests wait for them for real.
fn limits() -> Limits {
    Limits {
        header_read: Duration::from_millis(300),
        body: Duration::from_millis(300),
        ..Limits::with_max_connections(100)
    }
}

/// Generous: a loaded machine may be slow to run the timer, never early.
const LATE: Duration = Duration::from_secs(5);

/// Everything the server sends until it closes the connection.
async fn answer(client: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = client.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn sending(address: std::net::SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut client = TcpStream::connect(address).await.expect("connect");
    client.write_all(bytes).await.expect("write");
    client
}

#[tokio::test]
async fn a_request_is_answered_and_carries_the_handoff_and_its_body_deadline() {
    let (address, _tasks, _stop) = started(limits()).await;
    let mut client = sending(
        address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    let answer = answer(&mut client).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("extensions: true"), "{answer}");
}

#[tokio::test]
async fn headers_that_never_end_are_cut_at_the_header_timeout() {
    let (address, _tasks, _stop) = started(limits()).await;
    let started = Instant::now();
    let mut half = sending(address, b"GET / HTTP/1.1\r\nhost:").await;
    let answer = answer(&mut half).await;
    assert!(!answer.contains("200"), "{answer}");
    assert!(
        started.elapsed() >= limits().header_read,
        "{:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < LATE, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_cut_at_the_header_timeout() {
    let (address, tasks, _stop) = started(limits()).await;
    let started = Instant::now();
    let mut silent = TcpStream::connect(address).await.expect("connect");
    assert_eq!(answer(&mut silent).await, "");
    assert!(
        started.elapsed() >= limits().header_read,
        "{:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < LATE, "{:?}", started.elapsed());
    while !tasks.is_empty() {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let (address, _tasks, _stop) = started(limits()).await;
    let started = Instant::now();
    let mut slow = sending(
        address,
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nconnection: close\r\n\r\nabc",
    )
    .await;
    let answer = answer(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() >= limits().body,
        "{:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < LATE, "{:?}", started.elapsed());
    // In time, the same request is read whole.
    let mut quick = sending(
        address,
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc",
    )
    .await;
    let answer = self::answer(&mut quick).await;
    assert!(answer.ends_with("read 3"), "{answer}");
}

#[tokio::test]
async fn past_the_bound_a_connection_is_answered_503_until_one_closes() {
    let bound = Limits {
        max_connections: 2,
        ..limits()
    };
    let (address, tasks, _stop) = started(bound).await;
    let held: Vec<TcpStream> = futures_util::future::join_all(
        (0..2).map(|_| sending(address, b"GET / HTTP/1.1\r\nhost:")),
    )
    .await;
    while tasks.len() < 2 {
        tokio::task::yield_now().await;
    }
    let mut refused = TcpStream::connect(address).await.expect("connect");
    let answer = answer(&mut refused).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"tooManyConnections\""), "{answer}");
    drop(held);
    while !tasks.is_empty() {
        tokio::task::yield_now().await;
    }
    let mut served = sending(
        address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(self::answer(&mut served).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn shutdown_closes_idle_connections_and_cuts_a_half_sent_request_after_the_grace() {
    let (address, tasks, stop) = started(limits()).await;
    // An idle keep-alive connection: closed at once when shutdown starts.
    let mut idle = sending(address, b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let mut buffer = [0u8; 256];
    let n = idle.read(&mut buffer).await.expect("answer");
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
    // A request whose headers never end: hyper waits for them, so only the grace ends it.
    let mut half = sending(address, b"GET / HTTP/1.1\r\nhost:").await;
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
