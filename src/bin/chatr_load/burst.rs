//! `burst`: many distinct accounts (each `connected` first, not timed) all send `joinChat`
//! for one chat at the same moment, unpaced: every join must succeed, and how long the
//! last one waits is the figure.

use std::path::Path;

use crate::chatr_load::membership::{
    connect_users, join_all, member_count, owner_creates_chat, Pace, Stack,
};

/// The user who creates the chat.
const OWNER: (&str, &str) = ("burst-owner", "burst-owner-connection");
/// The load users' ids start with this.
const PREFIX: &str = "burster";

/// `burst` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct BurstArgs {
    /// Distinct accounts that join at once.
    #[arg(long, default_value_t = 1000)]
    pub accounts: usize,
    /// `connected` events in flight at once while setting up (the joins are all at once).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// Runs the scenario on a fresh `chatr serve` and prints its figures.
pub async fn run(chatr: &Path, args: &BurstArgs) -> anyhow::Result<()> {
    let stack = Stack::start(chatr, "burst").await?;
    let result = scenario(&stack, args).await;
    stack.stop("burst").await?;
    result
}

async fn scenario(stack: &Stack, args: &BurstArgs) -> anyhow::Result<()> {
    let webhook = &stack.webhook;
    let (owner, _) = OWNER;
    let chat = owner_creates_chat(webhook, "burst", OWNER).await?;
    connect_users(webhook, "burst", PREFIX, args.accounts, args.concurrency).await;
    let joined = join_all(webhook, &chat, PREFIX, args.accounts, Pace::AllAtOnce).await;
    let failed = joined.failures.total();
    println!(
        "burst: {} of {} joinChat launched at once succeeded in {:.2} s ({:.0} joins/s); {} \
         (goal 0: {})",
        joined.ok(),
        args.accounts,
        joined.elapsed.as_secs_f64(),
        joined.rate(),
        joined.failures,
        if failed == 0 { "met" } else { "missed" }
    );
    if let Some(p) = joined.percentiles() {
        println!("burst: join latency {p}");
    }
    let expected = joined.ok() as u64 + 1;
    let listed = member_count(webhook, owner, &chat).await?;
    println!(
        "burst: GET /api/chats memberCount {listed} (expected {expected}: the owner and every \
         joiner): {}",
        if listed == expected { "ok" } else { "WRONG" }
    );
    Ok(())
}
