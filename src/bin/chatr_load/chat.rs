//! `chat`: messages through the whole local stack, a fresh `chatr dev` (its emulator, the
//! handler and the embedded SQLite store in one process), every member a real WebSocket
//! speaking the chat's protocol, rate limits off. Two phases on one stack:
//! - **paced**: `--members` join one chat; `--messages` `sendMessage` events at `--rate`, the
//!   senders taking turns among the first ten members; each one is stored, answered to its
//!   sender and delivered to every other member. Latency is send to receipt, at each receiver
//!   (one clock: everyone is this process).
//! - **flood**: `--flood-members` join a second chat and all send as fast as their answers come,
//!   `--in-flight` each: the most messages the stack stores a second.

use std::path::Path;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use crate::chatr_load::client::{self, Protocol, Ws};
use crate::chatr_load::emulator::{cpu_secs, load_average, peak_rss_kib, target_of, Target};
use crate::chatr_load::serve::{Serve, HUB};
use crate::chatr_load::stats::{mib, or_na, per_second, Percentiles};

/// The longest a phase may take whatever its settings.
const MAX_PHASE: Duration = Duration::from_secs(300);
/// How long set-up steps (an ack) may take.
const STEP: Duration = Duration::from_secs(30);
/// Senders take turns among this many members in the paced phase.
const PACED_SENDERS: usize = 10;

/// `chat` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct ChatArgs {
    /// Members of the paced chat.
    #[arg(long, default_value_t = 100)]
    pub members: usize,
    /// Messages of the paced phase.
    #[arg(long, default_value_t = 5000)]
    pub messages: usize,
    /// Messages per second of the paced phase.
    #[arg(long, default_value_t = 500)]
    pub rate: u32,
    /// Members of the flood chat, each sending.
    #[arg(long, default_value_t = 10)]
    pub flood_members: usize,
    /// Messages of the flood phase, in all.
    #[arg(long, default_value_t = 10_000)]
    pub flood_messages: usize,
    /// Messages each flood sender keeps on their way.
    #[arg(long, default_value_t = 8)]
    pub in_flight: usize,
}

type Sink = SplitSink<Ws, Message>;
type Stream = SplitStream<Ws>;

/// The number after `name` in a frame.
fn number(text: &str, name: &str) -> Option<u64> {
    let at = text.find(name)? + name.len();
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn micros(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// A `sendMessage` event whose text carries the send time and the sender.
fn message(chat: &str, epoch: Instant, n: usize) -> Message {
    let text = format!("t={} n={n} load", micros(epoch));
    let frame = serde_json::json!({"type": "event", "event": "sendMessage", "dataType": "json",
        "data": {"chatId": chat, "text": text}});
    Message::text(frame.to_string())
}

/// A user event with an ack id, and its ack awaited.
async fn acked(ws: &mut Ws, event: &str, data: serde_json::Value, ack: u64) -> anyhow::Result<()> {
    let (kind, data) = match data {
        serde_json::Value::String(s) => ("text", serde_json::Value::String(s)),
        other => ("json", other),
    };
    let frame = serde_json::json!({"type": "event", "event": event, "dataType": kind,
        "data": data, "ackId": ack});
    client::send(ws, frame.to_string())
        .await
        .map_err(anyhow::Error::msg)?;
    client::until(ws, &format!("\"ackId\":{ack}"), STEP)
        .await
        .map_err(anyhow::Error::msg)
}

/// `n` members, `user-<prefix>-<i>`, connected, and all in a new chat; the chat's id.
async fn members(target: &Target, prefix: &str, n: usize) -> anyhow::Result<(String, Vec<Ws>)> {
    let opened = client::open_many(n, 16, |i| {
        let target = target.clone();
        let user = format!("user-{prefix}-{i:05}");
        async move {
            let token = client::token(&target, HUB, &user);
            client::connect(&target, HUB, &token, Protocol::Json)
                .await
                .map(|ws| (i, ws))
        }
    })
    .await;
    anyhow::ensure!(
        opened.failed == 0,
        "members could not connect{}",
        opened.failures()
    );
    let mut sockets: Vec<(usize, Ws)> = opened.ok;
    sockets.sort_by_key(|(i, _)| *i);
    let mut sockets: Vec<Ws> = sockets.into_iter().map(|(_, ws)| ws).collect();
    let chat = uuid::Uuid::new_v4().to_string();
    let owner = sockets
        .first_mut()
        .ok_or_else(|| anyhow::anyhow!("no members"))?;
    acked(
        owner,
        "createChat",
        serde_json::json!({"name": prefix, "id": chat}),
        1,
    )
    .await?;
    for ws in sockets.iter_mut().skip(1) {
        acked(ws, "joinChat", serde_json::Value::String(chat.clone()), 1).await?;
    }
    Ok((chat, sockets))
}

/// What one member saw: latencies of others' messages, answers to its own.
#[derive(Default)]
struct Seen {
    latencies: Vec<u32>,
    answers: usize,
    last: Option<Instant>,
    refused: usize,
}

/// Reads until `deliveries` of others' messages and `answers` to its own arrived (or the
/// phase's time is up); in flood mode each answer sends the next message through `more`.
async fn read(
    mut stream: Stream,
    epoch: Instant,
    deliveries: usize,
    answers: usize,
    mut more: Option<(Sink, String, usize)>,
) -> Seen {
    let mut seen = Seen::default();
    let deadline = Instant::now() + MAX_PHASE;
    let mut sent = 0;
    while seen.latencies.len() < deliveries || seen.answers < answers {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            () = tokio::time::sleep_until(deadline) => break,
        };
        let Some(Ok(Message::Text(text))) = frame else {
            if matches!(frame, Some(Ok(_))) {
                continue;
            }
            break;
        };
        if text.contains("actionRefused") {
            seen.refused += 1;
            continue;
        }
        let Some(t) = number(&text, "t=") else {
            continue;
        };
        let now = Instant::now();
        if text.contains(r#""from":"server""#) {
            seen.answers += 1;
            seen.last = Some(now);
            if let Some((sink, chat, share)) = &mut more {
                if sent < *share {
                    sent += 1;
                    if sink.send(message(chat, epoch, sent)).await.is_err() {
                        break;
                    }
                }
            }
        } else {
            let latency = micros(epoch).saturating_sub(t);
            seen.latencies
                .push(u32::try_from(latency).unwrap_or(u32::MAX));
            seen.last = Some(now);
        }
    }
    seen
}

/// Prints a phase's figures.
fn report(phase: &str, seen: &[Seen], sent: usize, began: Instant) {
    let answers: usize = seen.iter().map(|s| s.answers).sum();
    let refused: usize = seen.iter().map(|s| s.refused).sum();
    let mut latencies: Vec<u32> = seen.iter().flat_map(|s| s.latencies.clone()).collect();
    let last = seen.iter().filter_map(|s| s.last).max().unwrap_or(began);
    let took = last.duration_since(began);
    println!(
        "chat {phase}: {answers} of {sent} messages stored and answered in {:.2} s: {:.0} stored/s; {refused} refused",
        took.as_secs_f64(),
        per_second(answers, took)
    );
    println!(
        "chat {phase}: {} deliveries to other members: {:.0} deliveries/s",
        latencies.len(),
        per_second(latencies.len(), took)
    );
    println!(
        "chat {phase}: send to receipt {}",
        or_na(Percentiles::of(&mut latencies))
    );
}

/// The paced phase.
async fn paced(target: &Target, args: &ChatArgs) -> anyhow::Result<()> {
    let (chat, sockets) = members(target, "paced", args.members).await?;
    let senders = PACED_SENDERS.min(args.members).max(1);
    let share = |m: usize| {
        if m < senders {
            (args.messages + senders - 1 - m) / senders
        } else {
            0
        }
    };
    let epoch = Instant::now();
    let mut sinks = Vec::new();
    let mut readers = Vec::new();
    for (m, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        if m < senders {
            sinks.push(sink);
        }
        let others = args.messages - share(m);
        readers.push(tokio::spawn(read(stream, epoch, others, share(m), None)));
    }
    println!(
        "chat paced: {} members in one chat; {} messages at {}/s from {senders} senders",
        args.members, args.messages, args.rate
    );
    let began = Instant::now();
    let mut ticker =
        tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1))));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    for n in 0..args.messages {
        ticker.tick().await;
        let sink = &mut sinks[n % senders];
        sink.send(message(&chat, epoch, n)).await?;
    }
    let mut seen = Vec::new();
    for reader in readers {
        seen.push(reader.await?);
    }
    report("paced", &seen, args.messages, began);
    Ok(())
}

