//! Members: rows of their own, counted once, paged, a user's chats, deleted chats purged.

use chatr::chat::member::Member;
use chatr::chat::outcome::Change;
use chatr::store::SharedStore;

use super::{delete_chat, insert_chat, read_chat};
use crate::support::domain::{chat_id, group_chat, name, uid, OTHER_ROOM, ROOM};

/// `user` in the chat `chat`.
pub fn member(chat: &str, user: &str) -> Member {
    Member::new(&chat_id(chat), &uid(user), &name(&format!("{user} name")))
}

pub fn add(chat: &str, user: &str) -> Change {
    Change::AddMember {
        member: member(chat, user),
    }
}

pub fn remove(chat: &str, user: &str) -> Change {
    Change::RemoveMember {
        chat: chat_id(chat),
        user: uid(user),
    }
}

pub async fn a_member_reads_back_and_is_counted_once(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    store.apply(&[add(ROOM, "u1")]).await.expect("join");
    store
        .apply(&[add(ROOM, "u1")])
        .await
        .expect("joining again is no error");
    assert_eq!(
        read_chat(&store, &chat_id(ROOM)).await.value.member_count,
        1
    );
    assert_eq!(
        store
            .get_member(&chat_id(ROOM), &uid("u1"))
            .await
            .expect("read"),
        Some(member(ROOM, "u1"))
    );
    assert_eq!(
        store
            .get_member(&chat_id(ROOM), &uid("u2"))
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.chats_of(&uid("u1")).await.expect("read"),
        vec![chat_id(ROOM)]
    );
    assert!(store.chats_of(&uid("u2")).await.expect("read").is_empty());
}

pub async fn leaving_counts_down_once_and_again_is_no_error(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    store
        .apply(&[add(ROOM, "u1"), add(ROOM, "u2")])
        .await
        .expect("join");
    store.apply(&[remove(ROOM, "u1")]).await.expect("leave");
    store
        .apply(&[remove(ROOM, "u1")])
        .await
        .expect("leaving again");
    assert_eq!(
        read_chat(&store, &chat_id(ROOM)).await.value.member_count,
        1
    );
    assert_eq!(
        store
            .get_member(&chat_id(ROOM), &uid("u1"))
            .await
            .expect("read"),
        None
    );
    assert!(store.chats_of(&uid("u1")).await.expect("read").is_empty());
}

pub async fn members_page_in_user_order_across_pages(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    let users: Vec<String> = (0..25).map(|i| format!("u{i:02}")).collect();
    let joins: Vec<Change> = users.iter().map(|u| add(ROOM, u)).collect();
    store.apply(&joins).await.expect("join");
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .members_of(&chat_id(ROOM), after.as_ref(), 10)
            .await
            .expect("page");
        assert!(page.len() <= 10);
        let Some(last) = page.last() else { break };
        after = Some(last.user.clone());
        seen.extend(page.into_iter().map(|m| m.user.as_str().to_string()));
    }
    assert_eq!(seen, users);
    assert_eq!(
        read_chat(&store, &chat_id(ROOM)).await.value.member_count,
        25
    );
}

pub async fn a_chat_write_keeps_its_member_count(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    store
        .apply(&[add(ROOM, "u1"), add(ROOM, "u2")])
        .await
        .expect("join");
    delete_chat(&store, &chat_id(ROOM)).await;
    let after = read_chat(&store, &chat_id(ROOM)).await.value;
    assert!(after.deleted);
    assert_eq!(
        after.member_count, 2,
        "the chat's write leaves the count as it was"
    );
}

pub async fn a_users_chats_leave_out_deleted_ones_and_the_purge_removes_their_members(
    store: SharedStore,
) {
    insert_chat(&store, &group_chat(ROOM)).await;
    insert_chat(&store, &group_chat(OTHER_ROOM)).await;
    let joins: Vec<Change> = (0..12)
        .map(|i| add(ROOM, &format!("u{i:02}")))
        .chain([add(OTHER_ROOM, "u00")])
        .collect();
    store.apply(&joins).await.expect("join");
    delete_chat(&store, &chat_id(ROOM)).await;
    assert_eq!(
        store.chats_of(&uid("u00")).await.expect("read"),
        vec![chat_id(OTHER_ROOM)],
        "a deleted chat is nobody's chat, purged or not"
    );
    let mut purged = 0;
    loop {
        let n = store.purge_deleted(5).await.expect("purge");
        assert!(n <= 5, "a purge call removes at most its limit");
        if n == 0 {
            break;
        }
        purged += n;
    }
    assert_eq!(purged, 12);
    assert!(store
        .members_of(&chat_id(ROOM), None, 100)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .members_of(&chat_id(OTHER_ROOM), None, 100)
            .await
            .expect("read")
            .len(),
        1,
        "other chats keep their members"
    );
}

pub async fn a_users_chats_are_counted_up_to_the_bound_leaving_out_deleted_ones(
    store: SharedStore,
) {
    let rooms: Vec<String> = (0..5).map(|i| format!("room-{i}")).collect();
    for room in &rooms {
        insert_chat(&store, &group_chat(room)).await;
    }
    let joins: Vec<Change> = rooms.iter().map(|r| add(r, "u1")).collect();
    store.apply(&joins).await.expect("join");
    // The first in key order deleted, not yet purged: the count reads past it.
    delete_chat(&store, &chat_id(&rooms[0])).await;
    let count = |up_to| {
        let store = store.clone();
        async move {
            store
                .count_chats_of(&uid("u1"), up_to)
                .await
                .expect("count")
        }
    };
    assert_eq!(count(10).await, 4, "four live chats");
    assert_eq!(count(4).await, 4);
    assert_eq!(count(3).await, 3, "counted no further than the bound");
    assert_eq!(
        store.count_chats_of(&uid("u2"), 10).await.expect("count"),
        0
    );
}
