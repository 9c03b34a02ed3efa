//! A connection's mailbox: the one channel its session reads. The registry, the REST API and the
//! upstream worker post frames for the client (`Outgoing`); the connection's socket readers
//! post word of the socket (`Control`). One channel keeps both in one order, and costs one
//! allocation per connection (tokio allocates a channel's first 32 slots up front).

use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::emulator::protocol::{self, Data, From};
use crate::emulator::signals::Signals;
use crate::emulator::websocket::{Message, WsError};

/// A data message, serialised once for every recipient.
#[derive(Debug)]
pub struct Delivery {
    /// The `{"type":"message",…}` object as JSON text, without a sequence id.
    pub json: Utf8Bytes,
    /// What a simple WebSocket client receives.
    pub simple: SimpleFrame,
}

/// A frame for a client without a subprotocol.
#[derive(Debug, Clone)]
pub enum SimpleFrame {
    Text(Utf8Bytes),
    Binary(Bytes),
}

impl Delivery {
    /// A data message from `from`.
    pub fn new(from: &From, data: &Data) -> Arc<Self> {
        let json = serde_json::Value::Object(protocol::message(from, data))
            .to_string()
            .into();
        let simple = match data {
            Data::Text(t) => SimpleFrame::Text(t.clone().into()),
            Data::Json(v) => SimpleFrame::Text(v.to_string().into()),
            Data::Binary(b) => SimpleFrame::Binary(Bytes::copy_from_slice(b)),
        };
        Arc::new(Self { json, simple })
    }
}

/// What a connection's writer is asked to do.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A data message (sequence ids are added by the writer on reliable connections).
    Message(Arc<Delivery>),
    /// A service frame (ack, system, pong) for JSON clients.
    Frame(String),
    /// Close with a code and reason.
    Close(u16, String),
}

/// A socket's sending half (any sink of frames, so that tests can stand in for a socket).
pub type Sink = Pin<Box<dyn futures_util::Sink<Message, Error = WsError> + Send>>;

/// What the readers tell their session.
pub enum Control {
    /// A socket (re)attaches; `hello` is sent first, then every message no `sequenceAck` has covered yet.
    Attach {
        /// Boxed (`Sink`): every mailbox allocates room for 32 mails up front.
        sink: Sink,
        generation: u64,
        hello: Option<String>,
    },
    /// The socket of `generation` dropped without a close frame.
    Detach { generation: u64, reason: String },
    /// The session ends (a close frame, or a protocol without recovery).
    End { reason: String },
}

/// Anything a session is asked to do.
pub enum Mail {
    Out(Outgoing),
    Control(Control),
}

impl Outgoing {
    /// What this frame counts against the connection's queue bound (a close counts nothing:
    /// it always gets through).
    pub fn queued_bytes(&self) -> Option<usize> {
        match self {
            Self::Message(d) => Some(d.json.len()),
            Self::Frame(text) => Some(text.len()),
            Self::Close(..) => None,
        }
    }
}

/// Where to post to one connection's session. Frames count against the connection's queue
/// bound (in `Signals`); past it nothing more is queued and the session drops the connection.
#[derive(Debug, Clone)]
pub struct Mailbox {
    tx: UnboundedSender<Mail>,
    signals: Arc<Signals>,
}

impl Mailbox {
    /// A mailbox counting against `signals`' bound, and the receiving end its session reads.
    pub fn new(signals: Arc<Signals>) -> (Self, UnboundedReceiver<Mail>) {
        let (tx, rx) = unbounded_channel();
        (Self { tx, signals }, rx)
    }

    /// Posts a frame for the client; `false` once the session is gone. A frame past the
    /// connection's bound is not queued (the session is ending: that is no failure here).
    pub fn send(&self, out: Outgoing) -> bool {
        if let Some(bytes) = out.queued_bytes() {
            if !self.signals.enqueue(bytes) {
                return !self.tx.is_closed();
            }
        }
        self.tx.send(Mail::Out(out)).is_ok()
    }

    /// Answers the client's frame `ack_id` (if it gave one): success, or `error` as
    /// `(name, message)`. "Ack" in this crate means only this answer; the reliable
    /// protocol's acknowledgement of messages by the client is its `sequenceAck`.
    pub fn ack(&self, ack_id: Option<u64>, error: Option<(&str, &str)>) {
        if let Some(a) = ack_id {
            let _ = self.send(Outgoing::Frame(protocol::ack(a, error)));
        }
    }

    /// Posts word of the socket; `false` once the session is gone.
    pub fn control(&self, control: Control) -> bool {
        self.tx.send(Mail::Control(control)).is_ok()
    }
}
