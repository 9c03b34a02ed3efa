//! `chatr dev` end to end: site → handler → emulator → store, with three clients speaking
//! exactly what the original client sends, sign-in through the emulated Static Web Apps, a
//! restart that keeps the state, and the auth rules of `staticwebapp.config.json`.

use base64::Engine;
use serde_json::{json, Value};

use crate::support::dev_stack::Dev;
use crate::support::domain::ROOM;
use crate::support::ws_client::chat_data;

#[tokio::test]
async fn three_users_chat_through_the_whole_stack() {
    let dev = Dev::start().await;
    let (mut alice, alice_id) = dev.client("alice").await;
    let (mut bob, bob_id) = dev.client("bob").await;
    let (mut carol, carol_id) = dev.client("carol").await;
    let online = alice.user_online(&carol_id).await;
    assert_eq!(chat_data(&online)["userName"], "carol");

    // Create, join, talk: the service stamps the real sender.
    alice.create_chat(ROOM, "Room").await;
    let created = bob.chat_event("chatCreated").await;
    assert_eq!(chat_data(&created)["owner"], alice_id.as_str());
    for client in [&mut bob, &mut carol] {
        client.join_chat(ROOM).await;
        client
            .until(|f| {
                f["group"] == ROOM
                    && f["data"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("has joined the chat"))
            })
            .await;
    }
    bob.event(
        "sendMessage",
        "json",
        json!({"chatId": ROOM, "text": "hello", "fromUserId": alice_id, "fromUserName": "alice"}),
    )
    .await;
    for client in [&mut alice, &mut carol] {
        let m = client
            .until(|f| f["group"] == ROOM && f["data"]["message"] == "hello")
            .await;
        assert_eq!(
            m["data"]["fromUserId"],
            bob_id.as_str(),
            "the verified sender, not the payload's"
        );
    }

    // A private chat that carol can neither read nor write.
    alice.create_private_chat(&alice_id, &bob_id).await;
    let invite = chat_data(&bob.chat_event("joinPrivateChat").await);
    let private = invite["id"].as_str().expect("id").to_string();
    assert_eq!(invite["name"], "Chat with alice");
    assert_eq!(invite["grabFocus"], false);
    alice.chat_event("joinPrivateChat").await;
    carol.join_chat(&private).await;
    let refused = carol.chat_event("actionRefused").await;
    assert_eq!(chat_data(&refused)["reason"], "notMember");
    carol.send(json!({"type": "sendToGroup", "group": private, "dataType": "text", "data": "let me in", "ackId": 1})).await;
    assert_eq!(carol.ack().await["error"]["name"], "Forbidden");
    let refused = carol.send_message(&private, "let me in").await;
    assert_eq!(
        chat_data(&json!({"data": refused}))["reason"],
        "chatNotFound"
    );
    alice.send_message(&private, "psst").await;
    let psst = bob
        .until(|f| f["data"]["chatId"] == private.as_str() && f["data"]["message"] == "psst")
        .await;
    assert_eq!(psst["data"]["fromUserId"], alice_id.as_str());
    let next_for_carol = carol
        .pong_or(|f| f["group"] == private.as_str() || f["data"]["chatId"] == private.as_str())
        .await;
    assert_eq!(
        next_for_carol["type"], "pong",
        "carol never sees the private message"
    );

    // Idle and back, about the sender whatever the body says.
    bob.idle(true, &alice_id).await;
    let idle = alice.chat_event("userIsIdle").await;
    assert_eq!(idle["data"]["data"], bob_id.as_str());
    bob.idle(false, &alice_id).await;
    let back = alice.chat_event("userNotIdle").await;
    assert_eq!(back["data"]["data"], bob_id.as_str());

    // Only the owner deletes.
    bob.delete_chat(ROOM).await;
    let refused = bob.chat_event("actionRefused").await;
    assert_eq!(chat_data(&refused)["reason"], "notOwner");
    alice.delete_chat(ROOM).await;
    assert_eq!(carol.chat_event("chatDeleted").await["data"]["data"], ROOM);

    // A closing socket gives exactly one userOffline.
    carol.ws.close(None).await.expect("close");
    let offline = alice.chat_event("userOffline").await;
    assert_eq!(offline["data"]["data"], carol_id.as_str());
    let next = alice
        .pong_or(|f| f["data"]["chatEvent"] == "userOffline")
        .await;
    assert_eq!(next["type"], "pong", "no second userOffline");
}

#[tokio::test]
async fn state_written_before_a_restart_is_there_after_it() {
    let dev = Dev::start().await;
    let (mut alice, _) = dev.client("alice").await;
    alice.create_chat(ROOM, "Lasting").await;
    alice.chat_event("chatCreated").await;
    drop(alice);
    let dir = dev.stop().await;
    let dev = Dev::start_in(dir).await;
    let browser = dev.sign_in("bob").await;
    assert_eq!(dev.chats(&browser).await["chats"][ROOM]["name"], "Lasting");
}

#[tokio::test]
async fn without_a_cookie_the_api_and_the_app_send_the_browser_to_the_login_page() {
    let dev = Dev::start().await;
    let anonymous = Dev::browser();
    for path in [
        "/",
        "/index.html",
        "/api/getToken",
        "/api/users",
        "/api/chats",
    ] {
        let r = dev.get(&anonymous, path).await;
        assert_eq!(r.status(), 302, "{path}");
        assert_eq!(r.headers()["location"], "/login.html", "{path}");
    }
    let login = dev.get(&anonymous, "/login.html").await;
    assert_eq!(login.status(), 200);
    assert!(login.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("script-src 'self' 'unsafe-eval'"));
    assert_eq!(login.headers()["x-content-type-options"], "nosniff");
    assert_eq!(dev.me(&anonymous).await, json!({"clientPrincipal": null}));
}

#[tokio::test]
async fn a_principal_header_sent_by_the_browser_is_ignored() {
    let dev = Dev::start().await;
    let forged = chatr::functions::principal::ClientPrincipal::encode(
        "github",
        "admin",
        "admin",
        &["authenticated"],
    );
    let r = dev.get_token(&Dev::browser(), Some(&forged)).await;
    assert_eq!(r.status(), 302, "no cookie: still signed out");

    let browser = dev.sign_in("mallory").await;
    let me = dev.me(&browser).await["clientPrincipal"]["userId"]
        .as_str()
        .expect("id")
        .to_string();
    let token: Value = dev
        .get_token(&browser, Some(&forged))
        .await
        .json()
        .await
        .expect("JSON");
    let payload = token["token"]
        .as_str()
        .expect("token")
        .split('.')
        .nth(1)
        .expect("payload")
        .to_string();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("JSON");
    assert_eq!(
        claims["sub"],
        me.as_str(),
        "the cookie's user, not the forged header's"
    );
}

#[tokio::test]
async fn logging_out_clears_the_cookie_and_returns_to_a_safe_page() {
    let dev = Dev::start().await;
    let browser = dev.sign_in("alice").await;
    let r = dev
        .get(
            &browser,
            "/.auth/logout?post_logout_redirect_uri=https://evil.example",
        )
        .await;
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(dev.me(&browser).await, json!({"clientPrincipal": null}));
}
