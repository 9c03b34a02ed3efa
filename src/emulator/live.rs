//! What a live connection is, shared by its sockets over time: what the handshake accepted,
//! its mailbox and signals, its upstream job channel and the ack ids it has seen. A leaf: the
//! connection, its readers, its upstream worker and the registry all import it, and it imports
//! none of them.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use crate::emulator::hub_key::HubKey;
use crate::emulator::mailbox::Mailbox;
use crate::emulator::permissions::Rights;
use crate::emulator::protocol::{self, Data, Protocol};
use crate::emulator::signals::Signals;

/// A connection the handshake accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub hub: HubKey,
    pub connection_id: String,
    pub user_id: Option<String>,
    /// The groups it starts in and the rights it starts with: [`Live::new`] hands them to the
    /// caller (the registry keeps them current from then on), so that the copy every `Live`
    /// shares keeps none of them.
    pub groups: Vec<String>,
    pub rights: Rights,
    pub protocol: Protocol,
    pub connection_state: Option<String>,
}

/// A live connection, shared by the sockets it has over time.
#[derive(Clone)]
pub struct Live {
    /// Shared by every copy: the registry's, each reader's, the upstream worker's.
    pub accepted: Arc<Accepted>,
    /// The reconnection token (reliable protocol only), shared by every copy.
    pub token: Arc<str>,
    /// The session's mailbox: frames for the client, and word of the socket.
    pub(crate) tx: Mailbox,
    /// Events for the upstream worker; `None` on a hub no event handler serves.
    pub(crate) jobs: Option<UnboundedSender<Job>>,
    pub(crate) ack_ids: Arc<Mutex<AckIds>>,
    /// What the readers tell the session without waiting in its mailbox.
    pub(crate) signals: Arc<Signals>,
    pub(crate) closed: watch::Receiver<u64>,
}

impl Live {
    /// A connection the handshake accepted, with a fresh reconnection token: its session reads
    /// `tx`, its upstream worker `jobs`, its readers tell it `signals`, and `closed` says which
    /// socket the session closed. Returns it with the groups and rights it starts with, for
    /// the registry.
    pub fn new(
        mut accepted: Accepted,
        tx: Mailbox,
        jobs: Option<UnboundedSender<Job>>,
        signals: Arc<Signals>,
        closed: watch::Receiver<u64>,
    ) -> (Self, Vec<String>, Rights) {
        let groups = std::mem::take(&mut accepted.groups);
        let rights = std::mem::take(&mut accepted.rights);
        let token = if accepted.protocol == Protocol::JsonReliable {
            uuid::Uuid::new_v4().simple().to_string().into()
        } else {
            Arc::from("")
        };
        let live = Self {
            accepted: Arc::new(accepted),
            token,
            tx,
            jobs,
            ack_ids: Arc::default(),
            signals,
            closed,
        };
        (live, groups, rights)
    }

    /// Queues an event for the upstream worker (callers check that the handler wants it).
    pub(crate) fn job(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }

    pub(crate) fn hello(&self) -> Option<String> {
        let token = (self.accepted.protocol == Protocol::JsonReliable).then_some(&*self.token);
        (self.accepted.protocol != Protocol::Simple).then(|| {
            protocol::connected(
                self.accepted.user_id.as_deref(),
                &self.accepted.connection_id,
                token,
            )
        })
    }
}

/// What a connection sends upstream. Small on purpose: every connection's job channel
/// allocates room for 32 of them up front.
#[derive(Debug)]
pub enum Job {
    Connected,
    Event(Box<UserEvent>),
    Disconnected { reason: String },
}

/// A user event, as the client sent it.
#[derive(Debug)]
pub struct UserEvent {
    /// The event's name (`event` of the frame, `message` for a simple client).
    pub name: String,
    /// Its data.
    pub data: Data,
    /// The client's ack id, answered once the handler has.
    pub ack_id: Option<u64>,
}

impl Job {
    /// A user event.
    pub fn event(name: String, data: Data, ack_id: Option<u64>) -> Self {
        Self::Event(Box::new(UserEvent { name, data, ack_id }))
    }
}

/// How many recent ack ids a connection remembers for de-duplication.
const ACK_MEMORY: usize = 4096;

/// Remembers recent ack ids, so that a repeated one is answered `Duplicate`.
#[derive(Default)]
pub struct AckIds {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
}

impl AckIds {
    /// True when `id` was not seen before (and remembers it).
    pub(crate) fn first(&mut self, id: u64) -> bool {
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
