//! Static Web Apps authentication, emulated as the SWA CLI does it: `/.auth/login/{provider}`
//! (a small form: user name, optional user id), `/.auth/me`, `/.auth/logout`, and the
//! `StaticWebAppsAuthCookie` cookie (base64 of the client-principal JSON). A cookie made by
//! the SWA CLI works here and one made here works there.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::functions::principal::{decode_base64, ClientPrincipal};

/// The cookie name the SWA CLI uses.
pub const COOKIE: &str = "StaticWebAppsAuthCookie";
/// The providers Static Web Apps offers out of the box.
pub const PROVIDERS: &[&str] = &["github", "aad"];

/// A signed-in user as `/.auth/me` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub identity_provider: String,
    pub user_id: String,
    pub user_details: String,
    #[serde(default)]
    pub user_roles: Vec<String>,
    #[serde(default)]
    pub claims: Vec<serde_json::Value>,
}

impl Principal {
    /// A principal for a name typed into the login form; the id, when not given, is derived
    /// from provider and name so that the same name is the same user next time.
    pub fn new(provider: &str, user_name: &str, user_id: Option<&str>) -> Option<Self> {
        let name = user_name.trim();
        if name.is_empty()
            || name.chars().count() > 64
            || name.chars().any(char::is_control)
            || !PROVIDERS.contains(&provider)
        {
            return None;
        }
        let user_id = match user_id.map(str::trim).filter(|u| !u.is_empty()) {
            Some(id)
                if id.len() <= 128
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                id.to_string()
            }
            Some(_) => return None,
            None => hex::encode(&Sha256::digest(format!("{provider}\n{name}").as_bytes())[..16]),
        };
        Some(Self {
            identity_provider: provider.into(),
            user_id,
            user_details: name.into(),
            user_roles: vec!["anonymous".into(), "authenticated".into()],
            claims: Vec::new(),
        })
    }

    /// The cookie value: base64 of the JSON (what the SWA CLI's `btoa` makes).
    pub fn to_cookie(&self) -> String {
        #[expect(
            clippy::expect_used,
            reason = "a principal of strings always serialises to JSON"
        )]
        let json = serde_json::to_string(self).expect("a JSON principal");
        STANDARD.encode(json)
    }

    /// Reads the cookie from a `Cookie` header; anything that does not parse is no user.
    pub fn from_cookie_header(header: Option<&str>) -> Option<Self> {
        let value = header?
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)?
            .1;
        let value = percent_encoding::percent_decode_str(value.trim_matches('"'))
            .decode_utf8()
            .ok()?;
        let mut p: Principal = serde_json::from_slice(&decode_base64(&value)?).ok()?;
        if p.user_id.trim().is_empty() || p.identity_provider.trim().is_empty() {
            return None;
        }
        for role in ["anonymous", "authenticated"] {
            if !p.user_roles.iter().any(|r| r == role) {
                p.user_roles.push(role.into());
            }
        }
        Some(p)
    }

    /// The `x-ms-client-principal` header the API receives: no claims, as in Azure.
    pub fn to_api_header(&self) -> String {
        let roles: Vec<&str> = self.user_roles.iter().map(String::as_str).collect();
        ClientPrincipal::encode(
            &self.identity_provider,
            &self.user_id,
            &self.user_details,
            &roles,
        )
    }
}

