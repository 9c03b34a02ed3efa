//! One connection after the upgrade: the reader of each socket it has (client frames, acks,
//! permissions), a session that writes (and, on the reliable subprotocol, survives a dropped
//! socket), and the upstream worker. A reliable client recovers with `awps_connection_id` +
//! `awps_reconnection_token`; a recovery the emulator cannot honour is accepted and closed
//! with 1008.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::sync::watch;
use tracing::Instrument;
use warp::reply::Response;
use warp::ws::{Message, WebSocket, Ws};
use warp::Reply;

use crate::emulator::client_socket::MAX_READ_MESSAGE;
use crate::emulator::events::{self, ack, Job, Origin};
use crate::emulator::hub::{hub_key, Delivery, Entry, Outgoing};
use crate::emulator::permissions::{Permission, Rights};
use crate::emulator::protocol::{self, ClientFrame, Data, From, Protocol};
use crate::emulator::service::Emulator;
use crate::emulator::session::{self, Control};
use crate::emulator::upstream::EventKind;

/// Largest client message the service takes (1 MiB); larger ones close with 1009.
pub const MAX_CLIENT_MESSAGE: usize = 1024 * 1024;
/// How long a socket the service closed waits for the client's close frame.
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

/// Remembers recent ack ids, so that a repeated one is answered `Duplicate`.
#[derive(Default)]
pub struct AckLog {
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

/// A live connection, shared by the sockets it has over time.
#[derive(Clone)]
pub struct Live {
    pub accepted: Accepted,
    /// The reconnection token (reliable protocol only).
    pub token: String,
    control: UnboundedSender<Control>,
    tx: UnboundedSender<Outgoing>,
    jobs: UnboundedSender<Job>,
    acks: Arc<Mutex<AckLog>>,
    closed: watch::Receiver<u64>,
    generation: Arc<AtomicU64>,
}

impl Live {
    fn hello(&self) -> Option<String> {
        let token =
            (self.accepted.protocol == Protocol::JsonReliable).then_some(self.token.as_str());
        (self.accepted.protocol != Protocol::Simple).then(|| {
            protocol::connected(
                self.accepted.user_id.as_deref(),
                &self.accepted.connection_id,
                token,
            )
        })
    }
}

fn with_protocol(reply: impl Reply, name: Option<&'static str>) -> Response {
    match name {
        Some(p) => warp::reply::with_header(reply, "sec-websocket-protocol", p).into_response(),
        None => reply.into_response(),
    }
}

/// Compares reconnection tokens in constant time.
fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Upgrades a new connection, echoing the chosen subprotocol.
pub fn upgrade(emulator: Emulator, ws: Ws, accepted: Accepted) -> Response {
    let name = accepted.protocol.name();
    with_protocol(
        ws.max_message_size(MAX_READ_MESSAGE)
            .on_upgrade(move |socket| start(emulator, socket, accepted)),
        name,
    )
}

/// A reliable client coming back: its session continues on the new socket, with every unacked
/// message replayed. Anything else is accepted and closed with 1008, so the SDK reconnects
/// afresh at once instead of retrying for 30 s.
pub fn recover(
    emulator: Emulator,
    hub: String,
    ws: Ws,
    id: String,
    token: String,
    requested: &[String],
) -> Response {
    let live = emulator
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
        .cloned();
    let usable = live.filter(|l| {
        tokens_match(&l.token, &token)
            && hub_key(&l.accepted.hub) == hub_key(&hub)
            && requested.iter().any(|p| p == protocol::JSON_RELIABLE_V1)
    });
    let Some(live) = usable else {
        let name = Protocol::negotiate(requested.iter().map(String::as_str))
            .0
            .name();
        let reply = ws.on_upgrade(|mut socket: WebSocket| async move {
            let _ = socket
                .send(Message::close_with(
                    1008u16,
                    "The connection could not be recovered.",
                ))
                .await;
            let _ = socket.close().await;
        });
        return with_protocol(reply, name);
    };
    with_protocol(
        ws.max_message_size(MAX_READ_MESSAGE)
            .on_upgrade(move |socket| async move {
                let (sink, stream) = socket.split();
                let generation = live.generation.fetch_add(1, Ordering::SeqCst) + 1;
                tracing::info!(connection_id = %live.accepted.connection_id, "session recovered");
                if live
                    .control
                    .send(Control::Attach {
                        sink,
                        generation,
                        hello: live.hello(),
                    })
                    .is_ok()
                {
                    read(&emulator, &live, stream, generation).await;
                }
            }),
        Some(protocol::JSON_RELIABLE_V1),
    )
}

async fn start(emulator: Emulator, socket: WebSocket, accepted: Accepted) {
    let id = accepted.connection_id.clone();
    let (sink, stream) = socket.split();
    let (tx, rx) = unbounded_channel();
    let entry = Entry {
        hub: hub_key(&accepted.hub),
        user: accepted.user_id.clone(),
        groups: HashSet::new(),
        rights: accepted.rights.clone(),
        tx: tx.clone(),
    };
    emulator.registry.register(&id, entry, &accepted.groups);
    let (control, control_rx) = unbounded_channel();
    let (closed_tx, closed) = watch::channel(0u64);
    let (jobs, jobs_rx) = unbounded_channel();
    let live = Live {
        accepted: accepted.clone(),
        token: uuid::Uuid::new_v4().simple().to_string(),
        control,
        tx: tx.clone(),
        jobs: jobs.clone(),
        acks: Arc::default(),
        closed,
        generation: Arc::new(AtomicU64::new(1)),
    };
    if accepted.protocol == Protocol::JsonReliable {
        emulator
            .sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), live.clone());
    }
    let origin = Origin {
        hub: accepted.hub.clone(),
        connection_id: id.clone(),
        user_id: accepted.user_id.clone(),
        subprotocol: accepted.protocol.name().map(str::to_string),
        connection_state: accepted.connection_state.clone(),
    };
    if emulator
        .upstream
        .handles(&accepted.hub, &EventKind::Connected)
    {
        let _ = jobs.send(Job::Connected);
    }
    // Queued before the session runs, so that the `connected` frame is the first frame and
    // nothing sent to the connection meanwhile is lost.
    let _ = live.control.send(Control::Attach {
        sink,
        generation: 1,
        hello: live.hello(),
    });
    let supervisor = {
        let emulator = emulator.clone();
        let (hub, timing, protocol) = (accepted.hub.clone(), emulator.timing, accepted.protocol);
        async move {
            let worker = tokio::spawn(events::run(emulator.clone(), origin, jobs_rx, tx));
            let ended = session::run(protocol, timing, rx, control_rx, closed_tx).await;
            emulator
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            emulator.registry.unregister(&id);
            if emulator.upstream.handles(&hub, &EventKind::Disconnected) {
                let _ = jobs.send(Job::Disconnected {
                    reason: ended.reason,
                });
            }
            drop(jobs);
            let _ = worker.await;
        }
    };
    tokio::spawn(supervisor);
    read(&emulator, &live, stream, 1).await;
}

