//! The reader's frame rules against a channel of frames instead of a socket, its session's
//! mailbox read directly, on a paused clock: acks and their de-duplication, rights, the close
//! codes (1003, 1007, 1009, 1011), silence and close frames.

use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::*;
use crate::emulator::config::{parse_access_key, EventHandlerConfig, SystemEvents, UserEvents};
use crate::emulator::hub_key::HubKey;
use crate::emulator::live::Accepted;
use crate::emulator::mailbox::{Mail, Mailbox};
use crate::emulator::permissions::Rights;
use crate::emulator::registry::Scope;
use crate::emulator::signals::{Signals, FIRST_SOCKET};
use crate::emulator::websocket::CloseFrame;

const ID: &str = "connection-1";
const IDLE: Duration = Duration::from_secs(120);

fn hub() -> HubKey {
    HubKey::new("chat")
}

/// One connection whose reader reads `frames`.
struct Client {
    frames: UnboundedSender<Result<Message, WsError>>,
    mail: UnboundedReceiver<Mail>,
    jobs: UnboundedReceiver<Job>,
    signals: Arc<Signals>,
    registry: Registry,
    reader: JoinHandle<()>,
    _closed: watch::Sender<u64>,
}

/// A connection speaking `protocol` with `roles`, whose hub's handler takes `user_events`.
fn connect(protocol: Protocol, roles: &[&str], user_events: &str) -> Client {
    let handler = EventHandlerConfig {
        hub: hub(),
        url_template: "http://127.0.0.1:9/{event}".parse().expect("url"),
        user_events: user_events.parse::<UserEvents>().expect("events"),
        system_events: SystemEvents::ALL,
    };
    let key = parse_access_key(crate::emulator::DEFAULT_ACCESS_KEY).expect("key");
    let upstream = Upstream::new(Some(handler), key, "localhost".into(), None).expect("upstream");
    let reading = Reading {
        registry: Registry::default(),
        upstream: Arc::new(upstream),
        idle_timeout: IDLE,
    };
    let signals = Arc::new(Signals::default());
    let (tx, mail) = Mailbox::new(signals.clone());
    let (jobs_tx, jobs) = unbounded_channel();
    let (closed_tx, closed) = watch::channel(0);
    let accepted = Accepted {
        hub: hub(),
        connection_id: ID.into(),
        user_id: Some("alice".into()),
        groups: Vec::new(),
        rights: Rights::from_roles(roles.iter().copied()),
        protocol,
        connection_state: None,
    };
    let (live, groups, rights) = Live::new(accepted, tx, Some(jobs_tx), signals.clone(), closed);
    reading.registry.register(live.clone(), groups, rights);
    let (frames, rx) = unbounded_channel();
    let stream = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|m| (m, rx))
    }));
    let registry = reading.registry.clone();
    let reader = tokio::spawn(async move { read(&reading, &live, stream, FIRST_SOCKET).await });
    Client {
        frames,
        mail,
        jobs,
        signals,
        registry,
        reader,
        _closed: closed_tx,
    }
}

impl Client {
    fn send(&self, frame: Value) {
        self.message(Message::text(frame.to_string()));
    }

    fn message(&self, message: Message) {
        self.frames.send(Ok(message)).expect("the reader reads");
    }

    /// The next frame or close for the client.
    async fn out(&mut self) -> Outgoing {
        match self.mail.recv().await.expect("a mail") {
            Mail::Out(out) => out,
            Mail::Control(_) => panic!("word of the socket instead of a frame"),
        }
    }

    /// The next service frame, as JSON.
    async fn frame(&mut self) -> Value {
        match self.out().await {
            Outgoing::Frame(text) => serde_json::from_str(&text).expect("JSON"),
            other => panic!("not a service frame: {other:?}"),
        }
    }

    /// The next close, as code and reason; the reader has stopped by then.
    async fn closed(mut self) -> (u16, String) {
        let close = loop {
            match self.out().await {
                Outgoing::Close(code, reason) => break (code, reason),
                Outgoing::Frame(_) | Outgoing::Message(_) => continue,
            }
        };
        self.reader.await.expect("the reader ends");
        assert!(
            self.mail.try_recv().is_err(),
            "a closed socket tells no more"
        );
        close
    }

