//! The registry of live connections, per hub: each connection's `Live` (who it is, its
//! mailbox, its session: where a recovering reliable client finds it), the groups it is in and
//! the rights it has now. Group membership and rights are per connection, as in the service.

mod maps;

use std::sync::{Arc, Mutex, MutexGuard};

use crate::emulator::filter::Filter;
use crate::emulator::hub_key::HubKey;
use crate::emulator::live::Live;
use crate::emulator::mailbox::Outgoing;
use crate::emulator::permissions::{ClientPermission, Rights};
use crate::emulator::protocol::{self, Protocol};

pub use maps::Entry;
use maps::Maps;

/// The close reason every socket gets at shutdown.
pub const SHUTDOWN_REASON: &str = "The service is shutting down.";

/// The registry, shared by the sockets and the REST API.
#[derive(Clone, Default)]
pub struct Registry {
    state: Arc<Mutex<Maps>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, Maps> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters more than losing the emulator, so a poisoned lock is used as it is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection, in `groups` and with `rights` (what its handshake gave it).
    pub fn register(&self, live: Live, groups: Vec<String>, rights: Rights) {
        let mut s = self.lock();
        if s.closing {
            let _ = live.tx.send(Outgoing::Close(1001, SHUTDOWN_REASON.into()));
        }
        let id = live.accepted.connection_id.clone();
        if let Some(user) = &live.accepted.user_id {
            s.users
                .entry((live.accepted.hub.clone(), user.clone()))
                .or_default()
                .insert(id.clone());
        }
        s.connections.insert(id.clone(), Entry::new(live, rights));
        for g in &groups {
            s.join(&id, g);
        }
    }

    /// The reliable connection `id`, for a client recovering its session with a new socket.
    pub fn session(&self, id: &str) -> Option<Live> {
        self.lock()
            .connections
            .get(id)
            .map(|e| &e.live)
            .filter(|live| live.accepted.protocol == Protocol::JsonReliable)
            .cloned()
    }

    /// Removes a connection from everything; returns its entry (with the groups it was in).
    pub fn unregister(&self, id: &str) -> Option<Entry> {
        let mut s = self.lock();
        let entry = s.connections.remove(id)?;
        for g in &entry.groups {
            let key = (entry.hub().clone(), g.clone());
            if let Some(members) = s.groups.get_mut(&key) {
                members.remove(id);
                if members.is_empty() {
                    s.groups.remove(&key);
                }
            }
        }
        if let Some(user) = entry.user() {
            let key = (entry.hub().clone(), user.to_string());
            if let Some(set) = s.users.get_mut(&key) {
                set.remove(id);
                if set.is_empty() {
                    s.users.remove(&key);
                }
            }
        }
        Some(entry)
    }

    /// Whether the connection may do `permission` on `group`.
    pub fn allows(&self, id: &str, permission: ClientPermission, group: &str) -> bool {
        self.lock()
            .connections
            .get(id)
            .is_some_and(|e| e.rights.allows(permission, group))
    }

    /// Puts a connection in a group (`false`: no such connection in that hub).
    pub fn join(&self, hub: &HubKey, id: &str, group: &str) -> bool {
        let mut s = self.lock();
        if s.connections.get(id).is_none_or(|e| *e.hub() != *hub) {
            return false;
        }
        s.join(id, group);
        true
    }

    /// Takes a connection out of a group.
    pub fn leave(&self, id: &str, group: &str) {
        self.lock().leave(id, group);
    }

    /// Takes a connection out of every group.
    pub fn leave_all(&self, hub: &HubKey, id: &str) {
        let mut s = self.lock();
        let groups: Vec<String> = match s.connections.get(id) {
            Some(e) if *e.hub() == *hub => e.groups.iter().cloned().collect(),
            _ => return,
        };
        for g in groups {
            s.leave(id, &g);
        }
    }

    /// Sends to one connection of `hub`.
    pub fn to_connection(&self, hub: &HubKey, id: &str, out: Outgoing) {
        let s = self.lock();
        if s.connections.get(id).is_some_and(|e| *e.hub() == *hub) {
            s.send(id, out);
        }
    }

    /// Sends to every connection of a hub but the excluded that the filter matches.
    pub fn to_all(
        &self,
        hub: &HubKey,
        out: &Outgoing,
        excluded: &[String],
        filter: Option<&Filter>,
    ) {
        let s = self.lock();
        for (id, e) in &s.connections {
            if *e.hub() == *hub && !excluded.contains(id) && e.admitted_by(id, filter) {
                let _ = e.tx().send(out.clone());
            }
        }
    }

    /// Sends to every connection of a user that the filter matches.
    pub fn to_user(&self, hub: &HubKey, user: &str, out: &Outgoing, filter: Option<&Filter>) {
        let s = self.lock();
        for id in s.user_connections(hub, user) {
            if let Some(e) = s.connections.get(&id) {
                if e.admitted_by(&id, filter) {
                    let _ = e.tx().send(out.clone());
                }
            }
        }
    }

