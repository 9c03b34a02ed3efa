//! Chats: read back, listed with deleted and private ones, versioned writes, a full row.

use chatr::chat::model::ChatId;
use chatr::chat::outcome::Expect;
use chatr::chat::room::{Chat, MAX_MEMBERS};
use chatr::store::{SharedStore, StoreError};

use super::{insert_chat, put_chat, read_chat};
use crate::support::domain::{chat_id, cid, group_chat, name, uid, OTHER_ROOM, ROOM};

pub async fn a_chat_reads_back_and_lists_with_deleted_ones(store: SharedStore) {
    let mut a = group_chat(ROOM);
    a.add_connection(&uid("u1"), &name("U1"), &cid("c1"));
    let mut b = group_chat(OTHER_ROOM);
    b.deleted = true;
    let private = Chat::private(
        ChatId::private(&uid("a"), &uid("b")).expect("id"),
        [uid("a"), uid("b")],
    );
    store
        .apply(&[
            put_chat(&a, Expect::Absent),
            put_chat(&b, Expect::Absent),
            put_chat(&private, Expect::Absent),
        ])
        .await
        .expect("insert");
    assert_eq!(read_chat(&store, &a.id).await.value, a);
    assert!(store
        .get_chat(&chat_id("nope"))
        .await
        .expect("read")
        .is_none());
    let mut listed = store.list_chats().await.expect("list");
    listed.sort_by(|x, y| x.id.cmp(&y.id));
    let mut expected = vec![a, b, private];
    expected.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(listed, expected);
}

pub async fn a_stale_chat_write_is_a_conflict(store: SharedStore) {
    let c = group_chat(ROOM);
    insert_chat(&store, &c).await;
    let again = store.apply(&[put_chat(&c, Expect::Absent)]).await;
    assert!(
        matches!(again, Err(StoreError::Conflict)),
        "an existing id is never overwritten"
    );
    let v1 = read_chat(&store, &c.id).await.version;
    let mut renamed = c.clone();
    renamed.deleted = true;
    store
        .apply(&[put_chat(&renamed, Expect::Version(v1.clone()))])
        .await
        .expect("update");
    let stale = store.apply(&[put_chat(&c, Expect::Version(v1))]).await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
}

/// A chat of 500 members with the longest names still fits one row.
pub async fn a_full_chat_with_long_names_fits_its_row(store: SharedStore) {
    let mut c = group_chat(ROOM);
    for i in 0..MAX_MEMBERS {
        c.add_connection(
            &uid(&format!("user-{i:04}-{}", "x".repeat(28))),
            &name(&format!("{i:03}{}", "ü".repeat(61))),
            &cid(&format!("conn-{i:04}-{}", "y".repeat(30))),
        );
    }
    store
        .apply(&[put_chat(&c, Expect::Absent)])
        .await
        .expect("a full chat is stored");
    assert_eq!(read_chat(&store, &c.id).await.value, c);
}
