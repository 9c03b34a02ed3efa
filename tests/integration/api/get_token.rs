//! `getToken`, `users`, `chats`: identity from the principal only; tokens without roles.

use base64::Engine;
use chatr::access_key::AccessKey;
use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app, KEY};

#[tokio::test]
async fn get_token_without_a_principal_is_refused() {
    let app = spawn_app().await;
    let body = app
        .get_token_asking_for("alice", None)
        .await
        .json_with(401)
        .await;
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn get_token_with_a_garbled_principal_is_refused() {
    let app = spawn_app().await;
    let not_json = base64::engine::general_purpose::STANDARD.encode("{not json");
    for garbled in ["!!!", not_json.as_str(), "e30="] {
        assert_eq!(
            app.get_token(Some(garbled)).await.status(),
            401,
            "{garbled}"
        );
    }
}

#[tokio::test]
async fn get_token_signs_a_client_token_for_the_principal_and_ignores_the_user_id_query() {
    let app = spawn_app().await;
    let alice = principal("alice-id", "alice@example.com");
    let body = app
        .get_token_asking_for("mallory", Some(&alice))
        .await
        .json_with(200)
        .await;
    let port = app.pubsub.addr.port();
    let base = format!("ws://127.0.0.1:{port}/client/hubs/chat");
    assert_eq!(body["baseUrl"], base);
    let token = body["token"].as_str().expect("token");
    assert_eq!(body["url"], format!("{base}?access_token={token}"));

    let key = AccessKey::new(KEY).expect("key");
    let claims =
        chatr::token::decode(token, &key, chatr::clock::unix_now(), 0).expect("valid token");
    assert_eq!(
        claims.aud,
        format!("http://127.0.0.1:{port}/client/hubs/chat")
    );
    assert_eq!(claims.sub.as_deref(), Some("alice-id"));
    assert_eq!(claims.exp.expect("exp") - claims.iat.expect("iat"), 3600);
    assert!(claims.role.is_empty(), "no group roles at all");
    assert!(claims.groups.is_empty());
}

#[tokio::test]
async fn get_token_records_the_principal_name_without_its_email_domain() {
    let app = spawn_app().await;
    app.sign_in("alice-id", "alice@example.com").await;
    let user = app.stored_user("alice-id").await;
    assert_eq!(user.value.name.as_str(), "alice");
    assert_eq!(user.value.provider.as_str(), "github");
}

#[tokio::test]
async fn users_and_chats_need_a_principal() {
    let app = spawn_app().await;
    assert_eq!(app.get_users(None).await.status(), 401);
    assert_eq!(app.get_chats(None).await.status(), 401);
    let chats = app
        .get_chats(Some(&principal("u", "U")))
        .await
        .json_with(200)
        .await;
    assert_eq!(chats, json!({"chats": {}, "direct": {}}));
}
