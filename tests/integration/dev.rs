//! `chatr dev` end to end: site → handler → emulator → store, with three clients speaking
//! exactly what the original client sends, sign-in through the emulated Static Web Apps, a
//! restart that keeps the state, and the auth rules of `staticwebapp.config.json`.

use serde_json::{json, Value};

use crate::support::dev_stack::Dev;

const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

fn inner(frame: &Value) -> Value {
    serde_json::from_str(frame["data"]["data"].as_str().expect("a JSON string")).expect("JSON")
}

#[tokio::test]
async fn three_users_chat_through_the_whole_stack() {
    let dev = Dev::start().await;
    let (mut alice, alice_id) = dev.client("alice").await;
    let (mut bob, bob_id) = dev.client("bob").await;
    let (mut carol, carol_id) = dev.client("carol").await;
    let online = alice
        .until(|f| {
            f["data"]["chatEvent"] == "userOnline"
                && f["data"]["data"]
                    .as_str()
                    .is_some_and(|d| d.contains(&carol_id))
        })
        .await;
    assert_eq!(inner(&online)["userName"], "carol");

    // Create, join, talk: the service stamps the real sender.
    alice
        .event("createChat", "json", json!({"name": "Room", "id": ROOM}))
        .await;
    let created = bob.until(|f| f["data"]["chatEvent"] == "chatCreated").await;
    assert_eq!(inner(&created)["owner"], alice_id.as_str());
    for (client, _) in [(&mut bob, &bob_id), (&mut carol, &carol_id)] {
        client.event("joinChat", "text", json!(ROOM)).await;
        client
            .until(|f| {
                f["group"] == ROOM
                    && f["data"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("has joined the chat"))
            })
            .await;
    }
    bob.send(json!({"type": "sendToGroup", "group": ROOM, "dataType": "json", "data": {"message": "hello", "fromUserId": alice_id, "fromUserName": "alice"}})).await;
    for client in [&mut alice, &mut carol] {
        let m = client
            .until(|f| f["group"] == ROOM && f["data"]["message"] == "hello")
            .await;
        assert_eq!(
            m["fromUserId"],
            bob_id.as_str(),
            "the service's fromUserId, not the payload's"
        );
    }

    // A private chat that carol can neither read nor write.
    alice
        .event(
            "createPrivateChat",
            "json",
            json!({"initiatorUserId": alice_id, "targetUserId": bob_id}),
        )
        .await;
    let invite = bob
        .until(|f| f["data"]["chatEvent"] == "joinPrivateChat")
        .await;
    let private = inner(&invite)["id"].as_str().expect("id").to_string();
    assert_eq!(inner(&invite)["name"], "Chat with alice");
    assert_eq!(inner(&invite)["grabFocus"], false);
    alice
        .until(|f| f["data"]["chatEvent"] == "joinPrivateChat")
        .await;
    carol.event("joinChat", "text", json!(private)).await;
    let refused = carol
        .until(|f| f["data"]["chatEvent"] == "actionRefused")
        .await;
    assert_eq!(inner(&refused)["reason"], "notMember");
    carol.send(json!({"type": "sendToGroup", "group": private, "dataType": "text", "data": "let me in", "ackId": 1})).await;
    assert_eq!(
        carol.until(|f| f["type"] == "ack").await["error"]["name"],
        "Forbidden"
    );
    alice.send(json!({"type": "sendToGroup", "group": private, "dataType": "json", "data": {"message": "psst"}})).await;
    let psst = bob
        .until(|f| f["group"] == private.as_str() && f["data"]["message"] == "psst")
        .await;
    assert_eq!(psst["fromUserId"], alice_id.as_str());
    carol.send(json!({"type": "ping"})).await;
    let next_for_carol = carol
        .until(|f| f["type"] == "pong" || f["group"] == private.as_str())
        .await;
    assert_eq!(
        next_for_carol["type"], "pong",
        "carol never sees the private message"
    );

    // Idle and back, about the sender whatever the body says.
    bob.event("userEnterIdle", "text", json!(alice_id)).await;
    let idle = alice
        .until(|f| f["data"]["chatEvent"] == "userIsIdle")
        .await;
    assert_eq!(idle["data"]["data"], bob_id.as_str());
    bob.event("userExitIdle", "text", json!(alice_id)).await;
    assert_eq!(
        alice
            .until(|f| f["data"]["chatEvent"] == "userNotIdle")
            .await["data"]["data"],
        bob_id.as_str()
    );

    // Only the owner deletes.
    bob.event("deleteChat", "text", json!(ROOM)).await;
    assert_eq!(
        inner(
            &bob.until(|f| f["data"]["chatEvent"] == "actionRefused")
                .await
        )["reason"],
        "notOwner"
    );
    alice.event("deleteChat", "text", json!(ROOM)).await;
    assert_eq!(
        carol
            .until(|f| f["data"]["chatEvent"] == "chatDeleted")
            .await["data"]["data"],
        ROOM
    );

    // A closing socket gives exactly one userOffline.
    carol.ws.close(None).await.expect("close");
    let offline = alice
        .until(|f| f["data"]["chatEvent"] == "userOffline")
        .await;
    assert_eq!(offline["data"]["data"], carol_id.as_str());
    alice.send(json!({"type": "ping"})).await;
    let next = alice
        .until(|f| f["type"] == "pong" || f["data"]["chatEvent"] == "userOffline")
        .await;
    assert_eq!(next["type"], "pong", "no second userOffline");
}

#[tokio::test]
async fn state_written_before_a_restart_is_there_after_it() {
    let dev = Dev::start().await;
    let (mut alice, _) = dev.client("alice").await;
    alice
        .event("createChat", "json", json!({"name": "Lasting", "id": ROOM}))
        .await;
    alice
        .until(|f| f["data"]["chatEvent"] == "chatCreated")
        .await;
    drop(alice);
    let dir = dev.stop().await;
    let dev = Dev::start_in(dir).await;
    let browser = dev.sign_in("bob").await;
    let chats: Value = browser
        .get(format!("{}/api/chats", dev.base))
        .send()
        .await
        .expect("chats")
        .json()
        .await
        .expect("JSON");
    assert_eq!(chats["chats"][ROOM]["name"], "Lasting");
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
        let r = anonymous
            .get(format!("{}{path}", dev.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 302, "{path}");
        assert_eq!(r.headers()["location"], "/login.html", "{path}");
    }
    let login = anonymous
        .get(format!("{}/login.html", dev.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(login.status(), 200);
    assert!(login.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("script-src 'self' 'unsafe-eval'"));
    assert_eq!(login.headers()["x-content-type-options"], "nosniff");
    let me: Value = anonymous
        .get(format!("{}/.auth/me", dev.base))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me, json!({"clientPrincipal": null}));
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
    let r = Dev::browser()
        .get(format!("{}/api/getToken", dev.base))
        .header("x-ms-client-principal", &forged)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 302, "no cookie: still signed out");

    let browser = dev.sign_in("mallory").await;
    let me = dev.me(&browser).await["clientPrincipal"]["userId"]
        .as_str()
        .expect("id")
        .to_string();
    let token: Value = browser
        .get(format!("{}/api/getToken", dev.base))
        .header("x-ms-client-principal", &forged)
        .send()
        .await
        .expect("GET")
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
    use base64::Engine;
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
    let r = browser
        .get(format!(
            "{}/.auth/logout?post_logout_redirect_uri=https://evil.example",
            dev.base
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(dev.me(&browser).await, json!({"clientPrincipal": null}));
}
