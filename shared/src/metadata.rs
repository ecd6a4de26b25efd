//! Who did what, when, from where: stamped on every event's metadata by command-api,
//! copied into NATS headers by the relay and into read models by the projector.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

pub const CORRELATION_ID: &str = "correlation_id";
pub const ACTOR_ID: &str = "actor_id";
pub const SOURCE_IP: &str = "source_ip";
pub const USER_AGENT: &str = "user_agent";
pub const OCCURRED_AT: &str = "occurred_at";

/// The placeholder actor until authentication exists.
pub const ANONYMOUS_ACTOR: &str = "anonymous";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandMetadata {
    pub correlation_id: String,
    pub actor_id: String,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// Taken once, by command-api, so that a replay reproduces read models exactly.
    pub occurred_at: DateTime<Utc>,
}

impl CommandMetadata {
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
        if let Some(ip) = self.source_ip {
            map.insert(SOURCE_IP.to_owned(), ip);
        }
        if let Some(ua) = self.user_agent {
            map.insert(USER_AGENT.to_owned(), ua);
        }
        map
    }
}
