//! Every way a chat event is refused: 200 with `actionRefused`, its reason, and nothing sent.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::chat_events::room_with_alice_and_bob;
use crate::support::domain::{OTHER_ROOM, ROOM};

#[tokio::test]
async fn refusals_are_answered_200_with_action_refused_and_send_nothing() {
    let app = room_with_alice_and_bob().await;
    let private = |initiator: &str, target: &str| json!({"initiatorUserId": initiator, "targetUserId": target});
    let cases = [
        (
            "createChat",
            json!({"name": "Again", "id": ROOM}),
            "chatExists",
        ),
        (
            "createChat",
            json!({"name": "", "id": OTHER_ROOM}),
            "invalidName",
        ),
        (
            "createChat",
            json!({"name": "x", "id": "private_alice_bob"}),
            "invalidId",
        ),
        ("createChat", json!("just text"), "invalidPayload"),
        ("joinChat", json!(OTHER_ROOM), "chatNotFound"),
        ("joinChat", json!("a/b"), "invalidId"),
        ("leaveChat", json!({"chatId": ROOM}), "notMember"),
        ("deleteChat", json!(ROOM), "notOwner"),
        ("createPrivateChat", private("bob", "carol"), "unknownUser"),
        (
            "createPrivateChat",
            private("alice", "bob"),
            "identityMismatch",
        ),
        ("createPrivateChat", private("bob", "bob"), "invalidPayload"),
    ];
    for (event, body, reason) in cases {
        let data = app.send(event, "b1", "bob", body).await.refusal().await;
        assert_eq!(data["reason"], reason, "{event}");
        assert_eq!(data["action"], event);
        assert!(!data["message"].as_str().expect("message").is_empty());
    }
    assert!(app.pubsub.calls().is_empty(), "{:?}", app.pubsub.lines());
}
