//! Who did what, when, from where: stamped on every event by command-api, stored in
//! `events.metadata` as a JSON object of strings, and read back by the relay, the
//! projector and the integration events only through [`EventMeta::from_map`], so that
//! every reader agrees on what a key means and a missing one is an error everywhere.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

use crate::auth::{Role, Roles};

pub const CORRELATION_ID: &str = "correlation_id";
pub const ACTOR_ID: &str = "actor_id";
pub const ACTOR_ROLES: &str = "actor_roles";
pub const SOURCE_IP: &str = "source_ip";
pub const USER_AGENT: &str = "user_agent";
pub const OCCURRED_AT: &str = "occurred_at";
/// The W3C trace context of the command that recorded the event, when it was traced: the
/// relay and the projector continue that trace.
pub const TRACEPARENT: &str = "traceparent";

/// The actor of what no signed-in user did: a login attempt, a bootstrap.
pub const ANONYMOUS_ACTOR: &str = "anonymous";
/// The actor of commands the service runs on its own (the first admin's creation).
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMeta {
    pub correlation_id: String,
    /// A user id, [`ANONYMOUS_ACTOR`] or [`SYSTEM_ACTOR`].
    pub actor_id: String,
    /// The actor's roles when acting (none for anonymous and system actors).
    pub actor_roles: Option<Roles>,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// Taken once, by command-api, so that a replay reproduces read models exactly.
    pub occurred_at: DateTime<Utc>,
    /// The W3C `traceparent` of the command's span (`00-<trace id>-<span id>-<flags>`),
    /// when traces are exported; no business meaning.
    pub traceparent: Option<String>,
}

/// Whether `value` is a W3C `traceparent` of version 00: `00-` 32 lower-case hex digits
/// (not all zero) `-` 16 (not all zero) `-` 2.
pub fn is_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |part: &str, len: usize| {
        part.len() == len && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let nonzero = |part: &str| part.bytes().any(|b| b != b'0');
    matches!(parts.as_slice(), [version, trace, span, flags]
        if *version == "00" && hex(trace, 32) && nonzero(trace) && hex(span, 16)
            && nonzero(span) && hex(flags, 2))
}

