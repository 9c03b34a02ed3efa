//! `/api/users`: who is online (the original shape); `?q=` to find anyone who has signed in
//! here by the start of their name, paged, with clear answers to bad paging; `&chatId=` for a
//! chat's members only, a bounded look at a time; `?ids=` to name users by id.

use serde_json::{json, Value};

use crate::support::answer::Answer;
use crate::support::app::{principal, spawn_app};

#[tokio::test]
async fn without_a_query_only_the_users_online_now_are_listed_in_the_original_shape() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.sign_in("bob", "bob-name").await; // signed in once, not connected
    assert_eq!(
        app.users().await,
        json!({"users": {"alice": {"userName": "alice-name", "userProvider": "github", "idle": false}}})
    );
}

async fn search(app: &crate::support::app::TestApp, query: &str) -> reqwest::Response {
    app.search_users(query, Some(&principal("viewer", "viewer")))
        .await
}

#[tokio::test]
async fn a_search_finds_anyone_by_the_start_of_their_name_online_or_not_page_by_page() {
    let app = spawn_app().await;
    for (id, name) in [
        ("u1", "Bob Stone"),
        ("u2", "bobby"),
        ("u3", "Bea"),
        ("u4", "Robert"),
    ] {
        app.sign_in(id, name).await;
    }
    app.arrive("c2", "u2").await;
    let first: Value = search(&app, "q=BO&limit=1").await.json_with(200).await;
    assert_eq!(
        first["users"],
        json!([{"userId": "u1", "userName": "Bob Stone", "userProvider": "github", "idle": false, "online": false}])
    );
    let next = first["next"].as_str().expect("a next page");
    let second: Value = search(&app, &format!("q=bo&limit=1&after={}", urlencode(next)))
        .await
        .json_with(200)
        .await;
    assert_eq!(second["users"][0]["userId"], "u2");
    assert_eq!(second["users"][0]["online"], true);
    assert_eq!(second["next"], Value::Null, "nothing after bobby");
    let none: Value = search(&app, "q=zed").await.json_with(200).await;
    assert_eq!(none, json!({"users": [], "next": null}));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn bad_paging_or_a_bad_query_is_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, code) in [
        ("q=a&limit=0", "invalidLimit"),
        ("q=a&limit=101", "invalidLimit"),
        ("q=a&limit=ten", "invalidLimit"),
        (&format!("q={}", "x".repeat(65)), "invalidQuery"),
        ("q=%07", "invalidQuery"),
        (&format!("q=a&after={}", "k".repeat(2049)), "invalidCursor"),
    ] {
        let response = search(&app, query).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"]["code"], code, "{query}");
    }
    assert_eq!(app.search_users("q=a", None).await.status(), 401);
}

#[tokio::test]
async fn with_a_chat_id_only_its_members_are_found_and_a_page_looks_at_a_bounded_number() {
    let app = crate::support::chat_events::room_with_alice_and_bob().await;
    app.join_chat("b1", "bob", crate::support::domain::ROOM)
        .await
        .assert_accepted();
    app.sign_in("carol", "carol-name").await;
    let as_alice = principal("alice", "alice-name");
    let room = crate::support::domain::ROOM;
    let found: Value = app
        .search_users(&format!("q=&chatId={room}"), Some(&as_alice))
        .await
        .json_with(200)
        .await;
    let ids: Vec<&str> = found["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userId"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["alice", "bob"], "carol is not a member");

    // Sixty non-members whose names sort before the member "azz": the first page looks at
    // fifty of them, finds nobody and says where to go on; the second finds her.
    for n in 0..60 {
        app.sign_in(&format!("n{n}"), &format!("aa{n:02}")).await;
    }
    app.sign_in_and_arrive("z1", "azz").await;
    app.join_chat("z1", "azz", room).await.assert_accepted();
    let first: Value = app
        .search_users(&format!("q=a&chatId={room}"), Some(&as_alice))
        .await
        .json_with(200)
        .await;
    assert_eq!(first["users"], json!([]));
    let next = first["next"].as_str().expect("goes on");
    let second: Value = app
        .search_users(
            &format!("q=a&chatId={room}&after={}", urlencode(next)),
            Some(&as_alice),
        )
        .await
        .json_with(200)
        .await;
    let names: Vec<&str> = second["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alice-name", "azz-name"]);

    // Not a member: as for its history. A bad chat id: 400.
    let outsider = app
        .search_users(
            &format!("q=&chatId={room}"),
            Some(&principal("carol", "carol-name")),
        )
        .await
        .json_with(403)
        .await;
    assert_eq!(outsider["error"]["code"], "notMember");
    let bad = app
        .search_users("q=&chatId=a%2Fb", Some(&as_alice))
        .await
        .json_with(400)
        .await;
    assert_eq!(bad["error"]["code"], "invalidChatId");
}

#[tokio::test]
async fn by_ids_anyone_who_signed_in_is_named_online_or_not_and_the_list_is_bounded() {
    let app = spawn_app().await;
    app.sign_in("u1", "Bob Stone").await;
    app.sign_in_and_arrive("c2", "u2").await;
    let found: Value = search(&app, "ids=u1,u2,nobody").await.json_with(200).await;
    let named: Vec<(&str, &str, bool)> = found["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| {
            (
                u["userId"].as_str().expect("id"),
                u["userName"].as_str().expect("name"),
                u["online"].as_bool().expect("online"),
            )
        })
        .collect();
    assert_eq!(
        named,
        [("u1", "Bob Stone", false), ("u2", "u2-name", true)],
        "unknown ids are left out"
    );
    let too_many = (0..51)
        .map(|i| format!("u{i}"))
        .collect::<Vec<_>>()
        .join(",");
    for query in [format!("ids={too_many}"), "ids=".into(), "ids=a%2Fb".into()] {
        let body: Value = search(&app, &query).await.json_with(400).await;
        assert_eq!(body["error"]["code"], "invalidIds", "{query}");
    }
}

#[tokio::test]
async fn searches_have_a_rate_of_their_own() {
    let app = spawn_app().await;
    let mut answered = 0;
    let limited = loop {
        let response = search(&app, "q=a").await;
        if response.status() == 429 {
            break response.json::<Value>().await.expect("JSON");
        }
        assert_eq!(response.status(), 200);
        answered += 1;
        assert!(answered < 200, "no limit after {answered} searches");
    };
    assert_eq!(limited["error"]["code"], "rateLimited");
    assert!(answered >= 30, "a burst of 30 first, not {answered}");
}
