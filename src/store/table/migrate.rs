//! Moving a Table Storage store written before member rows (each chat row listing its
//! members in its JSON) to member rows, at start-up. Chat rows are read a page at a time; each
//! old-shaped chat is moved on its own, its row replaced only if no one wrote it in between
//! (`If-Match`), so a member who joined meanwhile is not lost; a restart part-way finishes the
//! move. A marker row records the end, so later starts read no chat rows at all.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::chat::member::Member;
use crate::chat::model::UserId;
use crate::chat::name::DisplayName;
use crate::chat::outcome::Expect;
use crate::chat::room::Chat;
use crate::store::table::entity::{ChatEntity, MemberEntity, PARTITION};
use crate::store::table::markers::START_UP_PAGE;
use crate::store::table::{unavailable, TableStore};
use crate::store::StoreError;

/// The marker of a finished move.
const MOVED: &str = "members-v2";
/// How often one chat's move is tried again after another writer changed its row.
const TRIES: usize = 20;

/// A chat row as it was written before member rows: its members inside it.
#[derive(Deserialize)]
struct LegacyChat {
    #[serde(default)]
    members: Option<BTreeMap<String, LegacyMember>>,
}

#[derive(Deserialize)]
struct LegacyMember {
    name: String,
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("chat row: {e}"))
}

/// The members a chat row lists, when it is in the old shape.
fn legacy_members(
    entity: &ChatEntity,
) -> Result<Option<BTreeMap<String, LegacyMember>>, StoreError> {
    Ok(serde_json::from_str::<LegacyChat>(&entity.json()?)
        .map_err(corrupt)?
        .members)
}

impl TableStore {
    /// Moves the members of every old-shaped chat row into member rows, once.
    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
        if self.marked(MOVED).await? {
            return Ok(());
        }
        let mut moved = 0usize;
        let mut after: Option<String> = None;
        loop {
            let page: Vec<ChatEntity> =
                Self::partition(&self.chats, PARTITION, after.as_deref(), START_UP_PAGE).await?;
            let last_page = page.len() < START_UP_PAGE;
            after = page.last().map(|c| c.row_key.clone());
            for entity in &page {
                if legacy_members(entity)?.is_some() {
                    moved += self.move_chat(&entity.row_key).await?;
                }
            }
            if last_page || after.is_none() {
                break;
            }
        }
        if moved > 0 {
            tracing::info!(members = moved, "moved chat members into rows of their own");
        }
        self.mark(MOVED).await
    }

    /// Moves one chat: its member rows (written again if there already), then its row in
    /// today's shape, unless the row changed since it was read (then all over again). The
    /// number of members moved.
    async fn move_chat(&self, id: &str) -> Result<usize, StoreError> {
        for _ in 0..TRIES {
            let Some((entity, version)) = Self::get::<ChatEntity>(&self.chats, id).await? else {
                return Ok(0);
            };
            let Some(members) = legacy_members(&entity)? else {
                return Ok(0); // moved by another instance meanwhile
            };
            let chat: Chat = serde_json::from_str(&entity.json()?).map_err(corrupt)?;
            if !chat.deleted {
                for (user, legacy) in &members {
                    self.write_member_rows(&Member {
                        chat: chat.id.clone(),
                        user: UserId::parse(user.as_str())
                            .map_err(|e| StoreError::Corrupt(format!("a member's id: {e}")))?,
                        name: DisplayName::stored(&legacy.name)
                            .or_else(|_| DisplayName::parse("Someone"))
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    })
                    .await?;
                }
            }
            // The row in today's shape: one part, no members, the count beside it.
            let mut row = ChatEntity::from_chat(&chat)?;
            let count = if chat.deleted { 0 } else { members.len() };
            row.member_count = Some(i64::try_from(count).unwrap_or(i64::MAX));
            match Self::put(&self.chats, id, &row, &Expect::Version(version)).await {
                Ok(()) => return Ok(count),
                Err(e) => match Self::store_error(e) {
                    StoreError::Conflict => continue,
                    other => return Err(other),
                },
            }
        }
        Err(StoreError::Unavailable(format!(
            "chat {id} kept changing while its members were moved"
        )))
    }

    /// Writes both rows of one member, replacing what is there.
    async fn write_member_rows(&self, member: &Member) -> Result<(), StoreError> {
        let (row, reverse) = MemberEntity::rows(member);
        Self::entity_in(&self.members, &row.partition_key, &row.row_key)
            .insert_or_replace(&row)
            .map_err(unavailable)?
            .await
            .map_err(unavailable)?;
        Self::entity_in(&self.memberships, &reverse.partition_key, &reverse.row_key)
            .insert_or_replace(&reverse)
            .map_err(unavailable)?
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
