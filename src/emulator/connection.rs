//! One WebSocket connection after the upgrade: the reader (client frames), the writer (one
//! channel, so frames never interleave) and the upstream worker (events of one connection go
//! to the event handler one at a time, in order; `connected` first, `disconnected` last).

use std::collections::{HashSet, VecDeque};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use warp::reply::Response;
use warp::ws::{Message, WebSocket, Ws};
use warp::Reply;

use crate::emulator::client_socket::MAX_READ_MESSAGE;
use crate::emulator::hub::{Delivery, Entry, Outgoing, SimpleFrame};
use crate::emulator::permissions::{Permission, Rights};
use crate::emulator::protocol::{self, ClientFrame, Data, From, Protocol};
use crate::emulator::service::Emulator;
use crate::emulator::upstream::{EventKind, EventRequest};

/// Largest client message the service takes (1 MiB); larger ones close with 1009.
pub const MAX_CLIENT_MESSAGE: usize = 1024 * 1024;
/// How long a closed socket waits for the client's close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
/// How many recent ack ids a connection remembers for de-duplication.
const ACK_MEMORY: usize = 4096;

/// A connection the handshake accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub hub: String,
    pub connection_id: String,
    pub user_id: Option<String>,
    pub groups: Vec<String>,
    pub rights: Rights,
    pub protocol: Protocol,
    pub connection_state: Option<String>,
}

/// Upgrades, echoing the chosen subprotocol.
pub fn upgrade(emulator: Emulator, ws: Ws, accepted: Accepted) -> Response {
    let name = accepted.protocol.name();
    let reply = ws
        .max_message_size(MAX_READ_MESSAGE)
        .on_upgrade(move |socket| run(emulator, socket, accepted));
    match name {
        Some(p) => warp::reply::with_header(reply, "sec-websocket-protocol", p).into_response(),
        None => reply.into_response(),
    }
}

/// A reliable client asking to recover a session this emulator does not hold: accepted, then
/// closed with 1008 so that the SDK reconnects afresh at once.
pub fn recover(
    _emulator: Emulator,
    _hub: String,
    ws: Ws,
    _id: String,
    _token: String,
    requested: &[String],
) -> Response {
    let (protocol, name) = Protocol::negotiate(requested.iter().map(String::as_str));
    let _ = protocol;
    let reply = ws.on_upgrade(|mut socket: WebSocket| async move {
        let _ = socket
            .send(Message::close_with(
                1008u16,
                "The connection could not be recovered.",
            ))
            .await;
        let _ = socket.close().await;
    });
    match name {
        Some(p) => {
            warp::reply::with_header(reply, "sec-websocket-protocol", p.to_string()).into_response()
        }
        None => reply.into_response(),
    }
}

/// Work for the upstream worker.
enum Job {
    Connected,
    Event {
        name: String,
        data: Data,
        ack_id: Option<u64>,
    },
    Disconnected {
        reason: String,
    },
}

/// Remembers recent ack ids, so that a repeated one is answered `Duplicate`.
#[derive(Default)]
struct AckLog {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
}

