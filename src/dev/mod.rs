//! `chatr dev`: the whole chat on one machine, in one process: the Web PubSub emulator (or a
//! real service), the handler, and the site (`client/`, `/.auth/*`, `/api/*`) served as
//! Static Web Apps serves it. The emulator's webhooks go to the site's `/api/eventHandler`,
//! so they cross the same routing rules as in the cloud.
//!
//! # Layout
//! - `mod.rs`: [`Dev`] builds the parts on their bound sockets, then runs them until
//!   shutdown.
//! - [`site`]: the one port the browser talks to; [`static_site`]: files of `client/`;
//!   [`swa_auth`]: `/.auth/*` sign-in as the SWA CLI emulates it; [`swa_config`]:
//!   `staticwebapp.config.json`'s routes and headers.

pub mod site;
pub mod static_site;
pub mod swa_auth;
pub mod swa_config;

use std::future::Future;
use std::path::PathBuf;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::access_key::AccessKey;
use crate::config::connection_string::WebPubSubConnectionString;
use crate::config::hub::HubName;
use crate::config::limits::Limits;
use crate::config::serving::Serving;
use crate::dev::site::Site;
use crate::dev::swa_config::SwaConfig;
use crate::emulator::config::EmulatorConfig;
use crate::emulator::hub_key::HubKey;
use crate::emulator::service::Emulator;
use crate::functions::App;
use crate::listener::hosts::AllowedHosts;
use crate::listener::limits::share_of;
use crate::store::SharedStore;

/// The sockets `chatr dev` serves on, already bound.
pub struct Listeners {
    pub site: TcpListener,
    /// `None` when a real Web PubSub is used.
    pub emulator: Option<TcpListener>,
    pub handler: TcpListener,
}

/// What the dev server runs with.
pub struct DevSetup {
    /// A real service; `None` runs the emulator.
    pub web_pubsub: Option<WebPubSubConnectionString>,
    pub hub: HubName,
    pub store: SharedStore,
    pub client_dir: PathBuf,
    pub config: SwaConfig,
    /// The handler's connection cap and sweep schedule.
    pub limits: Limits,
    /// PEM CA certificates the handler trusts besides the public roots (`CHATR_EXTRA_CA_CERTS`).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// The listeners' timeouts.
    pub serving: Serving,
    /// The process's descriptor limit (`None`: unknown), shared out between the listeners.
    pub descriptors: Option<u64>,
    /// The emulator's access key (random per data folder unless `--access-key` is given).
    pub access_key: AccessKey,
    /// Host names to answer to besides this machine's own (`--host`).
    pub hosts: Vec<String>,
}

/// Each listener's share of the descriptors: the emulator holds the long-lived WebSockets;
/// the site and the handler see short requests (the handler only the site's and the
/// emulator's).
fn listener_limits(setup: &DevSetup) -> [crate::listener::Limits; 3] {
    let share = |n, d| setup.serving.limits(share_of(setup.descriptors, n, d));
    [share(1, 4), share(1, 2), share(1, 8)]
}

/// Every part of `chatr dev`, built on its bound sockets and not yet serving: what it
/// reports (the emulator's endpoint and connection string) is final once this exists.
pub struct Dev {
    listeners: Listeners,
    app: App,
    site: Site,
    emulator: Option<Emulator>,
    /// The site's and the handler's limits (the emulator keeps its own).
    site_limits: crate::listener::Limits,
    handler_limits: crate::listener::Limits,
    /// The `Host` names every part answers to.
    hosts: AllowedHosts,
}

