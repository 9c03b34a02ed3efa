//! The upstream worker of one connection: its events go to the event handler one at a time,
//! in order (`connected` first, `disconnected` last); a user event's answer comes back to the
//! sender, and a failed one fails its ack and drops the connection, as the service does.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::emulator::live::{Accepted, Job, UserEvent};
use crate::emulator::mailbox::{Delivery, Mailbox, Outgoing};
use crate::emulator::protocol::{Data, From};
use crate::emulator::upstream::{EventKind, EventRequest, Upstream};

/// A failed user event: the ack says so and the connection is dropped.
fn fail(tx: &Mailbox, ack_id: Option<u64>, message: &str) {
    tracing::warn!(message, "a user event failed upstream");
    tx.ack(ack_id, Some(("InvocationFailed", message)));
    let _ = tx.send(Outgoing::Close(
        1011,
        "The event handler failed to process the event.".into(),
    ));
}

/// Delivers the events of the connection `accepted` upstream until `Job::Disconnected` (sent
/// upstream if the handler wants it) or until its job channel closes; answers and failures
/// go to its mailbox `tx`.
pub async fn run(
    upstream: Arc<Upstream>,
    accepted: Arc<Accepted>,
    mut jobs: UnboundedReceiver<Job>,
    tx: Mailbox,
) {
    let mut next_id: u64 = 1;
    let subprotocol = accepted.protocol.name().map(str::to_string);
    let mut state = accepted.connection_state.clone();
    while let Some(job) = jobs.recv().await {
        let (kind, data, ack_id) = match job {
            Job::Connected => (
                EventKind::Connected,
                Data::Json(serde_json::json!({})),
                None,
            ),
            Job::Disconnected { .. }
                if !upstream.handles(&accepted.hub, &EventKind::Disconnected) =>
            {
                break;
            }
            Job::Disconnected { reason } => (
                EventKind::Disconnected,
                Data::Json(serde_json::json!({ "reason": reason })),
                None,
            ),
            Job::Event(e) => {
                let UserEvent { name, data, ack_id } = *e;
                (EventKind::User(name), data, ack_id)
            }
        };
        let blocking = matches!(kind, EventKind::User(_));
        let last = kind == EventKind::Disconnected;
        let content_type = if blocking {
            data.content_type().to_string()
        } else {
            "application/json; charset=utf-8".to_string()
        };
        let request = EventRequest {
            kind,
            hub: accepted.hub.clone(),
            connection_id: accepted.connection_id.clone(),
            user_id: accepted.user_id.clone(),
            subprotocol: subprotocol.clone(),
            connection_state: state.clone(),
            id: next_id,
            content_type,
            body: data.to_body(),
        };
        next_id += 1;
        // Boxed: an idle connection's worker then holds no room for an HTTP request.
        let result = Box::pin(upstream.send(&request)).await;
        if !blocking {
            if let Err(e) = &result {
                tracing::warn!(error = %e, event = ?request.kind, "a system event could not be delivered");
            }
            if last {
                break; // nothing of this connection goes upstream after `disconnected`
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
                tx.ack(ack_id, None);
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
