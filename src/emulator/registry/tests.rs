//! Group, user and permission bookkeeping of the registry.

use tokio::sync::mpsc::UnboundedReceiver;

use super::*;
use crate::emulator::live::Accepted;
use crate::emulator::mailbox::{Mail, Mailbox};
use crate::emulator::signals::Signals;

fn connect(
    r: &Registry,
    id: &str,
    hub: &str,
    user: Option<&str>,
    roles: &[&str],
) -> UnboundedReceiver<Mail> {
    let signals = Arc::new(Signals::default());
    let (tx, rx) = Mailbox::new(signals.clone());
    let accepted = Accepted {
        hub: HubKey::new(hub),
        connection_id: id.into(),
        user_id: user.map(str::to_string),
        groups: Vec::new(),
        rights: Rights::from_roles(roles.iter().copied()),
        protocol: Protocol::Json,
        connection_state: None,
    };
    let (_, closed) = tokio::sync::watch::channel(0);
    let (live, groups, rights) = Live::new(accepted, tx, None, signals, closed);
    r.register(live, groups, rights);
    rx
}

fn drain(rx: &mut UnboundedReceiver<Mail>) -> usize {
    let mut n = 0;
    while rx.try_recv().is_ok() {
        n += 1;
    }
    n
}

#[test]
fn group_membership_is_per_connection() {
    let r = Registry::default();
    let mut a1 = connect(&r, "a1", "chat", Some("alice"), &[]);
    let mut a2 = connect(&r, "a2", "chat", Some("alice"), &[]);
    assert!(r.join(&HubKey::new("chat"), "a1", "g"));
    let msg = Outgoing::Frame("x".into());
    assert_eq!(r.to_group(&HubKey::new("chat"), "g", &msg, &[], None), 1);
    assert_eq!((drain(&mut a1), drain(&mut a2)), (1, 0));
}

#[test]
fn adding_a_user_to_a_group_takes_only_their_current_connections() {
    let r = Registry::default();
    let _a1 = connect(&r, "a1", "chat", Some("alice"), &[]);
    assert!(r.add_user_to_group(&HubKey::new("chat"), "alice", "g"));
    let _a2 = connect(&r, "a2", "chat", Some("alice"), &[]);
    assert_eq!(
        r.select(&HubKey::new("chat"), Scope::Group("g"), &[]),
        vec!["a1".to_string()]
    );
    assert!(
        !r.add_user_to_group(&HubKey::new("chat"), "nobody", "g"),
        "a user without connections is not found"
    );
}

#[test]
fn hubs_are_separate_and_case_insensitive() {
    let r = Registry::default();
    let mut c = connect(&r, "c1", "Chat", Some("u"), &[]);
    let mut o = connect(&r, "o1", "other", Some("u"), &[]);
    r.to_all(
        &HubKey::new("CHAT"),
        &Outgoing::Frame("x".into()),
        &[],
        None,
    );
    assert_eq!((drain(&mut c), drain(&mut o)), (1, 0));
    assert!(
        !r.join(&HubKey::new("other"), "c1", "g"),
        "a connection is only reachable through its own hub"
    );
}

#[test]
fn unregistering_leaves_every_group_and_forgets_the_user() {
    let r = Registry::default();
    let _c = connect(&r, "c1", "chat", Some("u"), &[]);
    r.join(&HubKey::new("chat"), "c1", "g1");
    r.join(&HubKey::new("chat"), "c1", "g2");
    let entry = r.unregister("c1").expect("was registered");
    assert_eq!(entry.groups.len(), 2);
    assert!(r
        .select(&HubKey::new("chat"), Scope::Group("g1"), &[])
        .is_empty());
    assert!(r
        .select(&HubKey::new("chat"), Scope::User("u"), &[])
        .is_empty());
    assert!(r.is_empty());
}

#[test]
fn excluded_connections_are_skipped() {
    let r = Registry::default();
    let mut a = connect(&r, "a", "chat", None, &[]);
    let mut b = connect(&r, "b", "chat", None, &[]);
    r.to_all(
        &HubKey::new("chat"),
        &Outgoing::Frame("x".into()),
        &["a".to_string()],
        None,
    );
    assert_eq!((drain(&mut a), drain(&mut b)), (0, 1));
}

#[test]
fn rights_come_from_roles_and_change_with_grants() {
    let r = Registry::default();
    let _c = connect(&r, "c", "chat", None, &["webpubsub.joinLeaveGroup.g"]);
    assert!(r.allows("c", ClientPermission::JoinLeaveGroup, "g"));
    assert!(!r.allows("c", ClientPermission::SendToGroup, "g"));
    r.with_rights(&HubKey::new("chat"), "c", |rights| {
        rights.grant(ClientPermission::SendToGroup, Some("g".into()))
    })
    .expect("connected");
    assert!(r.allows("c", ClientPermission::SendToGroup, "g"));
    assert!(r
        .with_rights(&HubKey::new("chat"), "missing", |_| ())
        .is_none());
}

