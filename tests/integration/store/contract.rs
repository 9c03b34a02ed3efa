//! The store contract, written once: every `Store` implementation runs these, each case on a
//! fresh store (`store_contract!(fresh())` in the implementation's module).

use std::sync::Arc;

use chatr::chat::model::{ChatId, Provider};
use chatr::chat::outcome::{Change, Expect, Version, Versioned};
use chatr::chat::room::{Chat, MAX_MEMBERS};
use chatr::chat::user::{ConnectionState, User};
use chatr::functions::process::retry_conflicts;
use chatr::store::{Binding, SharedStore, StoreError};

use crate::support::domain::{chat_id, cid, group_chat, name, uid, user, OTHER_ROOM, ROOM};

/// `PutUser` with an expectation.
fn put_user(user: &User, expect: Expect) -> Change {
    Change::PutUser {
        user: user.clone(),
        expect,
    }
}

/// `PutChat` with an expectation.
fn put_chat(chat: &Chat, expect: Expect) -> Change {
    Change::PutChat {
        chat: chat.clone(),
        expect,
    }
}

/// Inserts a user that does not exist yet.
async fn insert_user(store: &SharedStore, user: &User) {
    store
        .apply(&[put_user(user, Expect::Absent)])
        .await
        .expect("insert");
}

/// Inserts a chat that does not exist yet.
async fn insert_chat(store: &SharedStore, chat: &Chat) {
    store
        .apply(&[put_chat(chat, Expect::Absent)])
        .await
        .expect("insert");
}

/// A user that must be there.
async fn read_user(store: &SharedStore, id: &str) -> Versioned<User> {
    store
        .get_user(&uid(id))
        .await
        .expect("read")
        .expect("present")
}

/// A chat that must be there.
async fn read_chat(store: &SharedStore, id: &ChatId) -> Versioned<Chat> {
    store.get_chat(id).await.expect("read").expect("present")
}

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
    u.connections.insert(
        cid("c1"),
        ConnectionState {
            announced: true,
            ..Default::default()
        },
    );
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
        u.connections.insert(
            cid(id),
            ConnectionState {
                announced: true,
                ..Default::default()
            },
        );
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

pub async fn bindings_are_idempotent(store: SharedStore) {
    let bind = Change::BindConnection {
        connection: cid("c1"),
        user: uid("alice"),
    };
    store
        .apply(&[bind.clone(), bind])
        .await
        .expect("bind twice");
    assert_eq!(
        store.get_binding(&cid("c1")).await.expect("read"),
        Some(Binding {
            user: uid("alice"),
            closed: false
        })
    );
    let other = Change::BindConnection {
        connection: cid("c1"),
        user: uid("mallory"),
    };
    assert!(
        matches!(
            store.apply(std::slice::from_ref(&other)).await,
            Err(StoreError::Conflict)
        ),
        "a bound connection is never rebound to someone else"
    );
    assert_eq!(
        store.list_bindings().await.expect("list"),
        vec![(cid("c1"), uid("alice"))]
    );
    let unbind = Change::UnbindConnection {
        connection: cid("c1"),
    };
    store
        .apply(&[unbind.clone(), unbind])
        .await
        .expect("unbind twice");
    assert_eq!(
        store.get_binding(&cid("c1")).await.expect("read"),
        Some(Binding {
            user: uid("alice"),
            closed: true
        }),
        "a closed binding is kept"
    );
    assert!(store.list_bindings().await.expect("list").is_empty());
    assert!(
        matches!(store.apply(&[other]).await, Err(StoreError::Conflict)),
        "nor is a closed one"
    );
}

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

/// Runs the whole contract, each case on a fresh store from `fresh`, as a test named after
/// the case in the calling module.
macro_rules! store_contract {
    ($fresh:expr) => {
        $crate::store::contract::store_contract!(@cases $fresh;
            a_missing_user_reads_as_none,
            a_created_user_reads_back_with_a_version,
            creating_a_user_that_exists_is_a_conflict,
            a_write_with_a_stale_version_is_a_conflict,
            updating_a_missing_user_is_a_conflict,
            unicode_ids_and_names_round_trip,
            bindings_are_idempotent,
            fifty_concurrent_writers_of_one_row_all_land,
            a_chat_reads_back_and_lists_with_deleted_ones,
            a_stale_chat_write_is_a_conflict,
            fifty_concurrent_joins_of_one_chat_keep_all_fifty_members,
            a_full_chat_with_long_names_fits_its_row,
        );
    };
    (@cases $fresh:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let (store, _guard) = $fresh.await;
                $crate::store::contract::$case(store).await;
            }
        )*
    };
}
pub(crate) use store_contract;
