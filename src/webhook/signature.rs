//! `ce-signature`: `sha256=` + lowercase hex HMAC-SHA256 of the connection id, keyed with the
//! access key's UTF-8 bytes; one entry per service key, comma-separated.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::access_key::AccessKey;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &AccessKey, connection_id: &str) -> HmacSha256 {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key.hmac_key())
        .expect("HMAC-SHA256 takes a key of any length");
    mac.update(connection_id.as_bytes());
    mac
}

/// One `sha256=<hex>` entry for `connection_id` under `key` (what the service sends).
pub fn sign(key: &AccessKey, connection_id: &str) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(key, connection_id).finalize().into_bytes())
    )
}

/// The full header value for several keys (primary first), as the service sends it.
pub fn header_value(keys: &[&AccessKey], connection_id: &str) -> String {
    keys.iter()
        .map(|k| sign(k, connection_id))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether any entry of a `ce-signature` header value matches `connection_id` under `key`.
/// Entries that are not `sha256=<64 hex digits>` never match; comparison is constant-time.
pub fn verify(key: &AccessKey, connection_id: &str, header: &str) -> bool {
    header.split(',').any(|entry| {
        let Some(hex_part) = entry.trim().strip_prefix("sha256=") else {
            return false;
        };
        let Ok(bytes) = hex::decode(hex_part) else {
            return false;
        };
        mac(key, connection_id).verify_slice(&bytes).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> AccessKey {
        AccessKey::new(k).expect("valid key")
    }

    /// RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
    const RFC4231_CASE2: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn signature_matches_the_rfc4231_known_answer() {
        assert_eq!(
            sign(&key("Jefe"), "what do ya want for nothing?"),
            format!("sha256={RFC4231_CASE2}")
        );
    }

    #[test]
    fn the_known_answer_verifies() {
        let header = format!("sha256={RFC4231_CASE2}");
        assert!(verify(
            &key("Jefe"),
            "what do ya want for nothing?",
            &header
        ));
    }

    #[test]
    fn one_matching_entry_among_several_is_enough() {
        let header = format!("sha256={},sha256={RFC4231_CASE2}", "00".repeat(32));
        assert!(verify(
            &key("Jefe"),
            "what do ya want for nothing?",
            &header
        ));
        let header = header_value(&[&key("other"), &key("Jefe")], "conn");
        assert!(verify(&key("Jefe"), "conn", &header));
        assert!(verify(&key("other"), "conn", &header));
    }

    #[test]
    fn a_signature_made_with_another_key_is_refused() {
        let header = sign(&key("wrong"), "conn");
        assert!(!verify(&key("right"), "conn", &header));
    }

    #[test]
    fn a_signature_for_another_connection_is_refused() {
        let header = sign(&key("k"), "conn-a");
        assert!(!verify(&key("k"), "conn-b", &header));
    }

    #[test]
    fn missing_and_malformed_signatures_are_refused() {
        let k = key("Jefe");
        let id = "what do ya want for nothing?";
        for bad in [
            "",
            ",",
            "sha256=",
            "sha256=zz",
            RFC4231_CASE2,                               // no prefix
            &format!("sha1={RFC4231_CASE2}"),            // wrong algorithm
            &format!("sha256={}", &RFC4231_CASE2[..62]), // truncated
            &format!("sha256={RFC4231_CASE2}00"),        // too long
            &format!("xsha256={RFC4231_CASE2}"),         // substring is not a match
        ] {
            assert!(!verify(&k, id, bad), "{bad:?}");
        }
    }

    #[test]
    fn uppercase_hex_is_accepted_as_the_same_bytes() {
        let header = format!("sha256={}", RFC4231_CASE2.to_uppercase());
        assert!(verify(
            &key("Jefe"),
            "what do ya want for nothing?",
            &header
        ));
    }
}
