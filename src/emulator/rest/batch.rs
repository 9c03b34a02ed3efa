//! `:addToGroups` and `:removeFromGroups` (AddConnectionsToGroups and
//! RemoveConnectionsFromGroups, api-version 2023-07-01 on): every connection of the hub that
//! the body's filter matches joins, or leaves, every group the body lists. The body is JSON,
//! `{"groups": [...], "filter": "<OData>"}`; success is 200 with an empty body.

use warp::http::StatusCode;
use warp::reply::Response;

use super::{error, invalid_filter, status, Call};
use crate::emulator::filter::{Filter, FilterError};
use crate::emulator::hub_key::HubKey;
use crate::emulator::protocol::valid_group_name;
use crate::emulator::registry::{Membership, Registry};

/// Most groups one call may list. A call changes (matching connections × groups) memberships
/// under the registry's lock, so this bounds how long one call holds every other one up: 1,000
/// groups for 1,000 connections is a million set updates, a fraction of a second. The service
/// documents no limit; an application changes a handful of groups at a time.
pub const MAX_GROUPS: usize = 1000;

/// A body that parsed: at least one valid group name, and a filter.
#[derive(Debug)]
pub struct GroupsChange {
    pub groups: Vec<String>,
    pub filter: Filter,
}

/// Why a body is not a [`GroupsChange`].
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroupsChangeError {
    #[error("The body is not {{\"groups\": [names], \"filter\": \"OData\"}}: {0}.")]
    NotJson(String),
    #[error("`groups` is empty: name at least one group.")]
    NoGroups,
    #[error("`groups` names {count} groups; one call takes at most {max}.", max = MAX_GROUPS)]
    TooManyGroups { count: usize },
    #[error(
        "groups[{index}] is not a valid group name (1 to 1024 characters, not only whitespace)."
    )]
    InvalidGroup { index: usize },
    #[error(transparent)]
    Filter(#[from] FilterError),
}

impl GroupsChange {
    /// Parses a request body.
    pub fn from_json(body: &[u8]) -> Result<Self, GroupsChangeError> {
        #[derive(serde::Deserialize)]
        struct Raw {
            groups: Vec<String>,
            filter: String,
        }
        let raw: Raw =
            serde_json::from_slice(body).map_err(|e| GroupsChangeError::NotJson(e.to_string()))?;
        if raw.groups.is_empty() {
            return Err(GroupsChangeError::NoGroups);
        }
        if raw.groups.len() > MAX_GROUPS {
            let count = raw.groups.len();
            return Err(GroupsChangeError::TooManyGroups { count });
        }
        if let Some(index) = raw.groups.iter().position(|g| !valid_group_name(g)) {
            return Err(GroupsChangeError::InvalidGroup { index });
        }
        let filter = Filter::parse(&raw.filter)?;
        Ok(Self {
            groups: raw.groups,
            filter,
        })
    }
}

impl GroupsChangeError {
    fn response(&self) -> Response {
        let code = match self {
            Self::Filter(e) => return invalid_filter(e),
            Self::NotJson(_) => "InvalidPayload",
            Self::NoGroups | Self::TooManyGroups { .. } | Self::InvalidGroup { .. } => {
                "InvalidGroup"
            }
        };
        error(StatusCode::BAD_REQUEST, code, &self.to_string())
    }
}

/// A JSON media type; a body without one is read as JSON too.
fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|t| {
        t.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// Answers `:addToGroups` (`Membership::Join`) or `:removeFromGroups` (`Membership::Leave`).
pub(super) fn change_groups(
    r: &Registry,
    hub: &HubKey,
    call: &Call,
    change: Membership,
) -> Response {
    if !is_json(call.content_type.as_deref()) {
        let message = "Send the groups and the filter as application/json.";
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            message,
        );
    }
    let body = match GroupsChange::from_json(&call.body) {
        Ok(body) => body,
        Err(e) => return e.response(),
    };
    let matched = r.change_matching(hub, &body.groups, &body.filter, change);
    let groups = body.groups.len();
    tracing::debug!(
        hub = hub.as_str(),
        ?change,
        matched,
        groups,
        "memberships changed by filter"
    );
    status(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str) -> GroupsChangeError {
        GroupsChange::from_json(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn a_body_with_groups_and_a_filter_parses() {
        let body = r#"{"groups": ["g1", "café crème"], "filter": "'g1' in groups", "extra": 1}"#;
        let change = GroupsChange::from_json(body.as_bytes()).expect("valid");
        assert_eq!(change.groups, ["g1", "café crème"]);
        assert_eq!(
            change.filter,
            Filter::parse("'g1' in groups").expect("valid")
        );
    }

    #[test]
    fn a_body_that_is_not_the_request_object_is_refused() {
        for body in [
            "",
            "not json",
            "[]",
            r#"{"filter": "true"}"#,
            r#"{"groups": ["g"]}"#,
            r#"{"groups": ["g"], "filter": null}"#,
            r#"{"groups": "g", "filter": "true"}"#,
            r#"{"groups": [1], "filter": "true"}"#,
        ] {
            assert!(
                matches!(refused(body), GroupsChangeError::NotJson(_)),
                "{body}"
            );
        }
    }

    #[test]
    fn a_body_without_a_group_is_refused() {
        assert_eq!(
            refused(r#"{"groups": [], "filter": "true"}"#),
            GroupsChangeError::NoGroups
        );
    }

    #[test]
    fn a_body_of_max_groups_parses_and_one_more_is_refused() {
        let body = |n: usize| {
            let groups: Vec<String> = (0..n).map(|i| format!("g{i}")).collect();
            serde_json::json!({"groups": groups, "filter": "true"}).to_string()
        };
        assert!(GroupsChange::from_json(body(MAX_GROUPS).as_bytes()).is_ok());
        assert_eq!(
            refused(&body(MAX_GROUPS + 1)),
            GroupsChangeError::TooManyGroups {
                count: MAX_GROUPS + 1
            }
        );
    }

    #[test]
    fn a_body_with_an_invalid_group_name_names_its_index() {
        let long = "x".repeat(1025);
        for (groups, index) in [
            (vec!["ok", ""], 1),
            (vec![" \t"], 0),
            (vec!["a", "b", &long], 2),
        ] {
            let body = serde_json::json!({"groups": groups, "filter": "true"}).to_string();
            assert_eq!(refused(&body), GroupsChangeError::InvalidGroup { index });
        }
    }

    #[test]
    fn a_body_whose_filter_does_not_parse_carries_the_filter_error() {
        assert_eq!(
            refused(r#"{"groups": ["g"], "filter": ""}"#),
            GroupsChangeError::Filter(FilterError::Empty)
        );
        assert!(matches!(
            refused(r#"{"groups": ["g"], "filter": "userId eq"}"#),
            GroupsChangeError::Filter(FilterError::Expected { at: 9, .. })
        ));
    }

    #[test]
    fn the_body_is_json_when_it_says_so_or_says_nothing() {
        assert!(is_json(None));
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/x-www-form-urlencoded")));
    }
}
