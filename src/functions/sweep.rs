//! The sweep, at start-up and every few minutes. Ghosts: `disconnected` is fire-and-forget,
//! so one can be lost; each stored connection is checked against the service, and the dead
//! ones are handled exactly as if their `disconnected` had arrived. Purges: the member rows
//! and messages of deleted chats are removed here, in batches, not in the webhook that deleted
//! them; so are messages older than `CHATR_MESSAGE_RETENTION_DAYS`, when it is set.

use std::time::Duration;

use futures_util::{stream, StreamExt};

use crate::chat::message::MessageId;
use crate::chat::Incoming;
use crate::functions::process::process;
use crate::functions::App;
use crate::store::StoreError;

/// Connections checked with the service at once.
pub const CHECKS_AT_ONCE: usize = 8;
/// Member rows of deleted chats removed per store call.
pub const PURGE_BATCH: usize = 500;
/// Member rows of deleted chats removed per sweep at most (the rest wait for the next one).
pub const PURGE_PER_SWEEP: usize = 50_000;

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub checked: usize,
    pub removed: usize,
    /// Connections whose existence the service could not tell; kept for the next sweep.
    pub unknown: usize,
    /// Dead connections the store could not let go; kept for the next sweep.
    pub failed: usize,
    /// Member rows and messages of deleted chats removed.
    pub purged: usize,
    /// Messages older than the retention removed.
    pub expired: usize,
}

/// Checks every stored connection once, `CHECKS_AT_ONCE` at a time, then purges deleted
/// chats' member rows in batches.
pub async fn sweep_once(app: &App) -> Result<SweepReport, StoreError> {
    let mut report = SweepReport::default();
    let bindings = app.store.list_bindings().await?;
    report.checked = bindings.len();
    let answers: Vec<_> = stream::iter(bindings)
        .map(|(connection, _user)| async move {
            let exists = app.pubsub.connection_exists(&connection).await;
            (connection, exists)
        })
        .buffer_unordered(CHECKS_AT_ONCE)
        .collect()
        .await;
    for (connection, exists) in answers {
        match exists {
            Ok(true) => {}
            Ok(false) => {
                // The binding decides whose connection it was; no claim is needed. A store
                // failure here leaves the ghost for the next sweep and goes on with the rest.
                match process(app, &connection, None, &Incoming::Disconnected).await {
                    Ok(Ok(_)) => report.removed += 1,
                    Ok(Err(_)) => {}
                    Err(e) => {
                        tracing::warn!(connection_id = %connection, error = %e, "could not let a dead connection go");
                        report.failed += 1;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(connection_id = %connection, error = %e, "could not check a connection");
                report.unknown += 1;
            }
        }
    }
    while report.purged < PURGE_PER_SWEEP {
        let removed = app.store.purge_deleted(PURGE_BATCH).await?;
        report.purged += removed;
        if removed < PURGE_BATCH {
            break;
        }
    }
    if let Some(keep) = app.message_retention {
        let cutoff = MessageId::floor_at(
            crate::clock::unix_now_ms()
                .saturating_sub(u64::try_from(keep.as_millis()).unwrap_or(u64::MAX)),
        );
        while report.expired < PURGE_PER_SWEEP {
            let removed = app.store.purge_older(&cutoff, PURGE_BATCH).await?;
            report.expired += removed;
            if removed < PURGE_BATCH {
                break;
            }
        }
    }
    Ok(report)
}

/// Sweeps at start-up and then every `every`, forever.
pub async fn run_forever(app: App, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match sweep_once(&app).await {
            Ok(report)
                if report
                    != SweepReport {
                        checked: report.checked,
                        ..SweepReport::default()
                    } =>
            {
                tracing::info!(
                    checked = report.checked,
                    removed = report.removed,
                    unknown = report.unknown,
                    failed = report.failed,
                    purged = report.purged,
                    expired = report.expired,
                    "swept connections and deleted chats"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the connection sweep could not read the store"),
        }
    }
}
