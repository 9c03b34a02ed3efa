//! How an emulator is set up, in parsed types: its access key, the hub whose event handler is
//! configured, the handler's URL template and which events go there, and its timing. Each
//! value is checked where it enters (the command line, or a caller building one in code).

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use crate::access_key::AccessKey;
use crate::emulator::hub_key::HubKey;
use crate::emulator::origins::AllowedOrigins;

/// The shortest access key the emulator takes (the service's keys are 44 characters).
pub const MIN_ACCESS_KEY_LEN: usize = 32;

/// Why a setting of the emulator was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmulatorConfigError {
    #[error("--system-events takes connect, connected, disconnected; not `{0}`")]
    SystemEvent(String),
    #[error("--access-key must be at least {MIN_ACCESS_KEY_LEN} characters and contain no `;`")]
    AccessKey,
    #[error("--event-handler `{0}` is not an http or https URL")]
    EventHandler(String),
}

/// An access key long enough for the emulator.
pub fn parse_access_key(key: &str) -> Result<AccessKey, EmulatorConfigError> {
    AccessKey::new(key)
        .filter(|k| k.hmac_key().len() >= MIN_ACCESS_KEY_LEN)
        .ok_or(EmulatorConfigError::AccessKey)
}

/// The system events that go upstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemEvents {
    pub connect: bool,
    pub connected: bool,
    pub disconnected: bool,
}

impl SystemEvents {
    /// All three: what the chat needs (`connect` puts a member's new connection in their
    /// chats' groups), and the command line's default.
    pub const ALL: Self = Self {
        connect: true,
        connected: true,
        disconnected: true,
    };
}

impl FromStr for SystemEvents {
    type Err = EmulatorConfigError;

    /// A comma-separated list of `connect`, `connected`, `disconnected` (any case); empty
    /// for none.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut events = Self::default();
        for e in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            match e.to_ascii_lowercase().as_str() {
                "connect" => events.connect = true,
                "connected" => events.connected = true,
                "disconnected" => events.disconnected = true,
                _ => return Err(EmulatorConfigError::SystemEvent(e.to_string())),
            }
        }
        Ok(events)
    }
}

/// The user events that go upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEvents {
    /// `*`: every user event.
    All,
    /// Only these names (none when empty).
    Named(BTreeSet<String>),
}

impl UserEvents {
    /// Whether the event called `name` goes upstream.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Named(names) => names.contains(name),
        }
    }
}

impl FromStr for UserEvents {
    type Err = std::convert::Infallible;

    /// `*`, or a comma-separated list of names (empty for none).
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let names: BTreeSet<String> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        Ok(if names.contains("*") {
            Self::All
        } else {
            Self::Named(names)
        })
    }
}

/// The event handler's URL template: an http(s) URL in which `{hub}` and `{event}` are
/// filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate(String);

impl UrlTemplate {
    /// The URL for an event of a hub.
    pub fn fill(&self, hub: &HubKey, event: &str) -> String {
        self.0
            .replace("{hub}", hub.as_str())
            .replace("{event}", event)
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UrlTemplate {
    type Err = EmulatorConfigError;

    fn from_str(template: &str) -> Result<Self, Self::Err> {
        let sample = template.replace("{hub}", "hub").replace("{event}", "event");
        match url::Url::parse(&sample) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Self(template.to_string())),
            _ => Err(EmulatorConfigError::EventHandler(template.to_string())),
        }
    }
}

/// Timings of the service, configurable for tests.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// WebSocket ping interval (the hub's `webSocketKeepAliveIntervalInSeconds`, default 20).
    pub keep_alive: Duration,
    /// A connection that sends nothing (no frame, no pong) this long is dead; so is one whose
    /// socket takes none of a write for this long.
    pub idle_timeout: Duration,
    /// How long a dropped reliable session waits for its client to recover (at least 30 s).
    pub reconnect_window: Duration,
    /// Messages a reliable session keeps until a `sequenceAck` covers them.
    pub max_buffered_messages: usize,
    /// Bytes of such messages it keeps.
    pub max_buffered_bytes: usize,
    /// Frames one connection's outgoing queue holds before it is dropped (a client that does
    /// not read must not grow the emulator).
    pub max_queued_frames: usize,
    /// Bytes one connection's outgoing queue holds before it is dropped.
    pub max_queued_bytes: usize,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(120),
            reconnect_window: Duration::from_secs(30),
            max_buffered_messages: 1000,
            max_buffered_bytes: 16 * 1024 * 1024,
            max_queued_frames: 4096,
            max_queued_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Which events of which hub go to which URL.
