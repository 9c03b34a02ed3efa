//! The site's and the emulator's edge checks: the sign-in cookie, `Host`, `Origin`, a REST
//! body by its content type, a message's text and ids. Any input is answered; what passes
//! keeps its rules.

use chatr::chat::message::{ClientMsgId, MessageId, MessageText};
use chatr::dev::swa_auth::Principal;
use chatr::emulator::origins::AllowedOrigins;
use chatr::emulator::protocol::Data;
use chatr::listener::hosts::{host_name, AllowedHosts};
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_cookie_header_is_answered(header in "[ -~]{0,300}") {
        let _ = Principal::from_cookie_header(Some(&header));
    }

    #[test]
    fn only_this_machines_names_pass_the_host_check(host in "[ -~]{0,60}") {
        let hosts = AllowedHosts::local(&[]);
        if hosts.allows(&host) {
            let name = host.trim().to_ascii_lowercase();
            prop_assert!(
                ["localhost", "127.0.0.1", "[::1]"].iter().any(|n| name == *n || name.starts_with(&format!("{n}:"))),
                "{host:?}"
            );
        }
        if let Ok(name) = host_name(&host) {
            prop_assert!(AllowedHosts::local(std::slice::from_ref(&name)).allows(&name));
        }
    }

    #[test]
    fn only_a_listed_origin_passes(origin in "[ -~]{0,60}") {
        let only: AllowedOrigins = "http://localhost:4280".parse().expect("origins");
        if only.allows(Some(&origin)) {
            prop_assert_eq!(origin.trim().trim_end_matches('/').to_ascii_lowercase(), "http://localhost:4280");
        }
    }

    #[test]
    fn any_rest_body_is_answered(
        content_type in proptest::option::of("[ -~]{0,40}|application/json|text/plain|application/octet-stream"),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let _ = Data::from_body(content_type.as_deref(), &body);
    }

    #[test]
    fn message_text_and_ids_keep_their_bounds(text in "\\PC{0,120}|[ \\t\\n]{0,5}") {
        if let Ok(t) = MessageText::parse(&text) {
            prop_assert!(!t.as_str().trim().is_empty());
        }
        let _ = MessageId::parse(&text);
        if let Ok(id) = ClientMsgId::parse(&text) {
            prop_assert!(!id.as_str().is_empty());
        }
    }
}
