//! `creates`: one user on one connection creates many chats (16 in flight): does the 5,000th
//! cost what the first did? Then the `connect` event of a new connection of that user, whose
//! answer lists every one of their chats, is timed and measured.

use std::path::Path;
use std::time::Duration;

use crate::chatr_load::membership::{drive, timed, Pace, Stack};
use crate::chatr_load::stats::{ms, trend};

/// The user who creates every chat, and their connection.
const CREATOR: (&str, &str) = ("creator", "creator-connection");

/// `creates` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct CreatesArgs {
    /// Chats the one user creates.
    #[arg(long, default_value_t = 5000)]
    pub chats: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Creates in each of the compared windows (the first and the last ones).
    #[arg(long, default_value_t = 1000)]
    pub window: usize,
    /// `connect` events timed afterwards, each for a new connection of the user.
    #[arg(long, default_value_t = 5)]
    pub connects: usize,
}

/// Runs the scenario on a fresh `chatr serve` and prints its figures.
pub async fn run(chatr: &Path, args: &CreatesArgs) -> anyhow::Result<()> {
    let stack = Stack::start(chatr, "creates").await?;
    let result = scenario(&stack, args).await;
    stack.stop("creates").await?;
    result
}

async fn scenario(stack: &Stack, args: &CreatesArgs) -> anyhow::Result<()> {
    let webhook = &stack.webhook;
    let (creator, connection) = CREATOR;
    webhook
        .connected(connection, creator)
        .await
        .map_err(|e| anyhow::anyhow!("the creator's connected failed: {e}"))?;
    let created = drive(args.chats, Pace::Bounded(args.concurrency), |i| {
        let webhook = webhook.clone();
        let body = serde_json::json!({
            "name": format!("chat {i}"),
            "id": uuid::Uuid::new_v4().to_string(),
        });
        async move {
            webhook
                .user_event("createChat", connection, creator, body)
                .await
        }
    })
    .await;
    println!(
        "creates: {} of {} chats created in {:.2} s: {:.0} createChat/s ({} in flight, one \
         user; {})",
        created.ok(),
        args.chats,
        created.elapsed.as_secs_f64(),
        created.rate(),
        args.concurrency,
        created.failures
    );
    if let Some(all) = created.percentiles() {
        println!("creates: every createChat {all}");
    }
    if let Some(w) = created.windows(args.window) {
        let late = args.chats.saturating_sub(args.window);
        println!(
            "creates: chats 0–{}: p50 {}, p99 {}; chats {late}–{}: p50 {}, p99 {}; {w}",
            args.window.min(args.chats),
            ms(w.early.p50),
            ms(w.early.p99),
            args.chats,
            ms(w.late.p50),
            ms(w.late.p99),
        );
    }
    println!(
        "creates: p50/p99 (ms) of each {} creates in turn: {}",
        args.window,
        trend(&created.latencies, args.window)
    );
    let mut took = Vec::with_capacity(args.connects);
    for n in 0..args.connects {
        let new_connection = format!("{connection}-{}", n + 1);
        let (answer, elapsed) = timed(webhook.system("connect", &new_connection, creator)).await;
        let answer = answer.map_err(|e| anyhow::anyhow!("connect failed: {e}"))?;
        anyhow::ensure!(
            answer.status == 200,
            "connect answered {} (expected 200 with the groups)",
            answer.status
        );
        let body: serde_json::Value = serde_json::from_slice(&answer.body)?;
        let count = |field: &str| body[field].as_array().map_or(0, Vec::len);
        if n == 0 {
            println!(
                "creates: connect answer {} bytes ({:.1} KiB): {} groups, {} roles",
                answer.body.len(),
                answer.body.len() as f64 / 1024.0,
                count("groups"),
                count("roles")
            );
        }
        took.push(elapsed);
    }
    if let Some(summary) = summary(&mut took) {
        println!(
            "creates: connect of a new connection of the user in {} chats: {summary} ({} \
             connects, one at a time)",
            created.ok(),
            args.connects
        );
    }
    Ok(())
}

/// "first …, min …, median …, max …" of a few timings; `None` for none.
fn summary(took: &mut [Duration]) -> Option<String> {
    let first = *took.first()?;
    took.sort_unstable();
    let micros = |d: Duration| ms(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    Some(format!(
        "first {}, min {}, median {}, max {}",
        micros(first),
        micros(took[0]),
        micros(took[(took.len() - 1) / 2]),
        micros(took[took.len() - 1])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_keeps_the_first_timing_and_sorts_the_rest() {
        let mut took: Vec<Duration> = [5, 1, 3, 2, 4]
            .into_iter()
            .map(Duration::from_millis)
            .collect();
        assert_eq!(
            summary(&mut took).as_deref(),
            Some("first 5.00 ms, min 1.00 ms, median 3.00 ms, max 5.00 ms")
        );
        assert!(summary(&mut []).is_none());
    }
}
