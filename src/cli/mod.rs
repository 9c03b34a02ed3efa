//! The command line: what each subcommand does at start-up, and the only place that binds
//! sockets and prints banners.
//!
//! # Layout
//! - `mod.rs`: `main` and `run`, then `serve`, `emulator` and `dev`: read settings, bind,
//!   build, print the banner (and the ready line), serve until a signal.
//! - [`args`]: the subcommands and flags (clap) and the settings `--help` explains.
//! - `ready`: the `--ready-json` line; `data_dir`: the data folder's lock and the dev
//!   emulator's access key.

pub mod args;
mod data_dir;
mod ready;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::args::{Cli, Command, DevArgs, EmulatorArgs, ServeArgs};
use crate::cli::ready::Ready;
use crate::config::{HandlerSettings, StoreSettings};
use crate::emulator::config::{parse_access_key, EmulatorConfig};
use crate::emulator::hub_key::HubKey;
use crate::functions::App;
use crate::store::embedded::EmbeddedStore;
use crate::store::table::TableStore;
use crate::store::SharedStore;

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

async fn bind(port: u16, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port} ({flag}); is another chatr running? Pick another port"))
}

async fn dev(args: DevArgs) -> anyhow::Result<()> {
    let settings = crate::config::DevSettings::from_env()?;
    let extra_ca_pem = extra_ca_pem(settings.extra_ca_certs.as_deref())?;
    let config_text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("cannot read {} (--config)", args.config.display()))?;
    let config = crate::dev::swa_config::SwaConfig::parse(&config_text).with_context(|| {
        format!(
            "{} is not a valid staticwebapp.config.json",
            args.config.display()
        )
    })?;
    anyhow::ensure!(args.client_dir.is_dir(), "the client folder {} does not exist (--client-dir); run chatr dev from the repository root", args.client_dir.display());
    // Before anything else touches the folder: a second `chatr dev` on it stops here.
    let data_lock = data_dir::lock(&args.data_dir)?;
    let access_key = data_dir::access_key(&data_lock, args.access_key.as_deref())?;
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
    let real_service = settings
        .web_pubsub
        .as_ref()
        .map(|real| real.endpoint().to_string());
    let hub = settings.hub.clone();
    let setup = crate::dev::DevSetup {
        web_pubsub: settings.web_pubsub,
        hub: settings.hub,
        store,
        client_dir: args.client_dir,
        config,
        limits: settings.limits,
        extra_ca_pem,
        serving: settings.serving,
        descriptors: crate::listener::limits::raise_descriptor_limit(),
        access_key,
        hosts: args.hosts,
    };
    let listeners = crate::dev::Listeners {
        site,
        emulator,
        handler,
    };
    let handler_addr = listeners.handler.local_addr()?;
    // Everything is built before anything is announced: a failure here is a start-up error.
    let dev = crate::dev::Dev::build(listeners, setup)?;
    let web_pubsub_text = match (dev.emulator(), real_service) {
        (Some(e), _) => format!(
            "emulator on {} (hub {hub}, webhooks to the site's /api/eventHandler)",
            e.endpoint
        ),
        (None, Some(endpoint)) => format!("Azure Web PubSub at {endpoint} (hub {hub})"),
        (None, None) => format!("Azure Web PubSub (hub {hub})"),
    };
    println!("chatr dev: open http://localhost:{site_port}");
    println!("  Web PubSub: {web_pubsub_text}");
    if let Some(e) = dev.emulator() {
        println!("  connection string (for servers and tools; the key is this folder's own):");
        println!("    {}", e.connection_string());
    }
    println!("  handler:    http://{handler_addr} (behind the site's /api)");
    println!("  state:      {store_text}");
    println!("  sign in with any name; Ctrl-C stops everything");
    if args.ready_json {
        let ready = Ready {
            site: Some(format!("http://localhost:{site_port}")),
            emulator: dev.emulator().map(|e| e.endpoint.clone()),
            handler: Some(format!("http://{handler_addr}")),
            connection_string: dev.emulator().map(|e| e.connection_string()),
        };
        println!("{}", ready.line());
    }
    std::io::stdout().flush().ok();
    dev.run(crate::shutdown::signal()).await;
    drop(data_lock);
    Ok(())
}

async fn emulator(args: EmulatorArgs) -> anyhow::Result<()> {
    let key = parse_access_key(&args.access_key)?;
    let mut config = EmulatorConfig::new(key, HubKey::from(&args.hub), args.event_handler);
    config.event_handler.user_events = args.user_events;
    config.event_handler.system_events = args.system_events;
    config.allowed_origins = args.allowed_origins;
    config.tls = args
        .cert
        .zip(args.key)
        .map(|(cert, key)| crate::emulator::config::TlsFiles { cert, key });
    let descriptors = crate::listener::limits::raise_descriptor_limit();
    let serving = crate::config::serving::Serving {
        header_read: args.header_timeout_secs,
        body: args.body_timeout_secs,
        grace: args.shutdown_grace_secs,
    };
    config.listener = serving.limits(crate::listener::limits::share_of(descriptors, 3, 4));
    config.timing = crate::emulator::config::Timing {
        keep_alive: std::time::Duration::from_secs(args.keep_alive_secs),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout_secs),
        reconnect_window: std::time::Duration::from_secs(args.reconnect_window_secs),
        max_queued_frames: usize::try_from(args.max_queued_frames).unwrap_or(usize::MAX),
        max_queued_bytes: usize::try_from(args.max_queued_bytes).unwrap_or(usize::MAX),
        ..config.timing
    };
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{} (--port)", args.port))?;
    let port = listener.local_addr()?.port();
    let emulator = crate::emulator::build(&config, port)?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("chatr emulator: listening on {scheme}://127.0.0.1:{port}");
    println!("  connection string: {}", emulator.connection_string());
    println!(
        "  hub {}: events go to {}",
        config.event_handler.hub,
        config.event_handler.url_template.as_str()
    );
    if args.ready_json {
        let ready = Ready {
            emulator: Some(format!("{scheme}://127.0.0.1:{port}")),
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

/// The PEM file `CHATR_EXTRA_CA_CERTS` names, read at start-up (its certificates are checked
/// where they are used: `PubSubClient::trusting`).
fn extra_ca_pem(path: Option<&std::path::Path>) -> anyhow::Result<Option<Vec<u8>>> {
    path.map(|path| {
        std::fs::read(path)
            .with_context(|| format!("cannot read {} (CHATR_EXTRA_CA_CERTS)", path.display()))
    })
    .transpose()
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = HandlerSettings::from_env()?;
    let extra_ca_pem = extra_ca_pem(settings.extra_ca_certs.as_deref())?;
    // The embedded store's folder, one process at a time (Table Storage has no such lock).
    let data_lock = match &settings.store {
        StoreSettings::Embedded { data_dir } => Some(data_dir::lock(data_dir)?),
        StoreSettings::Table(_) => None,
    };
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
    let mut app = App::new(settings.web_pubsub.clone(), settings.hub.clone(), store)?
        .with_limits(settings.limits);
    if let Some(pem) = &extra_ca_pem {
        app = app
            .trusting(pem)
            .context("cannot use CHATR_EXTRA_CA_CERTS")?;
    }
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
    let descriptors = crate::listener::limits::raise_descriptor_limit();
    let limits = settings
        .serving
        .limits(crate::listener::limits::share_of(descriptors, 3, 4));
    crate::functions::run(listener, app, limits, None, crate::shutdown::signal()).await;
    drop(data_lock);
    Ok(())
}
