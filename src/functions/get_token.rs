//! `getToken`: a client access URL for the signed-in user. Identity comes from the
//! principal alone (the original client's `?userId=` is ignored) and the token carries no
//! roles: the server alone decides group membership and publishing rights.

use serde::Serialize;
use warp::reply::Response;
use warp::Reply;

use crate::chat::presence;
use crate::functions::connection_cap;
use crate::functions::error::ApiError;
use crate::functions::process::retry_conflicts;
use crate::functions::{App, Request};
use crate::token::{self, Claims};

/// The original response shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    pub token: String,
    pub base_url: String,
    pub url: String,
}

/// Serves `/api/getToken`.
pub async fn handle(app: &App, request: Request) -> Result<Response, ApiError> {
    let principal = request.principal()?;
    retry_conflicts(|| async {
        let stored = app.store.get_user(&principal.user_id).await?;
        let changes = presence::signed_in(
            &principal.user_id,
            principal.name.clone(),
            principal.provider.clone(),
            stored.as_ref(),
        );
        if changes.is_empty() {
            Ok(())
        } else {
            app.store.apply(&changes).await
        }
    })
    .await?;

    if !connection_cap::has_room(app, &principal.user_id).await? {
        return Err(app.too_many_connections());
    }
    let hub_path = format!("/client/hubs/{}", app.hub);
    let mut claims = Claims::new(
        format!("{}{hub_path}", app.service.endpoint()),
        crate::clock::unix_now(),
        token::DEFAULT_LIFETIME_SECS,
    );
    claims.sub = Some(principal.user_id.as_str().to_string());
    let token = token::encode(&claims, app.service.access_key());
    let base_url = format!("{}{hub_path}", app.service.websocket_endpoint());
    let url = format!("{base_url}?access_token={token}");
    Ok(warp::reply::json(&TokenResponse {
        token,
        base_url,
        url,
    })
    .into_response())
}
