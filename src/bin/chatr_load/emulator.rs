//! The emulator under test: a `chatr emulator --port 0` child (killed when dropped) or one
//! already running; what it costs, read from `/proc/<pid>/status` and `/proc/<pid>/stat`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use chatr::access_key::AccessKey;
use chatr::config::connection_string::WebPubSubConnectionString;

/// How long a starting emulator has to print its ready line.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 on every Linux
/// x86-64 and arm64 build).
const CLOCK_TICKS: f64 = 100.0;

/// Where the emulator listens and the key its tokens are signed with.
#[derive(Debug, Clone)]
pub struct Target {
    pub port: u16,
    pub key: AccessKey,
}

/// The emulator under test.
pub struct Emulator {
    pub target: Target,
    pid: Option<u32>,
    child: Option<Child>,
    /// Kept open so that the child never writes to a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
}

pub fn target_of(connection_string: &str) -> anyhow::Result<Target> {
    let cs = WebPubSubConnectionString::parse(connection_string)
        .map_err(|e| anyhow!("the connection string is not valid: {e}"))?;
    let port = url::Url::parse(&cs.endpoint())?
        .port_or_known_default()
        .context("the endpoint has no port")?;
    Ok(Target {
        port,
        key: cs.access_key().clone(),
    })
}

/// The connection string of `chatr emulator --ready-json`'s ready line
/// (`{"ready":{"emulator":…,"connectionString":…}}`); `None` for any other line.
fn ready_connection_string(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(value["ready"]["connectionString"].as_str()?.to_string())
}

/// Reads a child's stdout until `pick` finds its ready line (for at most
/// [`START_TIMEOUT`]); returns what it found and the stdout, to be kept open so that the
/// child never writes to a closed pipe. `None` when the child printed no such line in time.
pub fn read_ready<T: Send + 'static>(
    child: &mut Child,
    pick: fn(&str) -> Option<T>,
) -> Option<(T, BufReader<ChildStdout>)> {
    let stdout = child.stdout.take()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(_) => {
                    if let Some(found) = pick(&line) {
                        let _ = tx.send(Some((found, reader)));
                        return;
                    }
                }
            }
        }
    });
    rx.recv_timeout(START_TIMEOUT).ok().flatten()
}

impl Emulator {
    /// Starts `chatr emulator --port 0 --ready-json ARGS` and waits for its ready line. Its
    /// logs go to this process's stderr, at its own default level (`RUST_LOG` is passed on).
    pub fn spawn(chatr: &Path, args: &[String]) -> anyhow::Result<Self> {
        let mut child = Command::new(chatr)
            .args(["emulator", "--port", "0", "--ready-json"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {} (build it with `cargo build --release`, or pass --chatr)",
                    chatr.display()
                )
            })?;
        let Some((cs, reader)) = read_ready(&mut child, ready_connection_string) else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the emulator did not print its ready line");
        };
        Ok(Self {
            target: target_of(&cs)?,
            pid: Some(child.id()),
            child: Some(child),
            _stdout: Some(reader),
        })
    }

    /// An emulator started separately; `pid` (optional) for its memory and CPU.
    pub fn attach(connection_string: &str, pid: Option<u32>) -> anyhow::Result<Self> {
        Ok(Self {
            target: target_of(connection_string)?,
            pid,
            child: None,
            _stdout: None,
        })
    }

    /// Its resident memory in KiB (`VmRSS`), when its process id is known.
    pub fn rss_kib(&self) -> Option<u64> {
        rss_kib(&format!("/proc/{}/status", self.pid?))
    }

    /// Its CPU time so far (user + system), when its process id is known.
    pub fn cpu_secs(&self) -> Option<f64> {
        cpu_secs(&format!("/proc/{}/stat", self.pid?))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `VmRSS` of a `/proc/<pid>/status` file, in KiB.
pub fn rss_kib(status_path: &str) -> Option<u64> {
    status_kib(status_path, "VmRSS:")
}

/// `VmHWM` (the peak resident memory so far) of a `/proc/<pid>/status` file, in KiB.
pub fn peak_rss_kib(status_path: &str) -> Option<u64> {
    status_kib(status_path, "VmHWM:")
}

/// A `field:` of a `/proc/<pid>/status` file given in kB.
fn status_kib(status_path: &str, field: &str) -> Option<u64> {
    field_kib(&std::fs::read_to_string(status_path).ok()?, field)
}

/// A `field:` given in kB in the text of a `/proc/<pid>/status` file.
fn field_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// User + system CPU seconds of a `/proc/<pid>/stat` file.
pub fn cpu_secs(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the `(comm)`: state is the first, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / CLOCK_TICKS)
}

/// The machine's one-minute load average (`/proc/loadavg`): other work skews the figures.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_string)
}

/// This process's own CPU seconds.
pub fn own_cpu_secs() -> Option<f64> {
    cpu_secs("/proc/self/stat")
}

/// This process's own resident memory in KiB.
pub fn own_rss_kib() -> Option<u64> {
    rss_kib("/proc/self/status")
}

/// Raises this process's soft descriptor limit as far as its hard limit allows (a child
/// started afterwards inherits it) and checks that `needed` descriptors fit.
pub fn ensure_descriptors(needed: u64) -> anyhow::Result<u64> {
    let soft = rlimit::increase_nofile_limit(u64::MAX).context("cannot read RLIMIT_NOFILE")?;
    if soft < needed {
        bail!(
            "{needed} descriptors are needed but the limit is {soft}: raise it (`ulimit -n {}`) \
             or ask for fewer connections",
            needed.next_power_of_two()
        );
    }
    Ok(soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_fields_are_read_in_kib_by_their_exact_name() {
        let status = "Name:\tchatr\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(field_kib(status, "VmRSS:"), Some(10240));
        assert_eq!(field_kib(status, "VmHWM:"), Some(20480));
        assert_eq!(field_kib(status, "VmSwap:"), None);
    }

    #[test]
    fn the_connection_string_is_read_from_the_ready_line_and_nowhere_else() {
        let cs = "Endpoint=http://localhost:4000;Port=4000;AccessKey=k;Version=1.0;";
        let ready = format!(
            "{{\"ready\":{{\"connectionString\":\"{cs}\",\"emulator\":\"http://127.0.0.1:4000\"}}}}\n"
        );
        assert_eq!(ready_connection_string(&ready).as_deref(), Some(cs));
        for other in [
            "chatr emulator: listening on http://127.0.0.1:4000\n",
            &format!("  connection string: {cs}\n"),
            "{\"ready\":{\"handler\":\"http://127.0.0.1:4000\"}}\n",
        ] {
            assert_eq!(ready_connection_string(other), None, "{other}");
        }
    }
}