/// Stored metadata that is not an [`EventMeta`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    #[error("event metadata lacks `{0}`")]
    Missing(&'static str),
    #[error("event metadata has an invalid `{key}`: {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl EventMeta {
    /// Metadata of a command the service runs by itself, outside any request.
    pub fn system(correlation_id: impl Into<String>) -> Self {
        Self {
            correlation_id: correlation_id.into(),
            actor_id: SYSTEM_ACTOR.to_owned(),
            actor_roles: None,
            source_ip: None,
            user_agent: None,
            occurred_at: Self::now(),
            traceparent: None,
        }
    }

    /// The current time as stored: to the microsecond (as PostgreSQL keeps it), so that
    /// what a command keeps in memory equals what a replay reads back.
    pub fn now() -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }

    /// The stored form: every key a string; optional ones absent when unknown.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            (CORRELATION_ID.to_owned(), self.correlation_id.clone()),
            (ACTOR_ID.to_owned(), self.actor_id.clone()),
            (
                OCCURRED_AT.to_owned(),
                self.occurred_at
                    .to_rfc3339_opts(SecondsFormat::Micros, true),
            ),
        ]);
        if let Some(roles) = &self.actor_roles {
            map.insert(ACTOR_ROLES.to_owned(), roles.joined());
        }
        if let Some(ip) = self.source_ip {
            map.insert(SOURCE_IP.to_owned(), ip.to_string());
        }
        if let Some(ua) = &self.user_agent {
            map.insert(USER_AGENT.to_owned(), ua.clone());
        }
        if let Some(traceparent) = &self.traceparent {
            map.insert(TRACEPARENT.to_owned(), traceparent.clone());
        }
        map
    }

    /// Reads the stored form back. The correlation id, the actor and the time are
    /// required (an empty value counts as missing); the rest is optional but, when
    /// present, must parse.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetaError> {
        let required = |key: &'static str| {
            map.get(key)
                .filter(|v| !v.trim().is_empty())
                .ok_or(MetaError::Missing(key))
        };
        let invalid = |key: &'static str| move |reason: String| MetaError::Invalid { key, reason };
        let occurred_at = DateTime::parse_from_rfc3339(required(OCCURRED_AT)?)
            .map_err(|e| invalid(OCCURRED_AT)(e.to_string()))?
            .with_timezone(&Utc);
        let actor_roles = map
            .get(ACTOR_ROLES)
            .map(|joined| {
                joined
                    .split(',')
                    .map(str::parse::<Role>)
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(Roles::try_from)
                    .map_err(|e| invalid(ACTOR_ROLES)(e.message))
            })
            .transpose()?;
        let source_ip = map
            .get(SOURCE_IP)
            .map(|ip| {
                ip.parse::<IpAddr>()
                    .map_err(|e| invalid(SOURCE_IP)(e.to_string()))
            })
            .transpose()?;
        let traceparent = map
            .get(TRACEPARENT)
            .map(|value| {
                if is_traceparent(value) {
                    Ok(value.clone())
                } else {
                    Err(invalid(TRACEPARENT)("not a W3C traceparent".to_owned()))
                }
            })
            .transpose()?;
        Ok(Self {
            correlation_id: required(CORRELATION_ID)?.clone(),
            actor_id: required(ACTOR_ID)?.clone(),
            actor_roles,
            source_ip,
            user_agent: map.get(USER_AGENT).cloned(),
            occurred_at,
            traceparent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> EventMeta {
        EventMeta {
            correlation_id: "corr-1".to_owned(),
            actor_id: "0190a5c2-0000-7000-8000-000000000001".to_owned(),
            actor_roles: Some(Roles::try_from(vec![Role::Sales, Role::Admin]).expect("roles")),
            source_ip: Some("2001:db8::1".parse().expect("ip")),
            user_agent: Some("Mozilla/5.0".to_owned()),
            occurred_at: "2026-03-31T23:30:00.123456Z".parse().expect("time"),
            traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned()),
        }
    }

    #[test]
    fn the_stored_form_reads_back_the_same() {
        let meta = full();
        let map = meta.to_map();
        assert_eq!(map["actor_roles"], "admin,sales");
        assert_eq!(map["occurred_at"], "2026-03-31T23:30:00.123456Z");
        assert_eq!(EventMeta::from_map(&map), Ok(meta));
        let system = EventMeta::system("boot");
        assert_eq!(EventMeta::from_map(&system.to_map()), Ok(system));
    }

    #[test]
    fn a_missing_or_empty_required_key_is_an_error() {
        for key in [CORRELATION_ID, ACTOR_ID, OCCURRED_AT] {
            let mut map = full().to_map();
            map.remove(key);
            assert_eq!(EventMeta::from_map(&map), Err(MetaError::Missing(key)));
            map.insert(key.to_owned(), " ".to_owned());
            assert_eq!(EventMeta::from_map(&map), Err(MetaError::Missing(key)));
        }
    }

    #[test]
    fn an_unreadable_optional_key_is_an_error() {
        for (key, value) in [
            (ACTOR_ROLES, "admin,chef"),
            (ACTOR_ROLES, ""),
            (SOURCE_IP, "localhost"),
            (OCCURRED_AT, "yesterday"),
            (
                TRACEPARENT,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            ),
            (
                TRACEPARENT,
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            ),
            (
                TRACEPARENT,
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            ),
            (
                TRACEPARENT,
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
        ] {
            let mut map = full().to_map();
            map.insert(key.to_owned(), value.to_owned());
            assert!(
                matches!(EventMeta::from_map(&map), Err(MetaError::Invalid { key: k, .. }) if k == key),
                "{key}={value}"
            );
        }
    }
}
