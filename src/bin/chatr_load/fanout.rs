//! Fan-out: receivers join one group, one sender publishes timestamped messages to it at a
//! set rate; deliveries per second are frames received over the wall time from the first
//! send to the last receipt, latency is receipt time minus the timestamp in the payload
//! (one clock: sender and receivers are this process).

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use crate::chatr_load::client::{self, Protocol, Ws};
use crate::chatr_load::emulator::{own_cpu_secs, Emulator};
use crate::chatr_load::stats::{cpu, per_second, Percentiles};

/// The hub of the load clients: not the emulator's `--hub`, so no event goes upstream.
pub const HUB: &str = "load";
const GROUP: &str = "fanout";
/// How long receivers wait for the last messages after the sender is done.
const DRAIN: Duration = Duration::from_secs(10);
/// The longest a run may take whatever its settings.
const MAX_RUN: Duration = Duration::from_secs(600);

/// `fanout` settings.
#[derive(Debug, Clone, clap::Parser)]
pub struct FanoutArgs {
    /// Members of the group.
    #[arg(long, default_value_t = 1000)]
    pub receivers: usize,
    /// Messages the sender publishes.
    #[arg(long, default_value_t = 2000)]
    pub messages: usize,
    /// Messages per second (0: as fast as the emulator reads them).
    #[arg(long, default_value_t = 100)]
    pub rate: u32,
    /// Bytes of padding in each message's data (besides its timestamp and number).
    #[arg(long, default_value_t = 64)]
    pub payload: usize,
    /// Use json.reliable.webpubsub.azure.v1 (receivers ack with sequenceAck).
    #[arg(long)]
    pub reliable: bool,
    /// A reliable receiver acks after this many messages.
    #[arg(long, default_value_t = 50)]
    pub ack_every: usize,
    /// Connections opened at once while setting up.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
}

/// What one receiver saw.
struct Received {
    latencies: Vec<u32>,
    last: Option<Instant>,
    /// Why it stopped before every message arrived, when the socket ended early.
    ended: Option<String>,
}

