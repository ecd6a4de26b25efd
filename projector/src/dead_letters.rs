//! Dead letters: messages the projector could not apply, kept with their error.
//!
//! - A message that names no stream (`malformed`) or an event the store does not hold
//!   (`not_in_store`: forged, or from another store) is *rejected*: recorded, acked,
//!   nothing applied, nothing held back.
//! - A stored event a projection cannot apply (`failed`) is *parked*: its stream's later
//!   messages are acked without being applied ([`crate::checkpoint`]) while every other
//!   stream flows. An admin retries it (the stream catches up from the store) or skips it
//!   (the checkpoint passes over it, here and in every rebuild). Who resolved it, when,
//!   and for a skip why, stays on the row; a skip is also written into the audit trail.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Acquire, PgConnection, PgPool};

use crate::checkpoint::{self, Named};
use contracts::product::bounded_text;
use contracts::Invalid;
use platform::token::Principal;

/// Who resolves a dead letter: the signed-in admin and the request's correlation id.
#[derive(Debug, Clone)]
pub struct Resolver {
    pub user_id: String,
    pub email: String,
    pub roles: String,
    pub correlation_id: String,
}

impl Resolver {
    pub fn new(principal: &Principal, correlation_id: String) -> Self {
        Self {
            user_id: principal.user_id.to_string(),
            email: principal.email.clone(),
            roles: principal.roles.joined(),
            correlation_id,
        }
    }
}

/// Why an admin skips an event for good: required, since the read models then differ
/// from what the store says for that event, and someone will ask why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipReason(String);

