//! Connecting to Table Storage: the HTTP client with its timeouts and retries, the tables
//! created when missing, and the start-up migrations.

use std::sync::Arc;
use std::time::Duration;

use azure_core::{ExponentialRetryOptions, RetryOptions, StatusCode, TransportOptions};
use azure_data_tables::clients::TableServiceClientBuilder;
use azure_storage::{CloudLocation, StorageCredentials};

use crate::config::table_connection_string::TableConnectionString;
use crate::store::table::{status, unavailable, TableStore, CALL_TIMEOUT};
use crate::store::StoreError;

impl TableStore {
    /// Connects, creating the tables when missing.
    pub async fn connect(cs: &TableConnectionString) -> Result<Self, StoreError> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let retry = RetryOptions::exponential(
            ExponentialRetryOptions::default()
                .max_retries(2u32)
                .initial_delay(Duration::from_millis(100))
                .max_delay(Duration::from_secs(1))
                .max_total_elapsed(Duration::from_secs(4)),
        );
        let location = CloudLocation::Custom {
            account: cs.account.clone(),
            uri: cs.endpoint.clone(),
        };
        let credentials = StorageCredentials::access_key(cs.account.clone(), cs.key.clone());
        let service = TableServiceClientBuilder::with_location(location, credentials)
            .retry(retry)
            .transport(TransportOptions::new(Arc::new(http)))
            .build();
        let store = Self {
            users: service.table_client("users"),
            chats: service.table_client("chats"),
            connections: service.table_client("connections"),
            members: service.table_client("members"),
            memberships: service.table_client("memberships"),
            purges: service.table_client("purges"),
            user_index: service.table_client("userIndex"),
            messages: service.table_client("messages"),
            read_cursors: service.table_client("readCursors"),
        };
        store.create_tables().await?;
        store.migrate().await?;
        store.index_existing_users().await?;
        Ok(store)
    }

    /// Creates the tables that are missing.
    pub(super) async fn create_tables(&self) -> Result<(), StoreError> {
        for table in [
            &self.users,
            &self.chats,
            &self.connections,
            &self.members,
            &self.memberships,
            &self.purges,
            &self.user_index,
            &self.messages,
            &self.read_cursors,
        ] {
            match table.create().await {
                Ok(_) => tracing::info!(table = table.table_name(), "created table"),
                Err(e) if status(&e) == Some(StatusCode::Conflict) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }
}
