//! Reading one socket of a connection: client frames, acks and permissions, and how the
//! reading ended (a close frame ends the connection; a drop or silence detaches a reliable
//! session; a close by the service was already seen by the session). Generic over the
//! socket's stream of frames, so that the frame rules are tested without a socket
//! (`reader/tests.rs`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tracing::Instrument;

use crate::emulator::live::{Job, Live};
use crate::emulator::mailbox::{Control, Delivery, Outgoing};
use crate::emulator::permissions::ClientPermission;
use crate::emulator::protocol::{self, ClientFrame, Data, From, Protocol};
use crate::emulator::registry::Registry;
use crate::emulator::upstream::{EventKind, Upstream};
use crate::emulator::websocket::{Message, WsError};

/// What a reader uses besides its connection: the registry its frames act on, the upstream's
/// configuration (which user events go out), and how long a socket may stay silent.
#[derive(Clone)]
pub struct Reading {
    pub registry: Registry,
    pub upstream: Arc<Upstream>,
    pub idle_timeout: Duration,
}

/// How long a socket the service closed waits for the client's close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

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
pub async fn read<S>(reading: &Reading, live: &Live, stream: S, generation: u64)
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let span = tracing::info_span!("connection", hub = %live.accepted.hub, connection_id = %live.accepted.connection_id, user_id = live.accepted.user_id.as_deref().unwrap_or(""));
    read_frames(reading, live, stream, generation)
        .instrument(span)
        .await;
}

async fn read_frames<S>(reading: &Reading, live: &Live, mut stream: S, generation: u64)
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let mut closed = live.closed.clone();
    let stop = loop {
        let next = tokio::select! {
            // A socket the service closed reads no further frames, nor one whose session has
            // ended (the session drops the sender): nobody would answer them.
            biased;
            changed = closed.changed() => {
                if changed.is_err() {
                    break Stop::ServiceClosed;
                }
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
            next = tokio::time::timeout(reading.idle_timeout, stream.next()) => next,
        };
        let message = match next {
            Err(_) => break Stop::Dropped("The connection was silent for too long.".into()),
            Ok(None) => break Stop::Dropped("The connection was lost.".into()),
            Ok(Some(Err(e))) => {
                // A message over the read limit surfaces as a read error: answer it as the
                // service answers any message over 1 MiB.
                if matches!(e, WsError::Capacity(_)) {
                    let _ = live.tx.send(Outgoing::Close(
                        1009,
                        "The client message is too large.".into(),
                    ));
                    break Stop::ServiceClosed;
                }
                break Stop::Dropped(format!("The connection failed: {e}"));
            }
            Ok(Some(Ok(m))) => m,
        };
        if let Message::Close(frame) = &message {
            // A close frame may carry no status code at all (RFC 6455 §5.5.1); it still ends
            // the connection, it is not a lost socket.
            break Stop::ClientClosed(match frame {
                Some(f) if !f.reason.is_empty() => f.reason.to_string(),
                _ => "The client closed the connection.".into(),
            });
        }
        if !(message.is_text() || message.is_binary()) {
            continue; // pings and pongs are the WebSocket layer's
        }
        if message.len() > protocol::MAX_CLIENT_MESSAGE {
            let _ = live.tx.send(Outgoing::Close(
                1009,
                "The client message is too large.".into(),
            ));
            break Stop::ServiceClosed;
        }
        if let Some(stop) = handle_message(reading, live, &message) {
            break stop;
        }
    };
    let control = match stop {
        Stop::ClientClosed(reason) => Control::End { reason },
        Stop::Dropped(reason) => Control::Detach { generation, reason },
        Stop::ServiceClosed => return,
    };
    let _ = live.tx.control(control);
}

/// Handles one data frame; `Some` stops reading.
fn handle_message(reading: &Reading, live: &Live, message: &Message) -> Option<Stop> {
    let accepted = &live.accepted;
    if accepted.protocol == Protocol::Simple {
        let data = match message {
            Message::Text(text) => Data::Text(text.to_string()),
            Message::Binary(bytes) => Data::Binary(bytes.to_vec()),
            _ => return None,
        };
        if reading
            .upstream
            .handles(&accepted.hub, &EventKind::User("message".into()))
        {
            live.job(Job::event("message".into(), data, None));
            return None;
        }
        let _ = live.tx.send(Outgoing::Close(1000, String::new()));
        return Some(Stop::ServiceClosed);
    }
    let Message::Text(text) = message else {
        let _ = live.tx.send(Outgoing::Close(
            1003,
            "The JSON subprotocol requires text messages.".into(),
        ));
        return Some(Stop::ServiceClosed);
    };
    match ClientFrame::parse(text.as_str()) {
        Ok(frame) => handle_frame(reading, live, frame),
        Err(e) => {
            let _ = live.tx.send(Outgoing::Close(1007, e.to_string()));
            Some(Stop::ServiceClosed)
        }
    }
}

/// Handles one client frame of a JSON subprotocol; `Some` stops reading.
fn handle_frame(reading: &Reading, live: &Live, frame: ClientFrame) -> Option<Stop> {
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
        if !live
            .ack_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .first(a)
        {
            tx.ack(
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
            if !reading
                .registry
                .allows(id, ClientPermission::JoinLeaveGroup, &group) =>
        {
            tx.ack(
                ack_id,
                Some(("Forbidden", &forbidden("join or leave", &group))),
            );
        }
        ClientFrame::JoinGroup { group, .. } => {
            reading.registry.join(&accepted.hub, id, &group);
            tx.ack(ack_id, None);
        }
        ClientFrame::LeaveGroup { group, .. } => {
            reading.registry.leave(id, &group);
            tx.ack(ack_id, None);
        }
        ClientFrame::SendToGroup {
            group,
            no_echo,
            data,
            ..
        } => {
            if reading
                .registry
                .allows(id, ClientPermission::SendToGroup, &group)
            {
                let delivery = Delivery::new(
                    &From::Group {
                        group: group.clone(),
                        from_user_id: accepted.user_id.clone(),
                    },
                    &data,
                );
                let excluded: &[&str] = if no_echo { &[id] } else { &[] };
                reading.registry.to_group(
                    &accepted.hub,
                    &group,
                    &Outgoing::Message(delivery),
                    excluded,
                    None,
                );
                tx.ack(ack_id, None);
            } else {
                tx.ack(ack_id, Some(("Forbidden", &forbidden("send to", &group))));
            }
        }
        ClientFrame::Event { event, data, .. } => {
            if reading
                .upstream
                .handles(&accepted.hub, &EventKind::User(event.clone()))
            {
                live.job(Job::event(event, data, ack_id));
            } else {
                // As the service: a user event that reaches no handler fails and closes its client.
                tx.ack(
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
                // Not a mail: a `sequenceAck` must not wait behind the data queued for the
                // client, or a backlog would overflow the reliable buffer although the client
                // keeps up.
                live.signals.sequence_ack(sequence_id);
            }
        }
        ClientFrame::Ping => {
            let _ = tx.send(Outgoing::Frame(protocol::pong()));
        }
    }
    None
}

#[cfg(test)]
mod tests;
