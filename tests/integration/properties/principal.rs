//! `x-ms-client-principal`: any header value is answered; a principal that parses has an id
//! of the id rules and a name of the name rules.

use base64::Engine;
use chatr::chat::model::UserId;
use chatr::chat::name::DisplayName;
use chatr::functions::principal::ClientPrincipal;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_header_is_answered(value in "[ -~]{0,400}") {
        let _ = ClientPrincipal::parse(Some(&value));
    }

    #[test]
    fn any_json_principal_parses_to_valid_values_or_is_refused(
        user_id in ".{0,80}",
        details in ".{0,120}",
        provider in "[ -~]{0,20}",
    ) {
        let json = serde_json::json!({
            "identityProvider": provider,
            "userId": user_id,
            "userDetails": details,
            "userRoles": ["anonymous", "authenticated"],
        });
        let header = base64::engine::general_purpose::STANDARD.encode(json.to_string());
        if let Ok(p) = ClientPrincipal::parse(Some(&header)) {
            prop_assert!(UserId::parse(p.user_id.as_str()).is_ok());
            prop_assert_eq!(DisplayName::parse(p.name.as_str()), Ok(p.name.clone()));
        }
    }
}
