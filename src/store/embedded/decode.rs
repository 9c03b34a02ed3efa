//! The embedded store's two ways to fail: SQLite unavailable, or a stored row that does not
//! parse. A leaf the other files of the store import.

use crate::store::StoreError;

pub(super) fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

pub(super) fn parse_row<T: serde::de::DeserializeOwned>(
    table: &str,
    data: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("{table} row: {e}")))
}
