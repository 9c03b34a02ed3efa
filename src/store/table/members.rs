//! Member rows in Azure Table Storage: `members` (a chat's partition) and `memberships` (a
//! user's partition), written together; the chat's `memberCount` follows each row that comes
//! or goes. Table Storage has no transaction across tables, so the count is exact unless the
//! process stops between a member row and the count (then it is off by that one member until
//! the next change of that member): it is the listed count, not a lock on the chat's size.

use azure_data_tables::prelude::*;
use futures_util::StreamExt;

use crate::chat::member::Member;
use crate::chat::model::{ChatId, UserId};
use crate::store::table::entity::{ChatEntity, MemberEntity, MembershipEntity, PurgeEntity};
use crate::store::table::{
    key_literal, status, unavailable, write_failure, TableStore, WriteError,
};
use crate::store::StoreError;

/// The partition of `purges`.
pub(super) const PURGES: &str = "purges";
/// How long a live chat's purge mark is kept: far longer than a delete takes between marking
/// the chat and writing its row (a few seconds of retries at most).
const PURGE_GRACE: time::Duration = time::Duration::minutes(2);
/// How often a count update is tried again after another writer moved the chat row (within
/// one handler, row locks keep its joins of one chat from meeting here at all).
const COUNT_TRIES: usize = 100;

/// Whether a live chat's mark, written at `timestamp` (the service's clock), is old enough to
/// be a failed delete rather than one on its way; a missing or unreadable time counts as old.
fn mark_expired(timestamp: Option<&str>, now: time::OffsetDateTime) -> bool {
    let written = timestamp.and_then(|t| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    });
    written.is_none_or(|written| now - written > PURGE_GRACE)
}

impl TableStore {
    /// Inserts the member row, then its reverse (always: a join again repairs a reverse row a
    /// failure left out), then the count when the member is new.
    pub(super) async fn add_member(&self, member: &Member) -> Result<(), WriteError> {
        let (row, reverse) = MemberEntity::rows(member);
        let inserted = self
            .members
            .insert::<_, serde_json::Value>(row)
            .map_err(unavailable)?
            .await;
        let new = match inserted {
            Ok(_) => true,
            Err(e) if status(&e) == Some(azure_core::StatusCode::Conflict) => false,
            Err(e) => return Err(write_failure(e, true)),
        };
        Self::entity_in(
            &self.memberships,
            member.user.as_str(),
            member.chat.as_str(),
        )
        .insert_or_replace(reverse)
        .map_err(unavailable)?
        .await
        .map_err(|e| write_failure(e, true))?;
        if new {
            self.move_count(&member.chat, 1).await?;
        }
        Ok(())
    }

    /// Deletes the reverse row first (so that a failure part-way leaves a member who can leave
    /// again, never a non-member whose new connections still enter the chat), then the member
    /// row; the count follows when there was one.
    pub(super) async fn remove_member(
        &self,
        chat: &ChatId,
        user: &UserId,
    ) -> Result<(), WriteError> {
        self.delete_row(&self.memberships, user.as_str(), chat.as_str())
            .await?;
        let existed = self
            .delete_row(&self.members, chat.as_str(), user.as_str())
            .await?;
        if existed {
            self.move_count(chat, -1).await?;
        }
        Ok(())
    }

    /// Deletes one row; whether it was there.
    pub(super) async fn delete_row(
        &self,
        table: &TableClient,
        pk: &str,
        rk: &str,
    ) -> Result<bool, WriteError> {
        match Self::entity_in(table, pk, rk).delete().await {
            Ok(_) => Ok(true),
            Err(e)
                if status(&e) == Some(azure_core::StatusCode::NotFound)
                    && !super::table_missing(&e) =>
            {
                Ok(false)
            }
            Err(e) => Err(write_failure(e, true)),
        }
    }

    /// Adds `step` to a chat's member count (never below zero), retrying when another writer
    /// moved the row in between.
    async fn move_count(&self, chat: &ChatId, step: i64) -> Result<(), WriteError> {
        for _ in 0..COUNT_TRIES {
            let Some((entity, version)) =
                Self::get::<ChatEntity>(&self.chats, chat.as_str()).await?
            else {
                return Ok(()); // no chat row (yet): nothing to count
            };
            let count = (entity.member_count.unwrap_or_default() + step).max(0);
            let merged = Self::entity(&self.chats, chat.as_str())
                .merge(
                    serde_json::json!({ "memberCount": count }),
                    IfMatchCondition::Etag(version.0.into()),
                )
                .map_err(unavailable)?
                .await;
            match merged {
                Ok(_) => return Ok(()),
                Err(e) if status(&e) == Some(azure_core::StatusCode::PreconditionFailed) => {
                    continue
                }
                Err(e) => return Err(write_failure(e, false)),
            }
        }
        Err(StoreError::Unavailable(format!("the member count of {chat} kept moving")).into())
    }

    /// Marks a deleted chat for the sweep.
    pub(super) async fn mark_purge(&self, chat: &ChatId) -> Result<(), WriteError> {
        Self::entity_in(&self.purges, PURGES, chat.as_str())
            .insert_or_replace(PurgeEntity {
                partition_key: PURGES.into(),
                row_key: chat.as_str().into(),
                timestamp: None,
            })
            .map_err(unavailable)?
            .await
            .map(drop)
            .map_err(|e| write_failure(e, true))
    }