impl Dev {
    /// Builds the emulator (unless a real service is configured), the handler and the site.
    pub fn build(listeners: Listeners, setup: DevSetup) -> std::io::Result<Self> {
        let [site_limits, emulator_limits, handler_limits] = listener_limits(&setup);
        let hosts = AllowedHosts::local(&setup.hosts);
        let (service, emulator) = match setup.web_pubsub {
            Some(real) => (real, None),
            None => {
                let emulator = emulator_for(&setup, &listeners, emulator_limits)?;
                let service = WebPubSubConnectionString::parse(&emulator.connection_string())
                    .map_err(std::io::Error::other)?;
                (service, Some(emulator))
            }
        };
        let handler_url = format!("http://{}", listeners.handler.local_addr()?);
        let mut app = App::new(service, setup.hub, setup.store)
            .map_err(std::io::Error::other)?
            .with_limits(setup.limits);
        if let Some(pem) = &setup.extra_ca_pem {
            app = app.trusting(pem).map_err(std::io::Error::other)?;
        }
        let site = Site::new(setup.config, setup.client_dir, handler_url)
            .map_err(std::io::Error::other)?;
        Ok(Self {
            listeners,
            app,
            site,
            emulator,
            site_limits,
            handler_limits,
            hosts,
        })
    }

    /// The emulator, when this dev server runs one instead of a real Web PubSub.
    pub fn emulator(&self) -> Option<&Emulator> {
        self.emulator.as_ref()
    }

    /// Serves every part until `shutdown`, then stops the emulator (it closes its sockets and
    /// sends `disconnected` upstream, through the site) and then the site and the handler.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let Self {
            listeners,
            app,
            site,
            emulator,
            site_limits,
            handler_limits,
            hosts,
        } = self;
        // Two signals: the emulator stops first, and its `disconnected` events still reach the
        // handler through the site; then the site and the handler stop.
        let (stop_emulator, emulator_stop) = watch::channel(false);
        let (stop_rest, rest_stop) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let rest = [
            tokio::spawn(crate::functions::run(
                listeners.handler,
                app,
                handler_limits,
                Some(hosts.clone()),
                stopped(rest_stop.clone()),
            )),
            tokio::spawn(site::run(
                listeners.site,
                site,
                site_limits,
                hosts,
                stopped(rest_stop.clone()),
            )),
        ];
        let emulator = match (emulator, listeners.emulator) {
            (Some(emulator), Some(listener)) => Some(tokio::spawn(crate::emulator::run(
                listener,
                emulator,
                stopped(emulator_stop.clone()),
            ))),
            _ => None,
        };
        shutdown.await;
        stop_emulator.send_replace(true);
        if let Some(emulator) = emulator {
            let _ = emulator.await;
        }
        stop_rest.send_replace(true);
        for task in rest {
            let _ = task.await;
        }
    }
}

/// The emulator `chatr dev` runs: `hub`'s events to the site's `/api/eventHandler`, so that
/// webhooks cross the site's routing rules as in the cloud; WebSocket upgrades only from the
/// site's own pages, requests only for this machine's names, the data folder's access key.
fn emulator_for(
    setup: &DevSetup,
    listeners: &Listeners,
    limits: crate::listener::Limits,
) -> std::io::Result<Emulator> {
    let site_port = listeners.site.local_addr()?.port();
    let emulator_port = listeners
        .emulator
        .as_ref()
        .map(|l| l.local_addr())
        .transpose()?
        .map_or(0, |a| a.port());
    let handler = format!("http://127.0.0.1:{site_port}/api/eventHandler")
        .parse()
        .map_err(std::io::Error::other)?;
    let mut config =
        EmulatorConfig::new(setup.access_key.clone(), HubKey::from(&setup.hub), handler);
    config.listener = limits;
    config.allowed_hosts = Some(AllowedHosts::local(&setup.hosts));
    let site_origins: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
        .into_iter()
        .map(str::to_string)
        .chain(setup.hosts.iter().cloned())
        .map(|host| format!("http://{host}:{site_port}"))
        .collect();
    config.allowed_origins = site_origins
        .join(",")
        .parse()
        .map_err(std::io::Error::other)?;
    crate::emulator::build(&config, emulator_port).map_err(std::io::Error::other)
}

/// Builds every part and serves them until `shutdown` (what tests start in-process).
pub async fn run(
    listeners: Listeners,
    setup: DevSetup,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    Dev::build(listeners, setup)?.run(shutdown).await;
    Ok(())
}