/// A redirect target that stays on this site: a path, never another origin.
pub fn safe_redirect(target: Option<&str>) -> String {
    match target {
        // Browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\t/evil` would
        // leave the site: a path with any of them, or starting `//`, is refused.
        Some(t)
            if t.starts_with('/')
                && !t.starts_with("//")
                && !t
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            t.to_string()
        }
        _ => "/".into(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The login form for a provider.
pub fn login_page(provider: &str, redirect: &str) -> String {
    let label = match provider {
        "aad" => "Microsoft",
        "github" => "GitHub",
        other => other,
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {label} (local)</title>
<link rel="stylesheet" href="/css/auth.css">
</head>
<body>
<main>
<h1>Sign in with {label}</h1>
<p>This is <code>chatr dev</code>'s stand-in for {label}: pick any name. The same name is the same user next time.</p>
<form method="post" action="/.auth/login/{provider}">
<input type="hidden" name="post_login_redirect_uri" value="{redirect}">
<p><label for="userDetails">User name</label><br>
<input id="userDetails" name="userDetails" required maxlength="64" autocomplete="username" autofocus></p>
<p><label for="userId">User id (optional)</label><br>
<input id="userId" name="userId" maxlength="128" pattern="[A-Za-z0-9_\-]*" aria-describedby="userIdHelp">
<br><small id="userIdHelp">Letters, digits, - and _. Leave empty to derive one from the name.</small></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>
</body>
</html>
"#,
        label = escape(label),
        provider = escape(provider),
        redirect = escape(redirect),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_is_the_same_user() {
        let a = Principal::new("github", "alice", None).expect("valid");
        let b = Principal::new("github", " alice ", None).expect("valid");
        assert_eq!(a.user_id, b.user_id);
        assert_ne!(
            a.user_id,
            Principal::new("aad", "alice", None).expect("valid").user_id
        );
        assert_eq!(
            Principal::new("github", "alice", Some("given-id"))
                .expect("valid")
                .user_id,
            "given-id"
        );
    }

    #[test]
    fn bad_logins_are_refused() {
        assert!(Principal::new("github", "  ", None).is_none());
        assert!(Principal::new("twitter", "a", None).is_none());
        assert!(Principal::new("github", "a", Some("bad id!")).is_none());
        assert!(Principal::new("github", &"x".repeat(65), None).is_none());
    }

    #[test]
    fn a_cookie_round_trips_and_an_swa_cli_cookie_is_read() {
        let p = Principal::new("github", "alice", None).expect("valid");
        let header = format!("other=1; {COOKIE}={}", p.to_cookie());
        assert_eq!(Principal::from_cookie_header(Some(&header)), Some(p));
        // What the SWA CLI's login page stores (btoa of its JSON, claims included).
        let cli = STANDARD.encode(r#"{"identityProvider":"aad","userId":"abc","userDetails":"bob","userRoles":["anonymous","authenticated"],"claims":[]}"#);
        let read = Principal::from_cookie_header(Some(&format!("{COOKIE}={cli}"))).expect("read");
        assert_eq!(
            (
                read.identity_provider.as_str(),
                read.user_id.as_str(),
                read.user_details.as_str()
            ),
            ("aad", "abc", "bob")
        );
    }

    #[test]
    fn garbled_cookies_are_no_user() {
        for bad in [
            "",
            "StaticWebAppsAuthCookie=",
            "StaticWebAppsAuthCookie=!!!",
            "StaticWebAppsAuthCookie=e30=",
        ] {
            assert_eq!(Principal::from_cookie_header(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn the_api_header_carries_no_claims() {
        let mut p = Principal::new("github", "alice", None).expect("valid");
        p.claims.push(serde_json::json!({"typ":"x","val":"y"}));
        let json: serde_json::Value =
            serde_json::from_slice(&STANDARD.decode(p.to_api_header()).expect("b64"))
                .expect("json");
        assert!(json.get("claims").is_none());
        assert_eq!(json["userDetails"], "alice");
    }

    #[test]
    fn redirects_never_leave_the_site() {
        assert_eq!(safe_redirect(Some("/chat?x=1")), "/chat?x=1");
        for bad in [
            None,
            Some("https://evil.example"),
            Some("//evil.example"),
            Some("/\\evil"),
            Some("javascript:alert(1)"),
            Some("/\t/evil.example"),
            Some("/\n/evil.example"),
            Some("/a\\b"),
        ] {
            assert_eq!(safe_redirect(bad), "/");
        }
    }

    #[test]
    fn the_login_page_escapes_what_it_echoes_and_labels_its_fields() {
        let page = login_page("github", "/\"><script>");
        assert!(!page.contains("<script>"));
        assert!(
            page.contains(r#"<label for="userDetails">"#) && page.contains(r#"id="userDetails""#)
        );
    }
}