#[derive(Debug, Clone)]
pub struct EventHandlerConfig {
    /// The hub the handler serves.
    pub hub: HubKey,
    pub url_template: UrlTemplate,
    pub user_events: UserEvents,
    pub system_events: SystemEvents,
}

/// How the emulator is set up.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub access_key: AccessKey,
    pub event_handler: EventHandlerConfig,
    pub timing: Timing,
    /// The web pages that may open a WebSocket (`--allowed-origins`).
    pub allowed_origins: AllowedOrigins,
    /// Serve HTTPS with this certificate (`--cert`, `--key`); plain HTTP when `None`.
    pub tls: Option<TlsFiles>,
    /// The listener's timeouts and connection bound.
    pub listener: crate::listener::Limits,
    /// The `Host` names it answers to; `None`: any (`chatr dev` sets this machine's).
    pub allowed_hosts: Option<crate::listener::hosts::AllowedHosts>,
}

/// A PEM certificate chain and its private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

impl EmulatorConfig {
    /// An emulator whose `hub` sends every user event and every system event to
    /// `url_template`, with the default timing.
    pub fn new(access_key: AccessKey, hub: HubKey, url_template: UrlTemplate) -> Self {
        Self {
            access_key,
            event_handler: EventHandlerConfig {
                hub,
                url_template,
                user_events: UserEvents::All,
                system_events: SystemEvents::ALL,
            },
            timing: Timing::default(),
            allowed_origins: AllowedOrigins::Any,
            tls: None,
            listener: crate::listener::Limits::with_max_connections(10_000),
            allowed_hosts: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_events_are_a_comma_list_in_any_case() {
        assert_eq!(
            "connected, DISCONNECTED".parse(),
            Ok(SystemEvents {
                connect: false,
                connected: true,
                disconnected: true
            })
        );
        assert_eq!("".parse(), Ok(SystemEvents::default()));
        assert_eq!(
            "connect,connected,disconnected".parse::<SystemEvents>(),
            Ok(SystemEvents::ALL)
        );
        assert_eq!(
            "connected,message".parse::<SystemEvents>(),
            Err(EmulatorConfigError::SystemEvent("message".into()))
        );
    }

    #[test]
    fn user_events_are_a_star_or_names() {
        assert_eq!("*".parse(), Ok(UserEvents::All));
        assert_eq!("a,*".parse(), Ok(UserEvents::All));
        let named: UserEvents = " a , b ".parse().expect("names");
        assert!(named.includes("a") && named.includes("b") && !named.includes("c"));
        assert!(!"".parse::<UserEvents>().expect("none").includes("a"));
    }

    #[test]
    fn the_handler_url_must_be_http_or_https() {
        let t: UrlTemplate = "http://127.0.0.1:7071/api/{hub}/{event}"
            .parse()
            .expect("http");
        assert_eq!(
            t.fill(&HubKey::new("Chat"), "connected"),
            "http://127.0.0.1:7071/api/chat/connected"
        );
        assert!("https://example.com/x".parse::<UrlTemplate>().is_ok());
        for bad in ["ftp://x/y", "not a url", "/api/eventHandler"] {
            assert_eq!(
                bad.parse::<UrlTemplate>(),
                Err(EmulatorConfigError::EventHandler(bad.into()))
            );
        }
    }

    #[test]
    fn a_short_access_key_is_refused() {
        assert!(parse_access_key(crate::emulator::DEFAULT_ACCESS_KEY).is_ok());
        assert_eq!(
            parse_access_key("too-short").err(),
            Some(EmulatorConfigError::AccessKey)
        );
        assert_eq!(
            parse_access_key(&format!("{};", "k".repeat(40))).err(),
            Some(EmulatorConfigError::AccessKey)
        );
    }
}