    /// Every row of one partition, in key order, after `after`, at most `limit`.
    pub(super) async fn partition<E: serde::de::DeserializeOwned + Send + Sync>(
        table: &TableClient,
        pk: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<E>, StoreError> {
        let mut filter = format!("PartitionKey eq '{}'", key_literal(pk));
        if let Some(after) = after {
            filter.push_str(&format!(" and RowKey gt '{}'", key_literal(after)));
        }
        Self::query(table, filter, limit).await
    }

    /// The rows a filter selects, in key order, at most `limit`.
    pub(super) async fn query<E: serde::de::DeserializeOwned + Send + Sync>(
        table: &TableClient,
        filter: String,
        limit: usize,
    ) -> Result<Vec<E>, StoreError> {
        let top = u32::try_from(limit.min(1000)).unwrap_or(1000).max(1);
        let mut stream = table
            .query()
            .filter(Filter::new(filter))
            .top(Top::new(top))
            .into_stream::<E>();
        let mut rows = Vec::new();
        while rows.len() < limit {
            match stream.next().await {
                Some(Ok(page)) => rows.extend(page.entities),
                Some(Err(e)) if super::table_missing(&e) => break,
                Some(Err(e)) => return Err(unavailable(e)),
                None => break,
            }
        }
        rows.truncate(limit);
        Ok(rows)
    }

    /// Removes up to `limit` member rows of deleted chats.
    pub(super) async fn purge(&self, limit: usize) -> Result<usize, StoreError> {
        let pending: Vec<PurgeEntity> =
            Self::partition(&self.purges, PURGES, None, usize::MAX).await?;
        let mut removed = 0;
        for purge in pending {
            let chat = ChatId::parse(purge.row_key.as_str())
                .map_err(|e| StoreError::Corrupt(format!("purges RowKey: {e}")))?;
            let deleted = Self::get::<ChatEntity>(&self.chats, chat.as_str())
                .await?
                .map(|(row, _)| row.into_chat())
                .transpose()?
                .is_some_and(|c| c.deleted);
            if !deleted {
                // A live chat's mark: a delete on its way (marked, its row not yet written) or
                // one that failed after marking. Only an old mark is a failed delete, and goes.
                if mark_expired(purge.timestamp.as_deref(), time::OffsetDateTime::now_utc()) {
                    self.delete_row(&self.purges, PURGES, chat.as_str())
                        .await
                        .map_err(Self::store_error)?;
                }
                continue;
            }
            let rows: Vec<MemberEntity> =
                Self::partition(&self.members, chat.as_str(), None, limit - removed).await?;
            for row in &rows {
                self.delete_row(&self.memberships, &row.row_key, chat.as_str())
                    .await
                    .map_err(Self::store_error)?;
                self.delete_row(&self.members, chat.as_str(), &row.row_key)
                    .await
                    .map_err(Self::store_error)?;
            }
            removed += rows.len();
            if removed >= limit {
                break;
            }
            removed += self.purge_messages(&chat, limit - removed).await?;
            if removed >= limit {
                break;
            }
            // Emptied: the chat is done with.
            self.delete_row(&self.purges, PURGES, chat.as_str())
                .await
                .map_err(Self::store_error)?;
        }
        Ok(removed)
    }

    /// The chats of a user, deleted ones (those still marked for the sweep) left out.
    pub(super) async fn live_chats_of(&self, user: &UserId) -> Result<Vec<ChatId>, StoreError> {
        self.live_memberships(user, usize::MAX)
            .await?
            .into_iter()
            .map(|m| {
                ChatId::parse(m.row_key)
                    .map_err(|e| StoreError::Corrupt(format!("memberships RowKey: {e}")))
            })
            .collect()
    }

    /// How many live chats a user is in, up to `up_to`: that many reverse rows are read, and
    /// one more for each deleted chat still to purge.
    pub(super) async fn count_live_chats_of(
        &self,
        user: &UserId,
        up_to: usize,
    ) -> Result<usize, StoreError> {
        Ok(self.live_memberships(user, up_to).await?.len().min(up_to))
    }

    /// A user's reverse rows, in key order, leaving out deleted chats still to purge, reading
    /// no further than `live` rows past those.
    async fn live_memberships(
        &self,
        user: &UserId,
        live: usize,
    ) -> Result<Vec<MembershipEntity>, StoreError> {
        let purging: std::collections::BTreeSet<String> =
            Self::partition::<PurgeEntity>(&self.purges, PURGES, None, usize::MAX)
                .await?
                .into_iter()
                .map(|p| p.row_key)
                .collect();
        let rows = Self::partition::<MembershipEntity>(
            &self.memberships,
            user.as_str(),
            None,
            live.saturating_add(purging.len()),
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|m| !purging.contains(&m.row_key))
            .collect())
    }

    pub(super) fn store_error(e: WriteError) -> StoreError {
        match e {
            WriteError::Store(e) => e,
            WriteError::TableMissing => StoreError::Unavailable("a table is missing".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_chats_mark_expires_after_the_grace_and_an_unreadable_one_at_once() {
        let written = "2026-11-27T15:00:00.1234567Z";
        let at = |t: &str| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .expect("time")
        };
        assert!(!mark_expired(Some(written), at("2026-11-27T15:01:59Z")));
        assert!(mark_expired(Some(written), at("2026-11-27T15:02:01Z")));
        assert!(mark_expired(Some("yesterday"), at("2026-11-27T15:00:01Z")));
        assert!(mark_expired(None, at("2026-11-27T15:00:01Z")));
    }
}
