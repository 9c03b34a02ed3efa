//! The REST operations the chat uses, each with the status the service answers on success
//! (swagger 2024-01-01).

use reqwest::Method;

use crate::chat::model::{ConnectionId, UserId};
use crate::chat::outcome::{Json, ServerMessage};
use crate::pubsub::{enc, Body, GroupPermission, PubSubClient, PubSubError};

impl PubSubClient {
    /// `POST /:send`: to every connection of the hub.
    pub async fn send_to_all(&self, message: &ServerMessage) -> Result<(), PubSubError> {
        self.post("sendToAll", "/:send", Self::json(message)).await
    }

    /// `POST /users/{id}/:send`: to every connection of a user.
    pub async fn send_to_user(
        &self,
        user: &UserId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let path = format!("/users/{}/:send", enc(user.as_str()));
        self.post("sendToUser", &path, Self::json(message)).await
    }

    /// `POST /connections/{id}/:send`: to one connection.
    pub async fn send_to_connection(
        &self,
        connection: &ConnectionId,
        message: &ServerMessage,
    ) -> Result<(), PubSubError> {
        let path = format!("/connections/{}/:send", enc(connection.as_str()));
        self.post("sendToConnection", &path, Self::json(message))
            .await
    }

    /// `POST /groups/{group}/:send` of a plain-text notice, sent as a JSON string the way
    /// the original server's SDK sent it (members get `dataType: json` with a string).
    pub async fn send_text_to_group(&self, group: &str, text: &str) -> Result<(), PubSubError> {
        #[expect(clippy::expect_used, reason = "a string always serialises to JSON")]
        let body = Body::Json(serde_json::to_vec(text).expect("a JSON string"));
        let path = format!("/groups/{}/:send", enc(group));
        self.post("sendToGroup", &path, body).await
    }

    /// `POST /groups/{group}/:send?excluded={id}` of a JSON payload: to every connection in the
    /// group but `except` (members get `type: message, from: group, dataType: json`).
    pub async fn send_json_to_group(
        &self,
        group: &str,
        payload: &Json,
        except: Option<&ConnectionId>,
    ) -> Result<(), PubSubError> {
        let path = format!("/groups/{}/:send", enc(group));
        let excluded: Vec<(&str, &str)> = except
            .map(|c| ("excluded", c.as_str()))
            .into_iter()
            .collect();
        let url = self.url(&path, &excluded);
        let body = Body::Json(payload.0.clone().into_bytes());
        self.expect("sendToGroup", Method::POST, url, body, &[202])
            .await
    }

    /// `POST /users/{id}/:send` of a JSON payload: to every connection of a user.
    pub async fn send_json_to_user(
        &self,
        user: &UserId,
        payload: &Json,
    ) -> Result<(), PubSubError> {
        let path = format!("/users/{}/:send", enc(user.as_str()));
        let body = Body::Json(payload.0.clone().into_bytes());
        self.post("sendToUser", &path, body).await
    }

    /// `PUT /groups/{group}/connections/{id}`.
    pub async fn add_connection_to_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.group_connection_url(group, connection);
        self.put("addConnectionToGroup", url).await
    }

    /// `DELETE /groups/{group}/connections/{id}`.
    pub async fn remove_connection_from_group(
        &self,
        group: &str,
        connection: &ConnectionId,
    ) -> Result<(), PubSubError> {
        let url = self.group_connection_url(group, connection);
        self.delete("removeConnectionFromGroup", url).await
    }

    /// `PUT /users/{user}/groups/{group}`: every current connection of the user joins the
    /// group. A user with no connection (404) has nothing to add: that is no failure.
    pub async fn add_user_to_group(&self, group: &str, user: &UserId) -> Result<(), PubSubError> {
        let url = self.user_group_url(group, user);
        let operation = "addUserToGroup";
        match self
            .call(operation, Method::PUT, url, Body::None)
            .await?
            .as_u16()
        {
            200 | 404 => Ok(()),
            status => Err(PubSubError::Status { operation, status }),
        }
    }

    /// `DELETE /users/{user}/groups/{group}`: every current connection of the user leaves it.
    pub async fn remove_user_from_group(
        &self,
        group: &str,
        user: &UserId,
    ) -> Result<(), PubSubError> {
        let url = self.user_group_url(group, user);
        self.delete("removeUserFromGroup", url).await
    }

    fn user_group_url(&self, group: &str, user: &UserId) -> String {
        let path = format!("/users/{}/groups/{}", enc(user.as_str()), enc(group));
        self.url(&path, &[])
    }

    /// `POST /:removeFromGroups` with the filter `'<group>' in groups`: every connection in the
    /// group leaves it, in one call whatever the group's size.
    pub async fn empty_group(&self, group: &str) -> Result<(), PubSubError> {
        let literal = group.replace('\'', "''");
        let body =
            serde_json::json!({"groups": [group], "filter": format!("'{literal}' in groups")});
        #[expect(clippy::expect_used, reason = "a JSON value always serialises")]
        let body = Body::Json(serde_json::to_vec(&body).expect("a JSON body"));
        let url = self.url("/:removeFromGroups", &[]);
        self.expect(
            "removeConnectionsFromGroups",
            Method::POST,
            url,
            body,
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
        self.put("grantPermission", url).await
    }

    /// `DELETE /permissions/{permission}/connections/{id}?targetName={group}`.
    pub async fn revoke_permission(
        &self,
        permission: GroupPermission,
        connection: &ConnectionId,
        group: &str,
    ) -> Result<(), PubSubError> {
        let url = self.permission_url(permission, connection, group);
        self.delete("revokePermission", url).await
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
        self.delete("closeConnection", url).await
    }

    /// A send: `POST` of `body` to `path`, which the service answers 202.
    async fn post(
        &self,
        operation: &'static str,
        path: &str,
        body: Body,
    ) -> Result<(), PubSubError> {
        let url = self.url(path, &[]);
        self.expect(operation, Method::POST, url, body, &[202])
            .await
    }

    /// An add or a grant: `PUT`, which the service answers 200.
    async fn put(&self, operation: &'static str, url: String) -> Result<(), PubSubError> {
        self.expect(operation, Method::PUT, url, Body::None, &[200])
            .await
    }

    /// A removal, revocation or close: `DELETE`, which the service answers 200 or 204.
    async fn delete(&self, operation: &'static str, url: String) -> Result<(), PubSubError> {
        self.expect(operation, Method::DELETE, url, Body::None, &[200, 204])
            .await
    }
}
