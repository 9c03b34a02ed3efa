//! The tasks a listener has started, so that shutdown knows when they are done: mini-redis's
//! drain (every connection task holds a token; shutdown waits until all are gone), bounded: a
//! task still running after the grace period is aborted.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Every task of one listener: its connections and whatever they hand a socket to (an upgraded
/// WebSocket). Clones share the same set.
#[derive(Clone, Debug, Default)]
pub struct Tasks {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    tracker: TaskTracker,
    /// Cancelled when shutdown starts: connections finish the request in hand and close.
    stopping: CancellationToken,
    /// How to abort each running task, for what outlives the grace period. Kept here rather
    /// than as a cancellation future inside each task: that future would be polled (and its
    /// lock taken) on every wake of every connection, which cost 15 % of a connect's CPU.
    running: Mutex<HashMap<u64, AbortHandle>>,
    next: AtomicU64,
}

impl Inner {
    fn running(&self) -> MutexGuard<'_, HashMap<u64, AbortHandle>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Tasks {
    /// A new, empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `task` in the set: shutdown waits for it, and aborts it if it outlives the grace
    /// period.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let inner = self.inner.clone();
        // A combinator, not an `async` block: a block would keep `task` twice (as its captured
        // value and as the future it awaits), doubling every connection's task.
        let task = task.map(move |()| {
            inner.running().remove(&id);
        });
        // Held while spawning, so that a task that ends at once removes its entry only after
        // it is in.
        let mut running = self.inner.running();
        let handle = self.inner.tracker.spawn(task);
        running.insert(id, handle.abort_handle());
    }

    /// Completes once shutdown has started.
    pub async fn stopping(&self) {
        self.inner.stopping.cancelled().await;
    }

    /// How many tasks are running.
    pub fn len(&self) -> usize {
        self.inner.tracker.len()
    }

    /// True when no task is running.
    pub fn is_empty(&self) -> bool {
        self.inner.tracker.is_empty()
    }

    /// Shutdown: tells every task to stop, waits for them up to `grace`, then aborts the rest
    /// and returns once they are gone. Returns how many had to be aborted.
    pub async fn drain(&self, grace: Duration) -> usize {
        self.inner.stopping.cancel();
        self.inner.tracker.close();
        if tokio::time::timeout(grace, self.inner.tracker.wait())
            .await
            .is_ok()
        {
            return 0;
        }
        let left: Vec<AbortHandle> = self.inner.running().drain().map(|(_, h)| h).collect();
        tracing::warn!(
            tasks = left.len(),
            grace_ms = grace.as_millis(),
            "still running after the grace period: aborted"
        );
        for handle in &left {
            handle.abort();
        }
        self.inner.tracker.wait().await;
        left.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn drain_waits_for_tasks_that_stop_when_asked() {
        let tasks = Tasks::new();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        {
            let inner = tasks.clone();
            tasks.spawn(async move {
                inner.stopping().await;
                tokio::time::sleep(Duration::from_secs(1)).await;
                let _ = done_tx.send(());
            });
        }
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks.drain(Duration::from_secs(5)).await, 0);
        assert!(done_rx.await.is_ok(), "the task ran to its end");
        assert!(tasks.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_past_the_grace_period_is_aborted() {
        let tasks = Tasks::new();
        let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
        tasks.spawn(async move {
            let _held = dropped_tx;
            std::future::pending::<()>().await;
        });
        let started = tokio::time::Instant::now();
        assert_eq!(tasks.drain(Duration::from_secs(5)).await, 1);
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert!(dropped_rx.await.is_err(), "the task was aborted");
        assert!(tasks.is_empty());
    }

    #[tokio::test]
    async fn finished_tasks_leave_nothing_behind() {
        let tasks = Tasks::new();
        for _ in 0..100 {
            tasks.spawn(async {});
        }
        assert_eq!(tasks.drain(Duration::from_secs(5)).await, 0);
        assert!(tasks.inner.running().is_empty(), "every entry removed");
    }
}
