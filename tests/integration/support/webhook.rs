//! A webhook request as Web PubSub sends it to the handler: CloudEvents headers, signed with
//! the test key; fields public so that a test can break any one of them.

use chatr::access_key::AccessKey;
use chatr::webhook::signature;

use super::app::KEY;

/// A webhook request under construction.
pub struct Event {
    pub ce_type: String,
    pub event_name: String,
    pub connection: String,
    pub user: Option<String>,
    pub hub: String,
    pub signature: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Event {
    fn new(ce_type: String, event_name: &str, connection: &str, user: &str) -> Self {
        Self {
            ce_type,
            event_name: event_name.to_string(),
            connection: connection.to_string(),
            user: Some(user.to_string()),
            hub: "chat".into(),
            signature: Some(signature::sign(
                &AccessKey::new(KEY).expect("key"),
                connection,
            )),
            content_type: "application/json",
            body: b"{}".to_vec(),
        }
    }

    /// A system event (`connect`, `connected`, `disconnected`).
    pub fn system(name: &str, connection: &str, user: &str) -> Self {
        Self::new(
            format!("azure.webpubsub.sys.{name}"),
            name,
            connection,
            user,
        )
    }

    /// A user event with a JSON body.
    pub fn user(name: &str, connection: &str, user: &str, body: serde_json::Value) -> Self {
        let mut e = Self::new(
            format!("azure.webpubsub.user.{name}"),
            name,
            connection,
            user,
        );
        e.body = body.to_string().into_bytes();
        e
    }

    /// A user event with a text body.
    pub fn user_text(name: &str, connection: &str, user: &str, body: &str) -> Self {
        let mut e = Self::new(
            format!("azure.webpubsub.user.{name}"),
            name,
            connection,
            user,
        );
        e.content_type = "text/plain; charset=utf-8";
        e.body = body.as_bytes().to_vec();
        e
    }
}

impl Event {
    /// The same event signed with another service's key.
    pub fn signed_with(mut self, key: &str) -> Self {
        self.signature = Some(signature::sign(
            &AccessKey::new(key).expect("key"),
            &self.connection,
        ));
        self
    }

    /// The webhook POST the service would make for this event to the handler at `base`.
    pub fn request(self, http: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        let mut req = http
            .post(format!("{base}/api/eventHandler"))
            .header("ce-specversion", "1.0")
            .header("ce-type", &self.ce_type)
            .header("ce-eventname", &self.event_name)
            .header("ce-connectionid", &self.connection)
            .header("ce-hub", &self.hub)
            .header("ce-awpsversion", "1.0")
            .header("webhook-request-origin", "127.0.0.1")
            .header("content-type", self.content_type)
            .body(self.body);
        if let Some(user) = &self.user {
            req = req.header("ce-userid", user);
        }
        if let Some(sig) = &self.signature {
            req = req.header("ce-signature", sig);
        }
        req
    }
}
