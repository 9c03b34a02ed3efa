//! What one listener allows a client: how long its request headers and body may take, how many
//! connections may be open at once, and how long shutdown waits. Slowloris (requests sent a
//! byte at a time, or never finished) otherwise holds a socket and a task for ever, and enough
//! of them take every descriptor of the process.

use std::time::Duration;

/// The default time a client has to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time a client has to send a request's body, from the request's start.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time shutdown waits for connections before it cuts them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long our own HTTP clients (the emulator's upstream, the site's proxy, the Web PubSub
/// client) keep an idle pooled connection: well below a listener's header timeout, so that
/// they let one go before the server cuts it, never racing a request into a closing socket.
pub const CLIENT_POOL_IDLE: Duration = Duration::from_secs(10);
/// Descriptors kept back from every listener's share: files, outgoing connections, logs.
const RESERVED_DESCRIPTORS: u64 = 64;

/// The limits of one listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest a client may take to send a request's headers, an idle keep-alive connection's
    /// next request included; then the connection is closed.
    pub header_read: Duration,
    /// Longest a request's body may take to arrive, counted from the request's start; then it
    /// is answered 408.
    pub body: Duration,
    /// Most connections open at once (WebSockets included); past it a new connection is
    /// answered 503 and closed.
    pub max_connections: usize,
    /// How long shutdown waits for connections to finish before it cuts them.
    pub grace: Duration,
}

impl Limits {
    /// The default timeouts, with at most `max_connections` connections.
    pub fn with_max_connections(max_connections: usize) -> Self {
        Self {
            header_read: HEADER_READ_TIMEOUT,
            body: BODY_TIMEOUT,
            max_connections: max_connections.max(1),
            grace: SHUTDOWN_GRACE,
        }
    }
}

/// Raises this process's soft descriptor limit to its hard limit (as `chatr-load` does) and
/// returns the limit now in force; `None` where it cannot be read.
pub fn raise_descriptor_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise RLIMIT_NOFILE");
            None
        }
    }
}

/// A listener's connection bound: `numerator / denominator` of the descriptors left once
/// 64 (files, outgoing connections) are kept back (10,000 when the limit is unknown or unlimited).
pub fn share_of(limit: Option<u64>, numerator: u64, denominator: u64) -> usize {
    match limit {
        Some(l) if l < u64::from(u32::MAX) => {
            let usable = l.saturating_sub(RESERVED_DESCRIPTORS);
            usize::try_from(usable * numerator / denominator.max(1))
                .unwrap_or(usize::MAX)
                .max(1)
        }
        _ => 10_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_leaves_the_reserve_and_is_never_zero() {
        assert_eq!(share_of(Some(1024), 1, 4), 240);
        assert_eq!(share_of(Some(20_000), 3, 4), 14_952);
        assert_eq!(share_of(Some(10), 1, 2), 1);
        assert_eq!(share_of(None, 1, 2), 10_000);
        assert_eq!(share_of(Some(u64::MAX), 3, 4), 10_000);
    }
}
