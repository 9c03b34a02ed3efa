//! The session against a recording sink instead of a socket: batching, numbering, replay.

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::sync::Notify;

use super::*;
use crate::emulator::mailbox::{Delivery, Mailbox};
use crate::emulator::protocol::{Data, From};
use crate::emulator::signals::Signals;
use crate::emulator::websocket::WsError;

/// A sink that records every frame written to it.
pub(super) fn recording() -> (Sink, UnboundedReceiver<Message>) {
    let (tx, rx) = unbounded_channel();
    let sink = futures_util::sink::unfold(tx, |tx, m: Message| async move {
        tx.send(m).map_err(|_| WsError::ConnectionClosed)?;
        Ok::<_, WsError>(tx)
    });
    (Box::pin(sink), rx)
}

pub(super) fn delivery(n: usize) -> Outgoing {
    Outgoing::Message(Delivery::new(&From::Server, &Data::Text(format!("m{n}"))))
}

pub(super) struct DrivenSession {
    pub(super) mailbox: Mailbox,
    pub(super) signals: Arc<Signals>,
    pub(super) frames: UnboundedReceiver<Message>,
    pub(super) session: tokio::task::JoinHandle<Ended>,
}

/// A session whose socket is attached and whose first `queued` messages are already waiting
/// when it starts, so that it meets them as one burst.
fn start(protocol: Protocol, queued: usize) -> DrivenSession {
    let (sink, frames) = recording();
    start_with(protocol, queued, sink, frames, Timing::default()).0
}

pub(super) fn start_with(
    protocol: Protocol,
    queued: usize,
    sink: Sink,
    frames: UnboundedReceiver<Message>,
    timing: Timing,
) -> (DrivenSession, watch::Receiver<u64>) {
    let signals = Arc::new(Signals::bounded(
        timing.max_queued_frames,
        timing.max_queued_bytes,
    ));
    let (mailbox, mail) = Mailbox::new(signals.clone());
    mailbox.control(Control::Attach {
        sink,
        generation: 1,
        hello: None,
    });
    for n in 0..queued {
        mailbox.send(delivery(n));
    }
    let (closed, closed_rx) = watch::channel(0);
    let session = tokio::spawn(run(protocol, timing, mail, signals.clone(), closed));
    let running = DrivenSession {
        mailbox,
        signals,
        frames,
        session,
    };
    (running, closed_rx)
}

/// A socket whose client never reads: nothing written to it ever completes.
fn stalled() -> Sink {
    stalled_telling(Arc::new(Notify::new()))
}

/// The same, telling `writing` once a write has started to wait on it.
pub(super) fn stalled_telling(writing: Arc<Notify>) -> Sink {
    Box::pin(futures_util::sink::unfold((), move |(), _m: Message| {
        writing.notify_one();
        std::future::pending::<Result<(), WsError>>()
    }))
}

fn quick_idle_timeout() -> Timing {
    Timing {
        idle_timeout: Duration::from_millis(100),
        ..Timing::default()
    }
}