impl AckLog {
    /// True when `id` was not seen before (and remembers it).
    fn first(&mut self, id: u64) -> bool {
        if !self.seen.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > ACK_MEMORY {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

async fn run(emulator: Emulator, socket: WebSocket, accepted: Accepted) {
    let id = accepted.connection_id.clone();
    let span = tracing::info_span!("connection", hub = %accepted.hub, connection_id = %id, user_id = accepted.user_id.as_deref().unwrap_or(""));
    let _enter = span.enter();
    let (sink, mut stream) = socket.split();
    let (tx, rx) = unbounded_channel();
    let entry = Entry {
        hub: crate::emulator::hub::hub_key(&accepted.hub),
        user: accepted.user_id.clone(),
        groups: HashSet::new(),
        rights: accepted.rights.clone(),
        tx: tx.clone(),
    };
    emulator.registry.register(&id, entry, &accepted.groups);
    let (closed_tx, mut closed_rx) = tokio::sync::watch::channel(());
    let writer = tokio::spawn(write(sink, rx, accepted.protocol, closed_tx));
    if accepted.protocol != Protocol::Simple {
        let _ = tx.send(Outgoing::Frame(protocol::connected(
            accepted.user_id.as_deref(),
            &id,
            None,
        )));
    }
    let (jobs, job_rx) = unbounded_channel();
    let worker = tokio::spawn(upstream_worker(
        emulator.clone(),
        accepted.clone(),
        job_rx,
        tx.clone(),
    ));
    if emulator
        .upstream
        .handles(&accepted.hub, &EventKind::Connected)
    {
        let _ = jobs.send(Job::Connected);
    }

    let mut acks = AckLog::default();
    let mut reason = String::from("The client closed the connection.");
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            // The service closed the socket: give the client a moment to answer the close
            // frame, then stop reading either way.
            _ = closed_rx.changed() => {
                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                    while let Some(Ok(m)) = stream.next().await {
                        if m.is_close() {
                            break;
                        }
                    }
                })
                .await;
                None
            }
        };
        let Some(item) = item else { break };
        let message = match item {
            Ok(m) => m,
            Err(e) => {
                reason = format!("The connection failed: {e}");
                break;
            }
        };
        if let Some((_, r)) = message.close_frame() {
            if !r.is_empty() {
                reason = r.to_string();
            }
            break;
        }
        if !(message.is_text() || message.is_binary()) {
            continue; // ping/pong frames are answered by the WebSocket layer
        }
        if message.as_bytes().len() > MAX_CLIENT_MESSAGE {
            let _ = tx.send(Outgoing::Close(
                1009,
                "The client message is too large.".into(),
            ));
            reason = "The client message is too large.".into();
            break;
        }
        if accepted.protocol == Protocol::Simple {
            let data = match message.to_str() {
                Ok(text) => Data::Text(text.to_string()),
                Err(()) => Data::Binary(message.as_bytes().to_vec()),
            };
            if emulator
                .upstream
                .handles(&accepted.hub, &EventKind::User("message".into()))
            {
                let _ = jobs.send(Job::Event {
                    name: "message".into(),
                    data,
                    ack_id: None,
                });
            } else {
                let _ = tx.send(Outgoing::Close(1000, String::new()));
                reason = "No event handler takes messages of simple clients.".into();
                break;
            }
            continue;
        }
        let Ok(text) = message.to_str() else {
            let _ = tx.send(Outgoing::Close(
                1003,
                "The JSON subprotocol requires text messages.".into(),
            ));
            reason = "The client sent a binary message.".into();
            break;
        };
        match ClientFrame::parse(text) {
            Ok(frame) => {
                if let Some(close) =
                    handle_frame(&emulator, &accepted, frame, &tx, &jobs, &mut acks)
                {
                    reason = close;
                    break;
                }
            }
            Err(e) => {
                let _ = tx.send(Outgoing::Close(1007, e.to_string()));
                reason = e.to_string();
                break;
            }
        }
    }

    emulator.registry.unregister(&id);
    if emulator
        .upstream
        .handles(&accepted.hub, &EventKind::Disconnected)
    {
        let _ = jobs.send(Job::Disconnected { reason });
    }
    drop(jobs);
    drop(tx);
    let _ = worker.await;
    let _ = writer.await;
}

fn ack(tx: &UnboundedSender<Outgoing>, ack_id: Option<u64>, error: Option<(&str, &str)>) {
    if let Some(a) = ack_id {
        let _ = tx.send(Outgoing::Frame(protocol::ack(a, error)));
    }
}

/// Handles one client frame; `Some(reason)` closes the connection.
fn handle_frame(
    emulator: &Emulator,
    accepted: &Accepted,
    frame: ClientFrame,
    tx: &UnboundedSender<Outgoing>,
    jobs: &UnboundedSender<Job>,
    acks: &mut AckLog,
) -> Option<String> {
    let id = accepted.connection_id.as_str();
    let ack_id = match &frame {
        ClientFrame::JoinGroup { ack_id, .. }
        | ClientFrame::LeaveGroup { ack_id, .. }
        | ClientFrame::SendToGroup { ack_id, .. }
        | ClientFrame::Event { ack_id, .. } => *ack_id,
        ClientFrame::SequenceAck { .. } | ClientFrame::Ping => None,
    };
    if let Some(a) = ack_id {
        if !acks.first(a) {
            let message = format!("Message with ack-id: {a} has been processed");
            ack(tx, Some(a), Some(("Duplicate", &message)));
            return None;
        }
    }
    let forbidden = |verb: &str, group: &str| {
        format!("The client does not have permission to {verb} group '{group}'.")
    };
    match frame {
        ClientFrame::JoinGroup { group, .. } | ClientFrame::LeaveGroup { group, .. }
            if !emulator
                .registry
                .allows(id, Permission::JoinLeaveGroup, &group) =>
        {
            ack(
                tx,
                ack_id,
                Some(("Forbidden", &forbidden("join or leave", &group))),
            );
        }
        ClientFrame::JoinGroup { group, .. } => {
            emulator.registry.join(&accepted.hub, id, &group);
            ack(tx, ack_id, None);
        }
        ClientFrame::LeaveGroup { group, .. } => {
            emulator.registry.leave(id, &group);
            ack(tx, ack_id, None);
        }
        ClientFrame::SendToGroup {
            group,
            no_echo,
            data,
            ..
        } => {
            if emulator
                .registry
                .allows(id, Permission::SendToGroup, &group)
            {
                let delivery = Delivery::new(
                    &From::Group {
                        group: group.clone(),
                        from_user_id: accepted.user_id.clone(),
                    },
                    &data,
                );
                let excluded: &[&str] = if no_echo { &[id] } else { &[] };
                emulator.registry.to_group(
                    &accepted.hub,
                    &group,
                    &Outgoing::Message(delivery),
                    excluded,
                );
                ack(tx, ack_id, None);
            } else {
                ack(
                    tx,
                    ack_id,
                    Some(("Forbidden", &forbidden("send to", &group))),
                );
            }
        }
        ClientFrame::Event { event, data, .. } => {
            if emulator
                .upstream
                .handles(&accepted.hub, &EventKind::User(event.clone()))
            {
                let _ = jobs.send(Job::Event {
                    name: event,
                    data,
                    ack_id,
                });
            } else {
                // As the service: a user event that reaches no handler fails and closes its client.
                ack(
                    tx,
                    ack_id,
                    Some((
                        "InvocationFailed",
                        "No event handler is registered for this event.",
                    )),
                );
                let _ = tx.send(Outgoing::Close(
                    1011,
                    "No event handler is registered for this event.".into(),
                ));
                return Some(format!("No event handler for the event {event}."));
            }
        }
        ClientFrame::SequenceAck { .. } => {} // only meaningful on the reliable protocol
        ClientFrame::Ping => {
            let _ = tx.send(Outgoing::Frame(protocol::pong()));
        }
    }
    None
}

