//! `TableStorageConnectionString`: where the Table service is and the account key, parsed
//! once. Three forms: Azurite's `UseDevelopmentStorage=true`, an account with
//! `DefaultEndpointsProtocol`/`EndpointSuffix`, or an explicit `TableEndpoint`.

use std::fmt;

use url::Url;

/// The form a Table Storage connection string must take, shown in every parse error.
pub const EXPECTED_FORM: &str = "UseDevelopmentStorage=true, or DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net, or AccountName=<name>;AccountKey=<key>;TableEndpoint=<url>";

/// Azurite's well-known account.
pub const DEVELOPMENT_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known key (public, documented by Microsoft).
pub const DEVELOPMENT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// Azurite's table port.
pub const DEVELOPMENT_TABLE_PORT: u16 = 10002;

/// Why a Table connection string was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableConnectionStringError {
    #[error("`{0}` is not a key=value pair")]
    NotKeyValue(String),
    #[error("it has no {0}")]
    Missing(&'static str),
    #[error("`{0}` is not an http or https URL")]
    BadUrl(String),
    #[error("AccountKey is not base64")]
    BadKey,
}

/// A parsed Table Storage connection string.
#[derive(Clone, PartialEq, Eq)]
pub struct TableConnectionString {
    /// The storage account.
    pub account: String,
    /// The account key (base64).
    pub key: String,
    /// The table service's base URL, e.g. `https://acct.table.core.windows.net` or
    /// `http://127.0.0.1:10002/devstoreaccount1`, without a trailing slash.
    pub endpoint: String,
}

impl fmt::Debug for TableConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableConnectionString")
            .field("account", &self.account)
            .field("key", &"***")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

fn url(s: &str) -> Result<String, TableConnectionStringError> {
    let parsed = Url::parse(s).map_err(|_| TableConnectionStringError::BadUrl(s.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(TableConnectionStringError::BadUrl(s.to_string()));
    }
    Ok(s.trim_end_matches('/').to_string())
}

impl TableConnectionString {
    /// Parses any of the three forms; keys are case-insensitive, order does not matter.
    pub fn parse(s: &str) -> Result<Self, TableConnectionStringError> {
        let mut pairs = std::collections::HashMap::new();
        for pair in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| TableConnectionStringError::NotKeyValue(pair.to_string()))?;
            pairs.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
        let get = |k: &str| pairs.get(k).filter(|v| !v.is_empty()).cloned();
        if get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            let host = match get("developmentstorageproxyuri") {
                Some(proxy) => {
                    let mut u = Url::parse(&proxy)
                        .map_err(|_| TableConnectionStringError::BadUrl(proxy.clone()))?;
                    u.set_port(Some(DEVELOPMENT_TABLE_PORT))
                        .map_err(|_| TableConnectionStringError::BadUrl(proxy.clone()))?;
                    u.as_str().trim_end_matches('/').to_string()
                }
                None => format!("http://127.0.0.1:{DEVELOPMENT_TABLE_PORT}"),
            };
            return Ok(Self {
                account: DEVELOPMENT_ACCOUNT.into(),
                key: DEVELOPMENT_KEY.into(),
                endpoint: format!("{host}/{DEVELOPMENT_ACCOUNT}"),
            });
        }
        let account =
            get("accountname").ok_or(TableConnectionStringError::Missing("AccountName"))?;
        let key = get("accountkey").ok_or(TableConnectionStringError::Missing("AccountKey"))?;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&key)
            .map_err(|_| TableConnectionStringError::BadKey)?;
        let endpoint = match get("tableendpoint") {
            Some(e) => url(&e)?,
            None => {
                let protocol = get("defaultendpointsprotocol").unwrap_or_else(|| "https".into());
                let suffix = get("endpointsuffix").unwrap_or_else(|| "core.windows.net".into());
                url(&format!("{protocol}://{account}.table.{suffix}"))?
            }
        };
        Ok(Self {
            account,
            key,
            endpoint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_storage_points_at_azurite() {
        let c = TableConnectionString::parse("UseDevelopmentStorage=true").expect("parses");
        assert_eq!(c.endpoint, "http://127.0.0.1:10002/devstoreaccount1");
        assert_eq!(c.account, "devstoreaccount1");
        assert_eq!(c.key, DEVELOPMENT_KEY);
        let c = TableConnectionString::parse(
            "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite",
        )
        .expect("parses");
        assert_eq!(c.endpoint, "http://azurite:10002/devstoreaccount1");
    }

    #[test]
    fn an_account_string_builds_the_public_endpoint() {
        let c = TableConnectionString::parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")
            .expect("parses");
        assert_eq!(c.endpoint, "https://acct.table.core.windows.net");
        let c = TableConnectionString::parse(
            "AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn",
        )
        .expect("parses");
        assert_eq!(c.endpoint, "https://acct.table.core.chinacloudapi.cn");
    }

    #[test]
    fn an_explicit_table_endpoint_wins() {
        let c = TableConnectionString::parse("AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:5555/devstoreaccount1/")
            .expect("parses");
        assert_eq!(c.endpoint, "http://127.0.0.1:5555/devstoreaccount1");
    }

    #[test]
    fn malformed_strings_are_refused() {
        use TableConnectionStringError::*;
        assert_eq!(
            TableConnectionString::parse("nonsense"),
            Err(NotKeyValue("nonsense".into()))
        );
        assert_eq!(
            TableConnectionString::parse("AccountKey=a2V5"),
            Err(Missing("AccountName"))
        );
        assert_eq!(
            TableConnectionString::parse("AccountName=a"),
            Err(Missing("AccountKey"))
        );
        assert_eq!(
            TableConnectionString::parse("AccountName=a;AccountKey=!!"),
            Err(BadKey)
        );
        assert_eq!(
            TableConnectionString::parse("AccountName=a;AccountKey=a2V5;TableEndpoint=ftp://x"),
            Err(BadUrl("ftp://x".into()))
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let c = TableConnectionString::parse("UseDevelopmentStorage=true").expect("parses");
        assert!(!format!("{c:?}").contains("Eby8"));
    }
}
