//! The NATS contract: subjects, stream, headers and the JSON envelope of a domain event.
//!
//! Subject: `<prefix>.events.<aggregate_type>.<aggregate_id>`; one stream covers
//! `<prefix>.events.>`. `Nats-Msg-Id` is `<aggregate_type>:<aggregate_id>:<sequence>`, so a
//! republished outbox row is dropped by JetStream's duplicate window.

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
