//! `GET /api/chats/{chatId}/messages`: pages both ways, members only, tombstones, and the
//! rate limits of sending and reading.

use serde_json::{json, Value};

use chatr::config::limits::{Limits, Rate};

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app_with, TestApp};
use crate::support::domain::ROOM;

impl TestApp {
    /// `GET /api/chats/{chat}/messages?{query}` as `user`.
    pub async fn history(&self, user: Option<&str>, chat: &str, query: &str) -> reqwest::Response {
        let mut req = self
            .http
            .get(self.url(&format!("/api/chats/{chat}/messages?{query}")));
        if let Some(u) = user {
            req = req.header("x-ms-client-principal", principal(u, &format!("{u}-name")));
        }
        req.send().await.expect("GET")
    }
}

/// alice's ROOM with bob in it, and no limits on sending or reading.
async fn unlimited_room() -> TestApp {
    let app = spawn_app_with(Limits {
        messages: None,
        history_reads: None,
        ..Limits::default()
    })
    .await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in_and_arrive("b1", "bob").await;
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .assert_accepted();
    app.join_chat("b1", "bob", ROOM).await.assert_accepted();
    app
}

fn texts(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["message"].as_str().unwrap_or("<tombstone>").to_string())
        .collect()
}

fn numbered(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|n| format!("m{n}")).collect()
}

