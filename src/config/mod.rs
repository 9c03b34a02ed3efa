//! Settings, read once at start-up from the environment, typed, with errors that name the
//! setting and show the form it must take. Nothing else in chatr reads the environment.

pub mod connection_string;
pub mod error;
pub mod hub;
pub mod limits;
pub mod names;
pub mod serving;
pub mod table_connection_string;

use std::path::PathBuf;

use crate::config::connection_string::{WebPubSubConnectionString, EXPECTED_FORM};
use crate::config::hub::HubName;
use crate::config::limits::Limits;
use crate::config::serving::Serving;
use crate::config::table_connection_string::{self as table_cs, TableConnectionString};

pub use crate::config::error::ConfigError;
pub use crate::config::names::*;

/// The default hub.
pub const DEFAULT_HUB: &str = "chat";
/// The default embedded store folder.
pub const DEFAULT_DATA_DIR: &str = ".chatr";
/// The default handler port (the Functions host's own default).
pub const DEFAULT_PORT: u16 = 7071;

/// Where the chat keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// The embedded SQLite store in this folder.
    Embedded { data_dir: PathBuf },
    /// Azure Table Storage.
    Table(TableConnectionString),
}

/// Everything `chatr serve` needs.
#[derive(Debug, Clone)]
pub struct HandlerSettings {
    /// The Web PubSub service.
    pub web_pubsub: WebPubSubConnectionString,
    /// The hub the chat lives in.
    pub hub: HubName,
    /// The state store.
    pub store: StoreSettings,
    /// The port to listen on.
    pub port: u16,
    /// The connection cap and the sweep's schedule.
    pub limits: Limits,
    /// CA certificates trusted besides the public roots (`CHATR_EXTRA_CA_CERTS`).
    pub extra_ca_certs: Option<PathBuf>,
    /// The listener's timeouts.
    pub serving: Serving,
}

impl HandlerSettings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings from any name → value lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let web_pubsub = get(WEB_PUBSUB_CONNECTION_STRING)
            .ok_or(ConfigError::Missing {
                name: WEB_PUBSUB_CONNECTION_STRING,
                expected: EXPECTED_FORM,
            })
            .and_then(|s| {
                WebPubSubConnectionString::parse(&s).map_err(|e| ConfigError::Malformed {
                    name: WEB_PUBSUB_CONNECTION_STRING,
                    reason: e.to_string(),
                    expected: EXPECTED_FORM,
                })
            })?;
        let hub = parse_hub(get(WEB_PUBSUB_HUB))?;
        let store = match get(TABLE_STORAGE_CONNECTION_STRING) {
            Some(s) => StoreSettings::Table(TableConnectionString::parse(&s).map_err(|e| {
                ConfigError::Malformed {
                    name: TABLE_STORAGE_CONNECTION_STRING,
                    reason: e.to_string(),
                    expected: table_cs::EXPECTED_FORM,
                }
            })?),
            None => StoreSettings::Embedded {
                data_dir: get(CHATR_DATA_DIR)
                    .unwrap_or_else(|| DEFAULT_DATA_DIR.into())
                    .into(),
            },
        };
        let port = parse_port(get(FUNCTIONS_CUSTOMHANDLER_PORT))?;
        Ok(Self {
            web_pubsub,
            hub,
            store,
            port,
            extra_ca_certs: get(CHATR_EXTRA_CA_CERTS).map(PathBuf::from),
            serving: Serving::from_lookup(get)?,
            limits: Limits::from_lookup(get)?,
        })
    }
}

/// What `chatr dev` takes from the environment: a real service or store instead of the
/// emulator and the embedded store, when set.
#[derive(Debug, Clone)]
pub struct DevSettings {
    /// A real Web PubSub; `None` runs the emulator.
    pub web_pubsub: Option<WebPubSubConnectionString>,
    pub hub: HubName,
    /// A real Table Storage; `None` uses the embedded store in the data folder.
    pub table: Option<TableConnectionString>,
    /// The connection cap and the sweep's schedule.
    pub limits: Limits,
    /// CA certificates trusted besides the public roots (`CHATR_EXTRA_CA_CERTS`), for a
    /// `WebPubSubConnectionString` naming an emulator over HTTPS.
    pub extra_ca_certs: Option<PathBuf>,
    /// The listeners' timeouts.
    pub serving: Serving,
}

