//! What the membership scenarios (`joins`, `creates`, `burst`) share: a fresh stack (the
//! REST stand-in and a `chatr serve` child on a fresh data directory), requests driven with
//! bounded concurrency and timed one by one, and the report of what the handler cost.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chatr::access_key::AccessKey;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::chatr_load::emulator::load_average;
use crate::chatr_load::serve::Serve;
use crate::chatr_load::stand_in::{self, StandIn};
use crate::chatr_load::stats::{mib, or_na, per_second, Failures, Percentiles, Windows};
use crate::chatr_load::webhook::Webhook;

/// The access key of the stand-in's connection string (the handler signs its REST calls with
/// it and checks each `ce-signature` against it).
const KEY: &str = "chatr-load-membership-stand-in-key-0123456789";
/// The longest one phase of a scenario may take, whatever its settings.
pub const MAX_PHASE: Duration = Duration::from_secs(900);
/// The later window's latency may be at most this many times the earlier one's.
pub const GROWTH_GOAL: f64 = 1.5;

/// A fresh `chatr serve` and its REST stand-in, for one scenario.
pub struct Stack {
    pub webhook: Arc<Webhook>,
    serve: Serve,
    stand_in: StandIn,
    cpu_before: Option<f64>,
    started: Instant,
}

impl Stack {
    /// Starts the stand-in, then `chatr serve` (from `chatr`) pointed at it; prints the load
    /// average and the handler's process id (for `perf record -p`).
    pub async fn start(chatr: &Path, scenario: &str) -> anyhow::Result<Self> {
        println!(
            "{scenario}: load average before the run: {} ({} cores)",
            load_average().unwrap_or_else(|| "n/a".into()),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        let stand_in = stand_in::start().await?;
        let serve = Serve::spawn(chatr, &stand_in.connection_string(KEY))?;
        let key = AccessKey::new(KEY).context("the stand-in's key is not valid")?;
        let webhook = Arc::new(Webhook::new(&serve.url, key)?);
        println!(
            "{scenario}: chatr serve pid {} on {} (fresh SQLite store; \
             CHATR_MAX_CONNECTIONS_PER_USER=0, CHATR_MAX_CHATS_PER_USER=0, CHATR_SWEEP_SECONDS=0, rate limits 0)",
            serve.pid(),
            serve.url
        );
        Ok(Self {
            webhook,
            cpu_before: serve.cpu_secs(),
            serve,
            stand_in,
            started: Instant::now(),
        })
    }

    /// Prints the handler's peak memory, CPU time and the REST calls it made, then stops it
    /// (SIGTERM, wait).
    pub async fn stop(self, scenario: &str) -> anyhow::Result<()> {
        let wall = self.started.elapsed();
        let cpu = match (self.cpu_before, self.serve.cpu_secs()) {
            (Some(b), Some(a)) => format!(
                "{:.2} s over {:.1} s ({:.2} cores)",
                a - b,
                wall.as_secs_f64(),
                (a - b) / wall.as_secs_f64().max(1e-9)
            ),
            _ => "n/a".into(),
        };
        println!(
            "{scenario}: chatr serve peak RSS {} (RSS now {}), CPU {cpu}",
            or_na(self.serve.peak_rss_kib().map(mib)),
            or_na(self.serve.rss_kib().map(mib)),
        );
        println!(
            "{scenario}: REST calls to the stand-in: {}",
            self.stand_in.calls
        );
        // The client's idle keep-alive connections would hold up a graceful shutdown.
        drop(self.webhook);
        let stopped = self.serve.stop().await?;
        println!(
            "{scenario}: chatr serve stopped in {:.2} s ({})",
            stopped.took.as_secs_f64(),
            if stopped.graceful {
                "SIGTERM"
            } else {
                "killed after SIGTERM timed out"
            }
        );
        Ok(())
    }
}

/// What a driven phase gave: each request's latency (µs) by position (`None`: it failed),
/// the failures by reason, and the wall time.
pub struct Driven {
    pub latencies: Vec<Option<u32>>,
    pub failures: Failures,
    pub elapsed: Duration,
}

impl Driven {
    /// Requests that succeeded.
    pub fn ok(&self) -> usize {
        self.latencies.iter().flatten().count()
    }

    /// Successes per second of wall time.
    pub fn rate(&self) -> f64 {
        per_second(self.ok(), self.elapsed)
    }

    /// Percentiles of every success.
    pub fn percentiles(&self) -> Option<Percentiles> {
        let mut all: Vec<u32> = self.latencies.iter().flatten().copied().collect();
        Percentiles::of(&mut all)
    }

    /// The early and late windows, `width` requests each.
    pub fn windows(&self, width: usize) -> Option<Windows> {
        Windows::of(&self.latencies, width, GROWTH_GOAL)
    }
}

/// How requests are launched.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// In order of position, at most this many in flight.
    Bounded(usize),
    /// Every request on its own task first, then all released at once.
    AllAtOnce,
}

