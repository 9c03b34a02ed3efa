//! Read cursors in Table Storage: table `readCursors`, PartitionKey = user id, RowKey = chat
//! id, `id` the newest message read. A user's cursors are one partition; moving one forward
//! reads it and writes at its ETag (a conflict starts the event over), never backwards.

use azure_core::StatusCode;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chat::message::MessageId;
use crate::chat::model::{ChatId, UserId};
use crate::store::table::{status, unavailable, write_failure, TableStore, WriteError};
use crate::store::StoreError;

/// A `readCursors` row.
#[derive(Debug, Serialize, Deserialize)]
struct CursorEntity {
    #[serde(rename = "PartitionKey")]
    partition_key: String,
    #[serde(rename = "RowKey")]
    row_key: String,
    id: String,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("readCursors row: {e}"))
}

impl TableStore {
    pub(super) async fn mark_read(
        &self,
        chat: &ChatId,
        user: &UserId,
        id: &MessageId,
    ) -> Result<(), WriteError> {
        let row = CursorEntity {
            partition_key: user.as_str().to_string(),
            row_key: chat.as_str().to_string(),
            id: id.as_str().to_string(),
        };
        let entity = Self::entity_in(&self.read_cursors, user.as_str(), chat.as_str());
        match entity.get::<CursorEntity>().await {
            Ok(found) if found.entity.id.as_str() >= id.as_str() => Ok(()),
            Ok(found) => entity
                .update(&row, IfMatchCondition::Etag(found.etag))
                .map_err(unavailable)?
                .await
                .map(drop)
                .map_err(|e| write_failure(e, false)),
            Err(e) if status(&e) == Some(StatusCode::NotFound) && !super::table_missing(&e) => self
                .read_cursors
                .insert::<_, serde_json::Value>(&row)
                .map_err(unavailable)?
                .await
                .map(drop)
                .map_err(|e| write_failure(e, true)),
            Err(e) if super::table_missing(&e) => Err(WriteError::TableMissing),
            Err(e) => Err(unavailable(e).into()),
        }
    }

    pub(super) async fn cursors_of(
        &self,
        user: &UserId,
    ) -> Result<Vec<(ChatId, MessageId)>, StoreError> {
        Self::partition::<CursorEntity>(&self.read_cursors, user.as_str(), None, usize::MAX)
            .await?
            .into_iter()
            .map(|row| {
                Ok((
                    ChatId::parse(row.row_key).map_err(corrupt)?,
                    MessageId::parse(&row.id).map_err(corrupt)?,
                ))
            })
            .collect()
    }
}
