//! Fifty writers of one row at once, by read-modify-write with version checks and retries:
//! every write lands.

use std::sync::Arc;

use chatr::chat::outcome::{Change, Expect};
use chatr::chat::user::ConnectionState;
use chatr::functions::process::retry_conflicts;
use chatr::store::SharedStore;

use super::{insert_chat, insert_user, read_chat, read_user};
use crate::support::domain::{cid, group_chat, name, uid, user, ROOM};

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

/// Fifty users join one chat at once, each by read-modify-write of the chat row: all fifty
/// are members afterwards.
pub async fn fifty_concurrent_joins_of_one_chat_keep_all_fifty_members(store: SharedStore) {
    let c = group_chat(ROOM);
    let id = c.id.clone();
    insert_chat(&store, &c).await;
    let joins = (0..50).map(|i| {
        let (store, id) = (Arc::clone(&store), id.clone());
        tokio::spawn(async move {
            retry_conflicts(|| async {
                let read = store.get_chat(&id).await?.expect("present");
                let mut chat = read.value;
                chat.add_connection(&uid(&format!("u{i}")), &name("U"), &cid(&format!("c{i}")));
                store
                    .apply(&[Change::PutChat {
                        chat,
                        expect: Expect::Version(read.version),
                    }])
                    .await
            })
            .await
        })
    });
    for j in futures_util::future::join_all(joins).await {
        j.expect("task").expect("join lands");
    }
    assert_eq!(read_chat(&store, &id).await.value.members.len(), 50);
}