/// How a socket's reading ended.
enum Stop {
    /// The client sent a close frame: the connection ends.
    ClientClosed(String),
    /// The socket dropped or went silent: a reliable session may be recovered.
    Dropped(String),
    /// The service closed it (the session already knows).
    ServiceClosed,
}

/// Reads one socket's frames until it ends, then tells the session how.
async fn read(
    emulator: &Emulator,
    live: &Live,
    stream: futures_util::stream::SplitStream<WebSocket>,
    generation: u64,
) {
    let span = tracing::info_span!("connection", hub = %live.accepted.hub, connection_id = %live.accepted.connection_id, user_id = live.accepted.user_id.as_deref().unwrap_or(""));
    read_frames(emulator, live, stream, generation)
        .instrument(span)
        .await;
}

async fn read_frames(
    emulator: &Emulator,
    live: &Live,
    mut stream: futures_util::stream::SplitStream<WebSocket>,
    generation: u64,
) {
    let mut closed = live.closed.clone();
    let stop = loop {
        let next = tokio::select! {
            // A socket the service closed reads no further frames.
            biased;
            Ok(()) = closed.changed() => {
                if *closed.borrow() != generation {
                    continue;
                }
                // Give the client a moment to answer the close frame, then stop either way.
                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                    while let Some(Ok(m)) = stream.next().await {
                        if m.is_close() {
                            break;
                        }
                    }
                })
                .await;
                break Stop::ServiceClosed;
            }
            next = tokio::time::timeout(emulator.timing.idle_timeout, stream.next()) => next,
        };
        let message = match next {
            Err(_) => break Stop::Dropped("The connection was silent for too long.".into()),
            Ok(None) => break Stop::Dropped("The connection was lost.".into()),
            Ok(Some(Err(e))) => {
                // A message over the read limit surfaces as a read error: answer it as the
                // service answers any message over 1 MiB.
                let text = e.to_string();
                if text.contains("Message too long") || text.contains("Space limit exceeded") {
                    let _ = live.tx.send(Outgoing::Close(
                        1009,
                        "The client message is too large.".into(),
                    ));
                    break Stop::ServiceClosed;
                }
                break Stop::Dropped(format!("The connection failed: {text}"));
            }
            Ok(Some(Ok(m))) => m,
        };
        if let Some((_, reason)) = message.close_frame() {
            break Stop::ClientClosed(if reason.is_empty() {
                "The client closed the connection.".into()
            } else {
                reason.to_string()
            });
        }
        if !(message.is_text() || message.is_binary()) {
            continue; // pings and pongs are the WebSocket layer's
        }
        if message.as_bytes().len() > MAX_CLIENT_MESSAGE {
            let _ = live.tx.send(Outgoing::Close(
                1009,
                "The client message is too large.".into(),
            ));
            break Stop::ServiceClosed;
        }
        if let Some(stop) = handle_message(emulator, live, &message) {
            break stop;
        }
    };
    let control = match stop {
        Stop::ClientClosed(reason) => Control::End { reason },
        Stop::Dropped(reason) => Control::Detach { generation, reason },
        Stop::ServiceClosed => return,
    };
    let _ = live.control.send(control);
}

