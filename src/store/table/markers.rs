//! Markers of one-time start-up steps (moving old rows to a new shape): one row each in the
//! `meta` partition of `userIndex`, written when the step has finished, so that later starts
//! skip the step instead of reading every row again.

use serde::{Deserialize, Serialize};

use crate::store::table::{status, unavailable, TableStore};
use crate::store::StoreError;

/// Rows read at once by a start-up step.
pub(super) const START_UP_PAGE: usize = 1000;

/// The partition of the markers.
pub(super) const META: &str = "meta";

#[derive(Serialize, Deserialize)]
struct MarkerEntity {
    #[serde(rename = "PartitionKey")]
    partition_key: String,
    #[serde(rename = "RowKey")]
    row_key: String,
}

impl TableStore {
    /// Whether the step `name` has finished (in this account, by any instance).
    pub(super) async fn marked(&self, name: &str) -> Result<bool, StoreError> {
        match Self::entity_in(&self.user_index, META, name)
            .get::<MarkerEntity>()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if status(&e) == Some(azure_core::StatusCode::NotFound) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Records that the step `name` has finished.
    pub(super) async fn mark(&self, name: &str) -> Result<(), StoreError> {
        Self::entity_in(&self.user_index, META, name)
            .insert_or_replace(MarkerEntity {
                partition_key: META.into(),
                row_key: name.into(),
            })
            .map_err(unavailable)?
            .await
            .map(drop)
            .map_err(unavailable)
    }
}
