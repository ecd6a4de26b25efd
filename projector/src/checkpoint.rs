//! Applying an event exactly once and in order, whatever NATS delivers.
//!
//! The checkpoint (`projector_checkpoints`) is the last sequence applied for each
//! aggregate stream; it moves in the same transaction as the read-model change:
//! - a redelivered event (sequence ≤ checkpoint) is skipped;
//! - an early event (sequence > checkpoint + 1) first has the gap filled from the event
//!   store, in order; if the store does not hold the gap yet, the event is deferred and
//!   NATS redelivers it later.

use shared::nats::EventEnvelope;
use sqlx::PgConnection;

use crate::projections::{self, Mode, ProjectionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied, after filling `filled` missing events from the event store.
    Applied { filled: usize },
    /// Already applied: a redelivery or a duplicate.
    Duplicate,
    /// Ahead of a gap the event store cannot fill yet: not applied.
    Deferred,
}

pub async fn apply_once(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
) -> Result<Outcome, ProjectionError> {
    let last: i64 = sqlx::query_scalar(
        "SELECT last_sequence FROM projector_checkpoints
          WHERE aggregate_type = $1 AND aggregate_id = $2
            FOR UPDATE",
    )
    .bind(&envelope.aggregate_type)
    .bind(&envelope.aggregate_id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(0);
    if envelope.sequence <= last {
        return Ok(Outcome::Duplicate);
    }
    let missing = if envelope.sequence > last + 1 {
        let missing = load_range(conn, envelope, last).await?;
        if missing.len() as i64 != envelope.sequence - last - 1 {
            return Ok(Outcome::Deferred);
        }
        missing
    } else {
        Vec::new()
    };
    for earlier in &missing {
        projections::apply(conn, earlier, Mode::Live).await?;
    }
    projections::apply(conn, envelope, Mode::Live).await?;
    sqlx::query(
        "INSERT INTO projector_checkpoints (aggregate_type, aggregate_id, last_sequence)
         VALUES ($1, $2, $3)
         ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence",
    )
    .bind(&envelope.aggregate_type)
    .bind(&envelope.aggregate_id)
    .bind(envelope.sequence)
    .execute(&mut *conn)
    .await?;
    Ok(Outcome::Applied {
        filled: missing.len(),
    })
}

/// The events of `envelope`'s stream strictly between `after` and `envelope`.
async fn load_range(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
    after: i64,
) -> Result<Vec<EventEnvelope>, sqlx::Error> {
    sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
           FROM events
          WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 AND sequence < $4
          ORDER BY sequence",
    )
    .bind(&envelope.aggregate_type)
    .bind(&envelope.aggregate_id)
    .bind(after)
    .bind(envelope.sequence)
    .fetch_all(conn)
    .await
}