impl SkipReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded_text(raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Malformed,
    NotInStore,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::NotInStore => "not_in_store",
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeadLetter {
    pub id: i64,
    pub subject: String,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub sequence: Option<i64>,
    pub reason: String,
    pub error: String,
    pub status: String,
    pub attempts: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub resolution_reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    #[error("no dead letter {0}")]
    NotFound(i64),
    #[error("dead letter {id} is {status}, not parked")]
    NotParked { id: i64, status: String },
    #[error("event {sequence} still fails: {error}")]
    StillFailing { sequence: i64, error: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a retry or a skip did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Resolution {
    /// Stored events applied as the stream caught up.
    pub applied: usize,
    /// A later event of the stream failed in turn and is parked (a skip only).
    pub parked: Option<i64>,
}

/// Errors are kept to this many characters.
const ERROR_CHARS: usize = 2_000;

fn clip(error: &str) -> String {
    error.chars().take(ERROR_CHARS).collect()
}

/// Records a message that was not applied and holds nothing back.
pub async fn reject(
    conn: &mut PgConnection,
    subject: &str,
    named: Option<&Named>,
    reason: Reason,
    error: &str,
) -> Result<(), sqlx::Error> {
    tracing::warn!(%subject, reason = reason.as_str(), %error, "message rejected");
    sqlx::query(
        "INSERT INTO projector_dead_letters
                (subject, aggregate_type, aggregate_id, sequence, reason, error, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'rejected')",
    )
    .bind(clip(subject))
    .bind(named.map(|n| clip(&n.aggregate_type)))
    .bind(named.map(|n| clip(&n.aggregate_id)))
    .bind(named.map(|n| n.sequence))
    .bind(reason.as_str())
    .bind(clip(error))
    .execute(conn)
    .await
    .map(drop)
}

/// Parks a stored event that failed: its stream waits behind it.
pub async fn park(
    conn: &mut PgConnection,
    subject: &str,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    tracing::error!(%aggregate_type, %aggregate_id, sequence, %error, "event parked");
    sqlx::query(
        "INSERT INTO projector_dead_letters
                (subject, aggregate_type, aggregate_id, sequence, reason, error, status)
         VALUES ($1, $2, $3, $4, 'failed', $5, 'parked')
         ON CONFLICT (aggregate_type, aggregate_id) WHERE status = 'parked'
         DO UPDATE SET attempts = projector_dead_letters.attempts + 1,
                       last_seen_at = now(),
                       sequence = EXCLUDED.sequence,
                       error = EXCLUDED.error",
    )
    .bind(subject)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(sequence)
    .bind(clip(error))
    .execute(conn)
    .await
    .map(drop)
}

/// The most recent dead letters, parked ones first.
pub async fn list(
    pool: &PgPool,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, subject, aggregate_type, aggregate_id, sequence, reason, error, status,
                attempts, first_seen_at, last_seen_at, resolved_at, resolved_by,
                resolution_reason
           FROM projector_dead_letters
          WHERE $1::text IS NULL OR status = $1
          ORDER BY status = 'parked' DESC, id DESC
          LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Applies the parked event again, and the stream's later events after it.
pub async fn retry(pool: &PgPool, id: i64, by: &Resolver) -> Result<Resolution, DeadLetterError> {
    let mut tx = pool.begin().await?;
    let parked = lock_parked(&mut tx, id).await?;
    let caught_up = {
        let mut attempt = tx.begin().await?;
        match checkpoint::catch_up(&mut attempt, &parked.0, &parked.1).await {
            Ok(applied) => {
                attempt.commit().await?;
                Ok(applied)
            }
            Err(failed) => {
                attempt.rollback().await?;
                Err(failed)
            }
        }
    };
    match caught_up {
        Ok(applied) => {
            resolve(&mut tx, id, "retried", by, None).await?;
            tx.commit().await?;
            tracing::info!(id, by = %by.email, applied, "dead letter retried");
            Ok(Resolution {
                applied,
                parked: None,
            })
        }
        Err(failed) => {
            let sequence = failed.sequence.unwrap_or(parked.2);
            let error = failed.source.to_string();
            sqlx::query(
                "UPDATE projector_dead_letters
                    SET attempts = attempts + 1, last_seen_at = now(), sequence = $2, error = $3
                  WHERE id = $1",
            )
            .bind(id)
            .bind(sequence)
            .bind(clip(&error))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Err(DeadLetterError::StillFailing { sequence, error })
        }
    }
}

/// Passes over the parked event for good (here and in every rebuild), then applies the
/// stream's later events; if one of those fails, it is parked in turn. The skip, with who
/// and why, goes into the audit trail in the same transaction.
pub async fn skip(
    pool: &PgPool,
    id: i64,
    by: &Resolver,
    why: &SkipReason,
) -> Result<Resolution, DeadLetterError> {
    let mut tx = pool.begin().await?;
    let (aggregate_type, aggregate_id, sequence) = lock_parked(&mut tx, id).await?;
    resolve(&mut tx, id, "skipped", by, Some(why)).await?;
    audit_skips(&mut tx, Some(id)).await?;
    checkpoint::set_checkpoint(&mut tx, &aggregate_type, &aggregate_id, sequence).await?;
    let mut attempt = tx.begin().await?;
    let resolution = match checkpoint::catch_up(&mut attempt, &aggregate_type, &aggregate_id).await
    {
        Ok(applied) => {
            attempt.commit().await?;
            Resolution {
                applied,
                parked: None,
            }
        }
        Err(failed) => {
            attempt.rollback().await?;
            let next = failed.sequence.unwrap_or(sequence + 1);
            let subject: String =
                sqlx::query_scalar("SELECT subject FROM projector_dead_letters WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            park(
                &mut tx,
                &subject,
                &aggregate_type,
                &aggregate_id,
                next,
                &failed.source.to_string(),
            )
            .await?;
            Resolution {
                applied: 0,
                parked: Some(next),
            }
        }
    };
    tx.commit().await?;
    tracing::warn!(id, by = %by.email, why = why.as_str(), %aggregate_type, %aggregate_id,
        sequence, "dead letter skipped");
    Ok(resolution)
}

/// Locks a parked dead letter: its stream and the sequence it holds.
async fn lock_parked(
    conn: &mut PgConnection,
    id: i64,
) -> Result<(String, String, i64), DeadLetterError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        aggregate_type: Option<String>,
        aggregate_id: Option<String>,
        sequence: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT status, aggregate_type, aggregate_id, sequence
           FROM projector_dead_letters WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or(DeadLetterError::NotFound(id))?;
    match row {
        Row {
            aggregate_type: Some(aggregate_type),
            aggregate_id: Some(aggregate_id),
            sequence: Some(sequence),
            ..
        } if row.status == "parked" => Ok((aggregate_type, aggregate_id, sequence)),
        Row { status, .. } => Err(DeadLetterError::NotParked { id, status }),
    }
}

async fn resolve(
    conn: &mut PgConnection,
    id: i64,
    status: &str,
    by: &Resolver,
    why: Option<&SkipReason>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE projector_dead_letters
            SET status = $2, resolved_at = now(), resolved_by = $3, resolved_by_id = $4,
                resolved_by_roles = $5, resolution_correlation_id = $6, resolution_reason = $7
          WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(&by.email)
    .bind(&by.user_id)
    .bind(&by.roles)
    .bind(&by.correlation_id)
    .bind(why.map(SkipReason::as_str))
    .execute(conn)
    .await
    .map(drop)
}

/// The audit event type of a skip: it sits in the audit trail at the skipped event's own
/// place (its aggregate and sequence), which that event, never applied, leaves free.
pub const SKIPPED_EVENT_TYPE: &str = "DeadLetterSkipped";

/// Writes the audit rows of skipped dead letters: one as it is skipped (`Some(id)`), or
/// every one in a rebuild (`None`), from the same columns either way.
pub async fn audit_skips(conn: &mut PgConnection, id: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                occurred_at, actor_id, actor_roles, correlation_id, payload)
         SELECT aggregate_type, aggregate_id, sequence, $2, '1', resolved_at,
                COALESCE(resolved_by_id, resolved_by), resolved_by_roles,
                COALESCE(resolution_correlation_id, 'dead-letter-' || id),
                jsonb_build_object('dead_letter_id', id, 'reason', resolution_reason,
                                   'error', error, 'subject', subject, 'attempts', attempts)
           FROM projector_dead_letters
          WHERE status = 'skipped' AND ($1::bigint IS NULL OR id = $1)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(SKIPPED_EVENT_TYPE)
    .execute(conn)
    .await
    .map(drop)
}

/// How many dead letters hold a stream back, and how many were rejected, for
/// `/admin/status` and the metrics.
pub async fn counts(pool: &PgPool) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'parked'),
                count(*) FILTER (WHERE status = 'rejected')
           FROM projector_dead_letters",
    )
    .fetch_one(pool)
    .await
}
