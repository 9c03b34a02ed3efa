//! What the chat keeps about a user: name and provider from their principal, the idle
//! flag, and their live connections (at most the per-user connection cap of them). Which
//! chats they are in is kept in member rows, not here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chat::model::{ConnectionId, DisplayName, Provider, UserId};

/// What the chat knows of one live connection of a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionState {
    /// The connection said `userConnected`.
    pub announced: bool,
}

/// Everything stored about a user: the name and provider from their principal, the idle
/// flag, and their live connections (none: offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: DisplayName,
    pub provider: Provider,
    pub idle: bool,
    /// Everyone was told the user is online (`userOnline` to all) and not yet that they left:
    /// a further arrival is answered to its own connection only, and the last departure says
    /// `userOffline` once.
    #[serde(default)]
    pub online_announced: bool,
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
            online_announced: false,
            connections: BTreeMap::new(),
        }
    }

    /// Online means at least one live connection.
    pub fn is_online(&self) -> bool {
        !self.connections.is_empty()
    }
}
