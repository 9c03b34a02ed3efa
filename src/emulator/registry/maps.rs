//! The registry's indexes, kept consistent under its one lock: connections by id (each
//! with its live state), the connections of each group and of each user.

use std::collections::{HashMap, HashSet};

use crate::emulator::filter::{Filter, Subject};
use crate::emulator::hub_key::HubKey;
use crate::emulator::live::Live;
use crate::emulator::mailbox::{Mailbox, Outgoing};
use crate::emulator::permissions::Rights;

/// One live connection in the registry: the connection itself, and what REST calls and its
/// frames change about it.
pub struct Entry {
    /// What the handshake accepted (hub, user), its mailbox, its session.
    pub live: Live,
    /// The groups it is in now.
    pub groups: HashSet<String>,
    /// Its rights now: the handshake's, changed by grants and revocations.
    pub rights: Rights,
}

impl Entry {
    /// A connection in no group yet, with `rights`.
    pub fn new(live: Live, rights: Rights) -> Self {
        Self {
            rights,
            groups: HashSet::new(),
            live,
        }
    }

    pub fn hub(&self) -> &HubKey {
        &self.live.accepted.hub
    }

    pub fn user(&self) -> Option<&str> {
        self.live.accepted.user_id.as_deref()
    }

    pub fn tx(&self) -> &Mailbox {
        &self.live.tx
    }
}

#[derive(Default)]
pub(super) struct Maps {
    /// Set at shutdown: a connection registering now is closed at once.
    pub(super) closing: bool,
    pub(super) connections: HashMap<String, Entry>,
    pub(super) groups: HashMap<(HubKey, String), HashSet<String>>,
    pub(super) users: HashMap<(HubKey, String), HashSet<String>>,
}

impl Entry {
    /// Whether a REST call's filter, if it has one, matches this connection.
    pub(super) fn admitted_by(&self, id: &str, filter: Option<&Filter>) -> bool {
        filter.is_none_or(|f| {
            f.matches(&Subject {
                connection_id: id,
                user_id: self.user(),
                groups: &self.groups,
            })
        })
    }
}

impl Maps {
    pub(super) fn join(&mut self, id: &str, group: &str) {
        if let Some(e) = self.connections.get_mut(id) {
            if e.groups.insert(group.to_string()) {
                self.groups
                    .entry((e.hub().clone(), group.to_string()))
                    .or_default()
                    .insert(id.to_string());
            }
        }
    }

    pub(super) fn leave(&mut self, id: &str, group: &str) {
        if let Some(e) = self.connections.get_mut(id) {
            if e.groups.remove(group) {
                let key = (e.hub().clone(), group.to_string());
                if let Some(members) = self.groups.get_mut(&key) {
                    members.remove(id);
                    if members.is_empty() {
                        self.groups.remove(&key);
                    }
                }
            }
        }
    }

    pub(super) fn user_connections(&self, hub: &HubKey, user: &str) -> Vec<String> {
        self.users
            .get(&(hub.clone(), user.to_string()))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The connections of `hub` that `filter` matches.
    pub(super) fn matching(&self, hub: &HubKey, filter: &Filter) -> Vec<String> {
        self.connections
            .iter()
            .filter(|(id, e)| *e.hub() == *hub && e.admitted_by(id, Some(filter)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub(super) fn send(&self, id: &str, out: Outgoing) {
        if let Some(e) = self.connections.get(id) {
            let _ = e.tx().send(out);
        }
    }
}
