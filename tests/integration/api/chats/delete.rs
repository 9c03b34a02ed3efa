//! `deleteChat`: only the owner, every connection leaves, and the id stays taken.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::ROOM;

#[tokio::test]
async fn only_the_owner_deletes_and_then_every_connection_leaves_and_the_id_stays_taken() {
    let app = room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app.pubsub.clear();
    let data = app.delete_chat("b1", "bob", ROOM).await.refusal().await;
    assert_eq!(data["reason"], "notOwner");
    assert!(app.pubsub.calls().is_empty());

    app.delete_chat("a1", "alice", ROOM).await.assert_accepted();
    let mut lines = app.pubsub.lines();
    let last = lines.pop().expect("a broadcast last");
    assert_eq!(last, "POST /api/hubs/chat/:send");
    lines.sort();
    assert_eq!(
        lines,
        vec![
            format!("DELETE /api/hubs/chat/groups/{ROOM}/connections/a1"),
            format!("DELETE /api/hubs/chat/groups/{ROOM}/connections/b1"),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/a1?targetName={ROOM}"
            ),
            format!(
                "DELETE /api/hubs/chat/permissions/sendToGroup/connections/b1?targetName={ROOM}"
            ),
        ]
    );
    assert_eq!(
        app.pubsub.calls().last().expect("call").json(),
        json!({"chatEvent": "chatDeleted", "data": ROOM})
    );
    assert_eq!(app.chats().await, json!({"chats": {}}));
    let data = app
        .create_chat("a1", "alice", ROOM, "Reborn")
        .await
        .refusal()
        .await;
    assert_eq!(data["reason"], "chatExists");
}
