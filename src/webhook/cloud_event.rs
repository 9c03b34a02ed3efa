//! CloudEvents binary-mode headers → a verified [`CloudEvent`]; every check the webhook
//! makes before the chat sees an event.

use http::HeaderMap;

use crate::access_key::AccessKey;
use crate::config::hub::HubName;
use crate::webhook::signature;

/// What kind of event the service delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventType {
    /// `azure.webpubsub.sys.connect` (blocking).
    Connect,
    /// `azure.webpubsub.sys.connected`.
    Connected,
    /// `azure.webpubsub.sys.disconnected`.
    Disconnected,
    /// `azure.webpubsub.user.<name>`.
    User(String),
}

/// A verified event: its signature matched, its hub is ours, its type is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudEvent {
    pub event_type: EventType,
    pub connection_id: String,
    /// `ce-userId`; absent for anonymous connections.
    pub user_id: Option<String>,
    /// `Content-Type` of the body.
    pub content_type: Option<String>,
}

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("the CloudEvents header {0} is missing")]
    MissingHeader(&'static str),
    #[error("the header {0} is not UTF-8 text")]
    BadHeader(&'static str),
    #[error("ce-signature does not match the connection id under the service key")]
    BadSignature,
    #[error("the event is for hub `{0}`, not this one")]
    WrongHub(String),
    #[error("unknown event type `{0}`")]
    UnknownType(String),
    #[error("ce-eventName `{name}` does not match ce-type `{event_type}`")]
    EventNameMismatch { name: String, event_type: String },
}

/// Reads a header as UTF-8 (the service sends `ce-userId` as UTF-8, not only ASCII).
fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, WebhookError> {
    headers
        .get(name)
        .map(|v| std::str::from_utf8(v.as_bytes()).map_err(|_| WebhookError::BadHeader(name)))
        .transpose()
}

fn required<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    header(headers, name)?
        .filter(|v| !v.is_empty())
        .ok_or(WebhookError::MissingHeader(name))
}

fn event_type(ce_type: &str) -> Result<EventType, WebhookError> {
    match ce_type {
        "azure.webpubsub.sys.connect" => Ok(EventType::Connect),
        "azure.webpubsub.sys.connected" => Ok(EventType::Connected),
        "azure.webpubsub.sys.disconnected" => Ok(EventType::Disconnected),
        other => match other.strip_prefix("azure.webpubsub.user.") {
            Some(name) if !name.is_empty() => Ok(EventType::User(name.to_string())),
            _ => Err(WebhookError::UnknownType(other.to_string())),
        },
    }
}

impl EventType {
    /// The event's name (`ce-eventName`).
    pub fn name(&self) -> &str {
        match self {
            Self::Connect => "connect",
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::User(name) => name,
        }
    }
}