    /// Sends to every connection in a group but the excluded that the filter matches; returns
    /// how many got it.
    pub fn to_group(
        &self,
        hub: &HubKey,
        group: &str,
        out: &Outgoing,
        excluded: &[&str],
        filter: Option<&Filter>,
    ) -> usize {
        let s = self.lock();
        let Some(members) = s.groups.get(&(hub.clone(), group.to_string())) else {
            return 0;
        };
        let mut n = 0;
        for id in members {
            let Some(e) = s.connections.get(id) else {
                continue;
            };
            if !excluded.contains(&id.as_str()) && e.admitted_by(id, filter) {
                let _ = e.tx().send(out.clone());
                n += 1;
            }
        }
        n
    }

    /// Puts every connection of `hub` that `filter` matches in each of `groups`
    /// (`:addToGroups`), or takes it out of each (`:removeFromGroups`); returns how many
    /// matched. The filter sees the groups as they were before the call.
    pub fn change_matching(
        &self,
        hub: &HubKey,
        groups: &[String],
        filter: &Filter,
        change: Membership,
    ) -> usize {
        let mut s = self.lock();
        let ids = s.matching(hub, filter);
        for id in &ids {
            for g in groups {
                match change {
                    Membership::Join => s.join(id, g),
                    Membership::Leave => s.leave(id, g),
                }
            }
        }
        ids.len()
    }

    /// Adds a user's current connections to a group (`false`: the user has none).
    pub fn add_user_to_group(&self, hub: &HubKey, user: &str, group: &str) -> bool {
        let mut s = self.lock();
        let ids = s.user_connections(hub, user);
        for id in &ids {
            s.join(id, group);
        }
        !ids.is_empty()
    }

    /// Takes a user's connections out of one group, or of all when `group` is `None`.
    pub fn remove_user_from_group(&self, hub: &HubKey, user: &str, group: Option<&str>) {
        let mut s = self.lock();
        for id in s.user_connections(hub, user) {
            let groups: Vec<String> = match group {
                Some(g) => vec![g.to_string()],
                None => s
                    .connections
                    .get(&id)
                    .map(|e| e.groups.iter().cloned().collect())
                    .unwrap_or_default(),
            };
            for g in groups {
                s.leave(&id, &g);
            }
        }
    }

    /// Connection ids of a hub, of a group, or of a user, minus the excluded.
    pub fn select(&self, hub: &HubKey, scope: Scope<'_>, excluded: &[String]) -> Vec<String> {
        let s = self.lock();
        let ids: Vec<String> = match scope {
            Scope::All => s
                .connections
                .iter()
                .filter(|(_, e)| *e.hub() == *hub)
                .map(|(id, _)| id.clone())
                .collect(),
            Scope::Group(g) => s
                .groups
                .get(&(hub.clone(), g.to_string()))
                .map(|m| m.iter().cloned().collect())
                .unwrap_or_default(),
            Scope::User(u) => s
                .users
                .get(&(hub.clone(), u.to_string()))
                .map(|m| m.iter().cloned().collect())
                .unwrap_or_default(),
            Scope::Connection(c) => s
                .connections
                .get(c)
                .filter(|e| *e.hub() == *hub)
                .map(|_| vec![c.to_string()])
                .unwrap_or_default(),
        };
        ids.into_iter()
            .filter(|id| !excluded.contains(id))
            .collect()
    }

    /// Sends a `disconnected` message then closes each connection with 1000.
    pub fn close(&self, ids: &[String], reason: &str) {
        let s = self.lock();
        for id in ids {
            s.send(id, Outgoing::Frame(protocol::disconnected(reason)));
            s.send(id, Outgoing::Close(1000, reason.to_string()));
        }
    }

    /// Changes a connection's rights; `None` when it is not in `hub`.
    pub fn with_rights<T>(
        &self,
        hub: &HubKey,
        id: &str,
        f: impl FnOnce(&mut Rights) -> T,
    ) -> Option<T> {
        let mut s = self.lock();
        s.connections
            .get_mut(id)
            .filter(|e| *e.hub() == *hub)
            .map(|e| f(&mut e.rights))
    }

    /// Closes every connection with 1001, and every one that registers from now on.
    pub fn close_all_for_shutdown(&self) {
        let mut s = self.lock();
        s.closing = true;
        for e in s.connections.values() {
            let _ = e.tx().send(Outgoing::Close(1001, SHUTDOWN_REASON.into()));
        }
    }

    /// How many connections are live.
    pub fn len(&self) -> usize {
        self.lock().connections.len()
    }

    /// Whether no connection is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which way a call changes group memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Join,
    Leave,
}

/// Which connections a REST call is about.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Group(&'a str),
    User(&'a str),
    Connection(&'a str),
}

#[cfg(test)]
mod tests;
