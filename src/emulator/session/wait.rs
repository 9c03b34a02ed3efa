//! One write that did not finish at once, waited for: until it does, the idle timeout passes,
//! a newer socket of the connection arrives, or its queue overflows.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::emulator::signals::Signals;
use crate::emulator::websocket::WsError;

/// How a write ended.
pub(super) enum WriteEnd {
    Done(Result<(), WsError>),
    TimedOut,
    Superseded,
    /// The connection's queue went past its bound meanwhile.
    Overflowed,
}

/// Waits for a write that did not finish at once: until it does, `limit` passes, or a socket
/// newer than `current` arrives.
pub(super) async fn wait<F>(
    mut written: Pin<&mut F>,
    limit: Duration,
    signals: &Signals,
    current: u64,
) -> WriteEnd
where
    F: std::future::Future<Output = Result<(), WsError>>,
{
    let deadline = tokio::time::sleep(limit);
    tokio::pin!(deadline);
    loop {
        let recovered = signals.recovered.notified();
        let full = signals.full.notified();
        tokio::pin!(recovered, full);
        // Armed before the checks, so that a socket or an overflow in between still wakes us.
        recovered.as_mut().enable();
        full.as_mut().enable();
        if signals.newest.load(Ordering::SeqCst) > current {
            return WriteEnd::Superseded;
        }
        if signals.overflowed.load(Ordering::SeqCst) {
            return WriteEnd::Overflowed;
        }
        tokio::select! {
            done = written.as_mut() => return WriteEnd::Done(done),
            () = &mut deadline => return WriteEnd::TimedOut,
            () = recovered => {}
            () = full => {}
        }
    }
}
