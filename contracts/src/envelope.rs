//! A stored event as it travels: the row of `events`, over NATS as JSON, and decoded
//! once into [`Stored`] by whoever reads it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::metadata::{EventMeta, MetaError};

/// One stored event as it travels over NATS. Mirrors a row of `events`, and is read
/// straight from one (`SELECT aggregate_type, …, metadata FROM events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct EventEnvelope {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: serde_json::Value,
    #[cfg_attr(feature = "sqlx", sqlx(json))]
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

    /// Decodes the event once, with its metadata read by [`Self::meta`]: its stream's typed
    /// id, its metadata and its payload.
    pub fn decode<Id, E>(&self, meta: EventMeta) -> Result<Stored<Id, E>, DecodeError>
    where
        Id: std::str::FromStr,
        E: serde::de::DeserializeOwned,
    {
        Ok(Stored {
            id: self
                .aggregate_id
                .parse()
                .map_err(|_| self.error(DecodeReason::Id(self.aggregate_id.clone())))?,
            sequence: self.sequence,
            meta,
            // From the borrowed value: no copy of the payload per event.
            event: E::deserialize(&self.payload)
                .map_err(|e| self.error(DecodeReason::Payload(e.to_string())))?,
        })
    }

    /// Why this event does not decode.
    pub fn error(&self, reason: DecodeReason) -> DecodeError {
        DecodeError {
            event_type: self.event_type.clone(),
            event_version: self.event_version.clone(),
            reason,
        }
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