#[test]
fn closing_sends_disconnected_then_a_close_frame() {
    let r = Registry::default();
    let mut c = connect(&r, "c", "chat", None, &[]);
    r.close(&["c".to_string()], "bye");
    assert!(
        matches!(c.try_recv(), Ok(Mail::Out(Outgoing::Frame(f))) if f.contains("disconnected") && f.contains("bye"))
    );
    assert!(
        matches!(c.try_recv(), Ok(Mail::Out(Outgoing::Close(1000, reason))) if reason == "bye")
    );
}

fn filter(text: &str) -> Filter {
    Filter::parse(text).expect("a valid filter")
}

#[test]
fn a_filtered_send_reaches_only_the_matching_connections_of_its_scope() {
    let r = Registry::default();
    let hub = HubKey::new("chat");
    let mut a = connect(&r, "a", "chat", Some("alice"), &[]);
    let mut b = connect(&r, "b", "chat", Some("bob"), &[]);
    let mut anon = connect(&r, "n", "chat", None, &[]);
    let mut other = connect(&r, "o", "other", Some("alice"), &[]);
    r.join(&hub, "a", "g");
    r.join(&hub, "b", "g");
    let msg = Outgoing::Frame("x".into());

    r.to_all(&hub, &msg, &[], Some(&filter("userId ne 'bob'")));
    assert_eq!(
        (
            drain(&mut a),
            drain(&mut b),
            drain(&mut anon),
            drain(&mut other)
        ),
        (1, 0, 1, 0)
    );
    r.to_all(&hub, &msg, &["a".into()], Some(&filter("userId ne null")));
    assert_eq!((drain(&mut a), drain(&mut b), drain(&mut anon)), (0, 1, 0));

    let to_g = |f: &str, excluded: &[&str]| r.to_group(&hub, "g", &msg, excluded, Some(&filter(f)));
    assert_eq!(to_g("startswith(userId, 'a')", &[]), 1);
    assert_eq!(to_g("'g' in groups", &["b"]), 1);
    assert_eq!((drain(&mut a), drain(&mut b)), (2, 0));

    let _a2 = connect(&r, "a2", "chat", Some("alice"), &[]);
    r.to_user(&hub, "alice", &msg, Some(&filter("connectionId eq 'a2'")));
    assert_eq!(
        drain(&mut a),
        0,
        "alice's other connection was filtered out"
    );
}

#[test]
fn joining_by_filter_puts_every_matching_connection_of_the_hub_in_every_group() {
    let r = Registry::default();
    let hub = HubKey::new("chat");
    let _a = connect(&r, "a", "chat", Some("alice"), &[]);
    let _b = connect(&r, "b", "chat", Some("bob"), &[]);
    let _o = connect(&r, "o", "other", Some("alice"), &[]);
    let groups = ["g1".to_string(), "g2".to_string()];
    assert_eq!(
        r.change_matching(
            &hub,
            &groups,
            &filter("userId eq 'alice'"),
            Membership::Join
        ),
        1
    );
    for g in ["g1", "g2"] {
        assert_eq!(r.select(&hub, Scope::Group(g), &[]), vec!["a".to_string()]);
    }
    assert!(r
        .select(&HubKey::new("other"), Scope::Group("g1"), &[])
        .is_empty());
    assert_eq!(
        r.change_matching(&hub, &groups, &filter("false"), Membership::Join),
        0
    );
}

#[test]
fn leaving_by_filter_takes_the_matching_connections_out_as_the_groups_were_before() {
    let r = Registry::default();
    let hub = HubKey::new("chat");
    for id in ["a", "b", "c"] {
        let _rx = connect(&r, id, "chat", Some(id), &[]);
        r.join(&hub, id, "g1");
    }
    r.join(&hub, "a", "g2");
    let groups = ["g1".to_string(), "g2".to_string()];
    let matching = filter("'g1' in groups and userId ne 'c'");
    let removed = r.change_matching(&hub, &groups, &matching, Membership::Leave);
    assert_eq!(removed, 2);
    assert_eq!(
        r.select(&hub, Scope::Group("g1"), &[]),
        vec!["c".to_string()]
    );
    assert!(r.select(&hub, Scope::Group("g2"), &[]).is_empty());
    assert_eq!(r.len(), 3, "leaving groups closes nothing");
}
