//! Connection strings: any text is answered, and a string built from valid parts parses back
//! to those parts.

use chatr::config::connection_string::WebPubSubConnectionString;
use chatr::config::table_connection_string::TableConnectionString;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_text_is_answered(text in "[ -~]{0,300}") {
        let _ = WebPubSubConnectionString::parse(&text);
        let _ = TableConnectionString::parse(&text);
    }

    #[test]
    fn a_web_pubsub_string_round_trips(
        host in "[a-z][a-z0-9]{0,19}(-[a-z0-9]{1,5})?\\.webpubsub\\.azure\\.com",
        key in "[A-Za-z0-9+/]{43}=",
        upper: bool,
    ) {
        let endpoint_key = if upper { "ENDPOINT" } else { "Endpoint" };
        let text = format!("{endpoint_key}=https://{host};AccessKey={key};Version=1.0;");
        let parsed = WebPubSubConnectionString::parse(&text).expect("valid parts");
        prop_assert_eq!(parsed.host(), host.as_str());
        prop_assert_eq!(parsed.access_key().expose(), key.as_str());
        let again = WebPubSubConnectionString::parse(&parsed.to_connection_string()).expect("again");
        prop_assert_eq!(again.endpoint(), parsed.endpoint());
    }
}
