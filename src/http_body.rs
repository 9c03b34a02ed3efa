//! Request bodies, read with a size limit whether or not a `Content-Length` is given, and by
//! a deadline (a body sent a byte at a time must not hold its connection for ever): the
//! handler, the dev site and the emulator's REST API all read theirs here.

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::HeaderMap;
use std::pin::Pin;
use tokio::time::Instant;
use warp::Filter;

/// A request body as a stream of chunks.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, BodyError>> + Send>>;

/// When a request's body must have arrived: set by the accept loop (`listener` module) on
/// every request, from the listener's body timeout.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Instant);

/// The filter that extracts the body stream, which fails with [`BodyError::TimedOut`] past
/// the request's [`BodyDeadline`] (none outside the accept loop, as in `warp::test`).
pub fn stream() -> impl Filter<Extract = (BodyStream,), Error = warp::Rejection> + Clone {
    warp::body::stream()
        .and(warp::ext::optional::<BodyDeadline>())
        .map(|s, deadline: Option<BodyDeadline>| boxed(s, deadline.map(|d| d.0)))
}

fn boxed<S, B>(s: S, deadline: Option<Instant>) -> BodyStream
where
    S: Stream<Item = Result<B, warp::Error>> + Send + 'static,
    B: Buf,
{
    let chunks = s.map(|chunk| {
        chunk
            .map(to_bytes)
            .map_err(|e| BodyError::Unreadable(e.to_string()))
    });
    match deadline {
        None => Box::pin(chunks),
        Some(at) => Box::pin(by_deadline(chunks, at)),
    }
}

/// `chunks` until `at`; then one `TimedOut` error and the end.
fn by_deadline<S>(chunks: S, at: Instant) -> impl Stream<Item = Result<Bytes, BodyError>> + Send
where
    S: Stream<Item = Result<Bytes, BodyError>> + Send + 'static,
{
    futures_util::stream::unfold(Some(Box::pin(chunks)), move |chunks| async move {
        let mut chunks = chunks?;
        match tokio::time::timeout_at(at, chunks.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(chunks))),
            Ok(None) => None,
            Err(_) => Some((Err(BodyError::TimedOut), None)),
        }
    })
}

fn to_bytes<B: Buf>(mut b: B) -> Bytes {
    b.copy_to_bytes(b.remaining())
}

/// Why a body was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the body did not arrive in time")]
    TimedOut,
    #[error("the body could not be read: {0}")]
    Unreadable(String),
}

/// Reads the whole body, giving up as soon as it passes `limit` (at once when its
/// `Content-Length` says it will), so a chunked body cannot grow without end either.
pub async fn read_limited(
    headers: &HeaderMap,
    mut body: BodyStream,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if buf.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn chunks(sizes: &[usize]) -> BodyStream {
        let parts: Vec<Result<Bytes, BodyError>> = sizes
            .iter()
            .map(|n| Ok(Bytes::from(vec![b'x'; *n])))
            .collect();
        Box::pin(futures_util::stream::iter(parts))
    }

    fn declaring(length: usize) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_LENGTH, length.into());
        h
    }

    #[tokio::test]
    async fn a_body_up_to_the_limit_is_read_whole() {
        let body = read_limited(&HeaderMap::new(), chunks(&[4, 6]), 10).await;
        assert_eq!(body.expect("within the limit").len(), 10);
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let body = read_limited(&declaring(11), chunks(&[]), 10).await;
        assert_eq!(body, Err(BodyError::TooLarge { limit: 10 }));
    }

    #[tokio::test]
    async fn a_chunked_body_is_refused_as_soon_as_it_passes_the_limit() {
        // No Content-Length: the chunks count, and reading stops at the one that overflows.
        let body = read_limited(&HeaderMap::new(), chunks(&[6, 6, 1_000_000]), 10).await;
        assert_eq!(body, Err(BodyError::TooLarge { limit: 10 }));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_still_arriving_at_its_deadline_times_out() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Result<Bytes, BodyError>>();
        let slow =
            futures_util::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|c| (c, rx)) },
            );
        let started = Instant::now();
        let body: BodyStream = Box::pin(by_deadline(slow, started + Duration::from_secs(30)));
        tx.send(Ok(Bytes::from_static(b"x"))).expect("send");
        let read = read_limited(&HeaderMap::new(), body, 10).await;
        assert_eq!(read, Err(BodyError::TimedOut));
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_in_time_is_read_whole() {
        let at = Instant::now() + Duration::from_secs(30);
        let body: BodyStream = Box::pin(by_deadline(chunks(&[3, 4]), at));
        assert_eq!(
            read_limited(&HeaderMap::new(), body, 10)
                .await
                .map(|b| b.len()),
            Ok(7)
        );
    }
}
