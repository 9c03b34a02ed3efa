//! Token checks: client access tokens at the WebSocket handshake, server tokens on REST calls.
//! Audiences are compared the way the service tolerates them: scheme, host and a trailing `/`
//! do not matter, the port and path do (case-insensitive), and for REST the query too.

use url::Url;

use crate::access_key::AccessKey;
use crate::emulator::hub_key::HubKey;
use crate::token::{self, Claims, TokenError};

/// Clock skew allowed on `exp` and `nbf` (the service allows five minutes).
pub const LEEWAY_SECS: u64 = 300;

/// Why a token was refused (always a 401).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no access token")]
    Missing,
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("the token's audience does not match")]
    Audience,
}

fn port_and_path(url: &str) -> Option<(u16, String, String)> {
    let u = Url::parse(url).ok()?;
    let port = u.port_or_known_default()?;
    let path = percent_encoding::percent_decode_str(u.path().trim_end_matches('/'))
        .decode_utf8()
        .ok()?
        .to_ascii_lowercase();
    let mut query: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let query = query
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    Some((port, path, query))
}

/// Checks a client token for `hub` reached on `port`.
pub fn client_token(
    token: Option<&str>,
    key: &AccessKey,
    hub: &HubKey,
    port: u16,
    now: u64,
) -> Result<Claims, AuthError> {
    let claims = token::decode(token.ok_or(AuthError::Missing)?, key, now, LEEWAY_SECS)?;
    let expected = format!("/client/hubs/{hub}");
    match port_and_path(&claims.aud) {
        Some((p, path, _)) if p == port && path == expected => Ok(claims),
        _ => Err(AuthError::Audience),
    }
}

/// Checks a REST bearer token against the request's own URL (`port`, path and query).
pub fn server_token(
    authorization: Option<&str>,
    key: &AccessKey,
    request_url: &str,
    now: u64,
) -> Result<Claims, AuthError> {
    let token = authorization
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .ok_or(AuthError::Missing)?;
    let claims = token::decode(token.trim(), key, now, LEEWAY_SECS)?;
    match (port_and_path(&claims.aud), port_and_path(request_url)) {
        (Some(a), Some(r)) if a == r => Ok(claims),
        _ => Err(AuthError::Audience),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AccessKey {
        AccessKey::new("k").expect("key")
    }
    fn token(aud: &str, now: u64) -> String {
        token::encode(&Claims::new(aud, now, 3600), &key())
    }

    #[test]
    fn a_client_token_for_this_hub_and_port_is_accepted_whatever_the_host_or_scheme() {
        for aud in [
            "http://localhost:8080/client/hubs/chat",
            "ws://127.0.0.1:8080/client/hubs/Chat/",
            "http://LOCALHOST:8080/client/hubs/CHAT",
        ] {
            assert!(
                client_token(
                    Some(&token(aud, 100)),
                    &key(),
                    &HubKey::new("chat"),
                    8080,
                    100
                )
                .is_ok(),
                "{aud}"
            );
        }
    }

    #[test]
    fn a_client_token_for_another_hub_or_port_is_refused() {
        assert_eq!(
            client_token(
                Some(&token("http://localhost:8080/client/hubs/other", 1)),
                &key(),
                &HubKey::new("chat"),
                8080,
                1
            ),
            Err(AuthError::Audience)
        );
        assert_eq!(
            client_token(
                Some(&token("http://localhost:9090/client/hubs/chat", 1)),
                &key(),
                &HubKey::new("chat"),
                8080,
                1
            ),
            Err(AuthError::Audience)
        );
        assert_eq!(
            client_token(None, &key(), &HubKey::new("chat"), 8080, 1),
            Err(AuthError::Missing)
        );
    }

    #[test]
    fn expired_and_forged_client_tokens_are_refused() {
        let t = token("http://localhost:8080/client/hubs/chat", 0);
        assert_eq!(
            client_token(
                Some(&t),
                &key(),
                &HubKey::new("chat"),
                8080,
                3600 + LEEWAY_SECS
            ),
            Err(AuthError::Token(TokenError::Expired))
        );
        let forged = token::encode(
            &Claims::new("http://localhost:8080/client/hubs/chat", 0, 3600),
            &AccessKey::new("x").expect("key"),
        );
        assert_eq!(
            client_token(Some(&forged), &key(), &HubKey::new("chat"), 8080, 1),
            Err(AuthError::Token(TokenError::BadSignature))
        );
    }

    #[test]
    fn a_server_token_must_name_the_full_request_url() {
        let url = "http://localhost:8080/api/hubs/chat/:send?api-version=2024-01-01";
        let bearer = format!("Bearer {}", token(url, 1));
        assert!(server_token(
            Some(&bearer),
            &key(),
            "http://127.0.0.1:8080/api/hubs/chat/:send?api-version=2024-01-01",
            1
        )
        .is_ok());
        assert_eq!(
            server_token(
                Some(&bearer),
                &key(),
                "http://localhost:8080/api/hubs/chat/:send?api-version=2021-10-01",
                1
            ),
            Err(AuthError::Audience)
        );
        assert_eq!(
            server_token(
                Some(&bearer),
                &key(),
                "http://localhost:8080/api/hubs/other/:send?api-version=2024-01-01",
                1
            ),
            Err(AuthError::Audience)
        );
        assert_eq!(server_token(None, &key(), url, 1), Err(AuthError::Missing));
    }

    #[test]
    fn percent_encoding_and_query_order_do_not_matter() {
        let aud = "http://localhost:8080/api/hubs/chat/users/zo%C3%AB/:send?b=2&api-version=1";
        let bearer = format!("Bearer {}", token(aud, 1));
        assert!(server_token(
            Some(&bearer),
            &key(),
            "http://localhost:8080/api/hubs/chat/users/zoë/:send?api-version=1&b=2",
            1
        )
        .is_ok());
    }
}
