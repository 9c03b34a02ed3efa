//! One `Change` written to Table Storage: users and chats with their ETag, members and the
//! index through their own files, connection bindings that are never rebound; a table that
//! went missing (an emulator restarted empty) is created again and the write tried once more.

use azure_core::StatusCode;
use azure_data_tables::prelude::*;

use crate::chat::outcome::{Change, Expect};
use crate::store::table::entity::{ChatEntity, ConnectionEntity, UserEntity};
use crate::store::table::{status, unavailable, write_failure, TableStore, WriteError};
use crate::store::StoreError;

impl TableStore {
    pub(super) async fn write(&self, change: &Change) -> Result<(), WriteError> {
        match change {
            Change::PutUser { user, expect } => {
                Self::put(
                    &self.users,
                    user.id.as_str(),
                    &UserEntity::from_user(user)?,
                    expect,
                )
                .await
            }
            Change::PutChat { chat, expect } => {
                let mut row = ChatEntity::from_chat(chat)?;
                if chat.deleted {
                    // Marked first: a deleted chat is always one a user's chats leave out (a
                    // mark whose chat stayed live, the delete having failed, the purge drops).
                    self.mark_purge(&chat.id).await?;
                }
                match expect {
                    Expect::Absent => {
                        row.member_count = Some(0);
                        Self::put(&self.chats, chat.id.as_str(), &row, expect).await?;
                    }
                    // A merge: the member count, kept beside the chat, stays as it is.
                    Expect::Version(v) => Self::entity(&self.chats, chat.id.as_str())
                        .merge(&row, IfMatchCondition::Etag(v.0.clone().into()))
                        .map_err(unavailable)?
                        .await
                        .map(drop)
                        .map_err(|e| write_failure(e, false))?,
                }
                Ok(())
            }
            Change::IndexUser { user, entry, was } => {
                self.index_user(user, entry, was.as_ref()).await
            }
            Change::AddMember { member } => self.add_member(member).await,
            Change::RemoveMember { chat, user } => self.remove_member(chat, user).await,
            Change::BindConnection { connection, user } => {
                let inserted = self
                    .connections
                    .insert::<_, serde_json::Value>(ConnectionEntity::new(connection, user))
                    .map_err(unavailable)?
                    .await;
                match inserted {
                    Ok(_) => Ok(()),
                    // Already there: fine only if it is this user's and still open; it is
                    // never rebound to someone else.
                    Err(e) if status(&e) == Some(StatusCode::Conflict) => {
                        match Self::get::<ConnectionEntity>(&self.connections, connection.as_str())
                            .await?
                        {
                            Some((row, _)) if row.user_id == user.as_str() && !row.closed => Ok(()),
                            _ => Err(StoreError::Conflict.into()),
                        }
                    }
                    Err(e) => Err(write_failure(e, true)),
                }
            }
            Change::PutMessage { message, expect } => Ok(self.put_message(message, expect).await?),
            Change::MarkRead { chat, user, id } => Ok(self.mark_read(chat, user, id).await?),
            Change::UnbindConnection { connection } => {
                // Kept, marked closed, so that a replayed event cannot bind it again.
                match Self::get::<ConnectionEntity>(&self.connections, connection.as_str()).await? {
                    Some((mut row, _)) if !row.closed => {
                        row.closed = true;
                        Self::entity(&self.connections, connection.as_str())
                            .insert_or_replace(row)
                            .map_err(unavailable)?
                            .await
                            .map(drop)
                            .map_err(|e| write_failure(e, true))
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    /// One change; a missing table is created and the write tried once more.
    pub(super) async fn apply_one(&self, change: &Change) -> Result<(), StoreError> {
        match self.write(change).await {
            Ok(()) => Ok(()),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::TableMissing) => {
                tracing::warn!("a table is missing; creating the tables again");
                self.create_tables().await?;
                match self.write(change).await {
                    Ok(()) => Ok(()),
                    Err(WriteError::Store(e)) => Err(e),
                    Err(WriteError::TableMissing) => {
                        Err(StoreError::Unavailable("a table is still missing".into()))
                    }
                }
            }
        }
    }
}
