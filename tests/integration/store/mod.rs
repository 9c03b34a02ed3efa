//! The store contract suite against every `Store`: the embedded SQLite store and Azure
//! Table Storage (on Azurite).

mod contract;

mod embedded {
    use std::sync::Arc;

    use chatr::chat::outcome::{Change, Expect, Version};
    use chatr::store::embedded::EmbeddedStore;
    use chatr::store::{SharedStore, Store};

    use super::contract::store_contract;
    use crate::support::domain::{uid, user};

    async fn fresh() -> (SharedStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("dir");
        (
            Arc::new(EmbeddedStore::open(dir.path()).expect("open")),
            dir,
        )
    }

    store_contract!(fresh());

    #[tokio::test]
    async fn a_conflict_part_way_through_applies_nothing() {
        let (store, _dir) = fresh().await;
        let changes = [
            Change::PutUser {
                user: user("a"),
                expect: Expect::Absent,
            },
            Change::PutUser {
                user: user("a"),
                expect: Expect::Version(Version("41".into())),
            },
        ];
        assert!(store.apply(&changes).await.is_err());
        assert!(store.get_user(&uid("a")).await.expect("read").is_none());
    }

    #[tokio::test]
    async fn the_state_is_kept_across_a_reopen() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let store = EmbeddedStore::open(dir.path()).expect("open");
            store
                .apply(&[Change::PutUser {
                    user: user("a"),
                    expect: Expect::Absent,
                }])
                .await
                .expect("insert");
        }
        let store = EmbeddedStore::open(dir.path()).expect("reopen");
        assert_eq!(store.list_users().await.expect("list"), vec![user("a")]);
    }
}

mod azure_tables {
    use std::sync::Arc;

    use chatr::config::table_connection_string::TableConnectionString;
    use chatr::store::table::TableStore;
    use chatr::store::SharedStore;

    use super::contract::store_contract;
    use crate::support::azurite::Azurite;

    async fn fresh() -> (SharedStore, Azurite) {
        let azurite = Azurite::start().await;
        let cs =
            TableConnectionString::parse(&azurite.connection_string()).expect("connection string");
        (
            Arc::new(TableStore::connect(&cs).await.expect("connect")),
            azurite,
        )
    }

    store_contract!(fresh());
}