/// Checks a webhook POST's headers: the signature first (nothing about an unsigned request
/// is looked at further), then hub, type and event name.
pub fn verify(
    headers: &HeaderMap,
    key: &AccessKey,
    hub: &HubName,
) -> Result<CloudEvent, WebhookError> {
    let connection_id = required(headers, "ce-connectionid")?;
    let signature = header(headers, "ce-signature")?.ok_or(WebhookError::BadSignature)?;
    if !signature::verify(key, connection_id, signature) {
        return Err(WebhookError::BadSignature);
    }
    let ce_hub = required(headers, "ce-hub")?;
    if !hub.matches(ce_hub) {
        return Err(WebhookError::WrongHub(ce_hub.to_string()));
    }
    let ce_type = required(headers, "ce-type")?;
    let event_type = event_type(ce_type)?;
    let name = required(headers, "ce-eventname")?;
    if name != event_type.name() {
        return Err(WebhookError::EventNameMismatch {
            name: name.to_string(),
            event_type: ce_type.to_string(),
        });
    }
    Ok(CloudEvent {
        event_type,
        connection_id: connection_id.to_string(),
        user_id: header(headers, "ce-userid")?
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        content_type: header(headers, "content-type")?.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn key() -> AccessKey {
        AccessKey::new("key").expect("valid")
    }
    fn hub() -> HubName {
        HubName::parse("chat").expect("valid")
    }
    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("valid header"));
        }
        h
    }
    fn signed(event_type: &str, name: &str) -> HeaderMap {
        let sig = signature::sign(&key(), "conn1");
        headers(&[
            ("ce-connectionid", "conn1"),
            ("ce-signature", &sig),
            ("ce-hub", "chat"),
            ("ce-type", event_type),
            ("ce-eventname", name),
            ("ce-userid", "alice"),
            ("content-type", "application/json"),
        ])
    }

    #[test]
    fn a_signed_user_event_is_accepted() {
        let event = verify(
            &signed("azure.webpubsub.user.createChat", "createChat"),
            &key(),
            &hub(),
        )
        .expect("valid");
        assert_eq!(event.event_type, EventType::User("createChat".into()));
        assert_eq!(event.connection_id, "conn1");
        assert_eq!(event.user_id.as_deref(), Some("alice"));
    }

    #[test]
    fn system_events_are_recognised() {
        for (t, n, e) in [
            ("azure.webpubsub.sys.connect", "connect", EventType::Connect),
            (
                "azure.webpubsub.sys.connected",
                "connected",
                EventType::Connected,
            ),
            (
                "azure.webpubsub.sys.disconnected",
                "disconnected",
                EventType::Disconnected,
            ),
        ] {
            assert_eq!(
                verify(&signed(t, n), &key(), &hub())
                    .expect("valid")
                    .event_type,
                e
            );
        }
    }

    #[test]
    fn the_hub_is_compared_without_case() {
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        h.insert("ce-hub", HeaderValue::from_static("CHAT"));
        assert!(verify(&h, &key(), &hub()).is_ok());
    }

    #[test]
    fn a_post_without_ce_signature_is_refused() {
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        h.remove("ce-signature");
        assert_eq!(verify(&h, &key(), &hub()), Err(WebhookError::BadSignature));
    }

    #[test]
    fn a_post_signed_with_another_key_is_refused() {
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        let forged = signature::sign(&AccessKey::new("other").expect("valid"), "conn1");
        h.insert(
            "ce-signature",
            HeaderValue::from_str(&forged).expect("valid"),
        );
        assert_eq!(verify(&h, &key(), &hub()), Err(WebhookError::BadSignature));
    }

    #[test]
    fn a_wrong_hub_is_refused() {
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        h.insert("ce-hub", HeaderValue::from_static("other"));
        assert_eq!(
            verify(&h, &key(), &hub()),
            Err(WebhookError::WrongHub("other".into()))
        );
    }

    #[test]
    fn unknown_types_and_mismatched_names_are_refused() {
        let h = signed("azure.webpubsub.sys.explode", "explode");
        assert!(matches!(
            verify(&h, &key(), &hub()),
            Err(WebhookError::UnknownType(_))
        ));
        let h = signed("azure.webpubsub.user.", "");
        assert!(verify(&h, &key(), &hub()).is_err());
        let h = signed("azure.webpubsub.user.joinChat", "deleteChat");
        assert!(matches!(
            verify(&h, &key(), &hub()),
            Err(WebhookError::EventNameMismatch { .. })
        ));
    }

    #[test]
    fn missing_cloud_events_headers_are_named() {
        for name in ["ce-hub", "ce-type", "ce-eventname"] {
            let mut h = signed("azure.webpubsub.sys.connected", "connected");
            h.remove(name);
            assert_eq!(
                verify(&h, &key(), &hub()),
                Err(WebhookError::MissingHeader(name))
            );
        }
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        h.remove("ce-connectionid");
        assert_eq!(
            verify(&h, &key(), &hub()),
            Err(WebhookError::MissingHeader("ce-connectionid"))
        );
    }

    #[test]
    fn a_unicode_user_id_is_read_as_utf8() {
        let mut h = signed("azure.webpubsub.sys.connected", "connected");
        h.insert(
            "ce-userid",
            HeaderValue::from_bytes("zoë".as_bytes()).expect("bytes"),
        );
        assert_eq!(
            verify(&h, &key(), &hub())
                .expect("valid")
                .user_id
                .as_deref(),
            Some("zoë")
        );
    }
}
