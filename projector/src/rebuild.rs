//! `projector rebuild`: truncate every read model and replay the event store.
//!
//! It runs in one transaction, so readers see the old read models until the new ones
//! are complete, and it holds the projector's advisory lock, so no live consumer writes
//! meanwhile. Checkpoints are rebuilt with the rows: when the live consumer resumes,
//! events the replay already covered are skipped as duplicates and later ones apply.

use futures::TryStreamExt;
use shared::db::locks;
use shared::nats::EventEnvelope;
use sqlx::{Connection, PgPool};

use crate::checkpoint::apply_once;
use crate::projections::{self, ProjectionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

pub async fn rebuild(
    pool: &PgPool,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, ProjectionError> {
    let mut lock = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(locks::PROJECTOR)
        .execute(&mut *lock)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut *lock)
        .await?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut reader = pool.acquire().await?;
    let mut tx = (*lock).begin().await?;
    projections::truncate_all(&mut tx).await?;
    // Insert order; each aggregate's events come in sequence order.
    let mut events = sqlx::query_as::<_, EventEnvelope>(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
           FROM events
          ORDER BY position",
    )
    .fetch(&mut *reader);
    let mut done = 0_u64;
    while let Some(event) = events.try_next().await? {
        apply_once(&mut tx, &event).await?;
        done += 1;
        if done.is_multiple_of(1000) {
            on_progress(Progress { done, total });
        }
    }
    drop(events);
    crate::consumer::notify_projected(&mut tx).await?;
    tx.commit().await?;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(locks::PROJECTOR)
        .execute(&mut *lock)
        .await?;
    on_progress(Progress { done, total });
    Ok(done)
}
