//! Outgoing HTTP clients. Building one fails only when its TLS backend cannot start; that
//! stops start-up with this error, where `unwrap_or_default()` would have carried on with a
//! default client that has none of the configured timeouts.

/// An HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum HttpClientError {
    #[error("cannot build an HTTP client: {0}")]
    Build(#[from] reqwest::Error),
    /// Certificates to trust were given, but none could be read from them.
    #[error("no PEM certificate in the CA file")]
    NoCertificate,
}
