//! Criterion benchmarks of the hot paths: what every connect, webhook, client frame and
//! delivery goes through once. `make bench` runs them; figures in docs/PERFORMANCE.md.

#![allow(
    clippy::expect_used,
    reason = "a benchmark that cannot set up fails loudly, naming what was expected"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use chatr::access_key::AccessKey;
use chatr::chat::event::ClientEvent;
use chatr::chat::model::{ChatId, ConnectionId, Provider, UserId};
use chatr::chat::name::DisplayName;
use chatr::chat::outcome::{Version, Versioned};
use chatr::chat::room::Chat;
use chatr::chat::user::{ConnectionState, User};
use chatr::chat::{Incoming, Snapshot};
use chatr::emulator::mailbox::Delivery;
use chatr::emulator::protocol::{ClientFrame, Data, From};
use chatr::token::{self, Claims};

const NOW: u64 = 1_700_000_000;
const CONNECTION: &str = "2f0b5c3c1c9a4b3e9d7e6f5a4b3c2d1e";
const ROOM: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SEND_TO_GROUP: &str = r#"{"type":"sendToGroup","group":"0f8fad5b-d9cb-469f-a165-70867728950e","dataType":"json","data":{"message":"Hello, everyone in the room!","fromUserId":"alice"},"ackId":42,"noEcho":false}"#;

fn key() -> AccessKey {
    AccessKey::new(chatr::emulator::DEFAULT_ACCESS_KEY).expect("the default key is valid")
}

fn client_token(key: &AccessKey) -> String {
    let mut claims = Claims::new("http://localhost:8080/client/hubs/chat", NOW, 3600);
    claims.sub = Some("alice".into());
    claims.role = vec![
        "webpubsub.joinLeaveGroup".into(),
        "webpubsub.sendToGroup".into(),
    ];
    token::encode(&claims, key)
}

fn tokens(c: &mut Criterion) {
    let key = key();
    let jwt = client_token(&key);
    c.bench_function("token::decode (client token)", |b| {
        b.iter(|| token::decode(black_box(&jwt), &key, NOW, 300).expect("valid"))
    });
    let hub = chatr::emulator::hub_key::HubKey::new("chat");
    c.bench_function("emulator::auth::client_token (decode + audience)", |b| {
        b.iter(|| {
            chatr::emulator::auth::client_token(Some(black_box(&jwt)), &key, &hub, 8080, NOW)
                .expect("valid")
        })
    });
    let header = chatr::webhook::signature::sign(&key, CONNECTION);
    c.bench_function("webhook::signature::verify", |b| {
        b.iter(|| chatr::webhook::signature::verify(&key, CONNECTION, black_box(&header)))
    });
}

fn frames(c: &mut Criterion) {
    c.bench_function("ClientFrame::parse (sendToGroup, JSON data)", |b| {
        b.iter(|| ClientFrame::parse(black_box(SEND_TO_GROUP)).expect("valid"))
    });
    c.bench_function("ClientFrame::parse (sequenceAck)", |b| {
        b.iter(|| {
            ClientFrame::parse(black_box(r#"{"type":"sequenceAck","sequenceId":1234}"#))
                .expect("valid")
        })
    });
    let Ok(ClientFrame::SendToGroup { group, data, .. }) = ClientFrame::parse(SEND_TO_GROUP) else {
        panic!("the frame parses");
    };
    let from = From::Group {
        group,
        from_user_id: Some("alice".into()),
    };
    c.bench_function("mailbox::Delivery::new (group message, JSON data)", |b| {
        b.iter(|| Delivery::new(black_box(&from), black_box(&data)))
    });
    let text = Data::Text("Hello, everyone in the room!".into());
    c.bench_function("mailbox::Delivery::new (group message, text data)", |b| {
        b.iter(|| Delivery::new(black_box(&from), black_box(&text)))
    });
}

/// A room of `members` users and a user about to join it (the chat's record is the same
/// size whatever the count: members are rows of their own).
fn join_chat(members: usize) -> (ConnectionId, UserId, Incoming, Snapshot) {
    let name = |s: &str| DisplayName::parse(s).expect("name");
    let room_id = ChatId::parse(ROOM).expect("id");
    let mut room = Chat::group(
        room_id.clone(),
        name("Room"),
        UserId::parse("owner").expect("id"),
    );
    room.member_count = u64::try_from(members).expect("a count");
    let (user, connection) = (
        UserId::parse("alice").expect("id"),
        ConnectionId::parse(CONNECTION).expect("id"),
    );
    let mut alice = User::new(user.clone(), name("Alice"), Provider::new("github"));
    alice
        .connections
        .insert(connection.clone(), ConnectionState { announced: true });
    let snapshot = Snapshot {
        binding: Some(user.clone()),
        closed: false,
        user: Some(Versioned {
            value: alice,
            version: Version("u1".into()),
        }),
        chats: [(
            room_id.clone(),
            Versioned {
                value: room,
                version: Version("c1".into()),
            },
        )]
        .into(),
        ..Snapshot::default()
    };
    let incoming = Incoming::User(ClientEvent::JoinChat(room_id));
    (connection, user, incoming, snapshot)
}

fn chat(c: &mut Criterion) {
    for members in [10, 400] {
        let (connection, user, incoming, snapshot) = join_chat(members);
        c.bench_function(
            &format!("chat::handle (joinChat, {members} members)"),
            |b| {
                b.iter(|| {
                    chatr::chat::handle(&connection, Some(&user), black_box(&incoming), &snapshot)
                        .expect("joined")
                })
            },
        );
    }
}

criterion_group!(benches, tokens, frames, chat);
criterion_main!(benches);
