//! Users: absent, created, versioned writes, and ids of any characters.

use chatr::chat::model::Provider;
use chatr::chat::outcome::{Change, Expect, Version};
use chatr::chat::user::{ConnectionState, User};
use chatr::store::{SharedStore, StoreError};

use super::{insert_user, put_user, read_user};
use crate::support::domain::{cid, name, uid, user};

pub async fn a_missing_user_reads_as_none(store: SharedStore) {
    assert!(store
        .get_user(&uid("nobody"))
        .await
        .expect("read")
        .is_none());
}

pub async fn a_created_user_reads_back_with_a_version(store: SharedStore) {
    let mut u = user("alice");
    u.idle = true;
    u.connections
        .insert(cid("c1"), ConnectionState { announced: true });
    insert_user(&store, &u).await;
    assert_eq!(read_user(&store, "alice").await.value, u);
    assert_eq!(store.list_users().await.expect("list"), vec![u]);
}

pub async fn creating_a_user_that_exists_is_a_conflict(store: SharedStore) {
    insert_user(&store, &user("a")).await;
    let again = store.apply(&[put_user(&user("a"), Expect::Absent)]).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
}

pub async fn a_write_with_a_stale_version_is_a_conflict(store: SharedStore) {
    insert_user(&store, &user("a")).await;
    let v1 = read_user(&store, "a").await.version;
    let mut changed = user("a");
    changed.idle = true;
    store
        .apply(&[put_user(&changed, Expect::Version(v1.clone()))])
        .await
        .expect("update");
    let stale = store
        .apply(&[put_user(&user("a"), Expect::Version(v1))])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    assert_eq!(read_user(&store, "a").await.value, changed);
    let nonsense = Expect::Version(Version("W/\"nonsense\"".into()));
    let foreign = store.apply(&[put_user(&user("a"), nonsense)]).await;
    assert!(matches!(foreign, Err(StoreError::Conflict)));
}

pub async fn updating_a_missing_user_is_a_conflict(store: SharedStore) {
    let result = store
        .apply(&[put_user(
            &user("ghost"),
            Expect::Version(Version("1".into())),
        )])
        .await;
    assert!(matches!(result, Err(StoreError::Conflict)), "{result:?}");
}

pub async fn unicode_ids_and_names_round_trip(store: SharedStore) {
    for id in [
        "zoë-日本",
        "o'brien",
        "50% off",
        "a+b c",
        "emoji-😀",
        "it''s",
    ] {
        let mut u = User::new(uid(id), name("Zoë <b>"), Provider::new("aad"));
        u.connections
            .insert(cid(id), ConnectionState { announced: true });
        store
            .apply(&[put_user(&u, Expect::Absent)])
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let read = store
            .get_user(&uid(id))
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(read.value, u);
        u.idle = true;
        store
            .apply(&[put_user(&u, Expect::Version(read.version))])
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        store
            .apply(&[Change::BindConnection {
                connection: cid(id),
                user: uid(id),
            }])
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            store
                .get_binding(&cid(id))
                .await
                .expect("read")
                .map(|b| b.user),
            Some(uid(id))
        );
        store
            .apply(&[Change::UnbindConnection {
                connection: cid(id),
            }])
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(store
            .get_binding(&cid(id))
            .await
            .expect("read")
            .is_some_and(|b| b.closed));
    }
}
