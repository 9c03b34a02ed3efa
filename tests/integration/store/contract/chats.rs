//! Chats: read back, listed with deleted and private ones, versioned writes.

use chatr::chat::model::ChatId;
use chatr::chat::outcome::Expect;
use chatr::chat::room::Chat;
use chatr::store::{SharedStore, StoreError};

use super::{insert_chat, put_chat, read_chat};
use crate::support::domain::{chat_id, group_chat, uid, OTHER_ROOM, ROOM};

pub async fn a_chat_reads_back_and_lists_with_deleted_ones(store: SharedStore) {
    let a = group_chat(ROOM);
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
    let mut expected = vec![a, b, private];
    expected.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(store.list_chats(None, 10).await.expect("list"), expected);
    // In pages, in id order, after a given id.
    let first = store.list_chats(None, 2).await.expect("page");
    assert_eq!(first, expected[..2]);
    let rest = store.list_chats(Some(&first[1].id), 2).await.expect("page");
    assert_eq!(rest, expected[2..]);
    assert!(store
        .list_chats(Some(&expected[2].id), 2)
        .await
        .expect("page")
        .is_empty());
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

/// Names accepted before the visible-text rules (issue 17) still read, on either store:
/// tightening what new names may be never turns old rows into 503s.
pub async fn names_stored_under_older_rules_still_read(store: SharedStore) {
    use chatr::chat::name::DisplayName;
    let old = |s: &str| DisplayName::stored(s).expect("a name of its day");
    let mut chat = group_chat(ROOM);
    chat.name = old("\u{200B}");
    let zalgo = format!("z{}", "\u{0301}".repeat(40));
    let mut user = crate::support::domain::user("old-user");
    user.name = old(&zalgo);
    insert_chat(&store, &chat).await;
    super::insert_user(&store, &user).await;
    assert_eq!(
        read_chat(&store, &chat.id).await.value.name.as_str(),
        "\u{200B}"
    );
    assert_eq!(
        super::read_user(&store, "old-user")
            .await
            .value
            .name
            .as_str(),
        zalgo
    );
    assert!(
        DisplayName::parse("\u{200B}").is_err(),
        "a new one is refused"
    );
}
