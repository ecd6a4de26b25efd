//! Who did what, when, from where: stamped on every event's metadata by command-api,
//! copied into NATS headers by the relay and into read models by the projector.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

pub const CORRELATION_ID: &str = "correlation_id";
pub const ACTOR_ID: &str = "actor_id";
pub const ACTOR_ROLES: &str = "actor_roles";
pub const SOURCE_IP: &str = "source_ip";
pub const USER_AGENT: &str = "user_agent";
pub const OCCURRED_AT: &str = "occurred_at";

/// The actor of what no signed-in user did: a login attempt, a bootstrap.
pub const ANONYMOUS_ACTOR: &str = "anonymous";
/// The actor of commands the service runs on its own (the first admin's creation).
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandMetadata {
    pub correlation_id: String,
    pub actor_id: String,
    /// The actor's roles when acting, comma-separated (`admin,sales`).
    pub actor_roles: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// Taken once, by command-api, so that a replay reproduces read models exactly.
    pub occurred_at: DateTime<Utc>,
}

impl CommandMetadata {
    /// Metadata of a command the service runs by itself, outside any request.
    pub fn system(correlation_id: impl Into<String>) -> Self {
        Self {
            correlation_id: correlation_id.into(),
            actor_id: SYSTEM_ACTOR.to_owned(),
            actor_roles: None,
            source_ip: None,
            user_agent: None,
            occurred_at: Utc::now(),
        }
    }

    pub fn into_map(self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            (CORRELATION_ID.to_owned(), self.correlation_id),
            (ACTOR_ID.to_owned(), self.actor_id),
            (
                OCCURRED_AT.to_owned(),
                self.occurred_at
                    .to_rfc3339_opts(SecondsFormat::Micros, true),
            ),
        ]);
        if let Some(roles) = self.actor_roles {
            map.insert(ACTOR_ROLES.to_owned(), roles);
        }
        if let Some(ip) = self.source_ip {
            map.insert(SOURCE_IP.to_owned(), ip);
        }
        if let Some(ua) = self.user_agent {
            map.insert(USER_AGENT.to_owned(), ua);
        }
        map
    }
}