/// Runs `request(i)` for `i` in `0..n` as `pace` says, timing each from its first poll to
/// its answer, for at most [`MAX_PHASE`] (requests still running then count as failed).
pub async fn drive<F, Fut>(n: usize, pace: Pace, request: F) -> Driven
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(match pace {
        Pace::Bounded(at_once) => at_once.max(1),
        Pace::AllAtOnce => n.max(1),
    }));
    let (release, released) = watch::channel(matches!(pace, Pace::Bounded(_)));
    let deadline = Instant::now() + MAX_PHASE;
    let mut tasks = JoinSet::new();
    let mut started = Instant::now();
    for i in 0..n {
        let Ok(Ok(permit)) =
            tokio::time::timeout_at(deadline, permits.clone().acquire_owned()).await
        else {
            break;
        };
        let attempt = request(i);
        let mut released = released.clone();
        tasks.spawn(async move {
            let _ = released.wait_for(|go| *go).await;
            let began = Instant::now();
            let result = attempt.await;
            drop(permit);
            let took = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
            (i, result.map(|()| took))
        });
    }
    if matches!(pace, Pace::AllAtOnce) {
        started = Instant::now();
        let _ = release.send(true);
    }
    let mut driven = Driven {
        latencies: vec![None; n],
        failures: Failures::default(),
        elapsed: Duration::ZERO,
    };
    let mut answered = 0;
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, tasks.join_next()).await {
        answered += 1;
        match joined {
            Ok((i, Ok(took))) => driven.latencies[i] = Some(took),
            Ok((_, Err(reason))) => driven.failures.add(reason),
            Err(e) => driven.failures.add(format!("task failed: {e}")),
        }
    }
    driven.elapsed = started.elapsed();
    for _ in answered..n {
        driven
            .failures
            .add(format!("not answered within {} s", MAX_PHASE.as_secs()));
    }
    driven
}

/// The id of the `i`th load user, and of their first connection.
pub fn user(prefix: &str, i: usize) -> (String, String) {
    (format!("{prefix}-{i}"), format!("{prefix}-{i}-connection"))
}

/// Connects `n` users (`connected` on one connection each, `concurrency` at once) and prints
/// how it went; these are set-up, not the figures of the scenario.
pub async fn connect_users(
    webhook: &Arc<Webhook>,
    scenario: &str,
    prefix: &str,
    n: usize,
    concurrency: usize,
) -> Driven {
    let connected = drive(n, Pace::Bounded(concurrency), |i| {
        let webhook = webhook.clone();
        let (user, connection) = user(prefix, i);
        async move { webhook.connected(&connection, &user).await }
    })
    .await;
    println!(
        "{scenario}: {} of {n} users connected in {:.2} s ({:.0} connected/s, {concurrency} in \
         flight; {})",
        connected.ok(),
        connected.elapsed.as_secs_f64(),
        connected.rate(),
        connected.failures
    );
    connected
}

/// The first `n` load users of `prefix` join `chat` (one `joinChat` each, as `pace` says).
pub async fn join_all(
    webhook: &Arc<Webhook>,
    chat: &str,
    prefix: &str,
    n: usize,
    pace: Pace,
) -> Driven {
    drive(n, pace, |i| {
        let (webhook, chat) = (webhook.clone(), chat.to_string());
        let (user, connection) = user(prefix, i);
        async move {
            webhook
                .user_event("joinChat", &connection, &user, chat.into())
                .await
        }
    })
    .await
}

/// The owner `(user, connection)` connects and creates a group chat named `scenario`; its id.
pub async fn owner_creates_chat(
    webhook: &Webhook,
    scenario: &str,
    (owner, connection): (&str, &str),
) -> anyhow::Result<String> {
    let chat = uuid::Uuid::new_v4().to_string();
    webhook
        .connected(connection, owner)
        .await
        .map_err(|e| anyhow::anyhow!("the owner's connected failed: {e}"))?;
    webhook
        .user_event(
            "createChat",
            connection,
            owner,
            serde_json::json!({"name": scenario, "id": chat}),
        )
        .await
        .map_err(|e| anyhow::anyhow!("the owner's createChat failed: {e}"))?;
    Ok(chat)
}

/// Times one request.
pub async fn timed<T>(request: impl Future<Output = T>) -> (T, Duration) {
    let began = Instant::now();
    let result = request.await;
    (result, began.elapsed())
}

/// The `memberCount` `GET /api/chats` lists for `chat`, as `user` sees it.
pub async fn member_count(webhook: &Webhook, user: &str, chat: &str) -> anyhow::Result<u64> {
    let chats = webhook.chats(user).await?;
    chats["chats"][chat]["memberCount"]
        .as_u64()
        .with_context(|| format!("GET /api/chats lists no memberCount for chat {chat}"))
}

/// "accepted", or why not, for a report line.
pub fn accepted(result: &Result<(), String>) -> String {
    match result {
        Ok(()) => "accepted".into(),
        Err(reason) => format!("FAILED: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A request that takes `i + 1` ms, fails for `i == 3`, and records how many ran at once.
    fn request(
        i: usize,
        running: &Arc<AtomicUsize>,
        most: &Arc<AtomicUsize>,
    ) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let (running, most) = (running.clone(), most.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(i as u64 + 1)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            if i == 3 {
                Err("the third fails".into())
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_bounded_drive_times_each_request_by_position_and_counts_failures() {
        let (running, most) = Default::default();
        let driven = drive(10, Pace::Bounded(2), |i| request(i, &running, &most)).await;
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(driven.ok(), 9);
        assert_eq!(driven.latencies[3], None);
        assert_eq!(driven.latencies[7], Some(8_000));
        assert_eq!(
            driven.failures.to_string(),
            "1 failed (1 × the third fails)"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_unpaced_drive_releases_every_request_at_once() {
        let (running, most) = Default::default();
        let driven = drive(50, Pace::AllAtOnce, |i| request(i, &running, &most)).await;
        assert_eq!(most.load(Ordering::SeqCst), 50);
        assert_eq!(driven.latencies[49], Some(50_000));
        assert_eq!(driven.elapsed, Duration::from_millis(50));
    }
}
