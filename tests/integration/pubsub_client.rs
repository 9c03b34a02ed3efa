//! The Web PubSub REST client against the recording stand-in: every operation's exact
//! method, path, query and body, and a server token whose `aud` is the full request URL.

use chatr::chat::outcome::ServerMessage;
use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::hub::HubName;
use chatr::pubsub::{GroupPermission, PubSubClient};

use crate::support::app::{connection_string, KEY};
use crate::support::domain::{cid, uid};
use crate::support::recording_pubsub::RecordingPubSub;

async fn client() -> (PubSubClient, RecordingPubSub) {
    let pubsub = RecordingPubSub::start(KEY).await;
    let cs =
        WebPubSubConnectionString::parse(&connection_string(&pubsub)).expect("connection string");
    (
        PubSubClient::new(cs, HubName::parse("chat").expect("hub")).expect("client"),
        pubsub,
    )
}

#[tokio::test]
async fn every_operation_makes_the_documented_call() {
    let (c, rec) = client().await;
    let conn = cid("conn 1");
    let user = uid("zoë");
    let msg = ServerMessage::user_offline(&user);
    c.send_to_all(&msg).await.expect("send to all");
    c.send_to_user(&user, &msg).await.expect("send to user");
    c.send_to_connection(&conn, &msg)
        .await
        .expect("send to connection");
    c.send_text_to_group("g1", "Bob has joined the chat")
        .await
        .expect("send to group");
    c.add_connection_to_group("g1", &conn).await.expect("add");
    c.remove_connection_from_group("g1", &conn)
        .await
        .expect("remove");
    c.grant_permission(GroupPermission::SendToGroup, &conn, "g1")
        .await
        .expect("grant");
    c.revoke_permission(GroupPermission::SendToGroup, &conn, "g1")
        .await
        .expect("revoke");
    c.grant_permission(GroupPermission::JoinLeaveGroup, &conn, "g1")
        .await
        .expect("grant join");
    assert!(c.connection_exists(&conn).await.expect("exists"));
    rec.mark_dead("conn%201");
    assert!(!c.connection_exists(&conn).await.expect("exists"));
    c.close_connection(&conn, "stale").await.expect("close");
    assert_eq!(
        rec.lines(),
        vec![
            "POST /api/hubs/chat/:send",
            "POST /api/hubs/chat/users/zo%C3%AB/:send",
            "POST /api/hubs/chat/connections/conn%201/:send",
            "POST /api/hubs/chat/groups/g1/:send",
            "PUT /api/hubs/chat/groups/g1/connections/conn%201",
            "DELETE /api/hubs/chat/groups/g1/connections/conn%201",
            "PUT /api/hubs/chat/permissions/sendToGroup/connections/conn%201?targetName=g1",
            "DELETE /api/hubs/chat/permissions/sendToGroup/connections/conn%201?targetName=g1",
            "PUT /api/hubs/chat/permissions/joinLeaveGroup/connections/conn%201?targetName=g1",
            "HEAD /api/hubs/chat/connections/conn%201",
            "HEAD /api/hubs/chat/connections/conn%201",
            "DELETE /api/hubs/chat/connections/conn%201?reason=stale",
        ]
    );
    let base = format!("http://127.0.0.1:{}", rec.addr.port());
    for call in rec.calls() {
        assert!(
            call.query.starts_with("api-version=2024-01-01"),
            "{}",
            call.line()
        );
        assert_eq!(
            call.aud,
            format!("{base}{}?{}", call.path, call.query),
            "aud is the full URL"
        );
        assert!(call.token_valid, "{}", call.line());
    }
    let calls = rec.calls();
    assert_eq!(
        calls[0].json(),
        serde_json::json!({"chatEvent":"userOffline","data":"zoë"})
    );
    assert_eq!(
        calls[3].json(),
        serde_json::json!("Bob has joined the chat"),
        "notices are JSON strings, as the original sent them"
    );
    assert_eq!(calls[4].body.len(), 0);
}

#[tokio::test]
async fn a_refusing_service_is_an_error_naming_the_operation() {
    let (c, rec) = client().await;
    rec.fail_next(&[403]);
    let err = c
        .send_to_all(&ServerMessage::user_offline(&uid("u")))
        .await
        .expect_err("refused");
    assert_eq!(err.to_string(), "sendToAll: the service answered 403");
    assert_eq!(rec.calls().len(), 1, "a 403 is not retried");
}

#[tokio::test]
async fn an_unreachable_service_is_an_error_not_a_hang() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let cs = WebPubSubConnectionString::parse(&format!(
        "Endpoint=http://127.0.0.1;Port={port};AccessKey={KEY}"
    ))
    .expect("cs");
    let c = PubSubClient::new(cs, HubName::parse("chat").expect("hub"))
        .expect("client")
        .with_retry(chatr::pubsub::retry::RetryPolicy {
            attempts: 2,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(1),
        });
    assert!(c.connection_exists(&cid("c")).await.is_err());
}
