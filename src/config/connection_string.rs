//! `WebPubSubConnectionString`: the service endpoint and access key, parsed once.

use url::Url;

use crate::access_key::AccessKey;

/// The form a Web PubSub connection string must take, shown in every parse error.
pub const EXPECTED_FORM: &str =
    "Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0; (optional Port=<n>;)";

/// Why a connection string was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConnectionStringError {
    #[error("it is empty")]
    Empty,
    #[error("`{0}` is not a key=value pair")]
    NotKeyValue(String),
    #[error("`{0}` appears twice")]
    Duplicate(String),
    #[error("it has no {0}")]
    Missing(&'static str),
    #[error("Endpoint `{0}` is not an http or https URL with a host and no path")]
    BadEndpoint(String),
    #[error("Port `{0}` is not a number from 1 to 65535")]
    BadPort(String),
    #[error("AccessKey is empty")]
    BadAccessKey,
}

/// A parsed Web PubSub connection string: where the service is and the key to sign with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPubSubConnectionString {
    endpoint: Url,
    access_key: AccessKey,
}

impl WebPubSubConnectionString {
    /// Parses `Endpoint=…;AccessKey=…;Version=1.0;`, with an optional `Port=`, in any order
    /// and any key case. `Port` replaces the endpoint's port.
    pub fn parse(s: &str) -> Result<Self, ConnectionStringError> {
        if s.trim().is_empty() {
            return Err(ConnectionStringError::Empty);
        }
        let (mut endpoint, mut key, mut port) = (None, None, None);
        for pair in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| ConnectionStringError::NotKeyValue(pair.to_string()))?;
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => &mut endpoint,
                "accesskey" => &mut key,
                "port" => &mut port,
                _ => continue, // Version and anything newer are not needed here.
            };
            if slot.replace(value.trim().to_string()).is_some() {
                return Err(ConnectionStringError::Duplicate(name.trim().to_string()));
            }
        }
        let endpoint = endpoint.ok_or(ConnectionStringError::Missing("Endpoint"))?;
        let key = key.ok_or(ConnectionStringError::Missing("AccessKey"))?;
        let access_key = AccessKey::new(key).ok_or(ConnectionStringError::BadAccessKey)?;
        let mut url = parse_endpoint(&endpoint)?;
        if let Some(port) = port {
            let n: u16 = port
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConnectionStringError::BadPort(port.clone()))?;
            url.set_port(Some(n))
                .map_err(|_| ConnectionStringError::BadEndpoint(endpoint.clone()))?;
        }
        Ok(Self {
            endpoint: url,
            access_key,
        })
    }

    /// The http(s) endpoint with no trailing slash, e.g. `https://x.webpubsub.azure.com` or
    /// `http://localhost:8080`.
    pub fn endpoint(&self) -> String {
        self.endpoint.as_str().trim_end_matches('/').to_string()
    }

    /// The same endpoint with `ws`/`wss` for client URLs.
    pub fn websocket_endpoint(&self) -> String {
        let endpoint = self.endpoint();
        match endpoint.strip_prefix("https") {
            Some(rest) => format!("wss{rest}"),
            None => format!("ws{}", endpoint.trim_start_matches("http")),
        }
    }

    /// The bare host (no scheme, no port): what the service sends in `WebHook-Request-Origin`.
    pub fn host(&self) -> &str {
        self.endpoint.host_str().unwrap_or_default()
    }

    /// The key tokens and signatures are made with.
    pub fn access_key(&self) -> &AccessKey {
        &self.access_key
    }

    /// The string form other processes read (`Port` folded into the endpoint).
    pub fn to_connection_string(&self) -> String {
        format!(
            "Endpoint={};AccessKey={};Version=1.0;",
            self.endpoint(),
            self.access_key.expose()
        )
    }
}

fn parse_endpoint(endpoint: &str) -> Result<Url, ConnectionStringError> {
    let bad = || ConnectionStringError::BadEndpoint(endpoint.to_string());
    let with_scheme = if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| bad())?;
    let path_ok = url.path() == "/" || url.path().is_empty();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || !path_ok
        || url.query().is_some()
    {
        return Err(bad());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<WebPubSubConnectionString, ConnectionStringError> {
        WebPubSubConnectionString::parse(s)
    }

    #[test]
    fn the_azure_form_parses() {
        let c = parse("Endpoint=https://x.webpubsub.azure.com;AccessKey=abc;Version=1.0;")
            .expect("parses");
        assert_eq!(c.endpoint(), "https://x.webpubsub.azure.com");
        assert_eq!(c.websocket_endpoint(), "wss://x.webpubsub.azure.com");
        assert_eq!(c.host(), "x.webpubsub.azure.com");
        assert_eq!(c.access_key().hmac_key(), b"abc");
    }

    #[test]
    fn keys_may_come_in_any_order_and_case_with_a_port() {
        let c = parse("version=1.0;PORT=8080;accesskey=k=with=equals;ENDPOINT=http://localhost")
            .expect("parses");
        assert_eq!(c.endpoint(), "http://localhost:8080");
        assert_eq!(c.websocket_endpoint(), "ws://localhost:8080");
        assert_eq!(c.host(), "localhost");
        assert_eq!(c.access_key().hmac_key(), b"k=with=equals");
    }

    #[test]
    fn an_endpoint_without_scheme_is_https() {
        let c = parse("Endpoint=x.example.com;AccessKey=k").expect("parses");
        assert_eq!(c.endpoint(), "https://x.example.com");
    }

    #[test]
    fn the_string_form_round_trips() {
        let c = parse("Endpoint=http://localhost;Port=9;AccessKey=k;Version=1.0;").expect("parses");
        assert_eq!(parse(&c.to_connection_string()), Ok(c));
    }

    #[test]
    fn bad_strings_are_refused_with_a_reason() {
        use ConnectionStringError::*;
        assert_eq!(parse(""), Err(Empty));
        assert_eq!(parse("   "), Err(Empty));
        assert_eq!(
            parse("Endpoint=https://x;AccessKey=k;junk"),
            Err(NotKeyValue("junk".into()))
        );
        assert_eq!(parse("AccessKey=k"), Err(Missing("Endpoint")));
        assert_eq!(parse("Endpoint=https://x"), Err(Missing("AccessKey")));
        assert_eq!(parse("Endpoint=https://x;AccessKey="), Err(BadAccessKey));
        assert_eq!(
            parse("Endpoint=https://x;Endpoint=https://y;AccessKey=k"),
            Err(Duplicate("Endpoint".into()))
        );
        assert_eq!(
            parse("Endpoint=ftp://x;AccessKey=k"),
            Err(BadEndpoint("ftp://x".into()))
        );
        assert_eq!(
            parse("Endpoint=https://x/path;AccessKey=k"),
            Err(BadEndpoint("https://x/path".into()))
        );
        assert_eq!(
            parse("Endpoint=https://x;AccessKey=k;Port=0"),
            Err(BadPort("0".into()))
        );
        assert_eq!(
            parse("Endpoint=https://x;AccessKey=k;Port=70000"),
            Err(BadPort("70000".into()))
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let c = parse("Endpoint=https://x;AccessKey=topsecret").expect("parses");
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