impl DevSettings {
    /// Reads the optional settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads them from any lookup.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let web_pubsub = get(WEB_PUBSUB_CONNECTION_STRING)
            .map(|s| {
                WebPubSubConnectionString::parse(&s).map_err(|e| ConfigError::Malformed {
                    name: WEB_PUBSUB_CONNECTION_STRING,
                    reason: e.to_string(),
                    expected: EXPECTED_FORM,
                })
            })
            .transpose()?;
        let table = get(TABLE_STORAGE_CONNECTION_STRING)
            .map(|s| {
                TableConnectionString::parse(&s).map_err(|e| ConfigError::Malformed {
                    name: TABLE_STORAGE_CONNECTION_STRING,
                    reason: e.to_string(),
                    expected: table_cs::EXPECTED_FORM,
                })
            })
            .transpose()?;
        Ok(Self {
            web_pubsub,
            hub: parse_hub(get(WEB_PUBSUB_HUB))?,
            table,
            extra_ca_certs: get(CHATR_EXTRA_CA_CERTS).map(PathBuf::from),
            serving: Serving::from_lookup(get)?,
            limits: Limits::from_lookup(get)?,
        })
    }
}

/// Parses `WebPubSubHub`, defaulting to `chat`.
pub fn parse_hub(value: Option<String>) -> Result<HubName, ConfigError> {
    let value = value.unwrap_or_else(|| DEFAULT_HUB.into());
    HubName::parse(value.trim()).map_err(|e| ConfigError::Malformed {
        name: WEB_PUBSUB_HUB,
        reason: e.to_string(),
        expected: "a hub name such as chat",
    })
}

fn parse_port(value: Option<String>) -> Result<u16, ConfigError> {
    match value {
        None => Ok(DEFAULT_PORT),
        Some(v) => v.trim().parse().map_err(|_| ConfigError::Malformed {
            name: FUNCTIONS_CUSTOMHANDLER_PORT,
            reason: format!("`{v}` is not a port number"),
            expected: "a number from 0 to 65535",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<HandlerSettings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        HandlerSettings::from_lookup(|k| map.get(k).cloned())
    }

    const CS: &str = "Endpoint=https://x.webpubsub.azure.com;AccessKey=k;Version=1.0;";

    #[test]
    fn defaults_apply_when_only_the_connection_string_is_set() {
        let s = settings(&[(WEB_PUBSUB_CONNECTION_STRING, CS)]).expect("valid");
        assert_eq!(s.hub.as_str(), "chat");
        assert_eq!(s.port, 7071);
        assert_eq!(
            s.store,
            StoreSettings::Embedded {
                data_dir: ".chatr".into()
            }
        );
    }

    #[test]
    fn a_missing_connection_string_names_the_setting_and_its_form() {
        let err = settings(&[]).expect_err("missing");
        let text = err.to_string();
        assert!(text.contains("WebPubSubConnectionString"), "{text}");
        assert!(text.contains("Endpoint="), "{text}");
    }

    #[test]
    fn a_malformed_connection_string_names_the_setting() {
        let err = settings(&[(WEB_PUBSUB_CONNECTION_STRING, "nonsense")]).expect_err("malformed");
        assert!(err
            .to_string()
            .contains("WebPubSubConnectionString is malformed"));
    }

    #[test]
    fn a_bad_hub_or_port_names_the_setting() {
        let err = settings(&[(WEB_PUBSUB_CONNECTION_STRING, CS), (WEB_PUBSUB_HUB, "9x")])
            .expect_err("bad hub");
        assert!(err.to_string().contains("WebPubSubHub"));
        let err = settings(&[
            (WEB_PUBSUB_CONNECTION_STRING, CS),
            (FUNCTIONS_CUSTOMHANDLER_PORT, "http"),
        ])
        .expect_err("bad port");
        assert!(err.to_string().contains("FUNCTIONS_CUSTOMHANDLER_PORT"));
    }

    #[test]
    fn a_table_connection_string_selects_the_table_store() {
        let s = settings(&[
            (WEB_PUBSUB_CONNECTION_STRING, CS),
            (
                TABLE_STORAGE_CONNECTION_STRING,
                "UseDevelopmentStorage=true",
            ),
        ])
        .expect("valid");
        assert!(matches!(s.store, StoreSettings::Table(ref t) if t.account == "devstoreaccount1"));
        let err = settings(&[
            (WEB_PUBSUB_CONNECTION_STRING, CS),
            (TABLE_STORAGE_CONNECTION_STRING, "AccountName=x"),
        ])
        .expect_err("malformed");
        assert!(err
            .to_string()
            .contains("TableStorageConnectionString is malformed"));
    }

    #[test]
    fn the_data_dir_and_port_can_be_set() {
        let s = settings(&[
            (WEB_PUBSUB_CONNECTION_STRING, CS),
            (CHATR_DATA_DIR, "/tmp/x"),
            (FUNCTIONS_CUSTOMHANDLER_PORT, "0"),
        ])
        .expect("valid");
        assert_eq!(
            s.store,
            StoreSettings::Embedded {
                data_dir: "/tmp/x".into()
            }
        );
        assert_eq!(s.port, 0);
    }
}
