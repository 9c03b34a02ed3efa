//! What a connection's socket readers tell its session directly, beside its mailbox.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

/// The generation of a connection's first socket; each recovery's socket is one more.
pub const FIRST_SOCKET: u64 = 1;

/// What a connection's readers tell its session without queueing in its mailbox: acks, which
/// must not wait behind the data queued for the client (a backlog would overflow the reliable
/// buffer although the client keeps up), and a newer socket, which must not wait for a write
/// stuck on the old one (up to the idle timeout, longer than a client keeps recovering).
#[derive(Debug)]
pub struct Signals {
    pub(crate) acked: AtomicU64,
    pub(crate) newest: AtomicU64,
    pub(crate) recovered: Notify,
}

impl Default for Signals {
    fn default() -> Self {
        Self {
            acked: AtomicU64::new(0),
            newest: AtomicU64::new(FIRST_SOCKET),
            recovered: Notify::new(),
        }
    }
}

impl Signals {
    /// The client acked every message up to `sequence_id`.
    pub fn ack(&self, sequence_id: u64) {
        self.acked.fetch_max(sequence_id, Ordering::Relaxed);
    }

    /// A recovering client's new socket: its generation (the first socket's is 1).
    pub fn new_socket(&self) -> u64 {
        let generation = self.newest.fetch_add(1, Ordering::SeqCst) + 1;
        self.recovered.notify_waiters();
        generation
    }
}
