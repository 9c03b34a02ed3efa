//! The command line: subcommands, their settings, and the only place that binds sockets and
//! prints banners.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::access_key::AccessKey;
use crate::config::{HandlerSettings, StoreSettings};
use crate::emulator::config::{
    parse_access_key, EmulatorConfig, SystemEvents, UrlTemplate, UserEvents,
};
use crate::emulator::hub_key::HubKey;
use crate::functions::App;
use crate::store::embedded::EmbeddedStore;
use crate::store::table::TableStore;
use crate::store::SharedStore;

const SERVE_SETTINGS: &str = "\
Settings (environment variables, read once at start-up):
  WebPubSubConnectionString     required: Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;
                                (optional Port=<n>; keys in any order and case)
  WebPubSubHub                  the hub the chat uses (default: chat)
  TableStorageConnectionString  Azure Table Storage for the chat state; unset: the embedded SQLite store
  CHATR_DATA_DIR                folder of the embedded store (default: .chatr)
  FUNCTIONS_CUSTOMHANDLER_PORT  port on 127.0.0.1, set by the Functions host (default: 7071; 0: any free port)
  RUST_LOG                      log filter (default: info)";

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

/// `chatr serve` flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Once listening, also print one line of JSON on stdout, after the banner, for scripts:
    /// `{"ready":{"handler":"http://127.0.0.1:PORT"}}`.
    #[arg(long)]
    pub ready_json: bool,
}

const DEV_SETTINGS: &str = "\
Settings (environment variables, all optional):
  WebPubSubConnectionString     use this real Azure Web PubSub instead of the emulator (its hub's event
                                handler must reach this machine: see README)
  WebPubSubHub                  the hub (default: chat)
  TableStorageConnectionString  use Azure Table Storage (or Azurite) instead of the embedded store
  RUST_LOG                      log filter (default: info)";

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
    #[arg(long, default_value = crate::emulator::DEFAULT_ACCESS_KEY, hide_default_value = true, value_parser = parse_access_key)]
    pub access_key: AccessKey,
    /// The hub whose event handler is configured (any case); any other hub works without an
    /// upstream.
    #[arg(long, default_value = "chat", value_parser = |s: &str| Ok::<_, std::convert::Infallible>(HubKey::new(s)))]
    pub hub: HubKey,
    /// Event handler URL template; `{hub}` and `{event}` are filled in.
    #[arg(long, default_value = crate::emulator::DEFAULT_EVENT_HANDLER)]
    pub event_handler: UrlTemplate,
    /// User events sent upstream: `*`, or a comma-separated list of names.
    #[arg(long, default_value = "*")]
    pub user_events: UserEvents,
    /// System events sent upstream: any of connect, connected, disconnected (comma-separated).
    #[arg(long, default_value = "connected,disconnected")]
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
    /// Once listening, also print one line of JSON on stdout, after the banner, for scripts:
    /// `{"ready":{"emulator":"http://127.0.0.1:PORT","connectionString":"Endpoint=…"}}`.
    #[arg(long)]
    pub ready_json: bool,
}

/// Runs a parsed command line; start-up errors are printed, not panicked.
pub fn main(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chatr: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chatr: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Emulator(args) => emulator(args).await,
        Command::Dev(args) => dev(args).await,
    }
}

/// Where a started subcommand listens, printed by `--ready-json` as one line of JSON so that
/// scripts and test harnesses need not read the human banner.
#[derive(Debug, Default, PartialEq, Eq)]
struct Ready {
    site: Option<String>,
    emulator: Option<String>,
    handler: Option<String>,
    connection_string: Option<String>,
}

impl Ready {
    /// `{"ready":{…}}` without a newline: only the addresses this subcommand has.
    fn line(&self) -> String {
        let fields: serde_json::Map<String, serde_json::Value> = [
            ("site", &self.site),
            ("emulator", &self.emulator),
            ("handler", &self.handler),
            ("connectionString", &self.connection_string),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.clone()?.into())))
        .collect();
        let mut line = serde_json::Map::new();
        line.insert("ready".to_string(), fields.into());
        serde_json::Value::Object(line).to_string()
    }
}

async fn bind(port: u16, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port} ({flag}); is another chatr running? Pick another port"))
}

