//! The tasks a listener has started, so that shutdown knows when they are done: mini-redis's
//! drain (every connection task holds a token; shutdown waits until all are gone), bounded: a
//! task still running after the grace period is cancelled.

use std::future::Future;
use std::time::Duration;

use tokio_util::future::FutureExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Every task of one listener: its connections and whatever they hand a socket to (an upgraded
/// WebSocket). Clones share the same set.
#[derive(Clone, Debug, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    /// Cancelled when shutdown starts: connections finish the request in hand and close.
    stopping: CancellationToken,
    /// Cancelled after the grace period: what is still running is dropped where it stands.
    abort: CancellationToken,
}

impl Tasks {
    /// A new, empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `task` in the set: shutdown waits for it, and drops it if it outlives the grace
    /// period.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // A combinator, not an `async` block around `select!`: a block would keep `task` twice
        // (as its captured value and in the select), doubling every connection's task (4 KiB
        // per idle WebSocket, docs/PERFORMANCE.md).
        self.tracker
            .spawn(task.with_cancellation_token_owned(self.abort.clone()));
    }

    /// Completes once shutdown has started.
    pub async fn stopping(&self) {
        self.stopping.cancelled().await;
    }

    /// True once shutdown has started.
    pub fn is_stopping(&self) -> bool {
        self.stopping.is_cancelled()
    }

    /// How many tasks are running.
    pub fn len(&self) -> usize {
        self.tracker.len()
    }

    /// True when no task is running.
    pub fn is_empty(&self) -> bool {
        self.tracker.is_empty()
    }

    /// Shutdown: tells every task to stop, waits for them up to `grace`, then cancels the rest
    /// and returns once they are gone. Returns how many had to be cancelled.
    pub async fn drain(&self, grace: Duration) -> usize {
        self.stopping.cancel();
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok()
        {
            return 0;
        }
        let left = self.tracker.len();
        tracing::warn!(
            tasks = left,
            grace_ms = grace.as_millis(),
            "still running after the grace period: cancelled"
        );
        self.abort.cancel();
        self.tracker.wait().await;
        left
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
    async fn a_task_past_the_grace_period_is_cancelled() {
        let tasks = Tasks::new();
        let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
        tasks.spawn(async move {
            let _held = dropped_tx;
            std::future::pending::<()>().await;
        });
        let started = tokio::time::Instant::now();
        assert_eq!(tasks.drain(Duration::from_secs(5)).await, 1);
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert!(dropped_rx.await.is_err(), "the task was dropped");
        assert!(tasks.is_empty());
    }
}
