//! Fifty writers of one row at once, by read-modify-write with version checks and retries:
//! every write lands.

use std::sync::Arc;

use chatr::chat::outcome::{Change, Expect};
use chatr::chat::user::ConnectionState;
use chatr::functions::process::retry_conflicts;
use chatr::store::SharedStore;

use super::{insert_chat, insert_user, read_chat, read_user};
use crate::support::domain::{chat_id, cid, group_chat, uid, user, ROOM};

/// Fifty writers add one connection each to the same user row: all fifty land.
pub async fn fifty_concurrent_writers_of_one_row_all_land(store: SharedStore) {
    insert_user(&store, &user("busy")).await;
    let writers = (0..50).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            retry_conflicts(|| async {
                let read = store.get_user(&uid("busy")).await?.expect("present");
                let mut u = read.value;
                u.connections
                    .insert(cid(&format!("c{i}")), ConnectionState::default());
                store
                    .apply(&[Change::PutUser {
                        user: u,
                        expect: Expect::Version(read.version),
                    }])
                    .await
            })
            .await
        })
    });
    for w in futures_util::future::join_all(writers).await {
        w.expect("task").expect("write lands");
    }
    assert_eq!(read_user(&store, "busy").await.value.connections.len(), 50);
}

/// Fifty users join one chat at once (member rows, the count beside the chat): all fifty are
/// members afterwards and the count says fifty.
pub async fn fifty_concurrent_joins_of_one_chat_keep_all_fifty_members(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    let joins = (0..50).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .apply(&[super::members::add(ROOM, &format!("u{i:02}"))])
                .await
        })
    });
    for j in futures_util::future::join_all(joins).await {
        j.expect("task").expect("join lands");
    }
    let members = store
        .members_of(&chat_id(ROOM), None, 100)
        .await
        .expect("read");
    assert_eq!(members.len(), 50);
    assert_eq!(
        read_chat(&store, &chat_id(ROOM)).await.value.member_count,
        50
    );
}