async fn dev(args: DevArgs) -> anyhow::Result<()> {
    let settings = crate::config::DevSettings::from_env()?;
    let config_text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("cannot read {} (--config)", args.config.display()))?;
    let config = crate::dev::swa_config::SwaConfig::parse(&config_text).with_context(|| {
        format!(
            "{} is not a valid staticwebapp.config.json",
            args.config.display()
        )
    })?;
    anyhow::ensure!(args.client_dir.is_dir(), "the client folder {} does not exist (--client-dir); run chatr dev from the repository root", args.client_dir.display());
    let store_settings = match &settings.table {
        Some(t) => StoreSettings::Table(t.clone()),
        None => StoreSettings::Embedded {
            data_dir: args.data_dir.clone(),
        },
    };
    let (store, store_text) = open_store(&store_settings).await?;
    let site = bind(args.port, "--port").await?;
    let emulator = match settings.web_pubsub {
        Some(_) => None,
        None => Some(bind(args.emulator_port, "--emulator-port").await?),
    };
    let handler = bind(0, "handler").await?;
    let site_port = site.local_addr()?.port();
    let web_pubsub_text = match (&settings.web_pubsub, &emulator) {
        (Some(real), _) => format!(
            "Azure Web PubSub at {} (hub {})",
            real.endpoint(),
            settings.hub
        ),
        (None, Some(l)) => format!(
            "emulator on http://localhost:{} (hub {}, webhooks to the site's /api/eventHandler)",
            l.local_addr()?.port(),
            settings.hub
        ),
        (None, None) => unreachable!("an emulator listener exists when no service is configured"),
    };
    let setup = crate::dev::DevSetup {
        web_pubsub: settings.web_pubsub,
        hub: settings.hub,
        store,
        client_dir: args.client_dir,
        config,
    };
    let listeners = crate::dev::Listeners {
        site,
        emulator,
        handler,
    };
    let handler_addr = listeners.handler.local_addr()?;
    println!("chatr dev: open http://localhost:{site_port}");
    println!("  Web PubSub: {web_pubsub_text}");
    println!("  handler:    http://{handler_addr} (behind the site's /api)");
    println!("  state:      {store_text}");
    println!("  sign in with any name; Ctrl-C stops everything");
    if args.ready_json {
        let emulator = crate::dev::web_pubsub_for(&setup, &listeners)?.1;
        let ready = Ready {
            site: Some(format!("http://localhost:{site_port}")),
            emulator: emulator.as_ref().map(|e| e.endpoint.clone()),
            handler: Some(format!("http://{handler_addr}")),
            connection_string: emulator.map(|e| e.connection_string()),
        };
        println!("{}", ready.line());
    }
    std::io::stdout().flush().ok();
    crate::dev::run(listeners, setup, crate::shutdown::signal()).await?;
    Ok(())
}

async fn emulator(args: EmulatorArgs) -> anyhow::Result<()> {
    let mut config = EmulatorConfig::new(args.access_key, args.hub, args.event_handler);
    config.event_handler.user_events = args.user_events;
    config.event_handler.system_events = args.system_events;
    config.timing = crate::emulator::session::Timing {
        keep_alive: std::time::Duration::from_secs(args.keep_alive_secs),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout_secs),
        reconnect_window: std::time::Duration::from_secs(args.reconnect_window_secs),
        ..config.timing
    };
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{} (--port)", args.port))?;
    let port = listener.local_addr()?.port();
    let emulator = crate::emulator::build(&config, port)?;
    println!("chatr emulator: listening on http://127.0.0.1:{port}");
    println!("  connection string: {}", emulator.connection_string());
    println!(
        "  hub {}: events go to {}",
        config.event_handler.hub,
        config.event_handler.url_template.as_str()
    );
    if args.ready_json {
        let ready = Ready {
            emulator: Some(format!("http://127.0.0.1:{port}")),
            connection_string: Some(emulator.connection_string()),
            ..Ready::default()
        };
        println!("{}", ready.line());
    }
    std::io::stdout().flush().ok();
    crate::emulator::run(listener, emulator, crate::shutdown::signal()).await;
    Ok(())
}

async fn open_store(settings: &StoreSettings) -> anyhow::Result<(SharedStore, String)> {
    match settings {
        StoreSettings::Embedded { data_dir } => {
            let store = EmbeddedStore::open(data_dir).with_context(|| {
                format!(
                    "cannot open the embedded store in {} (CHATR_DATA_DIR)",
                    data_dir.display()
                )
            })?;
            Ok((
                Arc::new(store),
                format!("embedded SQLite in {}", data_dir.display()),
            ))
        }
        StoreSettings::Table(cs) => {
            let store = TableStore::connect(cs).await.with_context(|| {
                format!(
                    "cannot reach Azure Table Storage at {} (TableStorageConnectionString)",
                    cs.endpoint
                )
            })?;
            Ok((
                Arc::new(store),
                format!("Azure Table Storage at {}", cs.endpoint),
            ))
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = HandlerSettings::from_env()?;
    let (store, store_text) = open_store(&settings.store).await?;
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, settings.port)))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{} (FUNCTIONS_CUSTOMHANDLER_PORT)",
                settings.port
            )
        })?;
    let addr = listener.local_addr()?;
    let app = App::new(settings.web_pubsub.clone(), settings.hub.clone(), store)?;
    println!("chatr serve: listening on http://{addr}");
    println!(
        "  Web PubSub: {} (hub {})",
        settings.web_pubsub.endpoint(),
        settings.hub
    );
    println!("  state:      {store_text}");
    if args.ready_json {
        let ready = Ready {
            handler: Some(format!("http://{addr}")),
            ..Ready::default()
        };
        println!("{}", ready.line());
    }
    std::io::stdout().flush().ok();
    crate::functions::run(listener, app, crate::shutdown::signal()).await;
    Ok(())
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
    fn the_ready_line_is_one_line_of_json_with_every_address() {
        let ready = Ready {
            site: Some("http://localhost:4280".into()),
            emulator: Some("http://localhost:8080".into()),
            handler: Some("http://127.0.0.1:40000".into()),
            connection_string: Some(
                "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;".into(),
            ),
        };
        let line = ready.line();
        assert!(!line.contains('\n'), "{line}");
        let parsed: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::json!({"ready": {
                "site": "http://localhost:4280",
                "emulator": "http://localhost:8080",
                "handler": "http://127.0.0.1:40000",
                "connectionString": "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;",
            }})
        );
    }

    #[test]
    fn the_ready_line_leaves_out_what_a_subcommand_does_not_run() {
        let serve = Ready {
            handler: Some("http://127.0.0.1:7071".into()),
            ..Ready::default()
        };
        let parsed: serde_json::Value = serde_json::from_str(&serve.line()).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::json!({"ready": {"handler": "http://127.0.0.1:7071"}})
        );
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
