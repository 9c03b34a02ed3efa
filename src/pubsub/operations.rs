//! The REST operations the chat uses, each with the status the service answers on success
//! (swagger 2024-01-01).

use reqwest::Method;

use crate::chat::model::{ConnectionId, UserId};
use crate::chat::outcome::ServerMessage;
use crate::pubsub::{enc, Body, GroupPermission, PubSubClient, PubSubError};

impl PubSubClient {
    /// `POST /:send`: to every connection of the hub.
    pub async fn send_to_all(&self, message: &ServerMessage) -> Result<(), PubSubError> {
        let url = self.url("/:send", &[]);
        self.expect("sendToAll", Method::POST, url, Self::json(message), &[202])
            .await
    }

    /// `POST /users/{id}/:send`: to every connection of a user.
    pub async fn send_to_user(
        &self,
        user: &UserId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let url = self.url(&format!("/users/{}/:send", enc(user.as_str())), &[]);
        self.expect("sendToUser", Method::POST, url, Self::json(message), &[202])
            .await
    }

    /// `POST /connections/{id}/:send`: to one connection.
    pub async fn send_to_connection(
        &self,
        connection: &ConnectionId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!("/connections/{}/:send", enc(connection.as_str())),
            &[],
        );
        self.expect(
            "sendToConnection",
            Method::POST,
            url,
            Self::json(message),
            &[202],
        )
        .await
    }

    /// `POST /groups/{group}/:send` of a plain-text notice, sent as a JSON string the way
    /// the original server's SDK sent it (members get `dataType: json` with a string).
    pub async fn send_text_to_group(&self, group: &str, text: &str) -> Result<(), PubSubError> {
        let url = self.url(&format!("/groups/{}/:send", enc(group)), &[]);
        #[expect(clippy::expect_used, reason = "a string always serialises to JSON")]
        let body = Body::Json(serde_json::to_vec(text).expect("a JSON string"));
        self.expect("sendToGroup", Method::POST, url, body, &[202])
            .await
    }

    /// `PUT /groups/{group}/connections/{id}`.
    pub async fn add_connection_to_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.group_connection_url(group, connection);
        self.expect("addConnectionToGroup", Method::PUT, url, Body::None, &[200])
            .await
    }

    /// `DELETE /groups/{group}/connections/{id}`.
    pub async fn remove_connection_from_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.group_connection_url(group, connection);
        self.expect(
            "removeConnectionFromGroup",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }

    fn group_connection_url(&self, group: &str, connection: &ConnectionId) -> String {
        let path = format!(
            "/groups/{}/connections/{}",
            enc(group),
            enc(connection.as_str())
        );
        self.url(&path, &[])
    }

    pub(crate) fn permission_url(
        &self,
        permission: GroupPermission,
        connection: &ConnectionId,
        group: &str,
    ) -> String {
        self.url(
            &format!(
                "/permissions/{}/connections/{}",
                permission.as_str(),
                enc(connection.as_str())
            ),
            &[("targetName", group)],
        )
    }

    /// `PUT /permissions/{permission}/connections/{id}?targetName={group}`.
    pub async fn grant_permission(
        &self,
        permission: GroupPermission,
        connection: &ConnectionId,
        group: &str,
    ) -> Result<(), PubSubError> {
        let url = self.permission_url(permission, connection, group);
        self.expect("grantPermission", Method::PUT, url, Body::None, &[200])
            .await
    }

    /// `DELETE /permissions/{permission}/connections/{id}?targetName={group}`.
    pub async fn revoke_permission(
        &self,
        permission: GroupPermission,
        connection: &ConnectionId,
        group: &str,
    ) -> Result<(), PubSubError> {
        let url = self.permission_url(permission, connection, group);
        self.expect(
            "revokePermission",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }

    /// `HEAD /connections/{id}`: whether the connection is still open.
    pub async fn connection_exists(&self, connection: &ConnectionId) -> Result<bool, PubSubError> {
        let url = self.url(&format!("/connections/{}", enc(connection.as_str())), &[]);
        let operation = "connectionExists";
        match self
            .call(operation, Method::HEAD, url, Body::None)
            .await?
            .as_u16()
        {
            200 => Ok(true),
            404 => Ok(false),
            status => Err(PubSubError::Status { operation, status }),
        }
    }

    /// `DELETE /connections/{id}`: closes a connection.
    pub async fn close_connection(
        &self,
        connection: &ConnectionId,
        reason: &str,
    ) -> Result<(), PubSubError> {
        let url = self.url(
            &format!("/connections/{}", enc(connection.as_str())),
            &[("reason", reason)],
        );
        self.expect(
            "closeConnection",
            Method::DELETE,
            url,
            Body::None,
            &[200, 204],
        )
        .await
    }
}
