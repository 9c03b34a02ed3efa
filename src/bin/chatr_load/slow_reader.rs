//! `slow-reader`: one client joins a group and never reads its socket; a sender publishes into
//! the group as fast as the emulator takes it, for a while. Without a bound, the emulator's
//! queue for the reader grows without end; with it, the reader is dropped once its queue is
//! full and the emulator's memory stays flat. Prints the emulator's RSS each second, its peak,
//! and how the reader's socket ended.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::chatr_load::client::{self, Protocol};
use crate::chatr_load::emulator::Emulator;
use crate::chatr_load::fanout::HUB;
use crate::chatr_load::stats::{mib, or_na};

const GROUP: &str = "slow";
/// How long a reader's close frame may take to show once it reads again.
const READ_BACK: Duration = Duration::from_secs(30);

/// `slow-reader` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct SlowReaderArgs {
    /// Seconds the sender publishes.
    #[arg(long, default_value_t = 8)]
    pub seconds: u64,
    /// Bytes of padding in each message.
    #[arg(long, default_value_t = 1024)]
    pub payload: usize,
    /// Use json.reliable.webpubsub.azure.v1 for the reader.
    #[arg(long)]
    pub reliable: bool,
}

/// Runs the scenario and prints its figures.
pub async fn run(emulator: &Emulator, args: &SlowReaderArgs) -> anyhow::Result<()> {
    let target = emulator.target.clone();
    let protocol = if args.reliable {
        Protocol::Reliable
    } else {
        Protocol::Json
    };
    let mut reader = client::connect(&target, HUB, &client::token(&target, HUB, "slow"), protocol)
        .await
        .map_err(anyhow::Error::msg)?;
    let join = format!(r#"{{"type":"joinGroup","group":"{GROUP}","ackId":1}}"#);
    client::send(&mut reader, join)
        .await
        .map_err(anyhow::Error::msg)?;
    client::until(&mut reader, r#""ackId":1"#, client::CONNECT_TIMEOUT)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut sender = client::connect(
        &target,
        HUB,
        &client::token(&target, HUB, "sender"),
        Protocol::Json,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let before = emulator.rss_kib();
    println!(
        "slow-reader: one {} reader stops reading; the sender publishes {} B messages for {} s; emulator RSS before {}",
        if args.reliable { "reliable" } else { "json" },
        args.payload,
        args.seconds,
        or_na(before.map(mib))
    );
    let frame = format!(
        r#"{{"type":"sendToGroup","group":"{GROUP}","noEcho":true,"dataType":"text","data":"{}"}}"#,
        "x".repeat(args.payload)
    );
    let began = Instant::now();
    let mut next_sample = began + Duration::from_secs(1);
    let mut sent = 0usize;
    let mut peak = before.unwrap_or(0);
    let mut samples = Vec::new();
    while began.elapsed() < Duration::from_secs(args.seconds) {
        client::send(&mut sender, frame.clone())
            .await
            .map_err(anyhow::Error::msg)?;
        sent += 1;
        if sent.is_multiple_of(256) {
            tokio::task::yield_now().await;
        }
        if Instant::now() >= next_sample {
            let rss = emulator.rss_kib();
            peak = peak.max(rss.unwrap_or(0));
            samples.push(or_na(rss.map(mib)));
            next_sample += Duration::from_secs(1);
        }
    }
    println!(
        "slow-reader: {sent} messages sent ({:.1} MiB); emulator RSS each second: {}",
        (sent * args.payload) as f64 / (1024.0 * 1024.0),
        samples.join(", ")
    );
    println!("slow-reader: emulator peak RSS while sending {}", mib(peak));
    // The reader reads again: what it finds ends with how the emulator let it go.
    let deadline = Instant::now() + READ_BACK;
    let mut read = 0usize;
    let ended = loop {
        let frame = tokio::select! {
            frame = reader.next() => frame,
            () = tokio::time::sleep_until(deadline) => break "still open (no close within 30 s)".to_string(),
        };
        match frame {
            Some(Ok(Message::Close(close))) => {
                break close.map_or("closed without a code".into(), |c| {
                    format!("closed with {} \"{}\"", u16::from(c.code), c.reason)
                })
            }
            Some(Ok(_)) => read += 1,
            Some(Err(e)) => break format!("socket error: {e}"),
            None => break "socket ended without a close frame".into(),
        }
    };
    println!("slow-reader: the reader then read {read} frames and was {ended}");
    client::close(sender).await;
    Ok(())
}
