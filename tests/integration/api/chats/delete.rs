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
