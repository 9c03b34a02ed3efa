//! The user index in Azure Table Storage (`userIndex`): partition `online` (RowKey = user id)
//! lists who has a live connection, partition `names` (RowKey = the name's search key, which
//! ends in the user id) finds users by the start of their name. Each is one partition and a
//! range of keys, so `/api/users` reads a bounded page whatever the number of users. Entries
//! follow the `IndexUser` change written before each user write; an entry that a failed event
//! left behind is skipped when the user's row does not agree with it (it is not removed on
//! reading: it may be the entry of an event whose user write is still on its way), so a page
//! may come back short.

use futures_util::{stream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::chat::model::UserId;
use crate::chat::outcome::UserEntry;
use crate::chat::user::{search_end, search_prefix, User};
use crate::store::table::entity::{UserEntity, PARTITION};
use crate::store::table::markers::START_UP_PAGE;
use crate::store::table::{key_literal, unavailable, write_failure, TableStore, WriteError};
use crate::store::StoreError;

const ONLINE: &str = "online";
const NAMES: &str = "names";
/// The marker row saying every user row written before the index has its entries.
const INDEXED: &str = "indexed-v1";
/// User rows read at once for a page.
const READS_AT_ONCE: usize = 16;

/// One index row; `userId` says whose.
#[derive(Debug, Serialize, Deserialize)]
struct IndexEntity {
    #[serde(rename = "PartitionKey")]
    partition_key: String,
    #[serde(rename = "RowKey")]
    row_key: String,
    #[serde(rename = "userId", default)]
    user_id: String,
}

impl IndexEntity {
    fn new(partition: &str, key: &str, user: &str) -> Self {
        Self {
            partition_key: partition.into(),
            row_key: key.into(),
            user_id: user.into(),
        }
    }
}

impl TableStore {
    /// Writes one user's entry as it is (not only what differs from `was`: another handler
    /// instance may have written the index since the row was read), removing an old name entry.
    pub(super) async fn index_user(
        &self,
        user: &UserId,
        entry: &UserEntry,
        was: Option<&UserEntry>,
    ) -> Result<(), WriteError> {
        if let Some(old) = was.filter(|w| w.key != entry.key) {
            self.delete_index(NAMES, &old.key).await?;
        }
        self.put_index(NAMES, &entry.key, user.as_str()).await?;
        if entry.online {
            self.put_index(ONLINE, user.as_str(), user.as_str()).await
        } else {
            self.delete_index(ONLINE, user.as_str()).await
        }
    }

    async fn put_index(&self, partition: &str, key: &str, user: &str) -> Result<(), WriteError> {
        Self::entity_in(&self.user_index, partition, key)
            .insert_or_replace(IndexEntity::new(partition, key, user))
            .map_err(unavailable)?
            .await
            .map(drop)
            .map_err(|e| write_failure(e, true))
    }

    async fn delete_index(&self, partition: &str, key: &str) -> Result<(), WriteError> {
        match Self::entity_in(&self.user_index, partition, key)
            .delete()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if super::status(&e) == Some(azure_core::StatusCode::NotFound) => Ok(()),
            Err(e) => Err(write_failure(e, true)),
        }
    }

    /// The users of index rows, read a few at a time, leaving out those whose row no longer
    /// agrees with the entry (`agrees`).
    async fn users_of(
        &self,
        rows: Vec<IndexEntity>,
        agrees: impl Fn(&IndexEntity, &User) -> bool,
    ) -> Result<Vec<(String, User)>, StoreError> {
        let reads = rows.into_iter().map(|row| async move {
            let user = Self::get::<UserEntity>(&self.users, &row.user_id).await;
            (row, user)
        });
        let read: Vec<_> = stream::iter(reads).buffered(READS_AT_ONCE).collect().await;
        let mut users = Vec::new();
        for (row, user) in read {
            if let Some((entity, _)) = user? {
                let user = entity.into_user()?;
                if agrees(&row, &user) {
                    users.push((row.row_key, user));
                }
            }
        }
        Ok(users)
    }

    /// Up to `limit` online users, by id.
    pub(super) async fn online(&self, limit: usize) -> Result<Vec<User>, StoreError> {
        let rows: Vec<IndexEntity> = Self::partition(&self.user_index, ONLINE, None, limit).await?;
        Ok(self
            .users_of(rows, |_, user| user.is_online())
            .await?
            .into_iter()
            .map(|(_, u)| u)
            .collect())
    }

    /// Up to `limit` users whose name starts with `prefix`, after the key `after`.
    pub(super) async fn search(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, User)>, StoreError> {
        let from = search_prefix(prefix);
        let start = match after {
            Some(a) if a >= from.as_str() => format!("RowKey gt '{}'", key_literal(a)),
            _ => format!("RowKey ge '{}'", key_literal(&from)),
        };
        let filter = format!(
            "PartitionKey eq '{NAMES}' and {start} and RowKey lt '{}'",
            key_literal(&search_end(prefix))
        );
        let rows: Vec<IndexEntity> = Self::query(&self.user_index, filter, limit).await?;
        self.users_of(rows, |row, user| UserEntry::of(user).key == row.row_key)
            .await
    }

    /// Writes the entries of every user row written before the index, once.
    pub(super) async fn index_existing_users(&self) -> Result<(), StoreError> {
        if self.marked(INDEXED).await? {
            return Ok(());
        }
        let mut after: Option<String> = None;
        loop {
            let users: Vec<UserEntity> =
                Self::partition(&self.users, PARTITION, after.as_deref(), START_UP_PAGE).await?;
            let last_page = users.len() < START_UP_PAGE;
            after = users.last().map(|u| u.row_key.clone());
            for entity in users {
                let user = entity.into_user()?;
                self.index_user(&user.id, &UserEntry::of(&user), None)
                    .await
                    .map_err(Self::store_error)?;
            }
            if last_page || after.is_none() {
                break;
            }
        }
        self.mark(INDEXED).await
    }
}
