//! Connects per second through the whole handshake: the token check, the blocking `connect`
//! event to a real (local) event handler, the upgrade and the `connected` frame; then the
//! time until every asynchronous `connected` event has reached the handler.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::chatr_load::client::{self, Phase, Protocol};
use crate::chatr_load::emulator::Emulator;
use crate::chatr_load::handler::Handler;
use crate::chatr_load::idle::check;
use crate::chatr_load::stats::{cpu, mib, or_na, per_second, Percentiles};

/// How long the `connected` events may take to arrive after the last connection.
const EVENTS_TIMEOUT: Duration = Duration::from_secs(60);

/// `connects` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct ConnectsArgs {
    /// Connections to open (and hold until the end).
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Connections opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// The hub the emulator sends events of (its `--hub`).
    #[arg(long, default_value = "chat")]
    pub hub: String,
    /// Port of the event handler (0: any; give one when the emulator is already running
    /// with `--event-handler http://127.0.0.1:PORT/eventHandler`).
    #[arg(long, default_value_t = 0)]
    pub handler_port: u16,
}

/// Runs the scenario against an emulator whose event handler is `handler`.
pub async fn run(
    emulator: &Emulator,
    handler: &Handler,
    args: &ConnectsArgs,
) -> anyhow::Result<()> {
    let target = emulator.target.clone();
    // Tokens are signed beforehand: their cost is the clients', not the emulator's.
    let tokens: Vec<String> = (0..args.connections)
        .map(|i| client::token(&target, &args.hub, &format!("user-{i}")))
        .collect();
    let (phase_tx, phase) = watch::channel(Phase::Hold);
    let (emulator_cpu, started) = (emulator.cpu_secs(), Instant::now());
    let opened = client::open_many(args.connections, args.concurrency, |i| {
        let (target, hub, phase) = (target.clone(), args.hub.clone(), phase.clone());
        let token = tokens[i].clone();
        async move {
            let began = Instant::now();
            let ws = client::connect(&target, &hub, &token, Protocol::Json).await?;
            let took = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
            Ok((took, tokio::spawn(client::hold(ws, phase))))
        }
    })
    .await;
    let emulator_cpu_after = emulator.cpu_secs();
    let n = opened.ok.len();
    let failures = opened.failures();
    let (mut latencies, held): (Vec<u32>, Vec<_>) = opened.ok.into_iter().unzip();
    println!(
        "connects: {n} of {} connected in {:.2} s: {:.0} connects/s ({} at once){}",
        args.connections,
        opened.elapsed.as_secs_f64(),
        per_second(n, opened.elapsed),
        args.concurrency,
        failures
    );
    if let Some(p) = Percentiles::of(&mut latencies) {
        println!("connects: time to the connected frame {p}");
    }
    println!(
        "connects: emulator CPU {}",
        cpu(
            emulator_cpu,
            emulator_cpu_after,
            opened.elapsed,
            n,
            "connect"
        )
    );
    let deadline = Instant::now() + EVENTS_TIMEOUT;
    while handler.counts.connected() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let c = &handler.counts;
    println!(
        "connects: upstream saw {} connect and {} connected events ({} bad signatures); \
         the last connected event {:.2} s after the first connect",
        c.connect.load(Ordering::Relaxed),
        c.connected(),
        c.bad_signatures.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    let rss = emulator.rss_kib();
    let alive = check(phase_tx, held).await;
    println!(
        "connects: {alive} of {n} still answered a ping; emulator RSS {}",
        or_na(rss.map(mib))
    );
    Ok(())
}