/// The flood phase.
async fn flood(target: &Target, args: &ChatArgs) -> anyhow::Result<()> {
    let n = args.flood_members.max(1);
    let (chat, sockets) = members(target, "flood", n).await?;
    let share = args.flood_messages / n;
    let epoch = Instant::now();
    println!(
        "chat flood: {n} members in one chat, each sending {share} messages as fast as answered, {} in flight each",
        args.in_flight
    );
    let began = Instant::now();
    let mut readers = Vec::new();
    for ws in sockets {
        let (mut sink, stream) = ws.split();
        let first = args.in_flight.min(share);
        for k in 0..first {
            sink.send(message(&chat, epoch, k)).await?;
        }
        let rest = share - first;
        let others = share * (n - 1);
        readers.push(tokio::spawn(read(
            stream,
            epoch,
            others,
            share,
            Some((sink, chat.clone(), rest)),
        )));
    }
    let mut seen = Vec::new();
    for reader in readers {
        seen.push(reader.await?);
    }
    report("flood", &seen, share * n, began);
    Ok(())
}

/// Runs both phases on a fresh `chatr dev`.
pub async fn run(chatr: &Path, args: &ChatArgs) -> anyhow::Result<()> {
    println!(
        "chat: load average before the run: {} ({} cores)",
        load_average().unwrap_or_else(|| "n/a".into()),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let dev = Serve::spawn_dev(chatr)?;
    let target = target_of(&dev.url)?;
    println!(
        "chat: chatr dev pid {} (emulator on 127.0.0.1:{}; fresh SQLite store; limits off)",
        dev.pid(),
        target.port
    );
    let stat = format!("/proc/{}/stat", dev.pid());
    let cpu_before = cpu_secs(&stat);
    let started = Instant::now();
    paced(&target, args).await?;
    flood(&target, args).await?;
    let cpu = cpu_secs(&stat).zip(cpu_before).map(|(a, b)| a - b);
    println!(
        "chat: chatr dev peak RSS {}, CPU {} over {:.1} s",
        or_na(peak_rss_kib(&format!("/proc/{}/status", dev.pid())).map(mib)),
        or_na(cpu.map(|c| format!("{c:.2} s"))),
        started.elapsed().as_secs_f64()
    );
    let stopped = dev.stop().await?;
    println!(
        "chat: chatr dev stopped in {:.2} s ({})",
        stopped.took.as_secs_f64(),
        if stopped.graceful {
            "SIGTERM"
        } else {
            "killed"
        }
    );
    Ok(())
}
