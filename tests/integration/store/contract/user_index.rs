//! The user index: who is online, and users found by the start of their name, paged; both
//! follow renames and departures.

use chatr::chat::outcome::Outcome;
use chatr::chat::user::{ConnectionState, User};
use chatr::store::SharedStore;

use super::read_user;
use crate::support::domain::{cid, name, user};

/// Writes `user` as the chat core does (the row and its index entry).
async fn write(store: &SharedStore, user: User) {
    let read = store.get_user(&user.id).await.expect("read");
    let mut outcome = Outcome::default();
    outcome.put_user(user, read.as_ref());
    store.apply(&outcome.changes).await.expect("write");
}

fn online(id: &str, shown: &str) -> User {
    let mut u = user(id);
    u.name = name(shown);
    u.connections
        .insert(cid(&format!("{id}-c")), ConnectionState { announced: true });
    u
}

async fn found(
    store: &SharedStore,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> Vec<(String, String)> {
    store
        .search_users(prefix, after, limit)
        .await
        .expect("search")
        .into_iter()
        .map(|(key, u)| (key, u.id.as_str().to_string()))
        .collect()
}

pub async fn online_users_are_those_with_a_live_connection(store: SharedStore) {
    write(&store, online("b", "Bob")).await;
    write(&store, online("a", "Ann")).await;
    let mut carol = user("c");
    carol.name = name("Carol");
    write(&store, carol).await;
    let ids = |users: Vec<User>| {
        users
            .into_iter()
            .map(|u| u.id.as_str().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.online_users(10).await.expect("online")),
        ["a", "b"]
    );
    assert_eq!(
        ids(store.online_users(1).await.expect("online")),
        ["a"],
        "bounded"
    );
    let mut gone = read_user(&store, "b").await.value;
    gone.connections.clear();
    write(&store, gone).await;
    assert_eq!(ids(store.online_users(10).await.expect("online")), ["a"]);
}

pub async fn a_name_search_pages_through_matches_in_name_order_whatever_the_case(
    store: SharedStore,
) {
    for (id, shown) in [
        ("u1", "bob"),
        ("u2", "Bobby"),
        ("u3", "BOB"),
        ("u4", "Bea"),
        ("u5", "Ann"),
    ] {
        let mut u = user(id);
        u.name = name(shown);
        write(&store, u).await; // offline users are found too
    }
    let first = found(&store, "bO", None, 2).await;
    assert_eq!(
        first.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["u1", "u3"],
        "bob, BOB: one name, by id"
    );
    let rest = found(&store, "bo", Some(&first[1].0), 2).await;
    assert_eq!(
        rest.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["u2"]
    );
    assert!(found(&store, "bo", Some(&rest[0].0), 2).await.is_empty());
    assert_eq!(
        found(&store, "", None, 10).await.len(),
        5,
        "an empty prefix lists everyone"
    );
    assert!(found(&store, "zed", None, 10).await.is_empty());
}

pub async fn a_renamed_user_is_found_by_the_new_name_only(store: SharedStore) {
    let mut u = user("u1");
    u.name = name("Alice");
    write(&store, u.clone()).await;
    u.name = name("Zoe");
    write(&store, u).await;
    assert!(found(&store, "ali", None, 10).await.is_empty());
    assert_eq!(found(&store, "zo", None, 10).await.len(), 1);
    assert_eq!(read_user(&store, "u1").await.value.name, name("Zoe"));
}
