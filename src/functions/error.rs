//! `ApiError`: the one error type at the HTTP edge, answered as `{"error":{"code","message"}}`.
//! The cause of a 5xx is logged, never sent.

use http::StatusCode;
use serde_json::json;
use warp::reply::Response;
use warp::Reply;

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
    #[error("the state store is unavailable")]
    StoreUnavailable(String),
    #[error("internal error")]
    Internal(String),
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
            Self::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "notFound",
            Self::MethodNotAllowed { .. } => "methodNotAllowed",
            Self::Unauthorized(_) => "unauthorized",
            Self::BadRequest { code, .. } => code,
            Self::PayloadTooLarge { .. } => "payloadTooLarge",
            Self::StoreUnavailable(_) => "storeUnavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The JSON answer. 5xx causes go to the log only.
    pub fn into_response(self) -> Response {
        match &self {
            Self::StoreUnavailable(cause) | Self::Internal(cause) => {
                tracing::error!(status = self.status().as_u16(), cause = %cause, "request failed");
            }
            _ => tracing::debug!(status = self.status().as_u16(), error = %self, "request refused"),
        }
        let body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        let mut response =
            warp::reply::with_status(warp::reply::json(&body), self.status()).into_response();
        if let Self::MethodNotAllowed { allow } = &self {
            if let Ok(v) = http::HeaderValue::from_str(allow) {
                response.headers_mut().insert(http::header::ALLOW, v);
            }
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
        let err = ApiError::StoreUnavailable("password=hunter2 at db".into());
        assert_eq!(err.to_string(), "the state store is unavailable");
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
