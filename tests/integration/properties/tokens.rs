//! HS256 tokens: any text is answered; an encoded token decodes to its claims, and any
//! changed character makes it fail.

use chatr::token::{decode, encode, Claims};
use proptest::prelude::*;

use super::key;

proptest! {
    #[test]
    fn any_text_is_answered(token in "[ -~]{0,400}", now in any::<u64>()) {
        let _ = decode(&token, &key(), now, 300);
    }

    #[test]
    fn a_token_round_trips_and_a_changed_character_forges_nothing(
        aud in "https://[a-z]{1,20}/client/hubs/[a-z]{1,10}",
        sub in proptest::option::of("[a-zA-Z0-9@._-]{1,40}"),
        index in any::<prop::sample::Index>(),
    ) {
        let now = 1_800_000_000;
        let mut claims = Claims::new(aud, now, 3600);
        claims.sub = sub;
        let token = encode(&claims, &key());
        let decoded = decode(&token, &key(), now, 0).expect("its own token");
        prop_assert_eq!(&decoded.sub, &claims.sub);
        prop_assert_eq!(&decoded.aud, &claims.aud);
        let mut bytes = token.into_bytes();
        let i = index.index(bytes.len());
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).expect("ascii");
        // A changed dot or base64 padding bit may still decode to the same bytes; anything
        // it accepts must then be the very same claims.
        if let Ok(accepted) = decode(&changed, &key(), now, 0) {
            prop_assert_eq!(&accepted.sub, &claims.sub);
        }
    }
}
