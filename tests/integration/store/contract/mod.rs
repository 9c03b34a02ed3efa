//! The store contract, written once: every `Store` implementation runs these, each case on a
//! fresh store (`store_contract!(fresh())` in the implementation's module).

pub mod bindings;
pub mod chats;
pub mod concurrency;
pub mod members;
pub mod messages;
pub mod user_index;
pub mod users;

use chatr::chat::model::ChatId;
use chatr::chat::outcome::{Change, Expect, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::User;
use chatr::store::SharedStore;

use crate::support::domain::uid;

/// `PutUser` with an expectation.
fn put_user(user: &User, expect: Expect) -> Change {
    Change::PutUser {
        user: user.clone(),
        expect,
    }
}

/// `PutChat` with an expectation.
pub fn put_chat(chat: &Chat, expect: Expect) -> Change {
    Change::PutChat {
        chat: chat.clone(),
        expect,
    }
}

/// Inserts a user that does not exist yet.
pub(super) async fn insert_user(store: &SharedStore, user: &User) {
    store
        .apply(&[put_user(user, Expect::Absent)])
        .await
        .expect("insert");
}

/// Inserts a chat that does not exist yet.
pub async fn insert_chat(store: &SharedStore, chat: &Chat) {
    store
        .apply(&[put_chat(chat, Expect::Absent)])
        .await
        .expect("insert");
}

/// A user that must be there.
pub(super) async fn read_user(store: &SharedStore, id: &str) -> Versioned<User> {
    store
        .get_user(&uid(id))
        .await
        .expect("read")
        .expect("present")
}

/// A chat that must be there.
pub async fn read_chat(store: &SharedStore, id: &ChatId) -> Versioned<Chat> {
    store.get_chat(id).await.expect("read").expect("present")
}

/// Deletes a chat as its owner's `deleteChat` does: its row written again, `deleted`.
pub async fn delete_chat(store: &SharedStore, id: &ChatId) {
    let read = read_chat(store, id).await;
    let mut deleted = read.value;
    deleted.deleted = true;
    store
        .apply(&[put_chat(&deleted, Expect::Version(read.version))])
        .await
        .expect("delete");
}

/// Runs the whole contract, each case on a fresh store from `fresh`, as a test named after
/// the case in the calling module.
macro_rules! store_contract {
    ($fresh:expr) => {
        $crate::store::contract::store_contract!(@cases $fresh;
            users::a_missing_user_reads_as_none,
            users::a_created_user_reads_back_with_a_version,
            users::creating_a_user_that_exists_is_a_conflict,
            users::a_write_with_a_stale_version_is_a_conflict,
            users::updating_a_missing_user_is_a_conflict,
            users::unicode_ids_and_names_round_trip,
            bindings::bindings_are_idempotent,
            concurrency::fifty_concurrent_writers_of_one_row_all_land,
            chats::a_chat_reads_back_and_lists_with_deleted_ones,
            chats::a_stale_chat_write_is_a_conflict,
            chats::names_stored_under_older_rules_still_read,
            concurrency::fifty_concurrent_joins_of_one_chat_keep_all_fifty_members,
            members::a_member_reads_back_and_is_counted_once,
            members::leaving_counts_down_once_and_again_is_no_error,
            members::members_page_in_user_order_across_pages,
            members::a_chat_write_keeps_its_member_count,
            members::a_users_chats_leave_out_deleted_ones_and_the_purge_removes_their_members,
            members::a_users_chats_are_counted_up_to_the_bound_leaving_out_deleted_ones,
            user_index::online_users_are_those_with_a_live_connection,
            user_index::a_name_search_pages_through_matches_in_name_order_whatever_the_case,
            user_index::a_renamed_user_is_found_by_the_new_name_only,
            messages::messages_page_newest_first_before_and_oldest_first_after,
            messages::a_client_id_is_taken_once_per_sender_and_chat,
            messages::an_edit_needs_the_version_read_and_a_tombstone_keeps_no_text,
            messages::the_purge_removes_a_deleted_chats_messages,
            messages::a_read_cursor_only_moves_forward_one_per_user_and_chat,
            messages::messages_past_the_retention_go_with_their_client_id_markers,
        );
    };
    (@cases $fresh:expr; $($concept:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let (store, _guard) = $fresh.await;
                $crate::store::contract::$concept::$case(store).await;
            }
        )*
    };
}
pub(crate) use store_contract;
