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

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use contracts::envelope::EventEnvelope;
use serde::Deserialize;
use sqlx::PgConnection;
use tracing::Span;

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

/// Brings `named`'s stream up to `named.sequence` from the store: [`apply_all`] of one.
pub async fn apply_once(conn: &mut PgConnection, named: &Named) -> Result<Outcome, Failed> {
    let mut outcomes = apply_all(conn, std::slice::from_ref(named), |_| Span::none()).await?;
    Ok(outcomes.pop().unwrap_or(Outcome::NotInStore))
}

/// Brings each named stream up to its named sequence from the store, in the order given,
/// and answers one outcome per name; read-api's waiters are woken when the caller commits.
/// A batch costs three round trips besides the projections' own statements: its streams'
/// checkpoints are locked in one statement, their events read in one, the audit rows and
/// the new checkpoints written (and the notification queued) in one.
/// `span(i)` is the trace span the i-th name's projection runs in.
pub async fn apply_all(
    conn: &mut PgConnection,
    names: &[Named],
    span: impl Fn(usize) -> Span,
) -> Result<Vec<Outcome>, Failed> {
    let mut streams = lock_streams(conn, names).await?;
    load_all(conn, &mut streams).await?;
    let mut outcomes = Vec::with_capacity(names.len());
    // What to apply, in order, and which name brought each.
    let mut todo: Vec<(usize, Stored)> = Vec::new();
    for (i, named) in names.iter().enumerate() {
        let key = (named.aggregate_type.clone(), named.aggregate_id.clone());
        let outcome = match streams.get_mut(&key) {
            Some(stream) => stream.advance(named.sequence, |event| todo.push((i, event))),
            None => Outcome::NotInStore,
        };
        outcomes.push(outcome);
    }
    let mut audit = Vec::new();
    let (events, brought_by): (Vec<&EventEnvelope>, Vec<usize>) = todo
        .iter()
        .filter(|(_, event)| !event.skipped)
        .map(|(i, event)| (&event.envelope, *i))
        .unzip();
    projections::apply_each(conn, &events, Mode::Live { audit: &mut audit }, |at| {
        span(brought_by[at])
    })
    .await
    .map_err(|(at, source)| Failed {
        sequence: Some(events[at].sequence),
        source,
    })?;
    let moved = streams
        .into_iter()
        .filter(|(_, stream)| stream.last > stream.locked_at)
        .map(|(key, stream)| (key, stream.last));
    finish(conn, audit, moved).await?;
    Ok(outcomes)
}

/// Writes a batch's audit rows and moved checkpoints and wakes read-api's read-your-writes
/// waiters once the transaction commits, in one statement.
async fn finish(
    conn: &mut PgConnection,
    audit: Vec<projections::audit::Row>,
    checkpoints: impl IntoIterator<Item = (StreamKey, i64)>,
) -> Result<(), sqlx::Error> {
    let (types, ids, sequences) = checkpoint_columns(checkpoints);
    let statement = format!(
        "WITH audit AS ({}),
              moved AS (INSERT INTO projector_checkpoints (aggregate_type, aggregate_id, last_sequence)
                        SELECT * FROM unnest($13::text[], $14::text[], $15::bigint[])
                        ON CONFLICT (aggregate_type, aggregate_id)
                        DO UPDATE SET last_sequence = EXCLUDED.last_sequence)
         SELECT pg_notify($16, '')",
        projections::audit::INSERT
    );
    projections::audit::bind(sqlx::query(&statement), audit)
        .bind(types)
        .bind(ids)
        .bind(sequences)
        .bind(platform::db::channels::PROJECTED)
        .execute(conn)
        .await
        .map(drop)
}

fn checkpoint_columns(
    checkpoints: impl IntoIterator<Item = (StreamKey, i64)>,
) -> (Vec<String>, Vec<String>, Vec<i64>) {
    let mut columns = (Vec::new(), Vec::new(), Vec::new());
    for ((aggregate_type, aggregate_id), sequence) in checkpoints {
        columns.0.push(aggregate_type);
        columns.1.push(aggregate_id);
        columns.2.push(sequence);
    }
    columns
}

type StreamKey = (String, String);

/// A stream of the batch: its checkpoint as locked, how far the batch has brought it, and
/// the stored events read for it (after the checkpoint, up to the highest sequence named).
struct Stream {
    locked_at: i64,
    last: i64,
    parked: bool,
    until: i64,
    events: std::collections::VecDeque<Stored>,
}

impl Stream {
    /// Brings the stream up to `sequence`, handing the stored events that takes to
    /// `apply`, in order.
    fn advance(&mut self, sequence: i64, apply: impl FnMut(Stored)) -> Outcome {
        if self.parked {
            return Outcome::HeldBack;
        }
        if sequence <= self.last {
            return Outcome::Duplicate;
        }
        let reached = self
            .events
            .iter()
            .take_while(|event| event.envelope.sequence <= sequence)
            .count();
        if reached == 0 || self.events[reached - 1].envelope.sequence != sequence {
            return Outcome::NotInStore;
        }
        let occurred_at = self.events[reached - 1]
            .envelope
            .meta()
            .ok()
            .map(|meta| meta.occurred_at);
        self.events.drain(..reached).for_each(apply);
        self.last = sequence;
        Outcome::Applied {
            events: reached,
            occurred_at,
        }
    }
}

