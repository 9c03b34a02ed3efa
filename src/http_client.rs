//! Outgoing HTTP clients. Building one fails only when its TLS backend cannot start; that
//! stops start-up with this error, where `unwrap_or_default()` would have carried on with a
//! default client that has none of the configured timeouts.

/// An HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build an HTTP client: {0}")]
pub struct HttpClientError(#[from] reqwest::Error);