/// Writes frames in order until the channel closes or a close is asked for.
async fn write(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut rx: UnboundedReceiver<Outgoing>,
    protocol: Protocol,
    closed: tokio::sync::watch::Sender<()>,
) {
    let mut sequence: u64 = 0;
    while let Some(out) = rx.recv().await {
        let message = match out {
            Outgoing::Frame(text) => Message::text(text),
            Outgoing::Message(d) => match protocol {
                Protocol::Json => Message::text(d.json.clone()),
                Protocol::JsonReliable => {
                    sequence += 1;
                    Message::text(format!("{{\"sequenceId\":{sequence},{}", &d.json[1..]))
                }
                Protocol::Simple => match &d.simple {
                    SimpleFrame::Text(t) => Message::text(t.clone()),
                    SimpleFrame::Binary(b) => Message::binary(b.clone()),
                },
            },
            Outgoing::Close(code, reason) => {
                let _ = sink.send(Message::close_with(code, reason)).await;
                closed.send_replace(());
                break;
            }
        };
        if sink.send(message).await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

/// Delivers this connection's events upstream, one at a time, in order.
async fn upstream_worker(
    emulator: Emulator,
    accepted: Accepted,
    mut jobs: UnboundedReceiver<Job>,
    tx: UnboundedSender<Outgoing>,
) {
    let mut next_id: u64 = 1;
    let mut state = accepted.connection_state.clone();
    while let Some(job) = jobs.recv().await {
        let (kind, data, ack_id) = match job {
            Job::Connected => (
                EventKind::Connected,
                Data::Json(serde_json::json!({})),
                None,
            ),
            Job::Disconnected { reason } => (
                EventKind::Disconnected,
                Data::Json(serde_json::json!({ "reason": reason })),
                None,
            ),
            Job::Event { name, data, ack_id } => (EventKind::User(name), data, ack_id),
        };
        let blocking = matches!(kind, EventKind::User(_));
        let content_type = match &kind {
            EventKind::User(_) => data.content_type().to_string(),
            _ => "application/json; charset=utf-8".to_string(),
        };
        let request = EventRequest {
            kind,
            hub: accepted.hub.clone(),
            connection_id: accepted.connection_id.clone(),
            user_id: accepted.user_id.clone(),
            subprotocol: accepted.protocol.name().map(str::to_string),
            connection_state: state.clone(),
            id: next_id,
            content_type,
            body: data.to_body(),
        };
        next_id += 1;
        let result = emulator.upstream.send(&request).await;
        if !blocking {
            if let Err(e) = &result {
                tracing::warn!(error = %e, event = ?request.kind, "a system event could not be delivered");
            }
            continue;
        }
        match result {
            Ok(r) if (200..300).contains(&r.status) => {
                if r.connection_state.is_some() {
                    state = r.connection_state.clone();
                }
                if !r.body.is_empty() {
                    match Data::from_body(
                        Some(r.content_type.as_deref().unwrap_or("text/plain")),
                        &r.body,
                    ) {
                        Some(Ok(data)) => {
                            let _ = tx.send(Outgoing::Message(Delivery::new(&From::Server, &data)));
                        }
                        _ => {
                            fail(
                                &tx,
                                ack_id,
                                "The event handler answered a body the service cannot deliver.",
                            );
                            continue;
                        }
                    }
                }
                ack(&tx, ack_id, None);
            }
            Ok(r) => fail(
                &tx,
                ack_id,
                &format!("The event handler answered {}.", r.status),
            ),
            Err(e) => fail(&tx, ack_id, &e.to_string()),
        }
    }
}

/// A failed user event: the ack says so and the connection is dropped, as the service does.
fn fail(tx: &UnboundedSender<Outgoing>, ack_id: Option<u64>, message: &str) {
    tracing::warn!(message, "a user event failed upstream");
    ack(tx, ack_id, Some(("InvocationFailed", message)));
    let _ = tx.send(Outgoing::Close(
        1011,
        "The event handler failed to process the event.".into(),
    ));
}
