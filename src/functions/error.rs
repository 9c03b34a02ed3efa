//! `ApiError`: the one error type at the HTTP edge, answered as `{"error":{"code","message"}}`.
//! The cause of a 5xx is logged where it becomes an `ApiError` (inside the request's span,
//! so the log line carries the event's hub, connection and user), never sent.

use http::StatusCode;
use serde_json::json;
use warp::reply::Response;
use warp::Reply;

use crate::store::StoreError;

/// An HTTP error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no function answers this path")]
    NotFound,
    #[error("this function does not take that method")]
    MethodNotAllowed { allow: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 408: the body did not arrive within the listener's body timeout.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("you have chatr open on too many tabs or devices (at most {cap}); close one to connect here")]
    TooManyConnections { cap: u32 },
    /// 403: the caller may not see this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404 of a resource (the route exists).
    #[error("{message}")]
    Missing { code: &'static str, message: String },
    /// 429: too many requests of this kind; try again after this many milliseconds.
    #[error("too many requests: try again in {retry_after_ms} ms")]
    RateLimited { retry_after_ms: u64 },
    /// The store failed; the cause was logged when this error was made from it.
    #[error("the state store is unavailable")]
    StoreUnavailable(#[source] LoggedCause),
}

/// A store failure that has been logged: only `From<StoreError> for ApiError` makes one, so
/// no 503 leaves without its cause in the log.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct LoggedCause(StoreError);

impl LoggedCause {
    /// The store's error.
    pub fn cause(&self) -> &StoreError {
        &self.0
    }
}

impl From<StoreError> for ApiError {
    /// Logs the store's failure with its cause; the client gets only the fixed text.
    fn from(cause: StoreError) -> Self {
        tracing::error!(error = %cause, "the store failed; answering 503");
        Self::StoreUnavailable(LoggedCause(cause))
    }
}

impl ApiError {
    /// A 400 with a code and a message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyConnections { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Missing { .. } => StatusCode::NOT_FOUND,
            Self::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "notFound",
            Self::MethodNotAllowed { .. } => "methodNotAllowed",
            Self::Unauthorized(_) => "unauthorized",
            Self::BadRequest { code, .. } => code,
            Self::PayloadTooLarge { .. } => "payloadTooLarge",
            Self::RequestTimeout => "requestTimeout",
            Self::TooManyConnections { .. } => "tooManyConnections",
            Self::Forbidden { code, .. } | Self::Missing { code, .. } => code,
            Self::RateLimited { .. } => "rateLimited",
            Self::StoreUnavailable(_) => "storeUnavailable",
        }
    }

    /// The JSON answer (a 5xx's cause was logged when the error was made).
    pub fn into_response(self) -> Response {
        tracing::debug!(status = self.status().as_u16(), error = %self, "request refused");
        let mut body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        if let Self::RateLimited { retry_after_ms } = &self {
            body["error"]["retryAfterMs"] = json!(retry_after_ms);
        }
        let mut response =
            warp::reply::with_status(warp::reply::json(&body), self.status()).into_response();
        if let Self::MethodNotAllowed { allow } = &self {
            if let Ok(v) = http::HeaderValue::from_str(allow) {
                response.headers_mut().insert(http::header::ALLOW, v);
            }
        }
        if let Self::RateLimited { retry_after_ms } = &self {
            let seconds = retry_after_ms.div_ceil(1000).max(1);
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_not_allowed_names_the_allowed_methods() {
        let response = ApiError::MethodNotAllowed {
            allow: "GET".into(),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[http::header::ALLOW], "GET");
        assert_eq!(
            response.headers()[http::header::CONTENT_TYPE],
            "application/json"
        );
    }

    #[test]
    fn server_faults_never_carry_their_cause_to_the_client() {
        let err = ApiError::from(StoreError::Unavailable("password=hunter2 at db".into()));
        assert_eq!(err.to_string(), "the state store is unavailable");
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        let ApiError::StoreUnavailable(cause) = &err else {
            panic!("a store error is a 503")
        };
        assert!(
            cause.to_string().contains("hunter2"),
            "the cause is kept for the log"
        );
    }
}
