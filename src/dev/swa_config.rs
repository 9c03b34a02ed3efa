//! `staticwebapp.config.json`, read and applied as Static Web Apps does: route rules in order
//! (first match wins; `*` only at the end; `*.{a,b}` extension filters), roles, redirects,
//! rewrites, status codes, response overrides, the navigation fallback, global headers and
//! MIME types. The same file ships to Azure, so what `chatr dev` serves is what users get.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One route rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteRule {
    pub route: String,
    #[serde(default)]
    pub methods: Vec<String>,
    pub rewrite: Option<String>,
    pub redirect: Option<String>,
    pub status_code: Option<u16>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub allowed_roles: Vec<String>,
}

/// What to do instead of an error status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Override {
    pub rewrite: Option<String>,
    pub redirect: Option<String>,
    pub status_code: Option<u16>,
}

/// The SPA fallback.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NavigationFallback {
    pub rewrite: String,
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The whole configuration file (the parts `chatr dev` honours).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwaConfig {
    #[serde(default)]
    pub routes: Vec<RouteRule>,
    #[serde(default)]
    pub response_overrides: BTreeMap<String, Override>,
    pub navigation_fallback: Option<NavigationFallback>,
    #[serde(default)]
    pub global_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub mime_types: BTreeMap<String, String>,
}

/// What a request turns into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Serve `path` (the request's own path, or a rewrite), with the rule's extra headers.
    Serve {
        path: String,
        headers: Vec<(String, String)>,
    },
    /// Redirect.
    Redirect { location: String, status: u16 },
    /// Answer a bare status (from a rule's `statusCode`, or 401/403 for roles).
    Status(u16),
}

/// Whether a route pattern matches a path (case-insensitive, as SWA).
pub fn route_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.to_ascii_lowercase(), path.to_ascii_lowercase());
    if let Some((prefix, exts)) = pattern.split_once("*.{") {
        let exts: Vec<&str> = exts
            .trim_end_matches('}')
            .split(',')
            .map(str::trim)
            .collect();
        let ext_ok = path
            .rsplit_once('.')
            .is_some_and(|(_, e)| exts.contains(&e));
        return ext_ok && path.starts_with(prefix);
    }
    if let Some((prefix, ext)) = pattern.split_once("*.") {
        return path.starts_with(prefix) && path.ends_with(&format!(".{ext}"));
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => path == pattern || path == format!("{pattern}/"),
    }
}

impl SwaConfig {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The first rule matching a request.
    pub fn rule_for(&self, path: &str, method: &str) -> Option<&RouteRule> {
        self.routes.iter().find(|r| {
            route_matches(&r.route, path)
                && (r.methods.is_empty()
                    || r.methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
        })
    }

    /// Decides a request from `roles` (always including `anonymous`; `authenticated` when
    /// signed in).
    pub fn decide(&self, path: &str, method: &str, roles: &[String]) -> Decision {
        let Some(rule) = self.rule_for(path, method) else {
            return Decision::Serve {
                path: path.to_string(),
                headers: Vec::new(),
            };
        };
        if !rule.allowed_roles.is_empty() && !rule.allowed_roles.iter().any(|r| roles.contains(r)) {
            let signed_in = roles.iter().any(|r| r == "authenticated");
            return Decision::Status(if signed_in { 403 } else { 401 });
        }
        if let Some(location) = &rule.redirect {
            return Decision::Redirect {
                location: location.clone(),
                status: rule.status_code.unwrap_or(302),
            };
        }
        if let Some(status) = rule.status_code.filter(|_| rule.rewrite.is_none()) {
            return Decision::Status(status);
        }
        Decision::Serve {
            path: rule.rewrite.clone().unwrap_or_else(|| path.to_string()),
            headers: rule
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The override for an error status, if any.
    pub fn override_for(&self, status: u16) -> Option<&Override> {
        self.response_overrides.get(&status.to_string())
    }

    /// Whether a path not found as a file falls back to the navigation fallback.
    pub fn falls_back(&self, path: &str) -> Option<&str> {
        let fallback = self.navigation_fallback.as_ref()?;
        if fallback.exclude.iter().any(|pattern| {
            let pattern = if pattern.starts_with('/') {
                pattern.clone()
            } else {
                format!("/{pattern}")
            };
            route_matches(&pattern, path)
        }) {
            return None;
        }
        Some(&fallback.rewrite)
    }

    /// The content type of a file, from the config's `mimeTypes` first.
    pub fn mime_type(&self, path: &str) -> String {
        let ext = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if let Some(t) = self.mime_types.get(&format!(".{ext}")) {
            return t.clone();
        }
        match ext.as_str() {
            "html" | "htm" => "text/html; charset=utf-8",
            "js" | "mjs" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "json" => "application/json",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            "woff2" => "font/woff2",
            "txt" => "text/plain; charset=utf-8",
            _ => "application/octet-stream",
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests;