    /// What the reader told the session when it stopped.
    async fn control(&mut self) -> Control {
        match self.mail.recv().await.expect("a mail") {
            Mail::Control(control) => control,
            Mail::Out(out) => panic!("a frame instead of word of the socket: {out:?}"),
        }
    }

    fn in_group(&self, group: &str) -> bool {
        self.registry
            .select(&hub(), Scope::Group(group), &[])
            .iter()
            .any(|id| id == ID)
    }
}

fn ack(id: u64) -> Value {
    json!({"type": "ack", "ackId": id, "success": true})
}

fn ack_error(id: u64, name: &str, message: &str) -> Value {
    json!({"type": "ack", "ackId": id, "success": false, "error": {"name": name, "message": message}})
}

#[tokio::test(start_paused = true)]
async fn a_repeated_ack_id_is_answered_duplicate_and_not_done_again() {
    let mut c = connect(Protocol::Json, &["webpubsub.joinLeaveGroup"], "*");
    c.send(json!({"type": "joinGroup", "group": "g", "ackId": 1}));
    assert_eq!(c.frame().await, ack(1));
    assert!(c.in_group("g"));
    c.send(json!({"type": "leaveGroup", "group": "g", "ackId": 1}));
    assert_eq!(
        c.frame().await,
        ack_error(1, "Duplicate", "Message with ack-id: 1 has been processed")
    );
    assert!(c.in_group("g"), "the repeated frame did nothing");
    c.send(json!({"type": "leaveGroup", "group": "g", "ackId": 2}));
    assert_eq!(c.frame().await, ack(2));
    assert!(!c.in_group("g"));
}

#[tokio::test(start_paused = true)]
async fn joining_or_sending_without_the_right_is_forbidden_and_not_done() {
    let mut c = connect(Protocol::Json, &["webpubsub.sendToGroup.other"], "*");
    c.send(json!({"type": "joinGroup", "group": "g", "ackId": 1}));
    assert_eq!(
        c.frame().await,
        ack_error(
            1,
            "Forbidden",
            "The client does not have permission to join or leave group 'g'."
        )
    );
    assert!(!c.in_group("g"));
    c.send(
        json!({"type": "sendToGroup", "group": "g", "dataType": "text", "data": "hi", "ackId": 2}),
    );
    assert_eq!(
        c.frame().await,
        ack_error(
            2,
            "Forbidden",
            "The client does not have permission to send to group 'g'."
        )
    );
    // Without an ack id the refusal is silent: the next frame is the pong.
    c.send(json!({"type": "joinGroup", "group": "g"}));
    c.send(json!({"type": "ping"}));
    assert_eq!(c.frame().await, json!({"type": "pong"}));
    assert!(!c.in_group("g"));
    // The granted group is allowed.
    c.send(json!({"type": "sendToGroup", "group": "other", "dataType": "text", "data": "hi", "ackId": 3}));
    assert_eq!(c.frame().await, ack(3));
}

#[tokio::test(start_paused = true)]
async fn a_binary_frame_on_a_json_protocol_closes_1003() {
    let c = connect(Protocol::Json, &[], "*");
    c.message(Message::binary(vec![1, 2, 3]));
    assert_eq!(
        c.closed().await,
        (1003, "The JSON subprotocol requires text messages.".into())
    );
}

