//! `createChat`: the exact calls, the announced chat, and the list of chats.

use serde_json::json;

use crate::support::answer::Answer;
use crate::support::app::spawn_app;
use crate::support::domain::ROOM;

#[tokio::test]
async fn create_chat_makes_exactly_the_calls_and_lists_the_chat() {
    let app = spawn_app().await;
    app.sign_in_and_arrive("a1", "alice").await;
    app.pubsub.clear();
    app.create_chat("a1", "alice", ROOM, " Room ")
        .await
        .assert_accepted();
    assert_eq!(
        app.pubsub.lines(),
        vec![
            format!("PUT /api/hubs/chat/users/alice/groups/{ROOM}"),
            "POST /api/hubs/chat/:send".to_string(),
            format!("POST /api/hubs/chat/groups/{ROOM}/:send"),
        ]
    );
    let calls = app.pubsub.calls();
    let created = calls[1].json();
    assert_eq!(created["chatEvent"], "chatCreated");
    let data = calls[1].chat_data();
    assert_eq!(
        data,
        json!({"id": ROOM, "name": "Room", "owner": "alice", "memberCount": 1, "members": {"alice": {"userId": "alice", "userName": "alice-name"}}})
    );
    assert_eq!(calls[2].json(), json!("💬 alice-name has joined the chat"));
    for call in &calls {
        assert_eq!(
            call.aud,
            format!(
                "http://127.0.0.1:{}{}?{}",
                app.pubsub.addr.port(),
                call.path,
                call.query
            )
        );
    }
    // Listed with its count; `members` holds only the caller's own entry.
    assert_eq!(
        app.chats().await,
        json!({"chats": {ROOM: {"id": ROOM, "name": "Room", "owner": "alice", "memberCount": 1, "members": {}}}, "direct": {}})
    );
    let alice = crate::support::app::principal("alice", "alice-name");
    let as_alice = app.get_chats(Some(&alice)).await.json_with(200).await;
    let mut mine = data.clone();
    mine["unread"] = json!(0);
    mine["mentions"] = json!(0);
    assert_eq!(
        as_alice["chats"][ROOM], mine,
        "alice sees herself as a member, with her unread counts"
    );
}

#[tokio::test]
async fn among_many_chats_the_list_is_bounded_and_still_holds_the_callers_own() {
    use chatr::chat::member::Member;
    use chatr::chat::outcome::{Change, Expect};
    use chatr::chat::room::Chat;

    use crate::support::domain::{chat_id, group_chat, name, uid};

    let app = spawn_app().await;
    app.sign_in("bob", "bob-name").await;
    // 1,500 group chats nobody joined, then (last in id order) one of alice's and a private
    // chat of alice and bob: the pages stop long before them, and they are listed all the same.
    let mut changes: Vec<Change> = (0..1500)
        .map(|i| Change::PutChat {
            chat: group_chat(&format!("{i:05}-room")),
            expect: Expect::Absent,
        })
        .collect();
    let private = Chat::private(chat_id("private_alice_bob"), [uid("alice"), uid("bob")]);
    changes.push(Change::PutChat {
        chat: group_chat("zzzz-alices"),
        expect: Expect::Absent,
    });
    changes.push(Change::PutChat {
        chat: private.clone(),
        expect: Expect::Absent,
    });
    for (chat, user) in [
        ("zzzz-alices", "alice"),
        ("private_alice_bob", "alice"),
        ("private_alice_bob", "bob"),
    ] {
        changes.push(Change::AddMember {
            member: Member::new(&chat_id(chat), &uid(user), &name(&format!("{user}-name"))),
        });
    }
    app.app.store.apply(&changes).await.expect("stored");

    let alice = crate::support::app::principal("alice", "alice-name");
    let list = app.get_chats(Some(&alice)).await.json_with(200).await;
    let chats = list["chats"].as_object().expect("chats");
    assert_eq!(chats.len(), 1000, "at most 1,000 listed");
    assert_eq!(list["more"], true);
    assert_eq!(
        chats["zzzz-alices"]["members"],
        json!({"alice": {"userId": "alice", "userName": "alice-name"}}),
        "alice's own chat is listed although the pages never reached it"
    );
    assert_eq!(
        list["direct"],
        json!({"private_alice_bob": {"id": "private_alice_bob", "with": "bob", "withName": "bob-name", "unread": 0, "mentions": 0}})
    );
}
