//! Request bodies, read with a size limit whether or not a `Content-Length` is given: the
//! handler, the dev site and the emulator's REST API all read theirs here.

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::HeaderMap;
use std::pin::Pin;
use warp::Filter;

/// A request body as a stream of chunks.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, warp::Error>> + Send>>;

/// The filter that extracts the body stream.
pub fn stream() -> impl Filter<Extract = (BodyStream,), Error = warp::Rejection> + Clone {
    warp::body::stream().map(boxed)
}

fn boxed<S, B>(s: S) -> BodyStream
where
    S: Stream<Item = Result<B, warp::Error>> + Send + 'static,
    B: Buf,
{
    Box::pin(s.map(|chunk| chunk.map(to_bytes)))
}

fn to_bytes<B: Buf>(mut b: B) -> Bytes {
    b.copy_to_bytes(b.remaining())
}

/// Why a body was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
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
        let chunk = chunk.map_err(|e| BodyError::Unreadable(e.to_string()))?;
        if buf.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(sizes: &[usize]) -> BodyStream {
        let parts: Vec<Result<Bytes, warp::Error>> = sizes
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
}
