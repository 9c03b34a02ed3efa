//! Idle connections: open many, hold them, read the emulator's resident memory before and
//! after, then check that every one is still served (a `ping` frame answered by `pong`).

use std::time::Duration;

use tokio::sync::watch;

use crate::chatr_load::client::{self, Phase, Protocol};
use crate::chatr_load::emulator::{own_rss_kib, Emulator};
use crate::chatr_load::fanout::HUB;
use crate::chatr_load::stats::{mib, or_na, per_second};

/// `idle` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct IdleArgs {
    /// Connections to open and hold.
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Connections opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to hold them before checking them.
    #[arg(long, default_value_t = 10)]
    pub hold_secs: u64,
    /// Use json.reliable.webpubsub.azure.v1 (the official client's default).
    #[arg(long)]
    pub reliable: bool,
}

/// Checks every held connection, then lets go of them: how many still answered.
pub async fn check(phase: watch::Sender<Phase>, held: Vec<tokio::task::JoinHandle<bool>>) -> usize {
    let _ = phase.send(Phase::Check);
    let mut alive = 0;
    for h in held {
        if matches!(h.await, Ok(true)) {
            alive += 1;
        }
    }
    alive
}

/// Runs the scenario and prints its figures.
pub async fn run(emulator: &Emulator, args: &IdleArgs) -> anyhow::Result<()> {
    let target = emulator.target.clone();
    let before = emulator.rss_kib();
    let (phase_tx, phase) = watch::channel(Phase::Hold);
    let protocol = if args.reliable {
        Protocol::Reliable
    } else {
        Protocol::Json
    };
    let opened = client::open_many(args.connections, args.concurrency, |i| {
        let (target, phase) = (target.clone(), phase.clone());
        async move {
            let token = client::token(&target, HUB, &format!("idle-{i}"));
            let ws = client::connect(&target, HUB, &token, protocol).await?;
            Ok(tokio::spawn(client::hold(ws, phase)))
        }
    })
    .await;
    let n = opened.ok.len();
    println!(
        "idle: {n} of {} {} connections opened in {:.2} s ({:.0}/s, {} at once){}",
        args.connections,
        if args.reliable { "reliable" } else { "json" },
        opened.elapsed.as_secs_f64(),
        per_second(n, opened.elapsed),
        args.concurrency,
        opened.failures()
    );
    let open = emulator.rss_kib();
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let held_rss = emulator.rss_kib();
    let alive = check(phase_tx, opened.ok).await;
    println!(
        "idle: {alive} of {n} still answered a ping after {} s held",
        args.hold_secs
    );
    println!(
        "idle: emulator RSS {} before, {} with them open, {} after {} s",
        or_na(before.map(mib)),
        or_na(open.map(mib)),
        or_na(held_rss.map(mib)),
        args.hold_secs
    );
    if let (Some(b), Some(h)) = (before, held_rss.max(open)) {
        println!(
            "idle: {} per 1,000 connections; {} for 10,000 at that rate (generator RSS {})",
            mib((h.saturating_sub(b)) * 1000 / n.max(1) as u64),
            mib(b + (h.saturating_sub(b)) * 10_000 / n.max(1) as u64),
            or_na(own_rss_kib().map(mib))
        );
    }
    Ok(())
}
