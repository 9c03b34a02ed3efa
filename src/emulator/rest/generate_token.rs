//! `:generateToken`: a client token minted as the service mints it.

use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Reply;

use super::{error, Call};
use crate::emulator::service::Emulator;
use crate::token::{self, Claims};

/// `:generateToken`: a client token as the service mints it (`iss`, `nbf`, roles, groups).
pub(super) fn generate_token(e: &Emulator, call: &Call, hub: &str) -> Response {
    let minutes: u64 = match call.param("minutesToExpire").map(str::parse) {
        None => 60,
        Some(Ok(m)) if m >= 1 => m,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "minutesToExpire must be at least 1.",
            )
        }
    };
    let now = crate::clock::unix_now();
    let mut claims = Claims::new(
        format!("{}/client/hubs/{hub}", e.endpoint),
        now,
        minutes.saturating_mul(60),
    );
    claims.nbf = Some(now);
    claims.sub = call.param("userId").map(str::to_string);
    claims.role = call.params(&["role", "roles"]);
    claims.groups = call.params(&["group", "groups"]);
    claims
        .extra
        .insert("iss".into(), json!("https://webpubsub.azure.com"));
    warp::reply::json(&json!({"token": token::encode(&claims, &e.key)})).into_response()
}
