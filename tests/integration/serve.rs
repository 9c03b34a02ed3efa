//! `chatr serve` as the Functions host runs it: the real binary, settings from the
//! environment, port 0, signals, a restart and a kill in the middle of writes.

use std::process::Stdio;
use std::time::Duration;

use chatr::chat::model::ConnectionId;
use chatr::store::embedded::EmbeddedStore;
use chatr::store::Store;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::recording_pubsub::RecordingPubSub;
use crate::support::spawn::{Event, KEY};

fn chatr() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chatr"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Starts `chatr serve` on port 0 and reads the address from its banner.
async fn start_serve(pubsub: &RecordingPubSub, data_dir: &std::path::Path) -> (Child, String) {
    let mut child = chatr()
        .arg("serve")
        .env(
            "WebPubSubConnectionString",
            format!(
                "Endpoint=http://127.0.0.1;Port={};AccessKey={KEY};Version=1.0;",
                pubsub.addr.port()
            ),
        )
        .env("CHATR_DATA_DIR", data_dir)
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0")
        .spawn()
        .expect("spawn chatr serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("banner in time")
        .expect("read")
        .expect("a banner line");
    let url = line
        .strip_prefix("chatr serve: listening on ")
        .expect("banner")
        .to_string();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    event: Event,
) -> reqwest::Result<reqwest::Response> {
    event.request(http, base).send().await
}

#[tokio::test]
async fn serve_without_a_connection_string_stops_and_names_the_setting() {
    let output = chatr().arg("serve").output().await.expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("WebPubSubConnectionString is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_with_a_malformed_setting_stops_and_names_it() {
    let output = chatr()
        .arg("serve")
        .env(
            "WebPubSubConnectionString",
            "Endpoint=https://x.webpubsub.azure.com;AccessKey=k",
        )
        .env("WebPubSubHub", "not a hub")
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("WebPubSubHub is malformed"));
    let output = chatr()
        .arg("serve")
        .env("WebPubSubConnectionString", "AccessKey=k")
        .output()
        .await
        .expect("run");
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("WebPubSubConnectionString is malformed: it has no Endpoint"));
}

#[tokio::test]
async fn help_lists_every_subcommand_and_setting() {
    let output = chatr().arg("--help").output().await.expect("run");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("serve"));
    let output = chatr()
        .args(["serve", "--help"])
        .output()
        .await
        .expect("run");
    let help = String::from_utf8_lossy(&output.stdout);
    for (name, _) in chatr::config::HANDLER_SETTINGS {
        assert!(help.contains(name), "{name} not in serve --help");
    }
}

#[tokio::test]
async fn serve_listens_on_the_given_port_and_stops_on_sigterm() {
    let pubsub = RecordingPubSub::start(KEY).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, url) = start_serve(&pubsub, dir.path()).await;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let status = reqwest::get(format!("{url}/api/users"))
        .await
        .expect("GET")
        .status();
    assert_eq!(status, 401);
    let pid = child.id().expect("pid").to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits")
        .expect("status");
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill_in_the_middle_of_writes() {
    let pubsub = RecordingPubSub::start(KEY).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, url) = start_serve(&pubsub, dir.path()).await;
    let http = reqwest::Client::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, url, tx) = (http.clone(), url.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let connection = format!("w{w}-c{i}");
                match post(
                    &http,
                    &url,
                    Event::system("connected", &connection, &format!("user{w}")),
                )
                .await
                {
                    Ok(r) if r.status() == 204 => {
                        let _ = tx.send(connection);
                    }
                    _ => return, // the server is gone
                }
            }
        }));
    }
    drop(tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 200 {
        acknowledged.push(rx.recv().await.expect("acknowledgements"));
    }
    child.kill().await.expect("SIGKILL");
    for w in writers {
        w.await.expect("writer");
    }
    while let Ok(c) = rx.try_recv() {
        acknowledged.push(c);
    }

    let store = EmbeddedStore::open(dir.path()).expect("the store opens after a kill");
    for connection in &acknowledged {
        let id = ConnectionId::parse(connection.as_str()).expect("id");
        assert!(
            store.get_binding(&id).await.expect("read").is_some(),
            "{connection} was acknowledged but lost"
        );
    }
    let users = store.list_users().await.expect("users parse");
    let kept: usize = users.iter().map(|u| u.connections.len()).sum();
    assert!(
        kept >= acknowledged.len(),
        "user rows hold every acknowledged connection"
    );

    // And the restarted handler serves the same state.
    let (_child, url) = start_serve(&pubsub, dir.path()).await;
    let principal = chatr::functions::principal::ClientPrincipal::encode("github", "v", "v", &[]);
    let status = http
        .get(format!("{url}/api/users"))
        .header("x-ms-client-principal", principal)
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn serve_uses_table_storage_when_its_connection_string_is_set() {
    let azurite = crate::support::azurite::Azurite::start().await;
    let pubsub = RecordingPubSub::start(KEY).await;
    let mut child = chatr()
        .arg("serve")
        .env(
            "WebPubSubConnectionString",
            format!(
                "Endpoint=http://127.0.0.1;Port={};AccessKey={KEY};Version=1.0;",
                pubsub.addr.port()
            ),
        )
        .env("TableStorageConnectionString", azurite.connection_string())
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0")
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut banner = String::new();
    for _ in 0..3 {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("in time")
            .expect("read")
            .expect("line");
        banner.push_str(&line);
        banner.push('\n');
    }
    assert!(
        banner.contains(&format!(
            "Azure Table Storage at http://127.0.0.1:{}/devstoreaccount1",
            azurite.port
        )),
        "{banner}"
    );
}

#[tokio::test]
async fn serve_with_a_malformed_table_connection_string_stops_and_names_it() {
    let output = chatr()
        .arg("serve")
        .env(
            "WebPubSubConnectionString",
            "Endpoint=https://x.webpubsub.azure.com;AccessKey=k",
        )
        .env("TableStorageConnectionString", "AccountName=acct")
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TableStorageConnectionString is malformed: it has no AccountKey"),
        "{stderr}"
    );
    assert!(
        stderr.contains("UseDevelopmentStorage=true"),
        "the expected form is shown: {stderr}"
    );
}

#[tokio::test]
async fn dev_prints_its_url_serves_the_site_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = chatr()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["dev", "--port", "0", "--emulator-port", "0", "--data-dir"])
        .arg(dir.path())
        .spawn()
        .expect("spawn chatr dev");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("banner in time")
        .expect("read")
        .expect("line");
    let url = first
        .strip_prefix("chatr dev: open ")
        .expect("the URL to open")
        .to_string();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let login = reqwest::get(format!("{url}/login.html"))
        .await
        .expect("GET");
    assert_eq!(login.status(), 200);
    let pid = child.id().expect("pid").to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill")
        .success());
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits")
        .expect("status");
    assert!(exit.success(), "{exit:?}");
}
