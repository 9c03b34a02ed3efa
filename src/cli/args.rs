//! The command line's shape: the subcommands, their flags and the settings their `--help`
//! explains. What each subcommand does is in `cli/mod.rs`.

use clap::{Parser, Subcommand};

use crate::config::hub::HubName;
use crate::emulator::config::{SystemEvents, UrlTemplate, UserEvents};

/// The settings `chatr serve` and `chatr dev` share: the chat's limits, and the log filter.
macro_rules! shared_settings {
    () => {
        "  CHATR_MAX_CONNECTIONS_PER_USER  most connections one user holds at once (default: 20; 0: no limit)
  CHATR_MAX_CHATS_PER_USER      most chats one user is in (default: 1000; 0: no limit)
  CHATR_SWEEP_SECONDS           seconds between sweeps of dead connections and deleted chats (default: 300; 0: none)
  CHATR_MESSAGE_BURST           messages one user sends in a burst, per instance (default: 20; 0: no limit)
  CHATR_MESSAGE_RATE            messages per second one user sends, sustained (default: 5; 0: no limit)
  CHATR_CHAT_CREATE_PER_MINUTE  chats one user opens per minute, per instance (default: 10; 0: no limit)
  CHATR_HISTORY_READS_PER_MINUTE  history pages, markRead and /api/chats per user a minute (default: 120; 0: no limit)
  CHATR_MESSAGE_RETENTION_DAYS  days a message is kept; older ones go in the sweep (default: 0: forever)
  CHATR_DIRECT_RELAY            true: members publish to their groups directly, as the original client
                                does (messages neither kept nor limited; default: false)
  CHATR_HEADER_TIMEOUT_SECS     seconds a client has to send a request's headers (default: 30)
  CHATR_BODY_TIMEOUT_SECS       seconds a client has to send a request's body; then 408 (default: 30)
  CHATR_SHUTDOWN_GRACE_SECS     seconds shutdown waits for open connections (default: 5)
  RUST_LOG                      log filter (default: info)"
    };
}

pub(crate) const SERVE_SETTINGS: &str = concat!(
    "\
Settings (environment variables, read once at start-up):
  WebPubSubConnectionString     required: Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;
                                (optional Port=<n>; keys in any order and case)
  WebPubSubHub                  the hub the chat uses (default: chat)
  TableStorageConnectionString  Azure Table Storage for the chat state; unset: the embedded SQLite store
  CHATR_DATA_DIR                folder of the embedded store (default: .chatr)
  CHATR_EXTRA_CA_CERTS          a PEM file of CA certificates trusted besides the public roots for
                                Web PubSub calls (an HTTPS emulator's own CA; unset: public roots)
  FUNCTIONS_CUSTOMHANDLER_PORT  port on 127.0.0.1, set by the Functions host (default: 7071; 0: any free port)
",
    shared_settings!()
);

/// chatr: a real-time web chat on Azure Web PubSub. One binary: the Azure Functions custom
/// handler, a local Web PubSub emulator and a one-command dev server.
#[derive(Debug, Parser)]
#[command(name = "chatr", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the back end as an Azure Functions custom handler on 127.0.0.1 (the Functions host
    /// starts it with this argument; it also runs on its own for local development).
    #[command(after_help = SERVE_SETTINGS)]
    Serve(ServeArgs),
    /// Run the whole chat locally: the Web PubSub emulator, the handler and the site with
    /// Static Web Apps sign-in, in one process. No cloud account needed.
    #[command(after_help = DEV_SETTINGS)]
    Dev(DevArgs),
    /// Run a local Azure Web PubSub (client endpoint, REST API, event handler upstream) on
    /// 127.0.0.1; Microsoft's SDKs work against it with the connection string it prints.
    Emulator(EmulatorArgs),
}

/// Seconds, as the settings take them (`crate::config::serving::seconds`).
fn secs(value: &str) -> Result<std::time::Duration, String> {
    crate::config::serving::seconds("the flag", value).map_err(|e| e.to_string())
}

/// `chatr serve` flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Once listening, also print one line of JSON on stdout, after the banner, for scripts:
    /// `{"ready":{"handler":"http://127.0.0.1:PORT"}}`.
    #[arg(long)]
    pub ready_json: bool,
}

pub(crate) const DEV_SETTINGS: &str = concat!(
    "\
Settings (environment variables, all optional):
  WebPubSubConnectionString     use this real Azure Web PubSub instead of the emulator (its hub's event
                                handler must reach this machine: see README)
  WebPubSubHub                  the hub (default: chat)
  TableStorageConnectionString  use Azure Table Storage (or Azurite) instead of the embedded store
  CHATR_EXTRA_CA_CERTS          a PEM file of CA certificates trusted besides the public roots for
                                Web PubSub calls (an HTTPS `chatr emulator` as WebPubSubConnectionString)
",
    shared_settings!()
);

