//! `chatr serve` as the Functions host runs it: the real binary, settings from the
//! environment, port 0, signals, a restart and a kill in the middle of writes.

use chatr::store::embedded::EmbeddedStore;
use chatr::store::Store;
use tokio::process::Command;

use crate::support::app::{connection_string, principal, KEY};
use crate::support::azurite::Azurite;
use crate::support::binary::{chatr, Running};
use crate::support::domain::cid;
use crate::support::recording_pubsub::RecordingPubSub;
use crate::support::webhook::Event;

/// A well-formed connection string of a service that is never called.
const SOME_SERVICE: &str = "Endpoint=https://x.webpubsub.azure.com;AccessKey=k";

/// `chatr serve` on port 0 against the recording stand-in.
fn serve(pubsub: &RecordingPubSub) -> Command {
    let mut cmd = chatr();
    cmd.arg("serve")
        .env("WebPubSubConnectionString", connection_string(pubsub))
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0");
    cmd
}

/// `chatr serve` with these settings, expected to stop at start-up (exit 2): its stderr.
async fn start_up_error(settings: &[(&str, &str)]) -> String {
    let output = chatr()
        .arg("serve")
        .envs(settings.iter().copied())
        .output()
        .await
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    stderr
}

/// `chatr serve` over the embedded store in `data_dir`, started.
async fn start_serve(pubsub: &RecordingPubSub, data_dir: &std::path::Path) -> Running {
    let mut cmd = serve(pubsub);
    cmd.env("CHATR_DATA_DIR", data_dir);
    // Each writer is one user with thousands of connections: no cap here.
    cmd.env("CHATR_MAX_CONNECTIONS_PER_USER", "0");
    Running::start(cmd).await
}

#[tokio::test]
async fn serve_without_a_connection_string_stops_and_names_the_setting() {
    let stderr = start_up_error(&[]).await;
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
    let stderr = start_up_error(&[
        ("WebPubSubConnectionString", SOME_SERVICE),
        ("WebPubSubHub", "not a hub"),
    ])
    .await;
    assert!(stderr.contains("WebPubSubHub is malformed"), "{stderr}");
    let stderr = start_up_error(&[("WebPubSubConnectionString", "AccessKey=k")]).await;
    assert!(
        stderr.contains("WebPubSubConnectionString is malformed: it has no Endpoint"),
        "{stderr}"
    );
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
    let handler = start_serve(&pubsub, dir.path()).await;
    let url = handler.url("handler");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        handler.banner[0],
        format!("chatr serve: listening on {url}"),
        "the banner, for people, says the same"
    );
    let status = reqwest::get(format!("{url}/api/users"))
        .await
        .expect("GET")
        .status();
    assert_eq!(status, 401);
    let exit = handler.terminate().await;
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill_in_the_middle_of_writes() {
    let pubsub = RecordingPubSub::start(KEY).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut handler = start_serve(&pubsub, dir.path()).await;
    let url = handler.url("handler");
    let http = reqwest::Client::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, url, tx) = (http.clone(), url.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let connection = format!("w{w}-c{i}");
                let event = Event::system("connected", &connection, &format!("user{w}"));
                match event.request(&http, &url).send().await {
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
    handler.child.kill().await.expect("SIGKILL");
    for w in writers {
        w.await.expect("writer");
    }
    while let Ok(c) = rx.try_recv() {
        acknowledged.push(c);
    }

    let store = EmbeddedStore::open(dir.path()).expect("the store opens after a kill");
    for connection in &acknowledged {
        assert!(
            store
                .get_binding(&cid(connection))
                .await
                .expect("read")
                .is_some(),
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
    let restarted = start_serve(&pubsub, dir.path()).await;
    let status = http
        .get(format!("{}/api/users", restarted.url("handler")))
        .header("x-ms-client-principal", principal("v", "v"))
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn serve_uses_table_storage_when_its_connection_string_is_set() {
    let azurite = Azurite::start().await;
    let pubsub = RecordingPubSub::start(KEY).await;
    let mut cmd = serve(&pubsub);
    cmd.env("TableStorageConnectionString", azurite.connection_string());
    let banner = Running::start(cmd).await.banner.join("\n");
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
    let stderr = start_up_error(&[
        ("WebPubSubConnectionString", SOME_SERVICE),
        ("TableStorageConnectionString", "AccountName=acct"),
    ])
    .await;
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
    let mut cmd = chatr();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["dev", "--port", "0", "--emulator-port", "0", "--data-dir"])
        .arg(dir.path());
    let dev = Running::start(cmd).await;
    let url = dev.url("site");
    assert_eq!(
        dev.banner[0],
        format!("chatr dev: open {url}"),
        "the URL to open"
    );
    let emulator = dev.url("emulator");
    assert!(
        dev.banner[1].contains(&format!("emulator on {emulator} ")),
        "{:?}",
        dev.banner
    );
    let login = reqwest::get(format!("{url}/login.html"))
        .await
        .expect("GET");
    assert_eq!(login.status(), 200);
    let health = reqwest::Client::new()
        .head(format!("{emulator}/api/health"))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(health.status(), 200, "the emulator listens where it says");
    let exit = dev.terminate().await;
    assert!(exit.success(), "{exit:?}");
}
