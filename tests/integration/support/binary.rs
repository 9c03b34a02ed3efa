//! The real `chatr` binary: a command with a clean environment, and a started process read
//! through its `--ready-json` line, never through the banner (which the tests keep, to check
//! what people are told).

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a starting `chatr` may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stopping `chatr` may take to exit.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// `chatr` with only `PATH` and `RUST_LOG=warn` in its environment, output piped, killed
/// when dropped.
pub fn chatr() -> Command {
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

/// A `chatr` that printed its ready line.
pub struct Running {
    pub child: Child,
    /// The `ready` object: `site`, `emulator`, `handler`, `connectionString`.
    pub ready: Value,
    /// The banner: the lines printed before the ready line.
    pub banner: Vec<String>,
}

impl Running {
    /// Spawns `cmd --ready-json` and waits for its ready line.
    pub async fn start(mut cmd: Command) -> Self {
        let mut child = cmd.arg("--ready-json").spawn().expect("spawn chatr");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut banner = Vec::new();
        let ready = tokio::time::timeout(READY_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                match serde_json::from_str::<Value>(&line) {
                    Ok(json) if json.get("ready").is_some() => return Some(json["ready"].clone()),
                    _ => banner.push(line),
                }
            }
            None
        })
        .await
        .expect("the ready line in time");
        let Some(ready) = ready else {
            // stdout ended: the process is exiting, and its cause is on stderr.
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr).await;
            }
            panic!("chatr exited before its ready line; it printed {banner:?} and on stderr:\n{stderr}")
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            ready,
            banner,
        }
    }

    /// An address of the ready line (`handler`, `site`, …).
    pub fn url(&self, part: &str) -> String {
        self.ready[part]
            .as_str()
            .unwrap_or_else(|| panic!("no {part} in {}", self.ready))
            .to_string()
    }

    /// Sends SIGTERM, as the Functions host and Ctrl-C do, and waits for the exit.
    pub async fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().expect("pid").to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill");
        assert!(killed.success());
        tokio::time::timeout(EXIT_TIMEOUT, self.child.wait())
            .await
            .expect("exits in time")
            .expect("exit status")
    }
}
