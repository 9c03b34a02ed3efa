//! Route evaluation as Static Web Apps does it, on the repository's own config too.

use super::*;

fn roles(signed_in: bool) -> Vec<String> {
    let mut r = vec!["anonymous".to_string()];
    if signed_in {
        r.push("authenticated".into());
    }
    r
}

#[test]
fn route_patterns_match_like_swa() {
    assert!(route_matches("/api/*", "/api/users"));
    assert!(route_matches("/api/*", "/API/Users"));
    assert!(!route_matches("/calendar/*", "/calendar"));
    assert!(route_matches("/calendar*", "/calendar"));
    assert!(route_matches("/", "/"));
    assert!(route_matches("/login.html", "/login.html"));
    assert!(!route_matches("/login.html", "/login.htmlx"));
    assert!(route_matches("/*.{png,svg}", "/img/logo.svg"));
    assert!(!route_matches("/*.{png,svg}", "/img/logo.js"));
    assert!(route_matches("/images/*.png", "/images/a.png"));
}

#[test]
fn the_first_matching_rule_decides_and_roles_gate_it() {
    let config = SwaConfig::parse(
        r#"{"routes":[
            {"route":"/api/eventHandler","allowedRoles":["anonymous"]},
            {"route":"/api/*","allowedRoles":["authenticated"]},
            {"route":"/old","redirect":"/new","statusCode":301},
            {"route":"/gone","statusCode":404},
            {"route":"/admin","allowedRoles":["administrator"]},
            {"route":"/app","rewrite":"/index.html","headers":{"Cache-Control":"no-store"}}
        ]}"#,
    )
    .expect("parses");
    assert_eq!(
        config.decide("/api/eventHandler", "POST", &roles(false)),
        Decision::Serve {
            path: "/api/eventHandler".into(),
            headers: vec![]
        }
    );
    assert_eq!(
        config.decide("/api/users", "GET", &roles(false)),
        Decision::Status(401)
    );
    assert!(matches!(
        config.decide("/api/users", "GET", &roles(true)),
        Decision::Serve { .. }
    ));
    assert_eq!(
        config.decide("/old", "GET", &roles(false)),
        Decision::Redirect {
            location: "/new".into(),
            status: 301
        }
    );
    assert_eq!(
        config.decide("/gone", "GET", &roles(false)),
        Decision::Status(404)
    );
    assert_eq!(
        config.decide("/admin", "GET", &roles(true)),
        Decision::Status(403)
    );
    assert_eq!(
        config.decide("/app", "GET", &roles(false)),
        Decision::Serve {
            path: "/index.html".into(),
            headers: vec![("Cache-Control".into(), "no-store".into())]
        }
    );
}

#[test]
fn the_navigation_fallback_skips_excluded_paths() {
    let config = SwaConfig::parse(
        r#"{"navigationFallback":{"rewrite":"/index.html","exclude":["/vendor/*","*.{css,js}"]}}"#,
    )
    .expect("parses");
    assert_eq!(config.falls_back("/some/page"), Some("/index.html"));
    assert_eq!(config.falls_back("/vendor/vue.js"), None);
    assert_eq!(config.falls_back("/missing.css"), None);
}

#[test]
fn mime_types_come_from_the_config_first() {
    let config = SwaConfig::parse(r#"{"mimeTypes":{".mjs":"text/javascript"}}"#).expect("parses");
    assert_eq!(config.mime_type("/a.mjs"), "text/javascript");
    assert_eq!(config.mime_type("/a.css"), "text/css; charset=utf-8");
}

#[test]
fn the_repository_config_protects_the_app_and_leaves_the_webhook_open() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/staticwebapp.config.json"
    ))
    .expect("the config exists");
    let config = SwaConfig::parse(&text).expect("parses");
    for path in [
        "/api/getToken",
        "/api/users",
        "/api/chats",
        "/",
        "/index.html",
        "/js/app.js",
    ] {
        assert_eq!(
            config.decide(path, "GET", &roles(false)),
            Decision::Status(401),
            "{path}"
        );
        assert!(
            matches!(
                config.decide(path, "GET", &roles(true)),
                Decision::Serve { .. }
            ),
            "{path}"
        );
    }
    assert!(matches!(
        config.decide("/api/eventHandler", "POST", &roles(false)),
        Decision::Serve { .. }
    ));
    assert!(matches!(
        config.decide("/login.html", "GET", &roles(false)),
        Decision::Serve { .. }
    ));
    let unauthorized = config.override_for(401).expect("a 401 override");
    assert_eq!(unauthorized.redirect.as_deref(), Some("/login.html"));
    let csp = &config.global_headers["Content-Security-Policy"];
    assert!(
        csp.contains("script-src 'self' 'unsafe-eval'"),
        "Vue's template compiler needs eval: {csp}"
    );
    assert!(
        !csp.contains("'unsafe-inline'"),
        "no inline scripts or styles: {csp}"
    );
    assert!(
        csp.contains("ws://localhost:*") && csp.contains("wss://*.webpubsub.azure.com"),
        "{csp}"
    );
}