/// The number after `"name":` in a frame.
fn number(text: &str, name: &str) -> Option<u64> {
    let at = text.find(name)? + name.len();
    let digits = text[at..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

async fn receive(
    mut ws: Ws,
    args: FanoutArgs,
    epoch: Instant,
    mut stop: watch::Receiver<Option<Instant>>,
) -> Received {
    let mut got = Received {
        latencies: Vec::with_capacity(args.messages),
        last: None,
        ended: None,
    };
    let mut deadline = epoch + MAX_RUN;
    let mut sequence = 0;
    while got.latencies.len() < args.messages {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            Ok(()) = stop.changed() => {
                if let Some(at) = *stop.borrow() {
                    deadline = at;
                }
                continue;
            }
            () = tokio::time::sleep_until(deadline) => {
                got.ended = Some("the run's time was up".into());
                break;
            }
        };
        let Some(Ok(Message::Text(text))) = frame else {
            match frame {
                Some(Ok(Message::Close(close))) => {
                    got.ended = Some(format!("closed by the emulator: {close:?}"));
                    break;
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    got.ended = Some(format!("socket error: {e}"));
                    break;
                }
                None => {
                    got.ended = Some("socket closed without a close frame".into());
                    break;
                }
            }
        };
        let now = Instant::now();
        if !text.contains(r#""type":"message""#) {
            continue;
        }
        if let Some(sent) = number(&text, r#""t":"#) {
            let micros = now.duration_since(epoch).as_micros() as u64;
            got.latencies
                .push(u32::try_from(micros.saturating_sub(sent)).unwrap_or(u32::MAX));
            got.last = Some(now);
        }
        if args.reliable {
            sequence = number(&text, r#""sequenceId":"#).unwrap_or(sequence);
            if got.latencies.len().is_multiple_of(args.ack_every.max(1))
                || got.latencies.len() == args.messages
            {
                let ack = format!(r#"{{"type":"sequenceAck","sequenceId":{sequence}}}"#);
                if let Err(e) = client::send(&mut ws, ack).await {
                    got.ended = Some(format!("a sequenceAck could not be sent: {e}"));
                    break;
                }
            }
        }
    }
    client::close(ws).await;
    got
}

/// Runs the scenario and prints its figures.
pub async fn run(emulator: &Emulator, args: &FanoutArgs) -> anyhow::Result<()> {
    let target = emulator.target.clone();
    let protocol = if args.reliable {
        Protocol::Reliable
    } else {
        Protocol::Json
    };
    let epoch = Instant::now();
    let (stop_tx, stop) = watch::channel(None);
    let opened = client::open_many(args.receivers, args.concurrency, |i| {
        let (target, args, stop) = (target.clone(), args.clone(), stop.clone());
        async move {
            let token = client::token(&target, HUB, &format!("receiver-{i}"));
            let mut ws = client::connect(&target, HUB, &token, protocol).await?;
            let join = format!(r#"{{"type":"joinGroup","group":"{GROUP}","ackId":1}}"#);
            client::send(&mut ws, join).await?;
            client::until(&mut ws, r#""ackId":1"#, client::CONNECT_TIMEOUT).await?;
            Ok(tokio::spawn(receive(ws, args, epoch, stop)))
        }
    })
    .await;
    if opened.failed > 0 {
        anyhow::bail!(
            "{} receivers could not join: {:?}",
            opened.failed,
            opened.reasons
        );
    }
    let mut sender = client::connect(
        &target,
        HUB,
        &client::token(&target, HUB, "sender"),
        protocol,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let pad = "x".repeat(args.payload);
    println!(
        "fanout: {} receivers ({}), {} messages of {} B padding, rate {}",
        args.receivers,
        if args.reliable { "reliable" } else { "json" },
        args.messages,
        args.payload,
        if args.rate == 0 {
            "unpaced".to_string()
        } else {
            format!(
                "{}/s (offered {} deliveries/s)",
                args.rate,
                args.rate as usize * args.receivers
            )
        }
    );

    let (emulator_cpu, own_cpu) = (emulator.cpu_secs(), own_cpu_secs());
    let first_send = Instant::now();
    let mut pace = (args.rate > 0).then(|| {
        let mut i = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate)));
        i.set_missed_tick_behavior(MissedTickBehavior::Burst);
        i
    });
    for i in 0..args.messages {
        if let Some(pace) = &mut pace {
            pace.tick().await;
        }
        if first_send.elapsed() > MAX_RUN {
            break;
        }
        let t = Instant::now().duration_since(epoch).as_micros();
        let frame = format!(
            r#"{{"type":"sendToGroup","group":"{GROUP}","noEcho":true,"dataType":"json","data":{{"t":{t},"i":{i},"p":"{pad}"}}}}"#
        );
        client::send(&mut sender, frame)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    let sent_for = first_send.elapsed();
    let _ = stop_tx.send(Some(Instant::now() + DRAIN));

    let mut latencies = Vec::with_capacity(args.receivers * args.messages);
    let mut last = first_send;
    let mut ended: std::collections::BTreeMap<String, usize> = Default::default();
    for task in opened.ok {
        let got = task.await?;
        if let Some(why) = got.ended {
            *ended.entry(why).or_default() += 1;
        }
        latencies.extend_from_slice(&got.latencies);
        last = last.max(got.last.unwrap_or(first_send));
    }
    let wall = last.duration_since(first_send);
    let (emulator_cpu_after, own_cpu_after) = (emulator.cpu_secs(), own_cpu_secs());
    let received = latencies.len();
    let expected = args.receivers * args.messages;
    println!(
        "fanout: sent in {:.2} s; {received} of {expected} delivered in {:.2} s: {:.0} deliveries/s",
        sent_for.as_secs_f64(),
        wall.as_secs_f64(),
        per_second(received, wall)
    );
    for (why, receivers) in &ended {
        println!("fanout: {receivers} receivers ended early: {why}");
    }
    match Percentiles::of(&mut latencies) {
        Some(p) => println!("fanout: send-to-receive latency {p}"),
        None => println!("fanout: nothing was delivered"),
    }
    println!(
        "fanout: CPU: emulator {}; generator {}",
        cpu(emulator_cpu, emulator_cpu_after, wall, received, "delivery"),
        cpu(own_cpu, own_cpu_after, wall, received, "delivery")
    );
    client::close(sender).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_read_after_its_name() {
        let frame = r#"{"sequenceId":12,"type":"message","data":{"t":345,"i":6,"p":"xx"}}"#;
        assert_eq!(number(frame, r#""t":"#), Some(345));
        assert_eq!(number(frame, r#""sequenceId":"#), Some(12));
        assert_eq!(number(frame, r#""missing":"#), None);
    }
}
