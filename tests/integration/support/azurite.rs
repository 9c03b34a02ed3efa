//! Azurite (npm `azurite@3.35.0`, from the root lockfile) started for a test: Table service
//! only, on a free port of 127.0.0.1, with a fresh folder; stopped when dropped. A missing
//! Azurite fails the test with a message; it never skips.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use chatr::config::table_connection_string::{DEVELOPMENT_ACCOUNT, DEVELOPMENT_KEY};

/// A running Azurite Table service.
pub struct Azurite {
    child: Option<Child>,
    pub port: u16,
    pub folder: tempfile::TempDir,
}

fn main_js() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/azurite/dist/src/table/main.js");
    assert!(
        path.is_file(),
        "Azurite is not installed ({} is missing): run `npm ci` at the repository root (`make test` does)",
        path.display()
    );
    path
}

/// The port a process listens on, read from /proc (Azurite reports port 0 as 0).
fn listening_port(pid: u32) -> Option<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            l.to_str()?
                .strip_prefix("socket:[")?
                .strip_suffix(']')
                .map(str::to_string)
        })
        .collect();
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let listening = f.get(3) == Some(&"0A");
        let ours = f
            .get(9)
            .is_some_and(|inode| inodes.iter().any(|i| i == inode));
        if listening && ours {
            u16::from_str_radix(f.get(1)?.rsplit(':').next()?, 16).ok()
        } else {
            None
        }
    })
}

async fn spawn(port: u16, folder: &Path) -> (Child, u16) {
    let mut child = Command::new("node")
        .arg(main_js())
        .args([
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            &port.to_string(),
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--location",
        ])
        .arg(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("`node` runs Azurite (install Node.js)");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let started = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("successfully") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(started, "Azurite did not start");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let pid = child.id().expect("pid");
    let port = listening_port(pid).expect("Azurite's listening port");
    (child, port)
}

impl Azurite {
    /// Starts Azurite on a free port with a fresh folder.
    pub async fn start() -> Self {
        let folder = tempfile::tempdir().expect("dir");
        let (child, port) = spawn(0, folder.path()).await;
        Self {
            child: Some(child),
            port,
            folder,
        }
    }

    /// The connection string chatr reads.
    pub fn connection_string(&self) -> String {
        format!(
            "AccountName={DEVELOPMENT_ACCOUNT};AccountKey={DEVELOPMENT_KEY};TableEndpoint=http://127.0.0.1:{}/{DEVELOPMENT_ACCOUNT}",
            self.port
        )
    }

    /// A client of one table, as any other writer (or a test reaching behind chatr) would have.
    pub fn table(&self, table: &str) -> azure_data_tables::prelude::TableClient {
        use azure_data_tables::clients::TableServiceClientBuilder;
        use azure_storage::{CloudLocation, StorageCredentials};
        let location = CloudLocation::Custom {
            account: DEVELOPMENT_ACCOUNT.into(),
            uri: format!("http://127.0.0.1:{}/{DEVELOPMENT_ACCOUNT}", self.port),
        };
        let credentials =
            StorageCredentials::access_key(DEVELOPMENT_ACCOUNT, DEVELOPMENT_KEY.to_string());
        TableServiceClientBuilder::with_location(location, credentials)
            .build()
            .table_client(table)
    }

    /// Stops Azurite (SIGTERM, so it saves its folder) and waits for it.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                let _ = Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .await;
            }
            let _ = tokio::time::timeout(Duration::from_secs(20), child.wait()).await;
        }
    }

    /// Starts it again on the same port with the same folder.
    pub async fn restart(&mut self) {
        let (child, port) = spawn(self.port, self.folder.path()).await;
        assert_eq!(port, self.port);
        self.child = Some(child);
    }
}
