//! What the tests expect of the handler's answers, said once: a webhook event accepted (204), a
//! user event refused (200 `actionRefused`), a store outage (503 `storeUnavailable`), a status
//! with a JSON body.

use std::future::Future;

use serde_json::Value;

/// Assertions on a response of the handler.
pub trait Answer {
    /// Asserts 204: the webhook accepted the event.
    fn assert_accepted(&self);

    /// Asserts the refusal of a user event (200 with `actionRefused`) and returns its data
    /// (`action`, `reason`, `message`).
    fn refusal(self) -> impl Future<Output = Value> + Send;

    /// Asserts a store outage (503 with `storeUnavailable`) and returns the JSON body.
    fn store_unavailable(self) -> impl Future<Output = Value> + Send;

    /// Asserts `status` and returns the JSON body.
    fn json_with(self, status: u16) -> impl Future<Output = Value> + Send;
}

impl Answer for reqwest::Response {
    #[track_caller]
    fn assert_accepted(&self) {
        assert_eq!(
            self.status(),
            204,
            "{} answered {}, not 204 (accepted)",
            self.url(),
            self.status()
        );
    }

    async fn refusal(self) -> Value {
        let body = self.json_with(200).await;
        assert_eq!(body["chatEvent"], "actionRefused", "{body}");
        serde_json::from_str(body["data"].as_str().expect("data is a string")).expect("JSON string")
    }

    async fn store_unavailable(self) -> Value {
        let body = self.json_with(503).await;
        assert_eq!(body["error"]["code"], "storeUnavailable", "{body}");
        body
    }

    async fn json_with(self, status: u16) -> Value {
        let url = self.url().clone();
        assert_eq!(self.status(), status, "{url}");
        self.json().await.expect("a JSON body")
    }
}