/// Locks the checkpoints of every stream `names` name, in key order (so two batches never
/// wait on each other in a cycle), and reads which are held back behind a parked event,
/// in one statement.
async fn lock_streams(
    conn: &mut PgConnection,
    names: &[Named],
) -> Result<BTreeMap<StreamKey, Stream>, sqlx::Error> {
    let mut streams = BTreeMap::new();
    for named in names {
        streams
            .entry((named.aggregate_type.clone(), named.aggregate_id.clone()))
            .and_modify(|stream: &mut Stream| stream.until = stream.until.max(named.sequence))
            .or_insert(Stream {
                locked_at: 0,
                last: 0,
                parked: false,
                until: named.sequence,
                events: Default::default(),
            });
    }
    let (types, ids): (Vec<String>, Vec<String>) = streams.keys().cloned().unzip();
    // Row by row through the checkpoints' key (LATERAL), so in the names' order, which is
    // the key order, whatever plan a large table would otherwise get.
    let read: Vec<(String, String, Option<i64>, bool)> = sqlx::query_as(
        "SELECT n.aggregate_type, n.aggregate_id, l.last_sequence,
                EXISTS (SELECT 1 FROM projector_dead_letters d
                         WHERE d.status = 'parked' AND d.aggregate_type = n.aggregate_type
                           AND d.aggregate_id = n.aggregate_id)
           FROM unnest($1::text[], $2::text[]) AS n(aggregate_type, aggregate_id)
           LEFT JOIN LATERAL (SELECT c.last_sequence FROM projector_checkpoints c
                               WHERE c.aggregate_type = n.aggregate_type
                                 AND c.aggregate_id = n.aggregate_id
                                 FOR UPDATE) l ON true",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for (t, i, last, parked) in read {
        if let Some(stream) = streams.get_mut(&(t, i)) {
            stream.locked_at = last.unwrap_or(0);
            stream.last = stream.locked_at;
            stream.parked = parked;
        }
    }
    Ok(streams)
}

/// Reads, in one statement, each stream's stored events after its checkpoint up to the
/// highest sequence the batch names for it.
async fn load_all(
    conn: &mut PgConnection,
    streams: &mut BTreeMap<StreamKey, Stream>,
) -> Result<(), sqlx::Error> {
    let wanted: Vec<_> = streams
        .iter()
        .filter(|(_, stream)| !stream.parked && stream.until > stream.last)
        .map(|((t, i), stream)| (t.as_str(), i.as_str(), stream.last, stream.until))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut types = Vec::with_capacity(wanted.len());
    let mut ids = Vec::with_capacity(wanted.len());
    let mut after = Vec::with_capacity(wanted.len());
    let mut until = Vec::with_capacity(wanted.len());
    for (t, i, a, u) in wanted {
        types.push(t);
        ids.push(i);
        after.push(a);
        until.push(u);
    }
    let stored: Vec<Stored> = sqlx::query_as(&format!(
        "SELECT stored.*
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS s(t, i, after, until)
          CROSS JOIN LATERAL (SELECT {STORED_COLUMNS}
                                FROM events e
                               WHERE e.aggregate_type = s.t AND e.aggregate_id = s.i
                                 AND e.sequence > s.after AND e.sequence <= s.until
                               ORDER BY e.sequence) stored
          ORDER BY stored.aggregate_type, stored.aggregate_id, stored.sequence"
    ))
    .bind(types)
    .bind(ids)
    .bind(after)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    for event in stored {
        let key = (
            event.envelope.aggregate_type.clone(),
            event.envelope.aggregate_id.clone(),
        );
        if let Some(stream) = streams.get_mut(&key) {
            stream.events.push_back(event);
        }
    }
    Ok(())
}

/// Moves checkpoints in one statement.
pub(crate) async fn write_checkpoints(
    conn: &mut PgConnection,
    checkpoints: impl IntoIterator<Item = (StreamKey, i64)>,
) -> Result<(), sqlx::Error> {
    let (types, ids, sequences) = checkpoint_columns(checkpoints);
    if types.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO projector_checkpoints (aggregate_type, aggregate_id, last_sequence)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (aggregate_type, aggregate_id)
         DO UPDATE SET last_sequence = EXCLUDED.last_sequence",
    )
    .bind(types)
    .bind(ids)
    .bind(sequences)
    .execute(conn)
    .await
    .map(drop)
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
    let mut audit = Vec::with_capacity(stored.len());
    for event in stored.iter().filter(|event| !event.skipped) {
        projections::apply(conn, &event.envelope, Mode::Live { audit: &mut audit })
            .await
            .map_err(|source| Failed {
                sequence: Some(event.envelope.sequence),
                source,
            })?;
    }
    projections::audit::insert(conn, audit).await?;
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
