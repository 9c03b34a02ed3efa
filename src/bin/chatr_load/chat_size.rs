//! Part of `joins`: what a chat's size does to the events that must not care about it. `typing`
//! and the @ picker's members search (`/api/users?q=&chatId=`) are timed in the 10,000-member
//! chat and in a chat of 1,000 members made of the same users: each of 1,000 users types once
//! in each chat (the big one first: whichever goes second is slower, being each user's second
//! typing; docs/PERFORMANCE.md), and 200 of them search each.

use std::sync::Arc;

use crate::chatr_load::membership::{drive, join_all, user, Pace};
use crate::chatr_load::webhook::Webhook;

/// Members of the small chat (besides its owner), and typists in each chat.
const SMALL: usize = 1000;
/// Searches in each chat (by distinct users: a user's search bucket holds 30 at once).
const SEARCHES: usize = 200;

/// Times typing and searching in `big` (of `members` members) and in a new chat of `SMALL`
/// of the same users, and prints both.
pub async fn compare(
    webhook: &Arc<Webhook>,
    owner: (&str, &str),
    prefix: &'static str,
    big: &str,
    members: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let small =
        crate::chatr_load::membership::owner_creates_chat(webhook, "joins-small", owner).await?;
    let joined = join_all(webhook, &small, prefix, SMALL, Pace::Bounded(concurrency)).await;
    anyhow::ensure!(joined.ok() == SMALL, "the small chat: {}", joined.failures);
    for (chat, size) in [
        (big.to_string(), members),
        (small.clone(), SMALL as u64 + 1),
    ] {
        let typed = drive(SMALL, Pace::Bounded(concurrency), |i| {
            let (webhook, chat) = (webhook.clone(), chat.clone());
            let (user, connection) = user(prefix, i);
            async move {
                webhook
                    .user_event(
                        "typing",
                        &connection,
                        &user,
                        serde_json::json!({"chatId": chat}),
                    )
                    .await
            }
        })
        .await;
        let searched = drive(SEARCHES, Pace::Bounded(concurrency), |i| {
            let (webhook, chat) = (webhook.clone(), chat.clone());
            let (user, _) = user(prefix, i);
            async move {
                webhook
                    .users(&user, &format!("q={prefix}&chatId={chat}"))
                    .await
            }
        })
        .await;
        println!(
            "joins: typing in the {size}-member chat: {} of {SMALL}, {}; members search: {} of \
             {SEARCHES}, {}",
            typed.ok(),
            typed
                .percentiles()
                .map_or_else(|| "none".into(), |p| p.to_string()),
            searched.ok(),
            searched
                .percentiles()
                .map_or_else(|| "none".into(), |p| p.to_string()),
        );
    }
    Ok(())
}
