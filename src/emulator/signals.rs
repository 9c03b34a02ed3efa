//! What a connection's socket readers tell its session directly, beside its mailbox.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// The generation of a connection's first socket; each recovery's socket is one more.
pub const FIRST_SOCKET: u64 = 1;

/// What a connection's readers tell its session without queueing in its mailbox: the client's
/// `sequenceAck`s, which must not wait behind the data queued for the client (a backlog would
/// overflow the reliable buffer although the client keeps up), and a newer socket, which must
/// not wait for a write stuck on the old one (up to the idle timeout, longer than a client keeps recovering).
/// The queue's bound lives here too: every poster counts what it queues, the session what it
/// takes, and the first post past the bound marks the connection overflowed and wakes the
/// session, even from a write the client never finishes reading.
#[derive(Debug)]
pub struct Signals {
    pub(crate) sequence_acked: AtomicU64,
    pub(crate) newest: AtomicU64,
    pub(crate) recovered: Notify,
    /// Frames and bytes posted to the session and not yet taken.
    queued_frames: AtomicUsize,
    queued_bytes: AtomicUsize,
    max_frames: usize,
    max_bytes: usize,
    /// A post went past the bound: the connection is dropped.
    pub(crate) overflowed: AtomicBool,
    pub(crate) full: Notify,
}

impl Default for Signals {
    fn default() -> Self {
        let timing = crate::emulator::config::Timing::default();
        Self::bounded(timing.max_queued_frames, timing.max_queued_bytes)
    }
}

impl Signals {
    /// Signals of a connection whose outgoing queue holds at most `max_frames` frames and
    /// `max_bytes` bytes.
    pub fn bounded(max_frames: usize, max_bytes: usize) -> Self {
        Self {
            sequence_acked: AtomicU64::new(0),
            newest: AtomicU64::new(FIRST_SOCKET),
            recovered: Notify::new(),
            queued_frames: AtomicUsize::new(0),
            queued_bytes: AtomicUsize::new(0),
            max_frames,
            max_bytes,
            overflowed: AtomicBool::new(false),
            full: Notify::new(),
        }
    }

    /// Counts a frame of `bytes` about to be queued; `false` (nothing counted) when it would
    /// go past the bound, which marks the connection overflowed and wakes its session (an
    /// empty queue takes any one frame).
    pub fn enqueue(&self, bytes: usize) -> bool {
        if self.overflowed.load(Ordering::Relaxed) {
            return false;
        }
        let frames = self.queued_frames.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.queued_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        // A frame on an empty queue always goes in, however large: the bound is on a backlog,
        // never on one message.
        if frames > 1 && (frames > self.max_frames || total > self.max_bytes) {
            self.queued_frames.fetch_sub(1, Ordering::Relaxed);
            self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
            self.overflowed.store(true, Ordering::SeqCst);
            self.full.notify_waiters();
            return false;
        }
        true
    }

    /// The session took a frame of `bytes` off the queue.
    pub fn dequeued(&self, bytes: usize) {
        self.queued_frames.fetch_sub(1, Ordering::Relaxed);
        self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Frames and bytes queued now.
    pub fn queued(&self) -> (usize, usize) {
        (
            self.queued_frames.load(Ordering::Relaxed),
            self.queued_bytes.load(Ordering::Relaxed),
        )
    }

    /// The client's `sequenceAck`: it has every message up to `sequence_id`.
    pub fn sequence_ack(&self, sequence_id: u64) {
        self.sequence_acked
            .fetch_max(sequence_id, Ordering::Relaxed);
    }

    /// A recovering client's new socket: its generation (the first socket's is 1).
    pub fn new_socket(&self) -> u64 {
        let generation = self.newest.fetch_add(1, Ordering::SeqCst) + 1;
        self.recovered.notify_waiters();
        generation
    }
}
