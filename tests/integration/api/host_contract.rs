//! The Functions host cannot run here, so this reads `host.json` and every `function.json`
//! and proves each declared route and method reaches its handler and nothing else does.

use std::path::Path;

use serde_json::Value;

use crate::support::app::spawn_app;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Declared {
    function: String,
    url: String,
    methods: Vec<String>,
}

/// Every Function folder at the repo root with its public URL and methods.
fn declared_functions() -> Vec<Declared> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let host = read_json(&root.join("host.json"));
    let prefix = host["extensions"]["http"]["routePrefix"]
        .as_str()
        .expect("routePrefix");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).expect("repo root") {
        let dir = entry.expect("entry").path();
        let function_json = dir.join("function.json");
        if !function_json.is_file() {
            continue;
        }
        let name = dir.file_name().expect("name").to_string_lossy().to_string();
        let f = read_json(&function_json);
        let bindings = f["bindings"].as_array().expect("bindings");
        assert_eq!(
            bindings.len(),
            2,
            "{name}: exactly one httpTrigger and one http output"
        );
        let trigger = bindings
            .iter()
            .find(|b| b["type"] == "httpTrigger")
            .expect("httpTrigger");
        assert_eq!(trigger["direction"], "in");
        assert_eq!(
            trigger["authLevel"], "anonymous",
            "{name}: SWA calls carry no function key"
        );
        let output = bindings
            .iter()
            .find(|b| b["type"] == "http")
            .expect("http output");
        assert_eq!(output["direction"], "out");
        let route = trigger["route"].as_str().unwrap_or(&name).to_string();
        let methods = trigger["methods"]
            .as_array()
            .expect("methods")
            .iter()
            .map(|m| m.as_str().expect("method").to_uppercase())
            .collect();
        found.push(Declared {
            function: name,
            url: format!("/{prefix}/{route}"),
            methods,
        });
    }
    found.sort_by(|a, b| a.function.cmp(&b.function));
    found
}

#[test]
fn host_json_declares_the_custom_handler_with_forwarding() {
    let host = read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("host.json"));
    assert_eq!(host["version"], "2.0");
    let description = &host["customHandler"]["description"];
    assert_eq!(description["defaultExecutablePath"], "chatr");
    assert_eq!(description["arguments"], serde_json::json!(["serve"]));
    assert_eq!(host["customHandler"]["enableForwardingHttpRequest"], true);
    assert_eq!(host["extensions"]["http"]["routePrefix"], "api");
    assert!(
        host.get("extensionBundle").is_none(),
        "HTTP-only functions need no extension bundle"
    );
}

#[test]
fn the_route_table_is_exactly_what_the_function_folders_declare() {
    let declared: Vec<(String, String, Vec<String>)> = declared_functions()
        .into_iter()
        .map(|d| (d.function, d.url, d.methods))
        .collect();
    let mut table: Vec<(String, String, Vec<String>)> = chatr::functions::Function::ALL
        .iter()
        .map(|f| {
            (
                f.folder().to_string(),
                format!("/api/{}", f.route()),
                f.methods().iter().map(|m| m.to_string()).collect(),
            )
        })
        .collect();
    table.sort();
    assert_eq!(declared, table);
}

/// A URL for a route template: each `{parameter}` segment filled with a sample value.
fn with_sample_parameters(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "sample-1" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_route_template_of_a_function_json_is_one_the_handler_parses() {
    for d in declared_functions() {
        let route = d.url.trim_start_matches("/api/");
        assert!(
            chatr::functions::route::RouteTemplate::parse(route).is_ok(),
            "{}: route `{route}` uses template syntax the handler does not take",
            d.function
        );
    }
}

const ALL_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

#[tokio::test]
async fn every_declared_route_and_method_reaches_its_handler_and_nothing_else_does() {
    let app = spawn_app().await;
    let declared = declared_functions();
    for d in &declared {
        let url = with_sample_parameters(&d.url);
        // Functions may share a route with different methods: the route takes them all.
        let route_takes = |method: &str| {
            declared
                .iter()
                .filter(|o| o.url.eq_ignore_ascii_case(&d.url))
                .any(|o| o.methods.iter().any(|x| x == method))
        };
        for method in ALL_METHODS {
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let status = app
                .http
                .request(m, app.url(&url))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16();
            if route_takes(method) {
                // Reaching the handler: without credentials each answers its own 4xx, never 404/405.
                assert!(
                    ![404, 405].contains(&status),
                    "{method} {} answered {status}",
                    d.url
                );
            } else {
                assert_eq!(status, 405, "{method} {} is not declared", d.url);
            }
        }
    }
    for path in [
        "/",
        "/api",
        "/api/",
        "/api/getUsers",
        "/api/getChats",
        "/api/users/1",
        "/eventHandler",
        "/api/nope",
    ] {
        let status = app
            .http
            .get(app.url(path))
            .send()
            .await
            .expect("request")
            .status();
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_get_a_json_error_body() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/api/nope"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "notFound");
}
