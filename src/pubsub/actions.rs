//! Runs an outcome's actions against the service, in order, after the state is stored.

use crate::chat::outcome::Action;
use crate::pubsub::{GroupPermission, PubSubClient, PubSubError};

impl PubSubClient {
    /// Runs the actions of an outcome in order. Every action is attempted; the first
    /// failure is returned after the rest have run (the state is already stored).
    pub async fn run(&self, actions: &[Action]) -> Result<(), PubSubError> {
        let mut first_error = None;
        for action in actions {
            let result = match action {
                Action::SendToAll(m) => self.send_to_all(m).await,
                Action::SendToUser(u, m) => self.send_to_user(u, m).await,
                Action::SendToConnection(c, m) => self.send_to_connection(c, m).await,
                Action::Notice(chat, text) => self.send_text_to_group(chat.as_str(), text).await,
                Action::AddUserToGroup(chat, user) => {
                    self.add_user_to_group(chat.as_str(), user).await
                }
                Action::RemoveUserFromGroup(chat, user) => {
                    self.remove_user_from_group(chat.as_str(), user).await
                }
                Action::EmptyGroup(chat) => self.empty_group(chat.as_str()).await,
                Action::CloseConnection(c, reason) => self.close_connection(c, reason).await,
                Action::Grant(c, chat) => {
                    self.grant_permission(GroupPermission::SendToGroup, c, chat.as_str())
                        .await
                }
                Action::SendToGroup {
                    chat,
                    payload,
                    except,
                } => {
                    self.send_json_to_group(chat.as_str(), payload, except.as_ref())
                        .await
                }
                Action::SendJsonToUser(user, payload) => {
                    self.send_json_to_user(user, payload).await
                }
                Action::Revoke(c, chat) => {
                    self.revoke_permission(GroupPermission::SendToGroup, c, chat.as_str())
                        .await
                }
            };
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}