#[tokio::test]
async fn two_hundred_and_fifty_messages_page_backwards_and_forwards_without_gap_or_repeat() {
    let app = unlimited_room().await;
    for n in 1..=250 {
        let (connection, user) = if n % 2 == 0 {
            ("a1", "alice")
        } else {
            ("b1", "bob")
        };
        app.send_message(connection, user, ROOM, &format!("m{n}"), None)
            .await
            .json_with(200)
            .await;
    }
    let newest = app
        .history(Some("bob"), ROOM, "")
        .await
        .json_with(200)
        .await;
    assert_eq!(
        texts(&newest),
        numbered(201..=250),
        "the newest 50, oldest first"
    );
    let mut before = newest["next"].as_str().expect("more").to_string();
    let mut seen = texts(&newest);
    loop {
        let page = app
            .history(Some("bob"), ROOM, &format!("limit=200&before={before}"))
            .await
            .json_with(200)
            .await;
        let mut older = texts(&page);
        older.extend(seen);
        seen = older;
        match page["next"].as_str() {
            Some(next) => before = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, numbered(1..=250));

    let first_page = app
        .history(
            Some("alice"),
            ROOM,
            "limit=100&before=00000000-0000-0000-0000-000000000000",
        )
        .await
        .json_with(200)
        .await;
    assert_eq!(first_page, json!({"messages": [], "next": null}));
    let mut after = "00000000-0000-0000-0000-000000000000".to_string();
    let mut forward = Vec::new();
    loop {
        let page = app
            .history(Some("alice"), ROOM, &format!("limit=100&after={after}"))
            .await
            .json_with(200)
            .await;
        forward.extend(texts(&page));
        match page["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    assert_eq!(forward, numbered(1..=250));
    let one = &newest["messages"][0];
    assert_eq!(one["fromUserId"], "bob");
    assert_eq!(one["chatId"], ROOM);
}

#[tokio::test]
async fn only_members_read_and_nobody_learns_of_a_private_chat_they_are_not_in() {
    let app = unlimited_room().await;
    app.sign_in_and_arrive("c1", "carol").await;
    let refused = app
        .history(Some("carol"), ROOM, "")
        .await
        .json_with(403)
        .await;
    assert_eq!(refused["error"]["code"], "notMember");
    app.create_private_chat("a1", "alice", "alice", "bob")
        .await
        .assert_accepted();
    app.send_message("a1", "alice", "private_alice_bob", "psst", None)
        .await
        .json_with(200)
        .await;
    let private = app
        .history(Some("bob"), "private_alice_bob", "")
        .await
        .json_with(200)
        .await;
    assert_eq!(texts(&private), ["psst"]);
    for (user, chat) in [
        ("carol", "private_alice_bob"),
        ("carol", "private_alice_carol"),
        ("carol", "6f8fad5b-d9cb-469f-a165-70867728950e"),
    ] {
        let missing = app.history(Some(user), chat, "").await.json_with(404).await;
        assert_eq!(missing["error"]["code"], "chatNotFound", "{chat}");
    }
    app.history(None, ROOM, "").await.json_with(401).await;
    for bad in ["limit=0", "limit=201", "before=xyz", "after=1&before=2"] {
        let body = app
            .history(Some("bob"), ROOM, bad)
            .await
            .json_with(400)
            .await;
        assert!(body["error"]["code"].is_string(), "{bad}: {body}");
    }
}

#[tokio::test]
async fn a_deleted_message_reads_as_a_tombstone_and_an_edited_one_with_its_time() {
    let app = unlimited_room().await;
    let kept = app
        .send_message("b1", "bob", ROOM, "keep", None)
        .await
        .json_with(200)
        .await;
    let gone = app
        .send_message("b1", "bob", ROOM, "oops", None)
        .await
        .json_with(200)
        .await;
    app.send(
        "editMessage",
        "b1",
        "bob",
        json!({"chatId": ROOM, "id": kept["id"], "text": "kept"}),
    )
    .await
    .json_with(200)
    .await;
    app.send(
        "deleteMessage",
        "b1",
        "bob",
        json!({"chatId": ROOM, "id": gone["id"]}),
    )
    .await
    .json_with(200)
    .await;
    let page = app
        .history(Some("alice"), ROOM, "")
        .await
        .json_with(200)
        .await;
    let messages = page["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["message"], "kept");
    assert!(messages[0]["editedAt"].is_string());
    assert_eq!(
        messages[1],
        json!({"id": gone["id"], "chatId": ROOM, "deleted": true, "time": gone["time"]})
    );
}

#[tokio::test]
async fn past_the_rate_a_message_is_refused_with_a_retry_time_and_nothing_is_stored() {
    let app = spawn_app_with(Limits {
        // One token a minute: no test runs long enough to see a refill.
        messages: Rate::new(3, 1),
        history_reads: Rate::new(2, 1),
        ..Limits::default()
    })
    .await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.create_chat("a1", "alice", ROOM, "Room")
        .await
        .assert_accepted();
    for n in 0..3 {
        app.send_message(
            "a1",
            "alice",
            ROOM,
            &format!("m{n}"),
            Some(&format!("k{n}")),
        )
        .await
        .json_with(200)
        .await;
    }
    app.pubsub.clear();
    let refusal = app
        .send_message("a1", "alice", ROOM, "one too many", Some("k3"))
        .await
        .refusal()
        .await;
    assert_eq!(refusal["reason"], "rateLimited");
    assert_eq!(refusal["chatId"], ROOM);
    assert_eq!(refusal["clientId"], "k3");
    let retry = refusal["retryAfterMs"].as_u64().expect("a retry time");
    assert!((59_000..=60_000).contains(&retry), "{retry}");
    assert_eq!(app.stored_messages(ROOM).await.len(), 3);
    assert!(app.pubsub.calls().is_empty(), "nothing delivered");

    app.history(Some("alice"), ROOM, "")
        .await
        .json_with(200)
        .await;
    app.history(Some("alice"), ROOM, "")
        .await
        .json_with(200)
        .await;
    let limited = app.history(Some("alice"), ROOM, "").await;
    assert_eq!(limited.headers()["retry-after"], "60");
    let body = limited.json_with(429).await;
    assert_eq!(body["error"]["code"], "rateLimited");
    assert!(body["error"]["retryAfterMs"].as_u64().is_some());
}

#[tokio::test]
async fn unread_and_mention_counts_follow_the_read_cursor() {
    let app = unlimited_room().await;
    let mut ids = Vec::new();
    for n in 1..=4 {
        let mentions = if n == 3 { json!(["bob"]) } else { json!([]) };
        let body = json!({"chatId": ROOM, "text": format!("m{n}"), "mentions": mentions});
        let sent = app
            .send("sendMessage", "a1", "alice", body)
            .await
            .json_with(200)
            .await;
        ids.push(sent["id"].as_str().expect("id").to_string());
    }
    app.send_message("b1", "bob", ROOM, "mine do not count", None)
        .await
        .json_with(200)
        .await;
    let counts = |chats: Value| {
        (
            chats["chats"][ROOM]["unread"].clone(),
            chats["chats"][ROOM]["mentions"].clone(),
        )
    };
    let bob_chats = || async {
        app.get_chats(Some(&principal("bob", "bob-name")))
            .await
            .json_with(200)
            .await
    };
    let first = bob_chats().await;
    assert_eq!(counts(first.clone()), (json!(4), json!(1)));
    assert!(
        first["chats"][ROOM]["readUpTo"].is_null(),
        "never marked read"
    );
    app.send(
        "markRead",
        "b1",
        "bob",
        json!({"chatId": ROOM, "id": ids[1]}),
    )
    .await
    .assert_accepted();
    let marked = bob_chats().await;
    assert_eq!(counts(marked.clone()), (json!(2), json!(1)));
    assert_eq!(
        marked["chats"][ROOM]["readUpTo"], ids[1],
        "the cursor itself"
    );
    app.send(
        "markRead",
        "b1",
        "bob",
        json!({"chatId": ROOM, "id": ids[0]}),
    )
    .await
    .assert_accepted();
    assert_eq!(
        counts(bob_chats().await),
        (json!(2), json!(1)),
        "never backwards"
    );
    app.send(
        "markRead",
        "b1",
        "bob",
        json!({"chatId": ROOM, "id": ids[3]}),
    )
    .await
    .assert_accepted();
    assert_eq!(counts(bob_chats().await), (json!(0), json!(0)));
    let alice = app
        .get_chats(Some(&principal("alice", "alice-name")))
        .await
        .json_with(200)
        .await;
    assert_eq!(
        counts(alice),
        (json!(1), json!(0)),
        "alice has not read bob's"
    );

    app.sign_in_and_arrive("c1", "carol").await;
    let refused = app
        .send(
            "markRead",
            "c1",
            "carol",
            json!({"chatId": ROOM, "id": ids[0]}),
        )
        .await
        .refusal()
        .await;
    assert_eq!(refused["reason"], "notMember");
    let carol = app
        .get_chats(Some(&principal("carol", "carol-name")))
        .await
        .json_with(200)
        .await;
    assert!(
        carol["chats"][ROOM]["unread"].is_null(),
        "no counts of chats one is not in"
    );
}
