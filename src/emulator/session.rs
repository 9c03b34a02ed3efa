//! A connection's session: the one writer of its frames, and for the reliable subprotocol the
//! part that outlives a dropped socket. Data messages get sequence ids (from 1) and stay
//! buffered until a `sequenceAck` of the client covers them (bounded by count and bytes); a
//! socket that drops without a close frame detaches the session, which keeps its groups,
//! rights and messages for the reconnect window; a client that recovers gets everything after
//! its last `sequenceAck`, in order.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, SinkExt};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::emulator::config::Timing;
use crate::emulator::mailbox::{Control, Mail, Outgoing, SimpleFrame, Sink};
use crate::emulator::protocol::Protocol;
use crate::emulator::signals::Signals;
use crate::emulator::websocket::{CloseFrame, Message, WsError};

use self::wait::{wait, WriteEnd};

/// Why a connection whose outgoing queue went past its bound is dropped (the words of
/// Microsoft's awps-emulator).
pub const QUEUE_FULL: &str = "The outbound message queue is full.";
/// Why a reliable session whose buffer (or queue) overflowed ends.
pub const RELIABLE_BUFFER_FULL: &str = "The reliable message buffer is full.";

/// Why a session ended.
pub struct Ended {
    pub reason: String,
}

struct SessionState {
    protocol: Protocol,
    timing: Timing,
    sink: Option<Sink>,
    generation: u64,
    sequence: u64,
    buffer: VecDeque<(u64, Utf8Bytes)>,
    buffered_bytes: usize,
    /// Frames written to the sink's buffer since the last flush.
    unflushed: bool,
    /// The generation of a socket let go because its client stopped reading (or recovered on
    /// a newer socket while a write to it was stuck).
    stalled: Option<u64>,
    /// `sequenceAck`s and newer sockets, from the readers.
    signals: Arc<Signals>,
    /// When a detached reliable session gives up waiting for its client.
    expires: Option<Instant>,
}

/// Queued frames written to the socket in one go at most; under load a receiver's frames then
/// leave in one system call instead of one each.
const BATCH: usize = 64;

/// The longest a close handshake may take to write.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// One write on the socket.
enum Write {
    Feed(Message),
    Flush,
    Close,
}

impl SessionState {
    /// Runs one write. A socket that fails is let go (its reader notices); one that takes
    /// nothing for the idle timeout is let go as `stalled`, and one whose queue goes past its
    /// bound meanwhile at once (`Overflowed`): a client that stops reading must not make its
    /// queue grow without end.
    async fn write(&mut self, op: Write) -> bool {
        let Some(sink) = &mut self.sink else {
            return false;
        };
        let limit = match op {
            Write::Close => self.timing.idle_timeout.min(CLOSE_WAIT),
            _ => self.timing.idle_timeout,
        };
        let current = self.generation;
        let signals = &self.signals;
        let outcome = {
            let written = async {
                match op {
                    Write::Feed(m) => sink.feed(m).await,
                    Write::Flush => sink.flush().await,
                    Write::Close => sink.close().await,
                }
            };
            tokio::pin!(written);
            // Most writes finish at once; only one that has to wait needs a timer and an eye
            // on newer sockets (boxed, so the session does not carry room for it).
            match written.as_mut().now_or_never() {
                Some(done) => WriteEnd::Done(done),
                None => Box::pin(wait(written, limit, signals, current)).await,
            }
        };
        match outcome {
            WriteEnd::Done(Ok(())) => true,
            // The socket is gone; its reader notices.
            WriteEnd::Done(Err(WsError::Io(_))) => {
                self.sink = None;
                false
            }
            // The closing handshake has begun (the client's close frame was read): the sink
            // stays, so that the `End` that follows still flushes the reply.
            WriteEnd::Done(Err(_)) => false,
            // Let go of the socket; its reader is told to let go too (see `run`).
            WriteEnd::TimedOut | WriteEnd::Superseded => {
                self.sink = None;
                self.stalled = Some(current);
                false
            }
            // A socket that takes nothing cannot take a close frame either: it is let go, and
            // the session ends (see `run`).
            WriteEnd::Overflowed => {
                self.sink = None;
                false
            }
        }
    }