/// Up to `n` text frames, or fewer if the sink is dropped or nothing comes for two (paused,
/// so simulated) seconds: a lost frame fails the test instead of hanging it.
async fn texts(frames: &mut UnboundedReceiver<Message>, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        match tokio::time::timeout(Duration::from_secs(2), frames.recv()).await {
            Ok(Some(Message::Text(t))) => got.push(t.to_string()),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    got
}

fn data_of(frame: &str) -> (Option<u64>, String) {
    let v: serde_json::Value = serde_json::from_str(frame).expect("a JSON frame");
    (
        v["sequenceId"].as_u64(),
        v["data"].as_str().expect("text data").to_string(),
    )
}

#[tokio::test(start_paused = true)]
async fn a_burst_longer_than_a_batch_arrives_whole_and_in_order() {
    let queued = BATCH * 3 + 7;
    let mut s = start(Protocol::Json, queued);
    let got = texts(&mut s.frames, queued).await;
    let data: Vec<String> = got.iter().map(|f| data_of(f).1).collect();
    let expected: Vec<String> = (0..queued).map(|n| format!("m{n}")).collect();
    assert_eq!(data, expected);
    drop(s.mailbox);
    let ended = s.session.await.expect("the session ends");
    assert_eq!(ended.reason, "The connection was closed.");
    let rest = texts(&mut s.frames, usize::MAX).await;
    assert!(rest.is_empty(), "nothing more was written: {rest:?}");
}

#[tokio::test(start_paused = true)]
async fn reliable_frames_are_numbered_from_one_and_unacked_ones_are_replayed_after_a_drop() {
    let queued = BATCH + 5;
    let mut s = start(Protocol::JsonReliable, queued);
    let got = texts(&mut s.frames, queued).await;
    let ids: Vec<u64> = got.iter().filter_map(|f| data_of(f).0).collect();
    assert_eq!(ids, (1..=queued as u64).collect::<Vec<_>>());

    // A sequenceAck covers the first ten, then its socket drops; a new one gets the rest, in order.
    s.signals.sequence_ack(10);
    s.mailbox.control(Control::Detach {
        generation: 1,
        reason: "lost".into(),
    });
    let (sink, mut frames) = recording();
    s.mailbox.control(Control::Attach {
        sink,
        generation: 2,
        hello: Some("{\"type\":\"system\",\"event\":\"connected\"}".into()),
    });
    let replayed = texts(&mut frames, 1 + queued - 10).await;
    assert_eq!(replayed[0], "{\"type\":\"system\",\"event\":\"connected\"}");
    let ids: Vec<u64> = replayed[1..].iter().filter_map(|f| data_of(f).0).collect();
    assert_eq!(ids, (11..=queued as u64).collect::<Vec<_>>());

    // Numbering continues on the new socket.
    s.mailbox.send(delivery(999));
    let next = texts(&mut frames, 1).await;
    assert_eq!(data_of(&next[0]), (Some(queued as u64 + 1), "m999".into()));
    drop(s.mailbox);
    let _ = s.session.await;
}

#[tokio::test(start_paused = true)]
async fn a_client_that_stops_reading_is_let_go_after_the_idle_timeout() {
    let (_unused, frames) = unbounded_channel();
    let (s, mut closed) = start_with(Protocol::Json, 3, stalled(), frames, quick_idle_timeout());
    let ended = tokio::time::timeout(Duration::from_secs(5), s.session)
        .await
        .expect("the session ends instead of queueing forever")
        .expect("the session task");
    assert_eq!(
        ended.reason,
        "The client did not read its messages for too long."
    );
    // The reader of generation 1 is told to let go of the socket.
    assert_eq!(*closed.borrow_and_update(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_reliable_client_keeps_its_session_and_gets_everything_on_recovery() {
    let (s, mut closed) = stuck_with_three(quick_idle_timeout());
    tokio::time::timeout(Duration::from_secs(5), closed.changed())
        .await
        .expect("the stalled socket is let go")
        .expect("the session is alive");
    recover_on_socket_two(&s, &closed).await;
    assert!(!s.session.is_finished());
    drop(s.mailbox);
}

#[tokio::test(start_paused = true)]
async fn sequence_acks_do_not_wait_behind_the_data_queued_for_the_client() {
    // A backlog three times the reliable buffer, for a client whose sequenceAck covers the
    // whole backlog (the reader records sequenceAcks as they arrive, ahead of the queued data): no
    // overflow, every message goes out.
    let timing = Timing {
        max_buffered_messages: 10,
        ..Timing::default()
    };
    let (sink, frames) = recording();
    let (mut s, _closed) = start_with(Protocol::JsonReliable, 0, sink, frames, timing);
    s.signals.sequence_ack(30);
    for n in 0..30 {
        s.mailbox.send(delivery(n));
    }
    let got = texts(&mut s.frames, 30).await;
    assert_eq!(got.len(), 30, "no 1008 close for a full buffer");
    assert!(!s.session.is_finished());
    drop(s.mailbox);
}

/// A reliable session whose first socket never takes a write, holding messages 1–3.
fn stuck_with_three(timing: Timing) -> (DrivenSession, watch::Receiver<u64>) {
    stuck_with_three_telling(timing, Arc::new(Notify::new()))
}

fn stuck_with_three_telling(
    timing: Timing,
    writing: Arc<Notify>,
) -> (DrivenSession, watch::Receiver<u64>) {
    let (_unused, frames) = unbounded_channel();
    start_with(
        Protocol::JsonReliable,
        3,
        stalled_telling(writing),
        frames,
        timing,
    )
}

/// Attaches socket 2 and checks it gets messages 1–3 and that only socket 1's reader was told
/// to let go; returns what socket 2 receives.
async fn recover_on_socket_two(
    s: &DrivenSession,
    closed: &watch::Receiver<u64>,
) -> UnboundedReceiver<Message> {
    let (sink, mut frames) = recording();
    s.mailbox.control(Control::Attach {
        sink,
        generation: 2,
        hello: None,
    });
    let replayed = texts(&mut frames, 3).await;
    let ids: Vec<u64> = replayed.iter().filter_map(|f| data_of(f).0).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(
        *closed.borrow(),
        1,
        "only the old socket's reader is told to let go"
    );
    frames
}

#[tokio::test(start_paused = true)]
async fn a_recovery_in_the_same_batch_as_a_stalled_write_keeps_the_new_socket() {
    // The Attach is queued behind the data, so the batch that stalls on the first socket
    // (after the short idle timeout) also attaches the second one.
    let (s, closed) = stuck_with_three(quick_idle_timeout());
    let mut frames = recover_on_socket_two(&s, &closed).await;
    s.mailbox.send(delivery(4));
    let next = texts(&mut frames, 1).await;
    assert_eq!(
        data_of(&next[0]).0,
        Some(4),
        "the session goes on on the new socket"
    );
    drop(s.mailbox);
}

#[tokio::test(start_paused = true)]
async fn a_recovery_does_not_wait_for_a_write_stuck_on_the_old_socket() {
    // The default idle timeout (120 s) would hold the stuck write far longer than `texts`
    // waits (2 s): the replay arrives only because the newer socket supersedes the old one.
    let writing = Arc::new(Notify::new());
    let (s, closed) = stuck_with_three_telling(Timing::default(), writing.clone());
    writing.notified().await; // the session waits on the stuck socket now
    assert_eq!(s.signals.new_socket(), 2);
    recover_on_socket_two(&s, &closed).await;
    drop(s.mailbox);
}

#[tokio::test(start_paused = true)]
async fn of_two_racing_recoveries_the_newer_socket_keeps_the_session() {
    let (sink, frames) = recording();
    let (s, mut closed) = start_with(Protocol::JsonReliable, 0, sink, frames, Timing::default());
    let (newer, mut on_newer) = recording();
    let (older, mut on_older) = recording();
    for (sink, generation) in [(newer, 3), (older, 2)] {
        s.mailbox.control(Control::Attach {
            sink,
            generation,
            hello: None,
        });
    }
    tokio::time::timeout(Duration::from_secs(5), closed.changed())
        .await
        .expect("the older socket is let go")
        .expect("the session is alive");
    assert_eq!(
        *closed.borrow(),
        2,
        "only the older socket's reader is told"
    );
    s.mailbox.send(delivery(1));
    assert_eq!(texts(&mut on_newer, 1).await.len(), 1);
    assert!(texts(&mut on_older, 1).await.is_empty());
    drop(s.mailbox);
}
