//! `joins`: one owner creates a chat, then many distinct users join it (16 in flight): does a
//! join cost the same at 9,000 members as at 0? Then `GET /api/chats` must count them all,
//! typing and the members search are compared with a chat of 1,000 (`chat_size`), and one
//! `leaveChat` and the owner's `deleteChat` of the big chat are timed.

use std::path::Path;

use crate::chatr_load::chat_size;
use crate::chatr_load::membership::{
    accepted, connect_users, join_all, member_count, owner_creates_chat, timed, user, Pace, Stack,
};
use crate::chatr_load::stats::{ms, trend};

/// The user who creates the chat (and deletes it at the end).
const OWNER: (&str, &str) = ("joins-owner", "joins-owner-connection");
/// The load users' ids start with this.
const PREFIX: &str = "joiner";

/// `joins` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct JoinsArgs {
    /// Distinct users who join the chat.
    #[arg(long, default_value_t = 10_000)]
    pub users: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Joins in each of the compared windows (the first and the last ones).
    #[arg(long, default_value_t = 1000)]
    pub window: usize,
}

/// Runs the scenario on a fresh `chatr serve` and prints its figures.
pub async fn run(chatr: &Path, args: &JoinsArgs) -> anyhow::Result<()> {
    let stack = Stack::start(chatr, "joins").await?;
    let result = scenario(&stack, args).await;
    stack.stop("joins").await?;
    result
}

async fn scenario(stack: &Stack, args: &JoinsArgs) -> anyhow::Result<()> {
    let webhook = &stack.webhook;
    let (owner, owner_connection) = OWNER;
    let chat = owner_creates_chat(webhook, "joins", OWNER).await?;
    connect_users(webhook, "joins", PREFIX, args.users, args.concurrency).await;
    let joined = join_all(
        webhook,
        &chat,
        PREFIX,
        args.users,
        Pace::Bounded(args.concurrency),
    )
    .await;
    println!(
        "joins: {} of {} joined in {:.2} s: {:.0} joins/s ({} in flight; {})",
        joined.ok(),
        args.users,
        joined.elapsed.as_secs_f64(),
        joined.rate(),
        args.concurrency,
        joined.failures
    );
    if let Some(all) = joined.percentiles() {
        println!("joins: every join {all}");
    }
    if let Some(w) = joined.windows(args.window) {
        let late = args.users.saturating_sub(args.window);
        println!(
            "joins: members 0–{}: p50 {}, p99 {}; members {late}–{}: p50 {}, p99 {}; {w}",
            args.window.min(args.users),
            ms(w.early.p50),
            ms(w.early.p99),
            args.users,
            ms(w.late.p50),
            ms(w.late.p99),
        );
    }
    println!(
        "joins: p50/p99 (ms) of each {} joins in turn: {}",
        args.window,
        trend(&joined.latencies, args.window)
    );
    let expected = joined.ok() as u64 + 1;
    let listed = member_count(webhook, owner, &chat).await?;
    println!(
        "joins: GET /api/chats memberCount {listed} (expected {expected}: the owner and every \
         joiner): {}",
        if listed == expected { "ok" } else { "WRONG" }
    );
    chat_size::compare(webhook, OWNER, PREFIX, &chat, listed, args.concurrency).await?;
    let (leaver, leaver_connection) = user(PREFIX, 0);
    let (left, leave_took) = timed(webhook.user_event(
        "leaveChat",
        &leaver_connection,
        &leaver,
        serde_json::json!({"chatId": chat}),
    ))
    .await;
    println!(
        "joins: one leaveChat of the {listed}-member chat: {:.2} ms ({})",
        leave_took.as_secs_f64() * 1000.0,
        accepted(&left)
    );
    let members = member_count(webhook, owner, &chat).await?;
    let (deleted, delete_took) =
        timed(webhook.user_event("deleteChat", owner_connection, owner, chat.clone().into())).await;
    let secs = delete_took.as_secs_f64();
    println!(
        "joins: the owner's deleteChat of the {members}-member chat: {:.1} ms ({}; goal < 5 s: \
         {})",
        secs * 1000.0,
        accepted(&deleted),
        if deleted.is_ok() && secs < 5.0 {
            "met"
        } else {
            "missed"
        }
    );
    Ok(())
}