    /// Queues a frame; `flush` writes it.
    async fn send(&mut self, message: Message) {
        if self.write(Write::Feed(message)).await {
            self.unflushed = true;
        }
    }

    async fn flush(&mut self) {
        if std::mem::take(&mut self.unflushed) {
            self.write(Write::Flush).await;
        }
    }

    /// A data message: numbered and buffered on the reliable protocol. `Err` when the buffer
    /// overflows (the session cannot be recovered then).
    async fn data(&mut self, out: &Outgoing) -> Result<(), String> {
        let Outgoing::Message(d) = out else {
            return Ok(());
        };
        let message = match self.protocol {
            Protocol::Json => Message::text(d.json.clone()),
            Protocol::JsonReliable => {
                self.trim();
                self.sequence += 1;
                let text: Utf8Bytes =
                    format!("{{\"sequenceId\":{},{}", self.sequence, &d.json[1..]).into();
                self.buffered_bytes += text.len();
                self.buffer.push_back((self.sequence, text.clone()));
                if self.buffer.len() > self.timing.max_buffered_messages
                    || self.buffered_bytes > self.timing.max_buffered_bytes
                {
                    return Err(RELIABLE_BUFFER_FULL.into());
                }
                Message::text(text)
            }
            Protocol::Simple => match &d.simple {
                SimpleFrame::Text(t) => Message::text(t.clone()),
                SimpleFrame::Binary(b) => Message::binary(b.clone()),
            },
        };
        self.send(message).await;
        Ok(())
    }

    /// Handles word of the socket; `Some` when the session ends with it.
    async fn control(&mut self, control: Control) -> Option<Ended> {
        match control {
            Control::Attach {
                sink,
                generation,
                hello,
            } => {
                if generation < self.generation {
                    // Two recoveries raced and the older socket's came second: it is let go.
                    self.stalled = Some(generation);
                    return None;
                }
                self.sink = Some(sink);
                self.generation = generation;
                self.expires = None;
                if let Some(hello) = hello {
                    self.send(Message::text(hello)).await;
                }
                self.trim();
                let replay: Vec<Utf8Bytes> = self.buffer.iter().map(|(_, t)| t.clone()).collect();
                for text in replay {
                    self.send(Message::text(text)).await;
                }
            }
            Control::Detach { generation, reason } => {
                if generation == self.generation {
                    self.sink = None;
                    if self.protocol != Protocol::JsonReliable {
                        return Some(Ended { reason });
                    }
                    tracing::info!(reason, "socket dropped; keeping the session for recovery");
                    self.expires = Some(Instant::now() + self.timing.reconnect_window);
                }
            }
            Control::End { reason } => {
                // The client sent a close frame; the WebSocket layer has queued the reply,
                // which closing the sink flushes.
                self.write(Write::Close).await;
                return Some(Ended { reason });
            }
        }
        None
    }

    /// Handles one frame for the client; `Some` when the session ends with it.
    async fn outgoing(&mut self, out: Outgoing, closed: &watch::Sender<u64>) -> Option<Ended> {
        let reason = match out {
            Outgoing::Frame(text) => {
                self.send(Message::text(text)).await;
                return None;
            }
            Outgoing::Close(code, reason) => {
                self.close(code, &reason).await;
                if reason.is_empty() {
                    "The service closed the connection.".into()
                } else {
                    reason
                }
            }
            out @ Outgoing::Message(_) => {
                let reason = self.data(&out).await.err()?;
                self.close(1008, &reason).await;
                reason
            }
        };
        closed.send_replace(self.generation);
        Some(Ended { reason })
    }

