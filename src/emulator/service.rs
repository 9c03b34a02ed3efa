//! The emulator's shared state and settings: the registry of connections, the upstream, the
//! access key and the endpoint clients and servers are told about.

use std::sync::Arc;

use crate::access_key::AccessKey;
use crate::emulator::config::Timing;
use crate::emulator::origins::AllowedOrigins;
use crate::emulator::reader::Reading;
use crate::emulator::registry::Registry;
use crate::emulator::upstream::Upstream;

/// Everything the sockets and the REST API share.
#[derive(Clone)]
pub struct Emulator {
    pub registry: Registry,
    pub upstream: Arc<Upstream>,
    pub key: AccessKey,
    /// `http://localhost:PORT`: the endpoint of the printed connection string.
    pub endpoint: String,
    /// The port the emulator listens on (tokens minted for `localhost` and `127.0.0.1` alike).
    pub port: u16,
    /// Keep-alive, idle timeout, reconnect window and reliable buffer bounds.
    pub timing: Timing,
    /// The web pages that may open a WebSocket.
    pub allowed_origins: Arc<AllowedOrigins>,
    /// HTTPS for the client endpoint and the REST API (`--cert`, `--key`).
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// The listener's timeouts and connection bound.
    pub listener: crate::listener::Limits,
    /// The `Host` names it answers to; `None`: any.
    pub allowed_hosts: Option<crate::listener::hosts::AllowedHosts>,
}

impl Emulator {
    /// What a socket's reader needs of the emulator.
    pub fn reading(&self) -> Reading {
        Reading {
            registry: self.registry.clone(),
            upstream: self.upstream.clone(),
            idle_timeout: self.timing.idle_timeout,
        }
    }

    /// The connection string servers use.
    pub fn connection_string(&self) -> String {
        format!(
            "Endpoint={};Port={};AccessKey={};Version=1.0;",
            self.endpoint,
            self.port,
            self.key.expose()
        )
    }
}
