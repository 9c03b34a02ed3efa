//! Moving a Table Storage store written before member rows (each chat row listing its
//! members in its JSON) to member rows, at start-up. Each chat is moved on its own and the
//! move can be run again: a restart part-way finishes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::chat::member::Member;
use crate::chat::model::{DisplayName, UserId};
use crate::chat::room::Chat;
use crate::store::table::entity::{ChatEntity, MemberEntity, PARTITION};
use crate::store::table::{unavailable, TableStore};
use crate::store::StoreError;

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

impl TableStore {
    /// Moves the members of every old-shaped chat row into member rows.
    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
        let mut moved = 0usize;
        for entity in
            Self::partition::<ChatEntity>(&self.chats, PARTITION, None, usize::MAX).await?
        {
            let json = entity.json()?;
            let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("chat row: {e}"));
            let Some(members) = serde_json::from_str::<LegacyChat>(&json)
                .map_err(corrupt)?
                .members
            else {
                continue; // already in today's shape
            };
            let chat: Chat = serde_json::from_str(&json).map_err(corrupt)?;
            if !chat.deleted {
                for (user, legacy) in &members {
                    let member = Member {
                        chat: chat.id.clone(),
                        user: UserId::parse(user.as_str())
                            .map_err(|e| StoreError::Corrupt(format!("a member's id: {e}")))?,
                        name: DisplayName::parse(&legacy.name)
                            .or_else(|_| DisplayName::parse("Someone"))
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    };
                    let (row, reverse) = MemberEntity::rows(&member);
                    Self::entity_in(
                        &self.members,
                        row.partition_key.as_str(),
                        row.row_key.as_str(),
                    )
                    .insert_or_replace(&row)
                    .map_err(unavailable)?
                    .await
                    .map_err(unavailable)?;
                    Self::entity_in(
                        &self.memberships,
                        reverse.partition_key.as_str(),
                        reverse.row_key.as_str(),
                    )
                    .insert_or_replace(&reverse)
                    .map_err(unavailable)?
                    .await
                    .map_err(unavailable)?;
                    moved += 1;
                }
            }
            // The row in today's shape: one part, no members, the count beside it.
            let mut row = ChatEntity::from_chat(&chat)?;
            row.member_count = Some(if chat.deleted {
                0
            } else {
                i64::try_from(members.len()).unwrap_or(i64::MAX)
            });
            Self::entity(&self.chats, chat.id.as_str())
                .insert_or_replace(&row)
                .map_err(unavailable)?
                .await
                .map_err(unavailable)?;
        }
        if moved > 0 {
            tracing::info!(members = moved, "moved chat members into rows of their own");
        }
        Ok(())
    }
}
