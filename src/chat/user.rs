//! What the chat keeps about a user: name and provider from their principal, the idle
//! flag, and their live connections with the chats each one is in.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::chat::model::{ChatId, ConnectionId, DisplayName, Provider, UserId};

/// What the chat knows of one live connection of a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionState {
    /// The connection said `userConnected`, so others were told the user is online.
    pub announced: bool,
    /// The chats this connection is in (an index; the chat rows are the truth).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub chats: BTreeSet<ChatId>,
}

/// Everything stored about a user: the name and provider from their principal, the idle
/// flag, and their live connections (none: offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: DisplayName,
    pub provider: Provider,
    pub idle: bool,
    pub connections: BTreeMap<ConnectionId, ConnectionState>,
}

impl User {
    /// A user with no connections.
    pub fn new(id: UserId, name: DisplayName, provider: Provider) -> Self {
        Self {
            id,
            name,
            provider,
            idle: false,
            connections: BTreeMap::new(),
        }
    }

    /// Online means at least one live connection.
    pub fn is_online(&self) -> bool {
        !self.connections.is_empty()
    }

    /// Whether a connection other than `except` has announced the user.
    pub fn announced_elsewhere(&self, except: &ConnectionId) -> bool {
        self.connections
            .iter()
            .any(|(id, state)| id != except && state.announced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_elsewhere_ignores_the_asking_connection() {
        let mut user = User::new(
            UserId::parse("u").expect("valid"),
            DisplayName::parse("U").expect("valid"),
            Provider::new("github"),
        );
        let a = ConnectionId::parse("a").expect("valid");
        let b = ConnectionId::parse("b").expect("valid");
        user.connections.insert(
            a.clone(),
            ConnectionState {
                announced: true,
                ..Default::default()
            },
        );
        user.connections
            .insert(b.clone(), ConnectionState::default());
        assert!(!user.announced_elsewhere(&a));
        assert!(user.announced_elsewhere(&b));
    }
}