    /// Drops every buffered message the client's `sequenceAck`s cover.
    fn trim(&mut self) {
        let up_to = self.signals.sequence_acked.load(Ordering::Relaxed);
        while self.buffer.front().is_some_and(|(seq, _)| *seq <= up_to) {
            if let Some((_, text)) = self.buffer.pop_front() {
                self.buffered_bytes -= text.len();
            }
        }
    }

    async fn close(&mut self, code: u16, reason: &str) {
        self.send(Message::Close(Some(CloseFrame {
            code: code.into(),
            reason: reason.to_string().into(),
        })))
        .await;
        self.write(Write::Close).await;
        self.sink = None;
    }
}

/// Runs a session until it ends: every frame of the connection goes through here.
pub async fn run(
    protocol: Protocol,
    timing: Timing,
    mut mail: UnboundedReceiver<Mail>,
    signals: Arc<Signals>,
    closed: watch::Sender<u64>,
) -> Ended {
    let mut s = SessionState {
        protocol,
        timing,
        sink: None,
        generation: 0,
        sequence: 0,
        buffer: VecDeque::new(),
        buffered_bytes: 0,
        unflushed: false,
        stalled: None,
        signals,
        expires: None,
    };
    let mut pings = tokio::time::interval(timing.keep_alive);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let expires = s.expires;
        let expiry = async {
            match expires {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let overflow = {
            let signals = s.signals.clone();
            async move {
                let full = signals.full.notified();
                tokio::pin!(full);
                full.as_mut().enable();
                if !signals.overflowed.load(Ordering::SeqCst) {
                    full.await;
                }
            }
        };
        tokio::select! {
            // An overflow wakes an idle session too (nothing more arrives once it is full).
            () = overflow => {}
            first = mail.recv() => {
                // This mail and whatever else is already queued (up to a batch) are handled
                // before one flush below.
                let mut next = first;
                let mut room = BATCH;
                loop {
                    let Some(m) = next else {
                        return Ended { reason: "The connection was closed.".into() };
                    };
                    let ended = match m {
                        Mail::Out(out) => {
                            if let Some(bytes) = out.queued_bytes() {
                                s.signals.dequeued(bytes);
                            }
                            s.outgoing(out, &closed).await
                        }
                        Mail::Control(c) => s.control(c).await,
                    };
                    if let Some(ended) = ended {
                        return ended;
                    }
                    room -= 1;
                    if room == 0 {
                        break;
                    }
                    let Ok(more) = mail.try_recv() else { break };
                    next = Some(more);
                }
            },
            () = expiry => return Ended { reason: "The connection was lost and not recovered in time.".into() },
            _ = pings.tick() => {
                s.trim();
                s.send(Message::Ping(Bytes::new())).await;
            }
        }
        s.flush().await;
        if s.signals.overflowed.load(Ordering::SeqCst) {
            // As Microsoft's emulator does; a reliable session ends as when its own buffer
            // overflows (its client cannot recover what was never queued). 1008 tells the JS
            // SDK not to try recovering.
            let reason = if protocol == Protocol::JsonReliable {
                RELIABLE_BUFFER_FULL
            } else {
                QUEUE_FULL
            };
            s.close(1008, reason).await;
            closed.send_replace(s.generation);
            return Ended {
                reason: reason.into(),
            };
        }
        if let Some(generation) = s.stalled.take() {
            // That socket's reader lets go of it too, which closes it. A newer socket may have
            // attached in the same batch: it is untouched (readers stop only for their own
            // generation), and the session goes on with it.
            closed.send_replace(generation);
            let reason = "The client did not read its messages for too long.";
            if s.sink.is_none() {
                if protocol != Protocol::JsonReliable {
                    return Ended {
                        reason: reason.into(),
                    };
                }
                tracing::info!(reason, "socket let go; keeping the session for recovery");
                s.expires = Some(Instant::now() + timing.reconnect_window);
            }
        }
    }
}

mod wait;

#[cfg(test)]
mod bound_tests;
#[cfg(test)]
mod tests;
