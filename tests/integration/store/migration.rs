//! A store written in the shape before member rows (each chat row listing its members, with
//! their connections; each user row listing every connection's chats) opens in today's shape
//! without loss: every chat, member, count, user and binding is found.

use chatr::chat::member::Member;
use chatr::store::SharedStore;

use crate::support::domain::{chat_id, cid, name, uid, OTHER_ROOM, ROOM};

/// A chat row as it was written: the members of ROOM are alice (two tabs) and bob.
pub fn legacy_room_json() -> String {
    serde_json::json!({
        "id": ROOM, "name": "Room", "kind": "group", "owner": "alice", "deleted": false,
        "members": {
            "alice": {"name": "Alice", "connections": ["a1", "a2"]},
            "bob": {"name": "Bob", "connections": ["b1"]},
        },
    })
    .to_string()
}

/// A deleted chat as it was written: no members left.
pub fn legacy_deleted_json() -> String {
    serde_json::json!({
        "id": OTHER_ROOM, "name": "Gone", "kind": "group", "owner": "alice", "deleted": true,
        "members": {},
    })
    .to_string()
}

/// A user row's JSON as it was written: connections with the chats each one was in.
pub fn legacy_user_connections() -> String {
    serde_json::json!({"a1": {"announced": true, "chats": [ROOM]}, "a2": {"announced": false, "chats": [ROOM]}})
        .to_string()
}

/// What the migrated store must hold.
pub async fn everything_is_found(store: &SharedStore) {
    let room = store
        .get_chat(&chat_id(ROOM))
        .await
        .expect("read")
        .expect("room");
    assert_eq!(room.value.name, name("Room"));
    assert_eq!(room.value.member_count, 2, "alice and bob, counted");
    for (user, shown) in [("alice", "Alice"), ("bob", "Bob")] {
        assert_eq!(
            store
                .get_member(&chat_id(ROOM), &uid(user))
                .await
                .expect("read"),
            Some(Member::new(&chat_id(ROOM), &uid(user), &name(shown))),
            "{user} is a member"
        );
        assert_eq!(
            store.chats_of(&uid(user)).await.expect("read"),
            vec![chat_id(ROOM)],
            "{user}'s chats"
        );
    }
    let gone = store
        .get_chat(&chat_id(OTHER_ROOM))
        .await
        .expect("read")
        .expect("kept");
    assert!(gone.value.deleted, "a deleted chat's id stays taken");
    let alice = store
        .get_user(&uid("alice"))
        .await
        .expect("read")
        .expect("alice");
    assert_eq!(alice.value.name, name("Alice"));
    assert_eq!(
        alice.value.connections.keys().cloned().collect::<Vec<_>>(),
        vec![cid("a1"), cid("a2")]
    );
    assert!(alice.value.connections[&cid("a1")].announced);
    let online: Vec<_> = store
        .online_users(10)
        .await
        .expect("read")
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(
        online,
        vec![uid("alice")],
        "the user index is built from the old rows"
    );
    let found = store.search_users("AL", None, 10).await.expect("search");
    assert_eq!(
        found.into_iter().map(|(_, u)| u.id).collect::<Vec<_>>(),
        vec![uid("alice")]
    );
    let mut bindings = store.list_bindings().await.expect("read");
    bindings.sort();
    assert_eq!(
        bindings,
        vec![
            (cid("a1"), uid("alice")),
            (cid("a2"), uid("alice")),
            (cid("b1"), uid("bob"))
        ]
    );
}
