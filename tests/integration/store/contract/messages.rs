//! Messages: newest first before a point, oldest first after one, paged; a sender's
//! `clientId` taken once per chat; edits at the version read; tombstones; the purge.

use chatr::chat::message::{ClientMsgId, Message, MessageId, Stamp};
use chatr::chat::outcome::{Change, Expect, Versioned};
use chatr::store::{SharedStore, StoreError};

use super::{delete_chat, insert_chat};
use crate::support::domain::{chat_id, group_chat, name, uid, OTHER_ROOM, ROOM};

/// The `n`th message's stamp: ids in order, a millisecond apart.
fn stamp(n: u64) -> Stamp {
    let id = MessageId::from_uuid(uuid::Uuid::from_u128(
        (u128::from(1_800_000_000_000 + n) << 80) | (0x7 << 76) | (0x8 << 60) | u128::from(n),
    ));
    let time = chatr::clock::rfc3339_millis(id.millis());
    Stamp { id, time }
}

/// Message `n` from `user` in `chat`.
pub fn message(chat: &str, user: &str, n: u64, client_id: Option<&str>) -> Message {
    let s = stamp(n);
    Message {
        id: s.id,
        chat: chat_id(chat),
        from: uid(user),
        from_name: name(&format!("{user} name")),
        text: format!("message {n} 🌍 <i>as typed</i>"),
        time: s.time,
        client_id: client_id.map(|c| ClientMsgId::parse(c).expect("key")),
        mentions: vec![uid("bob"), uid("carol")],
        edited_at: None,
        deleted: false,
    }
}

fn insert(message: &Message) -> Change {
    Change::PutMessage {
        message: message.clone(),
        expect: Expect::Absent,
    }
}

fn ids(messages: &[Message]) -> Vec<u64> {
    messages
        .iter()
        .map(|m| m.id.millis() - 1_800_000_000_000)
        .collect()
}

pub async fn messages_page_newest_first_before_and_oldest_first_after(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    insert_chat(&store, &group_chat(OTHER_ROOM)).await;
    for n in 1..=250 {
        store
            .apply(&[insert(&message(ROOM, "alice", n, None))])
            .await
            .expect("stored");
    }
    store
        .apply(&[insert(&message(OTHER_ROOM, "alice", 300, None))])
        .await
        .expect("another chat's");
    let chat = chat_id(ROOM);
    let newest = store.messages_before(&chat, None, 100).await.expect("page");
    assert_eq!(ids(&newest), (151..=250).rev().collect::<Vec<_>>());
    assert_eq!(
        newest[0],
        message(ROOM, "alice", 250, None),
        "read back whole"
    );
    let next = store
        .messages_before(&chat, Some(&newest[99].id), 100)
        .await
        .expect("page");
    assert_eq!(ids(&next), (51..=150).rev().collect::<Vec<_>>());
    let last = store
        .messages_before(&chat, Some(&next[99].id), 100)
        .await
        .expect("page");
    assert_eq!(ids(&last), (1..=50).rev().collect::<Vec<_>>());
    // A point between messages: before and after need not name one.
    let between = MessageId::floor_at(1_800_000_000_000 + 200);
    let older = store
        .messages_before(&chat, Some(&between), 3)
        .await
        .expect("page");
    assert_eq!(ids(&older), [199, 198, 197]);
    let after = store
        .messages_after(&chat, &between, 120)
        .await
        .expect("page");
    assert_eq!(ids(&after), (200..=250).collect::<Vec<_>>());
    let from_start = store
        .messages_after(&chat, &MessageId::floor_at(0), 120)
        .await
        .expect("page");
    assert_eq!(ids(&from_start), (1..=120).collect::<Vec<_>>());
    let rest = store
        .messages_after(&chat, &from_start[119].id, 200)
        .await
        .expect("page");
    assert_eq!(ids(&rest), (121..=250).collect::<Vec<_>>());
    assert!(store
        .messages_after(&chat, &rest[129].id, 10)
        .await
        .expect("page")
        .is_empty());
}

pub async fn a_client_id_is_taken_once_per_sender_and_chat(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    let first = message(ROOM, "alice", 1, Some("k1"));
    store.apply(&[insert(&first)]).await.expect("stored");
    let resent = message(ROOM, "alice", 2, Some("k1"));
    assert!(matches!(
        store.apply(&[insert(&resent)]).await,
        Err(StoreError::Conflict)
    ));
    let chat = chat_id(ROOM);
    assert_eq!(
        ids(&store.messages_before(&chat, None, 10).await.expect("page")),
        [1],
        "the resend stored nothing, not even half"
    );
    let key = ClientMsgId::parse("k1").expect("key");
    let found = store
        .message_by_client(&chat, &uid("alice"), &key)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(found.value, first);
    // Someone else's key, and a message without one, are theirs.
    store
        .apply(&[insert(&message(ROOM, "bob", 3, Some("k1")))])
        .await
        .expect("another sender's k1");
    store
        .apply(&[insert(&message(ROOM, "bob", 4, None))])
        .await
        .expect("no key");
    assert!(store
        .message_by_client(&chat, &uid("carol"), &key)
        .await
        .expect("read")
        .is_none());
}

