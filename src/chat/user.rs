//! What the chat keeps about a user: name and provider from their principal, the idle
//! flag, and their live connections (at most the per-user connection cap of them). Which
//! chats they are in is kept in member rows, not here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chat::model::{ConnectionId, Provider, UserId};
use crate::chat::name::DisplayName;

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

/// Hex digits of a name kept in its search key: its first 128 bytes, lowercased.
pub const KEY_NAME_HEX: usize = 256;
/// Ids longer than this stand in a search key as their SHA-256, so that keys stay well under
/// Table Storage's 1 KiB.
pub const KEY_ID_BYTES: usize = 512;

/// Where a name search finds a user: their name, lowercased, as hex (so that any name makes a
/// key a store accepts, in the order of the name's UTF-8), then `-` and the id. Keys of names
/// starting with a prefix run from `search_prefix(prefix)` up to that followed by `~`.
pub fn search_key(name: &DisplayName, id: &UserId) -> String {
    let id = if id.as_str().len() > KEY_ID_BYTES {
        format!("sha256.{}", hex::encode(Sha256::digest(id.as_str())))
    } else {
        id.as_str().to_string()
    };
    format!("{}-{id}", search_prefix(name.as_str()))
}

/// The start of the keys of names starting with `prefix` (case does not matter; only its
/// first 128 bytes count).
pub fn search_prefix(prefix: &str) -> String {
    let mut hex = hex::encode(prefix.to_lowercase());
    hex.truncate(KEY_NAME_HEX);
    hex
}

/// The first key past those of names starting with `prefix`.
pub fn search_end(prefix: &str) -> String {
    format!("{}~", search_prefix(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, id: &str) -> String {
        search_key(
            &DisplayName::parse(name).expect("name"),
            &UserId::parse(id).expect("id"),
        )
    }

    #[test]
    fn a_name_search_finds_names_that_start_with_it_whatever_the_case() {
        let (from, to) = (search_prefix("Bo"), search_end("bO"));
        for name in ["Bob", "bobby", "BO", "bo jones"] {
            let k = key(name, "u1");
            assert!(from <= k && k < to, "{name} matches");
        }
        for name in ["Abby", "Bcd", "B", "Carol", "Bø"] {
            let k = key(name, "u1");
            assert!(!(from <= k && k < to), "{name} does not");
        }
        let k = key("ØYSTEIN", "u2");
        assert!(
            search_prefix("øy") <= k && k < search_end("Øy"),
            "beyond ASCII too"
        );
    }

    #[test]
    fn a_key_stays_under_a_table_key_whatever_the_name_and_id() {
        let long_name = "\u{130}".repeat(64); // lowercases to three bytes each
        let long_id = "i".repeat(1024);
        let k = key(&long_name, &long_id);
        assert!(
            k.len() <= KEY_NAME_HEX + 1 + "sha256.".len() + 64,
            "{} bytes",
            k.len()
        );
        assert_ne!(k, key(&long_name, &"j".repeat(1024)));
    }

    #[test]
    fn keys_sort_by_name_then_id_and_hold_no_character_a_store_refuses() {
        assert!(key("ann", "z") < key("bob", "a"));
        assert!(key("bob", "a") < key("bob", "b"));
        let k = key("a/b #c?\\d", "u1");
        assert!(!k.contains(['/', '\\', '#', '?']), "{k}");
    }
}
