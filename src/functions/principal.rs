//! `ClientPrincipal`: the signed-in user, from the `x-ms-client-principal` header that
//! Static Web Apps sets (base64 of JSON). The only source of identity over HTTP.

use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde::Deserialize;

use crate::chat::model::{Provider, UserId};
use crate::chat::name::DisplayName;

/// The header Static Web Apps puts the principal in.
pub const HEADER: &str = "x-ms-client-principal";

/// Why a principal header was not accepted (each is a 401).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrincipalError {
    #[error("the x-ms-client-principal header is missing; sign in first")]
    Missing,
    #[error("the x-ms-client-principal header is not base64")]
    NotBase64,
    #[error("the x-ms-client-principal header is not a client principal JSON object")]
    NotJson,
    #[error("the client principal has no valid userId")]
    BadUserId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    identity_provider: String,
    user_id: String,
    #[serde(default)]
    user_details: String,
    #[serde(default)]
    user_roles: Vec<String>,
}

/// A signed-in user as Static Web Apps describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPrincipal {
    pub user_id: UserId,
    pub name: DisplayName,
    pub provider: Provider,
    pub roles: Vec<String>,
}

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);

/// Standard or URL-safe base64, padded or not: every form a principal arrives in (the
/// header from Static Web Apps, the SWA CLI's cookie).
pub fn decode_base64(value: &str) -> Option<Vec<u8>> {
    GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT)
        .decode(value)
        .or_else(|_| GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT).decode(value))
        .ok()
}

impl ClientPrincipal {
    /// Parses the header value: standard or URL-safe base64, padded or not.
    pub fn parse(header: Option<&str>) -> Result<Self, PrincipalError> {
        let value = header
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(PrincipalError::Missing)?;
        let bytes = decode_base64(value).ok_or(PrincipalError::NotBase64)?;
        let raw: Raw = serde_json::from_slice(&bytes).map_err(|_| PrincipalError::NotJson)?;
        let user_id = UserId::parse(raw.user_id.trim()).map_err(|_| PrincipalError::BadUserId)?;
        Ok(Self {
            name: DisplayName::from_user_details(&raw.user_details, &user_id),
            provider: Provider::new(&raw.identity_provider),
            user_id,
            roles: raw.user_roles,
        })
    }

    /// The header value for a principal (tests and the dev server's auth emulation).
    pub fn encode(provider: &str, user_id: &str, user_details: &str, roles: &[&str]) -> String {
        let json = serde_json::json!({
            "identityProvider": provider,
            "userId": user_id,
            "userDetails": user_details,
            "userRoles": roles,
        });
        STANDARD.encode(json.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE;

    #[test]
    fn a_valid_principal_parses() {
        let header =
            ClientPrincipal::encode("github", "abc123", "alice", &["anonymous", "authenticated"]);
        let p = ClientPrincipal::parse(Some(&header)).expect("valid");
        assert_eq!(p.user_id.as_str(), "abc123");
        assert_eq!(p.name.as_str(), "alice");
        assert_eq!(p.provider.as_str(), "github");
        assert_eq!(p.roles, vec!["anonymous", "authenticated"]);
    }

    #[test]
    fn an_aad_email_shows_without_its_domain() {
        let header = ClientPrincipal::encode("aad", "id1", "bob@contoso.com", &[]);
        assert_eq!(
            ClientPrincipal::parse(Some(&header))
                .expect("valid")
                .name
                .as_str(),
            "bob"
        );
    }

    #[test]
    fn url_safe_and_unpadded_base64_are_accepted() {
        let json = r#"{"identityProvider":"github","userId":"u?>","userDetails":"x"}"#;
        let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(json);
        assert!(matches!(
            ClientPrincipal::parse(Some(&unpadded)),
            Err(PrincipalError::BadUserId)
        ));
        let json = r#"{"identityProvider":"github","userId":"u1","userDetails":"x~~~"}"#;
        assert!(ClientPrincipal::parse(Some(&URL_SAFE.encode(json))).is_ok());
    }

    #[test]
    fn a_missing_principal_is_refused() {
        assert_eq!(ClientPrincipal::parse(None), Err(PrincipalError::Missing));
        assert_eq!(
            ClientPrincipal::parse(Some("  ")),
            Err(PrincipalError::Missing)
        );
    }

    #[test]
    fn garbled_principals_are_refused() {
        assert_eq!(
            ClientPrincipal::parse(Some("%%%not base64%%%")),
            Err(PrincipalError::NotBase64)
        );
        assert_eq!(
            ClientPrincipal::parse(Some(&STANDARD.encode("not json"))),
            Err(PrincipalError::NotJson)
        );
        assert_eq!(
            ClientPrincipal::parse(Some(&STANDARD.encode("[1,2]"))),
            Err(PrincipalError::NotJson)
        );
        assert_eq!(
            ClientPrincipal::parse(Some(&STANDARD.encode(r#"{"userDetails":"x"}"#))),
            Err(PrincipalError::NotJson)
        );
        assert_eq!(
            ClientPrincipal::parse(Some(&STANDARD.encode(r#"{"userId":""}"#))),
            Err(PrincipalError::BadUserId)
        );
        assert_eq!(
            ClientPrincipal::parse(Some(&STANDARD.encode(r#"{"userId":"a/b"}"#))),
            Err(PrincipalError::BadUserId)
        );
    }
}
