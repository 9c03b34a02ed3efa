//! The store contract, written once: every `Store` implementation runs these.

use std::sync::Arc;

use chatr::chat::model::{ChatId, ConnectionId, DisplayName, Provider, UserId};
use chatr::chat::outcome::{Change, Expect, Version};
use chatr::chat::room::Chat;
use chatr::chat::user::{ConnectionState, User};
use chatr::store::{Binding, SharedStore, StoreError};

fn uid(s: &str) -> UserId {
    UserId::parse(s).expect("id")
}
fn cid(s: &str) -> ConnectionId {
    ConnectionId::parse(s).expect("id")
}
fn user(id: &str) -> User {
    User::new(
        uid(id),
        DisplayName::parse(id).expect("name"),
        Provider::new("github"),
    )
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
    store
        .apply(&[Change::PutUser {
            user: u.clone(),
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let read = store
        .get_user(&uid("alice"))
        .await
        .expect("read")
        .expect("present");
    assert_eq!(read.value, u);
    assert_eq!(store.list_users().await.expect("list"), vec![u]);
}

pub async fn creating_a_user_that_exists_is_a_conflict(store: SharedStore) {
    store
        .apply(&[Change::PutUser {
            user: user("a"),
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let again = store
        .apply(&[Change::PutUser {
            user: user("a"),
            expect: Expect::Absent,
        }])
        .await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
}

pub async fn a_write_with_a_stale_version_is_a_conflict(store: SharedStore) {
    store
        .apply(&[Change::PutUser {
            user: user("a"),
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let v1 = store
        .get_user(&uid("a"))
        .await
        .expect("read")
        .expect("present")
        .version;
    let mut changed = user("a");
    changed.idle = true;
    store
        .apply(&[Change::PutUser {
            user: changed.clone(),
            expect: Expect::Version(v1.clone()),
        }])
        .await
        .expect("update");
    let stale = store
        .apply(&[Change::PutUser {
            user: user("a"),
            expect: Expect::Version(v1),
        }])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    assert_eq!(
        store
            .get_user(&uid("a"))
            .await
            .expect("read")
            .expect("present")
            .value,
        changed
    );
    let foreign = store
        .apply(&[Change::PutUser {
            user: user("a"),
            expect: Expect::Version(Version("W/\"nonsense\"".into())),
        }])
        .await;
    assert!(matches!(foreign, Err(StoreError::Conflict)));
}

pub async fn updating_a_missing_user_is_a_conflict(store: SharedStore) {
    let result = store
        .apply(&[Change::PutUser {
            user: user("ghost"),
            expect: Expect::Version(Version("1".into())),
        }])
        .await;
    assert!(matches!(result, Err(StoreError::Conflict)), "{result:?}");
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

pub async fn unicode_ids_and_names_round_trip(store: SharedStore) {
    for id in [
        "zoë-日本",
        "o'brien",
        "50% off",
        "a+b c",
        "emoji-😀",
        "it''s",
    ] {
        let mut u = User::new(
            uid(id),
            DisplayName::parse("Zoë <b>").expect("name"),
            Provider::new("aad"),
        );
        u.connections.insert(
            cid(id),
            ConnectionState {
                announced: true,
                ..Default::default()
            },
        );
        store
            .apply(&[Change::PutUser {
                user: u.clone(),
                expect: Expect::Absent,
            }])
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
            .apply(&[Change::PutUser {
                user: u.clone(),
                expect: Expect::Version(read.version),
            }])
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

/// A chat of 500 members with the longest names still fits one row.
pub async fn a_full_chat_with_long_names_fits_its_row(store: SharedStore) {
    let mut c = chat("0f8fad5b-d9cb-469f-a165-70867728950e");
    for i in 0..chatr::chat::room::MAX_MEMBERS {
        let name = DisplayName::parse(&format!("{i:03}{}", "ü".repeat(61))).expect("name");
        c.add_connection(
            &uid(&format!("user-{i:04}-{}", "x".repeat(28))),
            &name,
            &cid(&format!("conn-{i:04}-{}", "y".repeat(30))),
        );
    }
    store
        .apply(&[Change::PutChat {
            chat: c.clone(),
            expect: Expect::Absent,
        }])
        .await
        .expect("a full chat is stored");
    assert_eq!(
        store
            .get_chat(&c.id)
            .await
            .expect("read")
            .expect("present")
            .value,
        c
    );
}

/// Fifty writers add one connection each to the same row by read-modify-write; with
/// version checks and retries, all fifty land.
pub async fn fifty_concurrent_writers_of_one_row_all_land(store: SharedStore) {
    store
        .apply(&[Change::PutUser {
            user: user("busy"),
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let writers = (0..50).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            chatr::functions::process::retry_conflicts(|| async {
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
    let read = store
        .get_user(&uid("busy"))
        .await
        .expect("read")
        .expect("present");
    assert_eq!(read.value.connections.len(), 50);
}

fn chat(id: &str) -> Chat {
    Chat::group(
        ChatId::parse(id).expect("id"),
        DisplayName::parse("Room").expect("name"),
        uid("owner"),
    )
}

pub async fn a_chat_reads_back_and_lists_with_deleted_ones(store: SharedStore) {
    let mut a = chat("0f8fad5b-d9cb-469f-a165-70867728950e");
    a.add_connection(
        &uid("u1"),
        &DisplayName::parse("U1").expect("name"),
        &cid("c1"),
    );
    let mut b = chat("1f8fad5b-d9cb-469f-a165-70867728950e");
    b.deleted = true;
    let private = Chat::private(
        ChatId::private(&uid("a"), &uid("b")).expect("id"),
        [uid("a"), uid("b")],
    );
    store
        .apply(&[
            Change::PutChat {
                chat: a.clone(),
                expect: Expect::Absent,
            },
            Change::PutChat {
                chat: b.clone(),
                expect: Expect::Absent,
            },
            Change::PutChat {
                chat: private.clone(),
                expect: Expect::Absent,
            },
        ])
        .await
        .expect("insert");
    assert_eq!(
        store
            .get_chat(&a.id)
            .await
            .expect("read")
            .expect("present")
            .value,
        a
    );
    assert!(store
        .get_chat(&ChatId::parse("nope").expect("id"))
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
    let c = chat("0f8fad5b-d9cb-469f-a165-70867728950e");
    store
        .apply(&[Change::PutChat {
            chat: c.clone(),
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let again = store
        .apply(&[Change::PutChat {
            chat: c.clone(),
            expect: Expect::Absent,
        }])
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict)),
        "an existing id is never overwritten"
    );
    let v1 = store
        .get_chat(&c.id)
        .await
        .expect("read")
        .expect("present")
        .version;
    let mut renamed = c.clone();
    renamed.deleted = true;
    store
        .apply(&[Change::PutChat {
            chat: renamed.clone(),
            expect: Expect::Version(v1.clone()),
        }])
        .await
        .expect("update");
    let stale = store
        .apply(&[Change::PutChat {
            chat: c,
            expect: Expect::Version(v1),
        }])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
}

/// Fifty users join one chat at once, each by read-modify-write of the chat row: all fifty
/// are members afterwards.
pub async fn fifty_concurrent_joins_of_one_chat_keep_all_fifty_members(store: SharedStore) {
    let c = chat("0f8fad5b-d9cb-469f-a165-70867728950e");
    let id = c.id.clone();
    store
        .apply(&[Change::PutChat {
            chat: c,
            expect: Expect::Absent,
        }])
        .await
        .expect("insert");
    let joins = (0..50).map(|i| {
        let (store, id) = (Arc::clone(&store), id.clone());
        tokio::spawn(async move {
            chatr::functions::process::retry_conflicts(|| async {
                let read = store.get_chat(&id).await?.expect("present");
                let mut chat = read.value;
                chat.add_connection(
                    &uid(&format!("u{i}")),
                    &DisplayName::parse("U").expect("name"),
                    &cid(&format!("c{i}")),
                );
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
    let read = store.get_chat(&id).await.expect("read").expect("present");
    assert_eq!(read.value.members.len(), 50);
}

/// Runs the whole contract, each case on a fresh store from `fresh`.
#[macro_export]
macro_rules! store_contract {
    ($fresh:expr) => {
        $crate::store_contract!(@cases $fresh;
            a_missing_user_reads_as_none,
            a_created_user_reads_back_with_a_version,
            creating_a_user_that_exists_is_a_conflict,
            a_write_with_a_stale_version_is_a_conflict,
            updating_a_missing_user_is_a_conflict,
            bindings_are_idempotent,
            unicode_ids_and_names_round_trip,
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
