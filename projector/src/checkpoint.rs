//! Applying the event store exactly once and in order, whatever NATS delivers.
//!
//! A message is only a hint: it names a stream and a sequence ("this stream has reached
//! n"). The projector reads what the store holds for that stream after its checkpoint,
//! up to n, and applies that, never the message's own payload. So a forged message
//! changes nothing (the store holds no such event), an altered one applies the stored
//! event, and a gap is filled by the same read.
//!
//! The checkpoint (`projector_checkpoints`) is the last sequence applied for each
//! stream; it moves in the same transaction as the read-model change, so a redelivered
//! message (sequence ≤ checkpoint) is a duplicate. A stream with a parked dead letter
//! ([`crate::dead_letters`]) is held back: its messages are acknowledged without being
//! applied, since the retry or skip that unparks it catches up from the store.

use chrono::{DateTime, Utc};
use contracts::envelope::EventEnvelope;
use serde::Deserialize;
use sqlx::PgConnection;

use crate::projections::{self, Mode, ProjectionError};

/// The stream and sequence a message names: all that is read from it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Named {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
}

impl Named {
    /// Reads what a message names from its body (an event envelope; nothing else in it
    /// is used).
    pub fn read(payload: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(payload)
    }

    /// What a delivery of `envelope` names.
    pub fn of(envelope: &EventEnvelope) -> Self {
        Self {
            aggregate_type: envelope.aggregate_type.clone(),
            aggregate_id: envelope.aggregate_id.clone(),
            sequence: envelope.sequence,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `events` stored events applied, the named one last (more than one when a gap was
    /// filled); `occurred_at`: when the named one happened, for the lag metric.
    Applied {
        events: usize,
        occurred_at: Option<DateTime<Utc>>,
    },
    /// Already applied: a redelivery or a duplicate.
    Duplicate,
    /// The stream waits behind a parked event: nothing applied.
    HeldBack,
    /// The store holds no such event: nothing applied.
    NotInStore,
}

/// A stream could not be brought forward. `sequence` is the stored event that failed,
/// when it was one (not the checkpoint's own statements).
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct Failed {
    pub sequence: Option<i64>,
    #[source]
    pub source: ProjectionError,
}

impl From<sqlx::Error> for Failed {
    fn from(error: sqlx::Error) -> Self {
        Self {
            sequence: None,
            source: error.into(),
        }
    }
}

/// Brings `named`'s stream up to `named.sequence` from the store.
pub async fn apply_once(conn: &mut PgConnection, named: &Named) -> Result<Outcome, Failed> {
    let Some(last) = lock_stream(conn, &named.aggregate_type, &named.aggregate_id).await? else {
        return Ok(Outcome::HeldBack);
    };
    if named.sequence <= last {
        return Ok(Outcome::Duplicate);
    }
    let stored = load(conn, named, last, Some(named.sequence)).await?;
    if stored.last().map(|event| event.envelope.sequence) != Some(named.sequence) {
        return Ok(Outcome::NotInStore);
    }
    apply_stored(conn, &stored).await?;
    Ok(Outcome::Applied {
        events: stored.len(),
        occurred_at: stored
            .last()
            .and_then(|event| event.envelope.meta().ok())
            .map(|meta| meta.occurred_at),
    })
}

/// Brings a stream up to the last event the store holds for it (a retry or a skip
/// catching up behind a dead letter). Returns how many events it applied.
pub async fn catch_up(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<usize, Failed> {
    let last: i64 = sqlx::query_scalar(
        "SELECT last_sequence FROM projector_checkpoints
          WHERE aggregate_type = $1 AND aggregate_id = $2
            FOR UPDATE",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(0);
    let stream = Named {
        aggregate_type: aggregate_type.to_owned(),
        aggregate_id: aggregate_id.to_owned(),
        sequence: last,
    };
    let stored = load(conn, &stream, last, None).await?;
    apply_stored(conn, &stored).await?;
    Ok(stored.len())
}

/// Moves a stream's checkpoint to `sequence` without applying anything (a skip).
pub async fn set_checkpoint(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO projector_checkpoints (aggregate_type, aggregate_id, last_sequence)
         VALUES ($1, $2, $3)
         ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(sequence)
    .execute(conn)
    .await
    .map(drop)
}

/// Locks the stream's checkpoint for this transaction and returns it (0 for a new
/// stream), or `None` if a parked dead letter holds the stream back.
async fn lock_stream(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64, bool)> = sqlx::query_as(
        "SELECT last_sequence,
                EXISTS (SELECT 1 FROM projector_dead_letters d
                         WHERE d.status = 'parked'
                           AND d.aggregate_type = c.aggregate_type
                           AND d.aggregate_id = c.aggregate_id)
           FROM projector_checkpoints c
          WHERE aggregate_type = $1 AND aggregate_id = $2
            FOR UPDATE",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (last, parked) = match row {
        Some(row) => row,
        // A stream whose first event was parked has no checkpoint yet.
        None => (
            0,
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM projector_dead_letters
                                 WHERE status = 'parked' AND aggregate_type = $1 AND aggregate_id = $2)",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_one(&mut *conn)
            .await?,
        ),
    };
    Ok((!parked).then_some(last))
}

/// A stored event, and whether an admin skipped it: a skipped event moves the
/// checkpoint and applies nothing.
#[derive(sqlx::FromRow)]
pub(crate) struct Stored {
    #[sqlx(flatten)]
    pub envelope: EventEnvelope,
    pub skipped: bool,
}

/// The columns of a [`Stored`] event `e`.
pub(crate) const STORED_COLUMNS: &str =
    "e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.event_version,
        e.payload, e.metadata,
        EXISTS (SELECT 1 FROM projector_dead_letters d
                 WHERE d.status = 'skipped' AND d.aggregate_type = e.aggregate_type
                   AND d.aggregate_id = e.aggregate_id AND d.sequence = e.sequence) AS skipped";

/// The stored events of `stream` after `after`, up to `until` (all when `None`).
async fn load(
    conn: &mut PgConnection,
    stream: &Named,
    after: i64,
    until: Option<i64>,
) -> Result<Vec<Stored>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STORED_COLUMNS}
           FROM events e
          WHERE e.aggregate_type = $1 AND e.aggregate_id = $2 AND e.sequence > $3
            AND ($4::bigint IS NULL OR e.sequence <= $4)
          ORDER BY e.sequence"
    ))
    .bind(&stream.aggregate_type)
    .bind(&stream.aggregate_id)
    .bind(after)
    .bind(until)
    .fetch_all(conn)
    .await
}

async fn apply_stored(conn: &mut PgConnection, stored: &[Stored]) -> Result<(), Failed> {
    let Some(newest) = stored.last() else {
        return Ok(());
    };
    for event in stored.iter().filter(|event| !event.skipped) {
        projections::apply(conn, &event.envelope, Mode::Live)
            .await
            .map_err(|source| Failed {
                sequence: Some(event.envelope.sequence),
                source,
            })?;
    }
    let newest = &newest.envelope;
    set_checkpoint(
        conn,
        &newest.aggregate_type,
        &newest.aggregate_id,
        newest.sequence,
    )
    .await?;
    Ok(())
}