pub async fn an_edit_needs_the_version_read_and_a_tombstone_keeps_no_text(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    let original = message(ROOM, "alice", 1, Some("k1"));
    store.apply(&[insert(&original)]).await.expect("stored");
    let chat = chat_id(ROOM);
    let read: Versioned<Message> = store
        .get_message(&chat, &original.id)
        .await
        .expect("read")
        .expect("found");
    let edited = Message {
        text: "second thoughts".into(),
        edited_at: Some(stamp(5).time),
        ..original.clone()
    };
    store
        .apply(&[Change::PutMessage {
            message: edited.clone(),
            expect: Expect::Version(read.version.clone()),
        }])
        .await
        .expect("edited");
    assert!(matches!(
        store
            .apply(&[Change::PutMessage {
                message: original.tombstone(),
                expect: Expect::Version(read.version),
            }])
            .await,
        Err(StoreError::Conflict)
    ));
    let now = store
        .get_message(&chat, &original.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(now.value, edited);
    store
        .apply(&[Change::PutMessage {
            message: edited.tombstone(),
            expect: Expect::Version(now.version),
        }])
        .await
        .expect("deleted");
    let newest = store.messages_before(&chat, None, 5).await.expect("page");
    let after = store
        .messages_after(&chat, &MessageId::floor_at(0), 5)
        .await
        .expect("page");
    for page in [newest, after] {
        assert_eq!(page.len(), 1);
        assert!(page[0].deleted && page[0].text.is_empty() && page[0].mentions.is_empty());
    }
    let key = ClientMsgId::parse("k1").expect("key");
    let by_key = store
        .message_by_client(&chat, &uid("alice"), &key)
        .await
        .expect("read")
        .expect("found");
    assert!(by_key.value.deleted, "a resend finds the tombstone");
}

pub async fn the_purge_removes_a_deleted_chats_messages(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    insert_chat(&store, &group_chat(OTHER_ROOM)).await;
    for n in 1..=5 {
        store
            .apply(&[insert(&message(ROOM, "alice", n, Some(&format!("k{n}"))))])
            .await
            .expect("stored");
    }
    store
        .apply(&[insert(&message(OTHER_ROOM, "alice", 9, None))])
        .await
        .expect("stored");
    delete_chat(&store, &chat_id(ROOM)).await;
    while store.purge_deleted(4).await.expect("purge") > 0 {}
    assert!(store
        .messages_before(&chat_id(ROOM), None, 10)
        .await
        .expect("page")
        .is_empty());
    assert_eq!(
        store
            .messages_before(&chat_id(OTHER_ROOM), None, 10)
            .await
            .expect("page")
            .len(),
        1,
        "a live chat's messages stay"
    );
}

pub async fn a_read_cursor_only_moves_forward_one_per_user_and_chat(store: SharedStore) {
    let mark = |chat: &str, user: &str, n: u64| Change::MarkRead {
        chat: chat_id(chat),
        user: uid(user),
        id: stamp(n).id,
    };
    assert!(store
        .read_cursors(&uid("ann"))
        .await
        .expect("read")
        .is_empty());
    store.apply(&[mark(ROOM, "ann", 5)]).await.expect("first");
    store
        .apply(&[mark(ROOM, "ann", 3)])
        .await
        .expect("back is no error");
    store
        .apply(&[mark(OTHER_ROOM, "ann", 1)])
        .await
        .expect("another chat");
    store
        .apply(&[mark(ROOM, "bob", 9)])
        .await
        .expect("another user");
    let mut ann = store.read_cursors(&uid("ann")).await.expect("read");
    ann.sort();
    let mut expected = vec![
        (chat_id(ROOM), stamp(5).id),
        (chat_id(OTHER_ROOM), stamp(1).id),
    ];
    expected.sort();
    assert_eq!(ann, expected, "the cursor stayed at 5");
    store.apply(&[mark(ROOM, "ann", 7)]).await.expect("forward");
    let ann = store.read_cursors(&uid("ann")).await.expect("read");
    assert!(ann.contains(&(chat_id(ROOM), stamp(7).id)));
    assert_eq!(
        store.read_cursors(&uid("bob")).await.expect("read"),
        vec![(chat_id(ROOM), stamp(9).id)]
    );
}

pub async fn messages_past_the_retention_go_with_their_client_id_markers(store: SharedStore) {
    insert_chat(&store, &group_chat(ROOM)).await;
    insert_chat(&store, &group_chat(OTHER_ROOM)).await;
    for n in 1..=5 {
        let chat = if n % 2 == 0 { OTHER_ROOM } else { ROOM };
        store
            .apply(&[insert(&message(chat, "alice", n, Some(&format!("k{n}"))))])
            .await
            .expect("stored");
    }
    let cutoff = MessageId::floor_at(1_800_000_000_000 + 4);
    let mut removed = 0;
    loop {
        let batch = store.purge_older(&cutoff, 2).await.expect("purge");
        assert!(batch <= 2, "a batch is bounded");
        removed += batch;
        if batch == 0 {
            break;
        }
    }
    assert_eq!(removed, 3, "messages 1, 2 and 3 were older");
    assert_eq!(
        ids(&store
            .messages_before(&chat_id(ROOM), None, 10)
            .await
            .expect("page")),
        [5]
    );
    assert_eq!(
        ids(&store
            .messages_after(&chat_id(OTHER_ROOM), &MessageId::floor_at(0), 10)
            .await
            .expect("page")),
        [4]
    );
    let key = ClientMsgId::parse("k1").expect("key");
    assert!(store
        .message_by_client(&chat_id(ROOM), &uid("alice"), &key)
        .await
        .expect("read")
        .is_none());
    store
        .apply(&[insert(&message(ROOM, "alice", 9, Some("k1")))])
        .await
        .expect("the key is free again");
}
