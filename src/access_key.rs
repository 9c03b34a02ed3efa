//! The Web PubSub access key: the one secret every signature and token is made with.

use std::fmt;

/// An access key as written in a connection string. The HMAC key is its UTF-8 bytes,
/// not its base64 decoding (`docs/webpubsub-protocol.md` §1.2). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey(String);

impl AccessKey {
    /// Wraps a key; empty keys and keys containing `;` cannot come from a connection string.
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into();
        if key.is_empty() || key.contains(';') {
            return None;
        }
        Some(Self(key))
    }

    /// The bytes HMAC-SHA256 is keyed with.
    pub fn hmac_key(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The key itself, for writing a connection string that another process reads.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let key = AccessKey::new("super-secret").expect("valid key");
        assert_eq!(format!("{key:?}"), "AccessKey(***)");
    }

    #[test]
    fn empty_keys_and_keys_with_semicolons_are_refused() {
        assert!(AccessKey::new("").is_none());
        assert!(AccessKey::new("a;b").is_none());
    }
}
