//! The session's queue bound, against a recording or stalled sink: a client that does not
//! read is dropped at the bound (stuck or idle), by frames or bytes, and a close always gets in.

use tokio::sync::mpsc::unbounded_channel;
use tokio::sync::Notify;

use super::tests::{delivery, recording, stalled_telling, start_with};
use super::*;
use crate::emulator::mailbox::Mailbox;
use crate::emulator::signals::Signals;

#[tokio::test(start_paused = true)]
async fn a_client_that_does_not_read_is_dropped_at_the_queue_bound_not_after_the_idle_timeout() {
    for protocol in [Protocol::Json, Protocol::JsonReliable] {
        let timing = Timing {
            max_queued_frames: 100,
            ..Timing::default()
        };
        let writing = Arc::new(Notify::new());
        let (_unused, frames) = unbounded_channel();
        let (s, mut closed) = start_with(
            protocol,
            0,
            stalled_telling(writing.clone()),
            frames,
            timing,
        );
        s.mailbox.send(delivery(0));
        writing.notified().await;
        // The session is stuck writing; whatever is posted meanwhile is counted, and the
        // queue never holds more than its bound.
        for n in 1..=5_000 {
            s.mailbox.send(delivery(n));
            assert!(s.signals.queued().0 <= 100, "{:?}", s.signals.queued());
        }
        let ended = tokio::time::timeout(Duration::from_secs(1), s.session)
            .await
            .expect("ended at once, not after the idle timeout")
            .expect("the session ends");
        let expected = if protocol == Protocol::Json {
            QUEUE_FULL
        } else {
            RELIABLE_BUFFER_FULL
        };
        assert_eq!(ended.reason, expected, "{protocol:?}");
        assert_eq!(
            *closed.borrow_and_update(),
            1,
            "its socket's reader lets go"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_session_whose_queue_overflows_is_woken_and_ends() {
    let timing = Timing {
        max_queued_frames: 1,
        ..Timing::default()
    };
    let (sink, frames) = recording();
    let (s, _closed) = start_with(Protocol::Json, 0, sink, frames, timing);
    tokio::task::yield_now().await;
    // The session is idle; one frame is in, the next overflows with nothing more to wake it.
    s.signals.enqueue(10);
    assert!(!s.signals.enqueue(10));
    let ended = tokio::time::timeout(Duration::from_secs(1), s.session)
        .await
        .expect("woken at once, not at the next ping")
        .expect("the session ends");
    assert_eq!(ended.reason, QUEUE_FULL);
}

#[tokio::test(start_paused = true)]
async fn the_queue_is_bounded_by_bytes_too_and_a_close_always_gets_through() {
    let signals = Signals::bounded(10, 1_000);
    assert!(
        signals.enqueue(5_000),
        "one frame on an empty queue always goes in"
    );
    signals.dequeued(5_000);
    assert!(signals.enqueue(600));
    assert!(!signals.enqueue(600), "1,200 bytes are past the bound");
    assert_eq!(
        signals.queued(),
        (1, 600),
        "the refused frame is not counted"
    );
    assert!(
        !signals.enqueue(1),
        "once overflowed, nothing more is queued"
    );
    let signals = Arc::new(Signals::bounded(1, 1_000));
    let (mailbox, mut mail) = Mailbox::new(signals.clone());
    assert!(mailbox.send(delivery(0)));
    mailbox.send(delivery(1));
    assert!(mailbox.send(Outgoing::Close(1000, String::new())));
    let mut got = Vec::new();
    while let Ok(m) = mail.try_recv() {
        if let Mail::Out(out) = m {
            got.push(matches!(out, Outgoing::Close(..)));
        }
    }
    assert_eq!(
        got,
        [false, true],
        "the first message and the close; the second is dropped"
    );
}
