//! `chatr serve` under test: a child process on a fresh temporary data directory (the
//! embedded SQLite store), pointed at the REST stand-in, with the per-user connection cap and
//! the sweep off; its memory and CPU time read from `/proc`; stopped with SIGTERM.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use chatr::config::{
    CHATR_CHAT_CREATE_PER_MINUTE, CHATR_DATA_DIR, CHATR_HISTORY_READS_PER_MINUTE,
    CHATR_MAX_CHATS_PER_USER, CHATR_MAX_CONNECTIONS_PER_USER, CHATR_MESSAGE_BURST,
    CHATR_SWEEP_SECONDS, FUNCTIONS_CUSTOMHANDLER_PORT, TABLE_STORAGE_CONNECTION_STRING,
    WEB_PUBSUB_CONNECTION_STRING, WEB_PUBSUB_HUB,
};

use crate::chatr_load::emulator::{cpu_secs, peak_rss_kib, read_ready, rss_kib};

/// The hub of the chat (`WebPubSubHub`); every webhook names it in `ce-hub`.
pub const HUB: &str = "chat";
/// How long a SIGTERM'd handler has to drain and exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How often a stopping handler is checked for having exited.
const STOP_POLL: Duration = Duration::from_millis(20);
/// The log level of the handler unless `RUST_LOG` says otherwise: its `info` line per
/// refused event and per start-up would cost time the figures should not include.
const DEFAULT_LOG: &str = "warn";

/// The handler's address from `chatr serve --ready-json`'s ready line
/// (`{"ready":{"handler":"http://127.0.0.1:PORT"}}`); `None` for any other line.
fn ready_handler(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(value["ready"]["handler"].as_str()?.to_string())
}

/// The emulator's connection string from `chatr dev --ready-json`'s ready line
/// (`{"ready":{"site":…,"emulator":…,"handler":…,"connectionString":…}}`).
fn ready_dev(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    value["ready"]["site"].as_str()?;
    Some(value["ready"]["connectionString"].as_str()?.to_string())
}

/// A fresh, empty directory under the system's temporary directory.
fn fresh_dir() -> anyhow::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("chatr-load-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// How a stopped handler ended.
#[derive(Debug)]
pub struct Stopped {
    /// It exited on SIGTERM within [`STOP_TIMEOUT`] (otherwise it was killed).
    pub graceful: bool,
    pub took: Duration,
}

/// A running `chatr serve`; killed (if still running) and its data directory removed when
/// dropped.
pub struct Serve {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pid: u32,
    child: Option<Child>,
    data_dir: PathBuf,
    /// Kept open so that the child never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Serve {
    /// Starts `chatr serve --ready-json` on a fresh data directory, on any free port, with
    /// `connection_string` (the stand-in's) and no connection cap nor sweep; waits for its
    /// ready line. Its logs go to this process's stderr.
    pub fn spawn(chatr: &Path, connection_string: &str) -> anyhow::Result<Self> {
        let data_dir = fresh_dir()?;
        let mut command = Command::new(chatr);
        command
            .args(["serve", "--ready-json"])
            .env(WEB_PUBSUB_CONNECTION_STRING, connection_string)
            .env(FUNCTIONS_CUSTOMHANDLER_PORT, "0");
        Self::start(command, data_dir, "chatr serve", ready_handler)
    }

    /// Starts `chatr dev --ready-json` (its emulator, handler and site in one process, on any
    /// free ports, the embedded store in a fresh data directory) with the same limits as
    /// [`Serve::spawn`]; `url` is the emulator's connection string.
    pub fn spawn_dev(chatr: &Path) -> anyhow::Result<Self> {
        let data_dir = fresh_dir()?;
        let mut command = Command::new(chatr);
        command
            .args(["dev", "--ready-json", "--port", "0", "--emulator-port", "0"])
            .arg("--data-dir")
            .arg(&data_dir)
            .env_remove(WEB_PUBSUB_CONNECTION_STRING);
        Self::start(command, data_dir, "chatr dev", ready_dev)
    }

    /// Runs `command` with the load runs' limits, its store in `data_dir`, and waits for the
    /// ready line `ready` picks.
    fn start(
        mut command: Command,
        data_dir: PathBuf,
        what: &str,
        ready: fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let log = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_LOG.into());
        let spawned = command
            .env_remove(TABLE_STORAGE_CONNECTION_STRING)
            .env(WEB_PUBSUB_HUB, HUB)
            .env(CHATR_DATA_DIR, &data_dir)
            .env(CHATR_MAX_CONNECTIONS_PER_USER, "0")
            .env(CHATR_MAX_CHATS_PER_USER, "0")
            .env(CHATR_SWEEP_SECONDS, "0")
            .env(CHATR_MESSAGE_BURST, "0")
            .env(CHATR_CHAT_CREATE_PER_MINUTE, "0")
            .env(CHATR_HISTORY_READS_PER_MINUTE, "0")
            .env("RUST_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&data_dir);
                return Err(e).with_context(|| {
                    format!(
                        "cannot start {} (build it with `cargo build --release`, or pass --chatr)",
                        command.get_program().to_string_lossy()
                    )
                });
            }
        };
        let pid = child.id();
        match read_ready(&mut child, ready) {
            Some((url, stdout)) => Ok(Self {
                url,
                pid,
                child: Some(child),
                data_dir,
                _stdout: stdout,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&data_dir);
                bail!("{what} did not print its ready line (its stderr is above)")
            }
        }
    }

    /// Its process id (for `perf record -p`).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Its resident memory now, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        rss_kib(&format!("/proc/{}/status", self.pid))
    }

    /// Its peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(&format!("/proc/{}/status", self.pid))
    }

    /// Its CPU time so far (user + system).
    pub fn cpu_secs(&self) -> Option<f64> {
        cpu_secs(&format!("/proc/{}/stat", self.pid))
    }

    /// Sends SIGTERM (through `kill`, as this crate forbids `unsafe`) and waits for the exit,
    /// for at most [`STOP_TIMEOUT`]; kills it after that.
    pub async fn stop(mut self) -> anyhow::Result<Stopped> {
        let began = Instant::now();
        let Some(mut child) = self.child.take() else {
            bail!("chatr serve was already stopped");
        };
        let signalled = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        let deadline = began + STOP_TIMEOUT;
        while signalled && Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(Stopped {
                    graceful: true,
                    took: began.elapsed(),
                });
            }
            tokio::time::sleep(STOP_POLL).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        Ok(Stopped {
            graceful: false,
            took: began.elapsed(),
        })
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handler_address_is_read_from_the_ready_line_and_nowhere_else() {
        let ready = "{\"ready\":{\"handler\":\"http://127.0.0.1:4000\"}}\n";
        assert_eq!(
            ready_handler(ready).as_deref(),
            Some("http://127.0.0.1:4000")
        );
        for other in [
            "chatr serve: listening on http://127.0.0.1:4000\n",
            "{\"ready\":{\"emulator\":\"http://127.0.0.1:4000\"}}\n",
            "not json\n",
        ] {
            assert_eq!(ready_handler(other), None, "{other}");
        }
    }
}
