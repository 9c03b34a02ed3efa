//! The store contract suite against every `Store`: the embedded SQLite store and Azure
//! Table Storage (on Azurite).

mod contract;
mod migration;

mod embedded {
    use std::sync::Arc;

    use chatr::chat::outcome::{Change, Expect, Version};
    use chatr::store::embedded::EmbeddedStore;
    use chatr::store::{SharedStore, Store};

    use super::contract::store_contract;
    use crate::support::domain::{uid, user, OTHER_ROOM, ROOM};

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
    async fn a_store_written_before_member_rows_opens_with_every_chat_member_and_binding() {
        use super::migration::{
            everything_is_found, legacy_deleted_json, legacy_room_json, legacy_user_connections,
        };
        let dir = tempfile::tempdir().expect("dir");
        {
            // The schema and rows as the previous release wrote them.
            let db = rusqlite::Connection::open(dir.path().join(chatr::store::embedded::DB_FILE))
                .expect("create");
            db.execute_batch(
                "CREATE TABLE users (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL);
                 CREATE TABLE chats (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL);
                 CREATE TABLE connections (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0);",
            )
            .expect("old schema");
            let alice = serde_json::json!({"id": "alice", "name": "Alice", "provider": "github",
                "idle": false, "online_announced": true,
                "connections": serde_json::from_str::<serde_json::Value>(&legacy_user_connections()).expect("json")});
            db.execute(
                "INSERT INTO users VALUES ('alice', ?1, 3)",
                [alice.to_string()],
            )
            .expect("user");
            db.execute(
                "INSERT INTO chats VALUES (?1, ?2, 5)",
                [ROOM.to_string(), legacy_room_json()],
            )
            .expect("chat");
            db.execute(
                "INSERT INTO chats VALUES (?1, ?2, 2)",
                [OTHER_ROOM.to_string(), legacy_deleted_json()],
            )
            .expect("deleted chat");
            db.execute_batch(
                "INSERT INTO connections VALUES ('a1', 'alice', 0), ('a2', 'alice', 0), ('b1', 'bob', 0), ('old', 'bob', 1);",
            )
            .expect("bindings");
        }
        let store: SharedStore = Arc::new(EmbeddedStore::open(dir.path()).expect("migrates"));
        everything_is_found(&store).await;
        drop(store);
        let again: SharedStore = Arc::new(EmbeddedStore::open(dir.path()).expect("reopens"));
        everything_is_found(&again).await;
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
    use crate::support::domain::{OTHER_ROOM, ROOM};

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

    /// Writes `rows` (JSON entities) into `table`, creating it, as the previous release did.
    async fn write_rows(azurite: &Azurite, table: &str, rows: Vec<serde_json::Value>) {
        let client = azurite.table(table);
        client.create().await.expect("create the table");
        for row in rows {
            client
                .insert::<_, serde_json::Value>(row)
                .expect("a row")
                .await
                .expect("insert");
        }
    }

    #[tokio::test]
    async fn a_store_written_before_member_rows_opens_with_every_chat_member_and_binding() {
        use super::migration::{
            everything_is_found, legacy_deleted_json, legacy_room_json, legacy_user_connections,
        };
        use serde_json::json;
        let azurite = Azurite::start().await;
        let cs =
            TableConnectionString::parse(&azurite.connection_string()).expect("connection string");
        let room = legacy_room_json();
        let (first, second) = room.split_at(room.len() / 2);
        write_rows(&azurite, "chats", vec![
            json!({"PartitionKey": "chatr", "RowKey": ROOM, "parts": 2, "data": first, "data1": second}),
            json!({"PartitionKey": "chatr", "RowKey": OTHER_ROOM, "parts": 1, "data": legacy_deleted_json()}),
        ])
        .await;
        write_rows(
            &azurite,
            "users",
            vec![json!({"PartitionKey": "chatr", "RowKey": "alice",
            "userName": "Alice", "userProvider": "github", "idle": false, "announced": true,
            "connections": legacy_user_connections()})],
        )
        .await;
        write_rows(
            &azurite,
            "connections",
            ["a1", "a2", "b1", "old"]
                .iter()
                .map(|c| {
                    json!({
            "PartitionKey": "chatr", "RowKey": c,
            "userId": if c.starts_with('a') { "alice" } else { "bob" },
            "closed": *c == "old"})
                })
                .collect(),
        )
        .await;
        let store: SharedStore = Arc::new(TableStore::connect(&cs).await.expect("migrates"));
        everything_is_found(&store).await;
        let again: SharedStore = Arc::new(TableStore::connect(&cs).await.expect("reconnects"));
        everything_is_found(&again).await;
    }

    #[tokio::test]
    async fn joining_again_repairs_a_reverse_row_a_failure_left_out_and_counts_once() {
        use super::contract::members::{add, member};
        use crate::support::domain::{chat_id, group_chat, uid};
        let azurite = Azurite::start().await;
        let cs =
            TableConnectionString::parse(&azurite.connection_string()).expect("connection string");
        let store: SharedStore = Arc::new(TableStore::connect(&cs).await.expect("connect"));
        super::contract::insert_chat(&store, &group_chat(ROOM)).await;
        store.apply(&[add(ROOM, "u1")]).await.expect("join");
        // As if the handler stopped between the member row and its reverse.
        azurite
            .table("memberships")
            .partition_key_client("u1")
            .entity_client(ROOM)
            .delete()
            .await
            .expect("delete the reverse row");
        assert!(store.chats_of(&uid("u1")).await.expect("read").is_empty());
        store.apply(&[add(ROOM, "u1")]).await.expect("join again");
        assert_eq!(
            store.chats_of(&uid("u1")).await.expect("read"),
            vec![chat_id(ROOM)]
        );
        assert_eq!(
            store
                .get_member(&chat_id(ROOM), &uid("u1"))
                .await
                .expect("read"),
            Some(member(ROOM, "u1"))
        );
        let chat = super::contract::read_chat(&store, &chat_id(ROOM)).await;
        assert_eq!(
            chat.value.member_count, 1,
            "the repair is not a second member"
        );
    }

    #[tokio::test]
    async fn a_delete_on_its_way_keeps_its_mark_and_a_delete_written_again_marks_again() {
        use super::contract::members::add;
        use super::contract::{delete_chat, insert_chat, put_chat, read_chat};
        use crate::support::domain::{chat_id, group_chat, uid};
        use chatr::chat::outcome::Expect;
        let azurite = Azurite::start().await;
        let cs =
            TableConnectionString::parse(&azurite.connection_string()).expect("connection string");
        let store: SharedStore = Arc::new(TableStore::connect(&cs).await.expect("connect"));
        insert_chat(&store, &group_chat(ROOM)).await;
        store.apply(&[add(ROOM, "u1")]).await.expect("join");
        // Marked, its row not written yet: the sweep leaves the fresh mark alone.
        let purges = azurite.table("purges");
        purges
            .insert::<_, serde_json::Value>(
                serde_json::json!({"PartitionKey": "purges", "RowKey": ROOM}),
            )
            .expect("row")
            .await
            .expect("mark");
        assert_eq!(store.purge_deleted(100).await.expect("purge"), 0);
        let mark = purges.partition_key_client("purges").entity_client(ROOM);
        mark.get::<serde_json::Value>()
            .await
            .expect("the fresh mark is kept");
        // The delete lands; then its mark is lost, and the owner deletes again.
        delete_chat(&store, &chat_id(ROOM)).await;
        mark.delete().await.expect("lose the mark");
        assert_eq!(
            store.chats_of(&uid("u1")).await.expect("read"),
            vec![chat_id(ROOM)]
        );
        let read = read_chat(&store, &chat_id(ROOM)).await;
        store
            .apply(&[put_chat(&read.value, Expect::Version(read.version))])
            .await
            .expect("deleted again");
        assert!(store.chats_of(&uid("u1")).await.expect("read").is_empty());
        assert_eq!(store.purge_deleted(100).await.expect("purge"), 1);
    }
}
