//! One connection after the upgrade: a reader for each socket it has (`reader`), a session
//! that writes (and, on the reliable subprotocol, survives a dropped socket), and the upstream
//! worker. A reliable client recovers with `awps_connection_id` +
//! `awps_reconnection_token`; a recovery the emulator cannot honour is accepted and closed
//! with 1008.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc::unbounded_channel;
use tokio::sync::watch;
use warp::reply::Response;

use crate::emulator::hub_key::HubKey;
use crate::emulator::live::{Accepted, Job, Live};
use crate::emulator::mailbox::{Control, Mailbox};
use crate::emulator::protocol::{self, Protocol};
use crate::emulator::reader::read;
use crate::emulator::service::Emulator;
use crate::emulator::session;
use crate::emulator::signals::{Signals, FIRST_SOCKET};
use crate::emulator::upstream::EventKind;
use crate::emulator::upstream_worker;
use crate::emulator::websocket::{CloseFrame, Message, Upgrade, WebSocket};

/// Compares reconnection tokens in constant time.
fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Upgrades a new connection, echoing the chosen subprotocol.
pub fn upgrade(emulator: Emulator, ws: Upgrade, accepted: Accepted) -> Response {
    let name = accepted.protocol.name();
    ws.accept(name, move |socket| start(emulator, socket, accepted))
}

/// A reliable client coming back: its session continues on the new socket, with every message
/// after its last `sequenceAck` replayed. Anything else is accepted and closed with 1008, so the SDK reconnects
/// afresh at once instead of retrying for 30 s.
pub fn recover(
    emulator: Emulator,
    hub: HubKey,
    ws: Upgrade,
    id: String,
    token: String,
    requested: &[String],
) -> Response {
    let live = emulator.registry.session(&id);
    let usable = live.filter(|l| {
        tokens_match(&l.token, &token)
            && l.accepted.hub == hub
            && requested.iter().any(|p| p == protocol::JSON_RELIABLE_V1)
    });
    let Some(live) = usable else {
        let name = Protocol::negotiate(requested.iter().map(String::as_str))
            .0
            .name();
        return ws.accept(name, |mut socket: WebSocket| async move {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: 1008.into(),
                    reason: "The connection could not be recovered.".into(),
                })))
                .await;
            let _ = socket.close(None).await;
        });
    };
    ws.accept(Some(protocol::JSON_RELIABLE_V1), move |socket| async move {
        let (sink, stream) = socket.split();
        let generation = live.signals.new_socket();
        tracing::info!(connection_id = %live.accepted.connection_id, "session recovered");
        if live.tx.control(Control::Attach {
            sink: Box::pin(sink),
            generation,
            hello: live.hello(),
        }) {
            read(&emulator.reading(), &live, stream, generation).await;
        }
    })
}

async fn start(emulator: Emulator, socket: WebSocket, accepted: Accepted) {
    let id = accepted.connection_id.clone();
    let (sink, stream) = socket.split();
    let signals = Arc::new(Signals::bounded(
        emulator.timing.max_queued_frames,
        emulator.timing.max_queued_bytes,
    ));
    let (tx, mail) = Mailbox::new(signals.clone());
    let (closed_tx, closed) = watch::channel(0u64);
    // A hub without an event handler needs no upstream worker (nor its channel and task).
    let (jobs, jobs_rx) = if emulator.upstream.serves(&accepted.hub) {
        let (jobs, jobs_rx) = unbounded_channel();
        (Some(jobs), Some(jobs_rx))
    } else {
        (None, None)
    };
    let (live, groups, rights) = Live::new(accepted, tx.clone(), jobs.clone(), signals, closed);
    let accepted = live.accepted.clone();
    // The first mail, so that the `connected` frame is the first frame and nothing sent to
    // the connection once it is registered is lost.
    let _ = live.tx.control(Control::Attach {
        sink: Box::pin(sink),
        generation: FIRST_SOCKET,
        hello: live.hello(),
    });
    emulator.registry.register(live.clone(), groups, rights);
    if emulator
        .upstream
        .handles(&accepted.hub, &EventKind::Connected)
    {
        live.job(Job::Connected);
    }
    let (timing, protocol) = (emulator.timing, accepted.protocol);
    let signals = live.signals.clone();
    // The session, the upstream worker and the first socket's reader run in this one task (the
    // listener's): shutdown waits for all three, or cancels them together.
    let session = async {
        let ended = session::run(protocol, timing, mail, signals, closed_tx).await;
        emulator.registry.unregister(&id);
        // The worker's last job, whether or not the handler wants `disconnected`: the worker
        // ends on it, not when the last copy of this connection's `Live` is gone.
        if let Some(jobs) = jobs {
            let _ = jobs.send(Job::Disconnected {
                reason: ended.reason,
            });
        }
    };
    let worker = async {
        if let Some(rx) = jobs_rx {
            upstream_worker::run(emulator.upstream.clone(), accepted.clone(), rx, tx).await;
        }
    };
    let reader = async {
        read(&emulator.reading(), &live, stream, FIRST_SOCKET).await;
        drop(live);
    };
    tokio::join!(session, worker, reader);
}
