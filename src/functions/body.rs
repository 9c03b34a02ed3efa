//! The Functions' request bodies: their limits, and a body that cannot be read as an
//! `ApiError` (`crate::http_body` reads it).

use bytes::Bytes;
use http::HeaderMap;

use crate::functions::error::ApiError;
use crate::http_body::BodyError;
pub use crate::http_body::{stream, BodyStream};

/// Largest webhook body (the service's own message limit is 1 MiB).
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;
/// Largest body of the other Functions (they take none).
pub const MAX_API_BODY: usize = 16 * 1024;

/// Reads the whole body, refusing with 413 as soon as it passes `limit` (408 when it does not
/// arrive in time).
pub async fn read_limited(
    headers: &HeaderMap,
    body: BodyStream,
    limit: usize,
) -> Result<Bytes, ApiError> {
    crate::http_body::read_limited(headers, body, limit)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge { limit } => ApiError::PayloadTooLarge { limit },
            BodyError::TimedOut => ApiError::RequestTimeout,
            BodyError::Unreadable(_) => ApiError::bad_request("badBody", e.to_string()),
        })
}