/// `chatr dev` flags.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Port of the site (client, /.auth, /api) on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 4280)]
    pub port: u16,
    /// Port of the emulator's client and REST endpoint (0: any free port).
    #[arg(long, default_value_t = crate::emulator::DEFAULT_PORT)]
    pub emulator_port: u16,
    /// Folder of the embedded store, kept across restarts.
    #[arg(long, default_value = crate::config::DEFAULT_DATA_DIR)]
    pub data_dir: std::path::PathBuf,
    /// Folder of the static client.
    #[arg(long, default_value = "client")]
    pub client_dir: std::path::PathBuf,
    /// The Static Web Apps configuration to honour.
    #[arg(long, default_value = "staticwebapp.config.json")]
    pub config: std::path::PathBuf,
    /// The emulator's access key (at least 32 characters). Default: a random key made once
    /// per data folder and kept there (`emulator-access-key`, owner-only), so that nothing
    /// else on the machine can guess it; the connection string shows it.
    #[arg(long, hide_default_value = true)]
    pub access_key: Option<String>,
    /// A host name to answer to besides localhost, 127.0.0.1 and ::1 (repeatable): the site,
    /// the emulator and the handler refuse any other `Host` with 421.
    #[arg(long = "host", value_name = "NAME", value_parser = crate::listener::hosts::host_name)]
    pub hosts: Vec<String>,
    /// Once listening, also print one line of JSON on stdout, after the banner, for scripts:
    /// `{"ready":{"site":URL,"emulator":URL,"handler":URL,"connectionString":CS}}` (no
    /// emulator nor connectionString with a real Web PubSub).
    #[arg(long)]
    pub ready_json: bool,
}

/// `chatr emulator` flags.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = crate::emulator::DEFAULT_PORT)]
    pub port: u16,
    /// HMAC key for tokens, REST calls and webhook signatures (at least 32 characters). The
    /// default is a fixed, public development key, so the connection string is the same every run.
    ///
    /// Checked after parsing, so that a refused key (a pasted connection string, say) is
    /// never echoed in the error.
    #[arg(long, default_value = crate::emulator::DEFAULT_ACCESS_KEY, hide_default_value = true)]
    pub access_key: String,
    /// The hub whose event handler is configured (any case); any other hub works without an
    /// upstream.
    #[arg(long, default_value = "chat")]
    pub hub: HubName,
    /// Event handler URL template; `{hub}` and `{event}` are filled in.
    #[arg(long, default_value = crate::emulator::DEFAULT_EVENT_HANDLER)]
    pub event_handler: UrlTemplate,
    /// User events sent upstream: `*`, or a comma-separated list of names.
    #[arg(long, default_value = "*")]
    pub user_events: UserEvents,
    /// System events sent upstream: any of connect, connected, disconnected (comma-separated).
    #[arg(long, default_value = "connect,connected,disconnected")]
    pub system_events: SystemEvents,
    /// Seconds between the WebSocket pings the service sends (the hub's keep-alive interval).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub keep_alive_secs: u64,
    /// Seconds of silence (no frame, no pong) after which a connection is dropped; also the
    /// longest a write may wait on a client that does not read.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_secs: u64,
    /// Seconds a dropped reliable connection is kept for its client to recover.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub reconnect_window_secs: u64,
    /// Frames one connection's outgoing queue holds; past it (a client that does not read)
    /// the connection is dropped: closed with 1008 and why if its socket still takes a frame,
    /// cut otherwise.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_queued_frames: u64,
    /// The web pages that may open a WebSocket: `*` (any), or origins like
    /// http://localhost:4280, comma-separated; an upgrade from another page's `Origin` gets 403
    /// (clients that send no `Origin`, SDKs and servers, are never refused).
    #[arg(long, default_value = "*")]
    pub allowed_origins: crate::emulator::origins::AllowedOrigins,
    /// Serve the client endpoint and the REST API over HTTPS (and WSS) with this PEM certificate
    /// chain (leaf first); needs --key. Clients must trust it: `NODE_EXTRA_CA_CERTS` for
    /// Node, `CHATR_EXTRA_CA_CERTS` for `chatr serve`.
    #[arg(long, requires = "key", value_name = "PEM")]
    pub cert: Option<std::path::PathBuf>,
    /// The private key of --cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "cert", value_name = "PEM")]
    pub key: Option<std::path::PathBuf>,
    /// Seconds a client has to send a request's headers (the WebSocket handshake's too); then
    /// its connection is closed. Fractions allowed.
    #[arg(long, default_value = "30", value_parser = secs, value_name = "SECONDS")]
    pub header_timeout_secs: std::time::Duration,
    /// Seconds a client has to send a REST request's body; then 408.
    #[arg(long, default_value = "30", value_parser = secs, value_name = "SECONDS")]
    pub body_timeout_secs: std::time::Duration,
    /// Seconds shutdown waits for the sockets to close (and `disconnected` events to go
    /// upstream) before it cuts what is left.
    #[arg(long, default_value = "5", value_parser = secs, value_name = "SECONDS")]
    pub shutdown_grace_secs: std::time::Duration,
    /// Bytes one connection's outgoing queue holds (the same; one frame always fits).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_queued_bytes: u64,
    /// Once listening, also print one line of JSON on stdout, after the banner, for scripts:
    /// `{"ready":{"emulator":"http://127.0.0.1:PORT","connectionString":"Endpoint=…"}}`.
    #[arg(long)]
    pub ready_json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_takes_ready_json() {
        for name in ["serve", "emulator", "dev"] {
            let help = Cli::command()
                .find_subcommand_mut(name)
                .expect("the subcommand exists")
                .render_long_help()
                .to_string();
            assert!(help.contains("--ready-json"), "{name} --help");
        }
    }

    #[test]
    fn serve_help_explains_every_setting() {
        let help = Cli::command()
            .find_subcommand_mut("serve")
            .expect("serve exists")
            .render_long_help()
            .to_string();
        for (name, _) in crate::config::HANDLER_SETTINGS {
            assert!(
                help.contains(name),
                "{name} missing from `chatr serve --help`"
            );
        }
    }
}