#[tokio::test(start_paused = true)]
async fn a_malformed_frame_closes_1007() {
    let c = connect(Protocol::Json, &[], "*");
    c.message(Message::text("{\"type\": \"joinGroup\"}"));
    let (code, reason) = c.closed().await;
    assert_eq!(code, 1007);
    assert!(!reason.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_message_over_one_mib_closes_1009_whether_read_whole_or_refused_by_the_socket() {
    let c = connect(Protocol::Json, &[], "*");
    c.message(Message::text("x".repeat(protocol::MAX_CLIENT_MESSAGE + 1)));
    assert_eq!(
        c.closed().await,
        (1009, "The client message is too large.".into())
    );
    let c = connect(Protocol::Json, &[], "*");
    let too_big = tokio_tungstenite::tungstenite::error::CapacityError::MessageTooLong {
        size: 5 << 20,
        max_size: 4 << 20,
    };
    c.frames
        .send(Err(WsError::Capacity(too_big)))
        .expect("the reader reads");
    assert_eq!(
        c.closed().await,
        (1009, "The client message is too large.".into())
    );
}

#[tokio::test(start_paused = true)]
async fn an_event_no_handler_takes_fails_its_ack_and_closes_1011() {
    let mut c = connect(Protocol::Json, &[], "wanted");
    c.send(
        json!({"type": "event", "event": "unwanted", "dataType": "text", "data": "d", "ackId": 5}),
    );
    assert_eq!(
        c.frame().await,
        ack_error(
            5,
            "InvocationFailed",
            "No event handler is registered for this event."
        )
    );
    assert_eq!(
        c.closed().await,
        (
            1011,
            "No event handler is registered for this event.".into()
        )
    );
}

#[tokio::test(start_paused = true)]
async fn an_event_the_handler_takes_goes_upstream_with_its_ack_id_unanswered() {
    let mut c = connect(Protocol::Json, &[], "wanted");
    c.send(json!({"type": "event", "event": "wanted", "dataType": "json", "data": {"a": 1}, "ackId": 6}));
    match c.jobs.recv().await.expect("a job") {
        Job::Event(e) => {
            assert_eq!(e.name, "wanted");
            assert_eq!(e.ack_id, Some(6));
            assert!(matches!(e.data, Data::Json(ref v) if *v == json!({"a": 1})));
        }
        other => panic!("not a user event: {other:?}"),
    }
    assert!(c.mail.try_recv().is_err(), "the handler's answer acks it");
}

#[tokio::test(start_paused = true)]
async fn a_sequence_ack_reaches_the_session_beside_its_mailbox() {
    let mut c = connect(Protocol::JsonReliable, &[], "*");
    c.send(json!({"type": "sequenceAck", "sequenceId": 7}));
    c.send(json!({"type": "ping"}));
    assert_eq!(
        c.frame().await,
        json!({"type": "pong"}),
        "nothing queued before it"
    );
    assert_eq!(
        c.signals
            .sequence_acked
            .load(std::sync::atomic::Ordering::Relaxed),
        7
    );
}

#[tokio::test(start_paused = true)]
async fn a_reader_stops_once_its_session_has_ended() {
    let mut c = connect(Protocol::JsonReliable, &[], "*");
    let started = tokio::time::Instant::now();
    // The session drops its sender of `closed` when it returns.
    drop(c._closed);
    c.reader.await.expect("the reader stops");
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "at once, not at the idle timeout"
    );
    assert!(c.frames.is_closed(), "its stream is dropped");
    assert!(
        c.mail.try_recv().is_err(),
        "and it tells the ended session nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_socket_is_detached_after_the_idle_timeout() {
    let mut c = connect(Protocol::JsonReliable, &[], "*");
    let started = tokio::time::Instant::now();
    match c.control().await {
        Control::Detach { generation, reason } => {
            assert_eq!(generation, FIRST_SOCKET);
            assert_eq!(reason, "The connection was silent for too long.");
        }
        _ => panic!("not a detach"),
    }
    assert_eq!(started.elapsed(), IDLE);
}

#[tokio::test(start_paused = true)]
async fn a_close_frame_ends_the_connection_and_a_lost_socket_detaches_it() {
    let mut c = connect(Protocol::JsonReliable, &[], "*");
    c.message(Message::Close(Some(CloseFrame {
        code: 1000.into(),
        reason: "bye".into(),
    })));
    assert!(matches!(c.control().await, Control::End { reason } if reason == "bye"));
    let mut c = connect(Protocol::JsonReliable, &[], "*");
    c.message(Message::Close(None));
    assert!(matches!(
        c.control().await,
        Control::End { reason } if reason == "The client closed the connection."
    ));
    let Client {
        frames,
        mut mail,
        _closed,
        ..
    } = connect(Protocol::JsonReliable, &[], "*");
    drop(frames);
    assert!(matches!(
        mail.recv().await,
        Some(Mail::Control(Control::Detach { reason, .. })) if reason == "The connection was lost."
    ));
}