/// Handles one data frame; `Some` stops reading.
fn handle_message(emulator: &Emulator, live: &Live, message: &Message) -> Option<Stop> {
    let accepted = &live.accepted;
    if accepted.protocol == Protocol::Simple {
        let data = match message.to_str() {
            Ok(text) => Data::Text(text.to_string()),
            Err(()) => Data::Binary(message.as_bytes().to_vec()),
        };
        if emulator
            .upstream
            .handles(&accepted.hub, &EventKind::User("message".into()))
        {
            let _ = live.jobs.send(Job::Event {
                name: "message".into(),
                data,
                ack_id: None,
            });
            return None;
        }
        let _ = live.tx.send(Outgoing::Close(1000, String::new()));
        return Some(Stop::ServiceClosed);
    }
    let Ok(text) = message.to_str() else {
        let _ = live.tx.send(Outgoing::Close(
            1003,
            "The JSON subprotocol requires text messages.".into(),
        ));
        return Some(Stop::ServiceClosed);
    };
    match ClientFrame::parse(text) {
        Ok(frame) => handle_frame(emulator, live, frame),
        Err(e) => {
            let _ = live.tx.send(Outgoing::Close(1007, e.to_string()));
            Some(Stop::ServiceClosed)
        }
    }
}

/// Handles one client frame of a JSON subprotocol; `Some` stops reading.
fn handle_frame(emulator: &Emulator, live: &Live, frame: ClientFrame) -> Option<Stop> {
    let (accepted, tx) = (&live.accepted, &live.tx);
    let id = accepted.connection_id.as_str();
    let ack_id = match &frame {
        ClientFrame::JoinGroup { ack_id, .. }
        | ClientFrame::LeaveGroup { ack_id, .. }
        | ClientFrame::SendToGroup { ack_id, .. }
        | ClientFrame::Event { ack_id, .. } => *ack_id,
        ClientFrame::SequenceAck { .. } | ClientFrame::Ping => None,
    };
    if let Some(a) = ack_id {
        if !live.acks.lock().unwrap_or_else(|p| p.into_inner()).first(a) {
            ack(
                tx,
                Some(a),
                Some((
                    "Duplicate",
                    &format!("Message with ack-id: {a} has been processed"),
                )),
            );
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
                let _ = live.jobs.send(Job::Event {
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
                return Some(Stop::ServiceClosed);
            }
        }
        ClientFrame::SequenceAck { sequence_id } => {
            if accepted.protocol == Protocol::JsonReliable {
                let _ = live.control.send(Control::Ack(sequence_id));
            }
        }
        ClientFrame::Ping => {
            let _ = tx.send(Outgoing::Frame(protocol::pong()));
        }
    }
    None
}
