//! HS256 JSON Web Tokens: client access tokens and the server tokens of the REST API.
//!
//! Hand-written (HMAC-SHA256 over `base64url(header).base64url(claims)`) because only HS256 is
//! ever needed; the known-answer tests below come from RFC 7515 and jwt.io so that signing and
//! verifying cannot share a bug.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::access_key::AccessKey;

type HmacSha256 = Hmac<Sha256>;

/// How long a token lives when nobody says otherwise (the SDKs' default).
pub const DEFAULT_LIFETIME_SECS: u64 = 60 * 60;

/// Why a token was not accepted. Every variant is a failed check (401), never a fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is not three base64url parts")]
    Malformed,
    #[error("the token header is not an HS256 JWT header")]
    UnsupportedAlgorithm,
    #[error("the token signature does not match")]
    BadSignature,
    #[error("the token claims are not valid JSON")]
    BadClaims,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token has no expiry")]
    MissingExpiry,
}

/// The claims chatr reads and writes. Unknown claims are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Claims {
    /// The audience: a client hub URL or, for the REST API, the full request URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub aud: String,
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issued at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Expiry, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// Web PubSub roles; a JSON array (a single string is accepted when reading).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub role: Vec<String>,
    /// Groups joined at connect time.
    #[serde(
        default,
        rename = "webpubsub.group",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub groups: Vec<String>,
    /// Any other claim, kept as it came.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl Claims {
    /// Claims for `aud`, valid from `now` for `lifetime_secs`.
    pub fn new(aud: impl Into<String>, now: u64, lifetime_secs: u64) -> Self {
        Self {
            aud: aud.into(),
            iat: Some(now),
            exp: Some(now.saturating_add(lifetime_secs)),
            ..Self::default()
        }
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Signs `claims` with `key` and returns the compact JWT.
pub fn encode(claims: &Claims, key: &AccessKey) -> String {
    #[expect(
        clippy::expect_used,
        reason = "claims of strings and numbers always serialise to JSON"
    )]
    let payload = serde_json::to_vec(claims).expect("JSON claims");
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = sign_input(key.hmac_key(), &input);
    format!("{input}.{signature}")
}

/// The base64url HMAC-SHA256 of a JWS signing input.
fn sign_input(key: &[u8], input: &str) -> String {
    let mut mac = mac_for(key);
    mac.update(input.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn mac_for(key: &[u8]) -> HmacSha256 {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
    let mac =
        <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC-SHA256 takes a key of any length");
    mac
}

/// Verifies an HS256 token against `key` at time `now` (seconds) with `leeway_secs` of clock
/// skew, and returns its claims. The audience is the caller's to check.
pub fn decode(
    token: &str,
    key: &AccessKey,
    now: u64,
    leeway_secs: u64,
) -> Result<Claims, TokenError> {
    let claims = verify_signature(token, key.hmac_key())?;
    match claims.exp {
        None => return Err(TokenError::MissingExpiry),
        Some(exp) if exp.saturating_add(leeway_secs) <= now => return Err(TokenError::Expired),
        Some(_) => {}
    }
    if let Some(nbf) = claims.nbf {
        if nbf > now.saturating_add(leeway_secs) {
            return Err(TokenError::NotYetValid);
        }
    }
    Ok(claims)
}

fn verify_signature(token: &str, key: &[u8]) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| TokenError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let input_len = token.len() - signature_len(token);
    let mut mac = mac_for(key);
    mac.update(&token.as_bytes()[..input_len]);
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&payload).map_err(|_| TokenError::BadClaims)
}

/// Length of the `.signature` suffix of a three-part token.
fn signature_len(token: &str) -> usize {
    token.rfind('.').map_or(0, |i| token.len() - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> AccessKey {
        AccessKey::new(k).expect("valid key")
    }

    #[test]
    fn rfc7515_appendix_a1_signature_is_reproduced() {
        // RFC 7515 A.1: the JWK "k" value, base64url-decoded, signs this exact input.
        let k = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .expect("RFC key decodes");
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        assert_eq!(
            sign_input(&k, input),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn jwt_io_example_token_verifies_with_its_utf8_key() {
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let claims =
            verify_signature(token, b"your-256-bit-secret").expect("jwt.io example verifies");
        assert_eq!(claims.sub.as_deref(), Some("1234567890"));
        assert_eq!(claims.iat, Some(1_516_239_022));
    }

    #[test]
    fn an_encoded_token_decodes_to_the_same_claims() {
        let mut claims = Claims::new("http://localhost:8080/client/hubs/chat", 1000, 3600);
        claims.sub = Some("alice".into());
        claims.role = vec!["webpubsub.joinLeaveGroup".into()];
        claims.groups = vec!["g1".into()];
        let token = encode(&claims, &key("k1"));
        assert_eq!(decode(&token, &key("k1"), 1001, 0), Ok(claims));
    }

    #[test]
    fn role_and_group_claims_are_json_arrays() {
        let mut claims = Claims::new("aud", 0, 1);
        claims.role = vec!["r".into()];
        claims.groups = vec!["g".into()];
        let json = serde_json::to_value(&claims).expect("serialises");
        assert_eq!(json["role"], serde_json::json!(["r"]));
        assert_eq!(json["webpubsub.group"], serde_json::json!(["g"]));
    }

    #[test]
    fn a_single_string_role_claim_is_read_as_one_role() {
        let claims: Claims =
            serde_json::from_str(r#"{"aud":"a","exp":5,"role":"webpubsub.sendToGroup"}"#)
                .expect("parses");
        assert_eq!(claims.role, vec!["webpubsub.sendToGroup".to_string()]);
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let token = encode(&Claims::new("a", 0, 100), &key("right"));
        assert_eq!(
            decode(&token, &key("wrong"), 1, 0),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = encode(&Claims::new("a", 0, 100), &key("k"));
        assert_eq!(decode(&token, &key("k"), 100, 0), Err(TokenError::Expired));
        assert!(
            decode(&token, &key("k"), 100, 300).is_ok(),
            "leeway allows clock skew"
        );
    }

    #[test]
    fn a_token_used_before_nbf_is_refused() {
        let mut claims = Claims::new("a", 0, 1000);
        claims.nbf = Some(500);
        let token = encode(&claims, &key("k"));
        assert_eq!(
            decode(&token, &key("k"), 10, 0),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn a_token_without_expiry_is_refused() {
        let claims = Claims {
            aud: "a".into(),
            ..Claims::default()
        };
        let token = encode(&claims, &key("k"));
        assert_eq!(
            decode(&token, &key("k"), 0, 0),
            Err(TokenError::MissingExpiry)
        );
    }

    #[test]
    fn garbage_tokens_are_malformed_not_panics() {
        for bad in [
            "",
            "a",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            "eyJhbGciOiJIUzI1NiJ9..",
            "....",
        ] {
            assert!(decode(bad, &key("k"), 0, 0).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_token_with_alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":99999999999}"#);
        let token = format!("{header}.{payload}.");
        assert_eq!(
            decode(&token, &key("k"), 0, 0),
            Err(TokenError::UnsupportedAlgorithm)
        );
    }
}
