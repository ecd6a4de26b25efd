//! The NATS contract: subjects, stream, headers and the JSON envelope of a domain event.
//!
//! Subject: `<prefix>.events.<aggregate_type>.<aggregate_id>`; one stream covers
//! `<prefix>.events.>`. `Nats-Msg-Id` is `<aggregate_type>:<aggregate_id>:<sequence>`, so a
//! republished outbox row is dropped by JetStream's duplicate window.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::metadata::{EventMeta, MetaError};

pub mod headers {
    pub const MSG_ID: &str = "Nats-Msg-Id";
    pub const EVENT_TYPE: &str = "Gescom-Event-Type";
    pub const EVENT_VERSION: &str = "Gescom-Event-Version";
    pub const AGGREGATE_TYPE: &str = "Gescom-Aggregate-Type";
    pub const AGGREGATE_ID: &str = "Gescom-Aggregate-Id";
    pub const SEQUENCE: &str = "Gescom-Sequence";
    pub const CORRELATION_ID: &str = "Gescom-Correlation-Id";
    pub const ACTOR_ID: &str = "Gescom-Actor-Id";
}

/// Subject names under one configurable prefix, so that each test can use its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    prefix: String,
}

impl Subjects {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn event(&self, aggregate_type: &str, aggregate_id: &str) -> String {
        format!("{}.events.{aggregate_type}.{aggregate_id}", self.prefix)
    }

    /// Everything the event stream holds.
    pub fn all_events(&self) -> String {
        format!("{}.events.>", self.prefix)
    }

    /// `<prefix>.integration.<Type>.v<version>`: the public contract's subjects.
    pub fn integration(&self, event_type: &str, version: u32) -> String {
        format!("{}.integration.{event_type}.v{version}", self.prefix)
    }

    /// Everything the integration stream holds.
    pub fn all_integration(&self) -> String {
        format!("{}.integration.>", self.prefix)
    }
}

/// One stored event as it travels over NATS. Mirrors a row of `events`, and is read
/// straight from one (`SELECT aggregate_type, …, metadata FROM events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EventEnvelope {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: serde_json::Value,
    #[sqlx(json)]
    pub metadata: HashMap<String, String>,
}

impl EventEnvelope {
    pub fn msg_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.aggregate_type, self.aggregate_id, self.sequence
        )
    }

    /// The metadata, typed: the only way its keys are read.
    pub fn meta(&self) -> Result<EventMeta, MetaError> {
        EventMeta::from_map(&self.metadata)
    }

    /// Decodes the event once: its stream's typed id, its metadata and its payload.
    pub fn decode<Id, E>(&self) -> Result<Stored<Id, E>, DecodeError>
    where
        Id: std::str::FromStr,
        E: serde::de::DeserializeOwned,
    {
        let context = |reason| DecodeError {
            event_type: self.event_type.clone(),
            event_version: self.event_version.clone(),
            reason,
        };
        Ok(Stored {
            id: self
                .aggregate_id
                .parse()
                .map_err(|_| context(DecodeReason::Id(self.aggregate_id.clone())))?,
            sequence: self.sequence,
            meta: self.meta().map_err(|e| context(DecodeReason::Meta(e)))?,
            // From the borrowed value: no copy of the payload per event.
            event: E::deserialize(&self.payload)
                .map_err(|e| context(DecodeReason::Payload(e.to_string())))?,
        })
    }
}

/// A stored event decoded once, as every reader of the store handles it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<Id, E> {
    /// The stream's aggregate id.
    pub id: Id,
    /// The event's place in its stream, from 1.
    pub sequence: i64,
    pub meta: EventMeta,
    pub event: E,
}

/// A stored event that does not decode into its aggregate's types.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot decode {event_type} v{event_version}: {reason}")]
pub struct DecodeError {
    pub event_type: String,
    pub event_version: String,
    pub reason: DecodeReason,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeReason {
    #[error("`{0}` is not this aggregate's id")]
    Id(String),
    #[error(transparent)]
    Meta(MetaError),
    #[error("{0}")]
    Payload(String),
}

/// Creates the event stream if it does not exist yet. Both the relay (which publishes)
/// and the projector (which consumes) call it, so either may start first.
pub async fn ensure_event_stream(
    jetstream: &async_nats::jetstream::Context,
    stream: &str,
    subjects: &Subjects,
) -> Result<async_nats::jetstream::stream::Stream, async_nats::jetstream::context::CreateStreamError>
{
    jetstream
        .get_or_create_stream(async_nats::jetstream::stream::Config {
            name: stream.to_owned(),
            subjects: vec![subjects.all_events()],
            // Msg-Id deduplication covers a relay that republishes after a crash.
            duplicate_window: std::time::Duration::from_secs(120),
            ..Default::default()
        })
        .await
}

/// The integration stream's name beside the event stream's.
pub fn integration_stream_name(event_stream: &str) -> String {
    format!("{event_stream}_INTEGRATION")
}

/// Creates the integration stream (`<prefix>.integration.>`) if it does not exist.
pub async fn ensure_integration_stream(
    jetstream: &async_nats::jetstream::Context,
    event_stream: &str,
    subjects: &Subjects,
) -> Result<async_nats::jetstream::stream::Stream, async_nats::jetstream::context::CreateStreamError>
{
    jetstream
        .get_or_create_stream(async_nats::jetstream::stream::Config {
            name: integration_stream_name(event_stream),
            subjects: vec![subjects.all_integration()],
            duplicate_window: std::time::Duration::from_secs(120),
            ..Default::default()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_scoped_by_prefix() {
        let s = Subjects::new("t1");
        assert_eq!(s.event("Product", "abc"), "t1.events.Product.abc");
        assert_eq!(s.all_events(), "t1.events.>");
    }
}
