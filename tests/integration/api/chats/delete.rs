//! `deleteChat`: only the owner; the group is emptied in one call whatever its size; the
//! id stays taken; the member rows go in the sweep.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::{uid, ROOM};

#[tokio::test]
async fn only_the_owner_deletes_and_then_every_connection_leaves_and_the_id_stays_taken() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    let data = app.delete_chat("b1", "bob", ROOM).await.refusal().await;
    assert_eq!(data["reason"], "notOwner");
    assert!(app.pubsub.calls().is_empty());

    app.delete_chat("a1", "alice", ROOM).await.assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            "POST /api/hubs/chat/:removeFromGroups".to_string(),
            "POST /api/hubs/chat/:send".to_string(),
        ]
    );
    assert_eq!(
        app.pubsub.calls()[0].json(),
        json!({"groups": [ROOM], "filter": format!("'{ROOM}' in groups")})
    );
    assert_eq!(
        app.pubsub.calls().last().expect("call").json(),
        json!({"chatEvent": "chatDeleted", "data": ROOM})
    );
    assert_eq!(app.chats().await, json!({"chats": {}, "direct": {}}));
    let data = app
        .create_chat("a1", "alice", ROOM, "Reborn")
        .await
        .refusal()
        .await;
    assert_eq!(data["reason"], "chatExists");
    assert!(app
        .app
        .store
        .chats_of(&uid("bob"))
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        app.members(ROOM).await.len(),
        2,
        "the rows wait for the sweep"
    );
    let report = chatr::functions::sweep::sweep_once(&app.app)
        .await
        .expect("sweep");
    assert_eq!(report.purged, 2);
    assert!(app.members(ROOM).await.is_empty());
}

#[tokio::test]
async fn a_join_whose_chat_another_instance_deleted_meanwhile_empties_its_group_again() {
    use chatr::chat::outcome::{Change, Expect};

    use crate::support::domain::chat_id;

    let app = room_with_alice_and_bob().await;
    let app = std::sync::Arc::new(app);
    let held = app.pubsub.hold(&format!("/users/bob/groups/{ROOM}"));
    let join = {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move { app.join_chat("b1", "bob", ROOM).await })
    };
    let adding = format!("/users/bob/groups/{ROOM}");
    app.pubsub.wait_for_call(|c| c.path.contains(&adding)).await;
    // Meanwhile another instance deletes the chat and empties its group.
    let read = app
        .app
        .store
        .get_chat(&chat_id(ROOM))
        .await
        .expect("read")
        .expect("the chat");
    let mut deleted = read.value.clone();
    deleted.deleted = true;
    app.app
        .store
        .apply(&[Change::PutChat {
            chat: deleted,
            expect: Expect::Version(read.version),
        }])
        .await
        .expect("deleted");
    held.release();
    join.await.expect("task").assert_accepted();
    let lines = app.pubsub.lines();
    let added = lines
        .iter()
        .position(|l| l.contains(&adding))
        .expect("bob was added");
    let emptied = lines
        .iter()
        .position(|l| l.contains(":removeFromGroups"))
        .unwrap_or_else(|| panic!("the group was not emptied again: {lines:?}"));
    assert!(emptied > added, "{lines:?}");
}
