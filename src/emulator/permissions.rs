//! What a connection may do with groups: roles from its token or `connect` response, and
//! permissions granted at run time through the REST API. Literals are case-sensitive.

use std::collections::HashSet;

/// What a client connection of the emulator may do on a group: join/leave it, or publish to
/// it (the chat's side, granting it through REST, is `pubsub::GroupPermission`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientPermission {
    JoinLeaveGroup,
    SendToGroup,
}

impl ClientPermission {
    /// Parses the REST path segment (`joinLeaveGroup`, `sendToGroup`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "joinLeaveGroup" => Some(Self::JoinLeaveGroup),
            "sendToGroup" => Some(Self::SendToGroup),
            _ => None,
        }
    }

    fn role(self) -> &'static str {
        match self {
            Self::JoinLeaveGroup => "webpubsub.joinLeaveGroup",
            Self::SendToGroup => "webpubsub.sendToGroup",
        }
    }
}

/// A connection's rights: `None` as target means every group.
#[derive(Debug, Clone, Default)]
pub struct Rights {
    granted: HashSet<(ClientPermission, Option<String>)>,
}

impl Rights {
    /// Rights from role strings (`webpubsub.joinLeaveGroup`, `webpubsub.sendToGroup.<group>`, …);
    /// unknown roles are ignored.
    pub fn from_roles<'a>(roles: impl IntoIterator<Item = &'a str>) -> Self {
        let mut rights = Self::default();
        for role in roles {
            for p in [
                ClientPermission::JoinLeaveGroup,
                ClientPermission::SendToGroup,
            ] {
                if role == p.role() {
                    rights.grant(p, None);
                } else if let Some(group) = role
                    .strip_prefix(p.role())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    if !group.is_empty() {
                        rights.grant(p, Some(group.to_string()));
                    }
                }
            }
        }
        rights
    }

    /// Adds roles (from a `connect` response).
    pub fn add_roles<'a>(&mut self, roles: impl IntoIterator<Item = &'a str>) {
        self.granted.extend(Self::from_roles(roles).granted);
    }

    /// Grants `permission` on `group` (`None`: all groups).
    pub fn grant(&mut self, permission: ClientPermission, group: Option<String>) {
        self.granted.insert((permission, group));
    }

    /// Revokes exactly what `grant` with the same arguments gave.
    pub fn revoke(&mut self, permission: ClientPermission, group: Option<String>) {
        self.granted.remove(&(permission, group));
    }

    /// Whether the connection may do `permission` on `group`.
    pub fn allows(&self, permission: ClientPermission, group: &str) -> bool {
        self.granted.contains(&(permission, None))
            || self
                .granted
                .contains(&(permission, Some(group.to_string())))
    }

    /// What the REST `CheckPermission` answers: for a target, the right on it; without one,
    /// the right on every group.
    pub fn has(&self, permission: ClientPermission, group: Option<&str>) -> bool {
        match group {
            Some(g) => self.allows(permission, g),
            None => self.granted.contains(&(permission, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_roles_means_no_group_rights() {
        let r = Rights::default();
        assert!(!r.allows(ClientPermission::JoinLeaveGroup, "g"));
        assert!(!r.allows(ClientPermission::SendToGroup, "g"));
    }

    #[test]
    fn a_global_role_covers_every_group_and_a_scoped_one_only_its_own() {
        let r = Rights::from_roles([
            "webpubsub.joinLeaveGroup",
            "webpubsub.sendToGroup.room1",
            "something.else",
        ]);
        assert!(r.allows(ClientPermission::JoinLeaveGroup, "anything"));
        assert!(r.allows(ClientPermission::SendToGroup, "room1"));
        assert!(!r.allows(ClientPermission::SendToGroup, "room2"));
        assert!(
            !r.allows(ClientPermission::SendToGroup, "Room1"),
            "literals are case-sensitive"
        );
    }

    #[test]
    fn grants_and_revokes_are_per_group() {
        let mut r = Rights::default();
        r.grant(ClientPermission::SendToGroup, Some("g".into()));
        assert!(r.allows(ClientPermission::SendToGroup, "g"));
        assert!(r.has(ClientPermission::SendToGroup, Some("g")));
        assert!(!r.has(ClientPermission::SendToGroup, None));
        r.revoke(ClientPermission::SendToGroup, Some("g".into()));
        assert!(!r.allows(ClientPermission::SendToGroup, "g"));
    }

    #[test]
    fn a_role_prefix_without_a_dot_is_not_a_scoped_role() {
        let r = Rights::from_roles(["webpubsub.sendToGroupX"]);
        assert!(!r.allows(ClientPermission::SendToGroup, "X"));
    }
}
