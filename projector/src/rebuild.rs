//! `projector rebuild`: empty every read model and replay the event store.
//!
//! It runs in one transaction, so readers see the old read models until the new ones
//! are complete, and it holds the projector's advisory lock, so no live consumer writes
//! meanwhile: it takes the rebuild lock first, which makes a running projector step down
//! at its next lock check (see [`crate::consumer`]). Checkpoints are rebuilt with the
//! rows: when the live consumer resumes, events the replay already covered are skipped
//! as duplicates and later ones apply, so nothing is lost or doubled.
//!
//! The replay reads the committed events in `position` order. An aggregate's event n+1
//! can only be appended once n has committed, and a command that depends on another
//! aggregate (an order on its customer) only runs once that one has committed, so
//! position order is commit order wherever the read models can tell: each aggregate's
//! events arrive complete and in sequence, and no gap check is needed.

use std::collections::HashMap;

use contracts::envelope::EventEnvelope;
use futures::TryStreamExt;
use platform::db::locks;
use sqlx::{Connection, PgConnection, PgPool};

use crate::checkpoint::{write_checkpoints, Stored, STORED_COLUMNS};
use crate::projections::{self, audit, Mode, ProjectionError};

/// Checkpoints kept in memory before they are written.
const CHECKPOINT_FLUSH: usize = 10_000;
/// Events gathered before they are applied, and audit rows before one multi-row insert.
const AUDIT_FLUSH: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

pub async fn rebuild(
    pool: &PgPool,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, ProjectionError> {
    // Two connections of its own rather than the pool's: dropping them on a failure frees
    // both locks, and a server that refuses a connection ("too many clients") says so,
    // where the pool would only report that it timed out.
    let options = pool.connect_options();
    let mut lock = PgConnection::connect_with(&options).await?;
    for key in [locks::REBUILD, locks::PROJECTOR] {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut lock)
            .await?;
    }
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut lock)
        .await?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut reader = PgConnection::connect_with(&options).await?;
    let mut tx = lock.begin().await?;
    projections::start_rebuild(&mut tx).await?;
    // Insert order; each aggregate's events come in sequence order.
    // Events an admin skipped as dead letters stay skipped.
    let query = format!("SELECT {STORED_COLUMNS} FROM events e ORDER BY e.position");
    let mut events = sqlx::query_as::<_, Stored>(&query).fetch(&mut reader);
    let mut done = 0_u64;
    // The store is read whole and in order, so the checkpoints need no per-event check:
    // they are gathered here and written in bulk.
    let mut checkpoints = HashMap::new();
    let mut audit = Vec::with_capacity(AUDIT_FLUSH);
    // Applied a thousand at a time, so that runs of product creations go set-wise.
    let mut pending = Vec::with_capacity(AUDIT_FLUSH);
    while let Some(Stored {
        envelope: event,
        skipped,
    }) = events.try_next().await?
    {
        checkpoints.insert(
            (event.aggregate_type.clone(), event.aggregate_id.clone()),
            event.sequence,
        );
        if !skipped {
            pending.push(event);
        }
        if pending.len() >= AUDIT_FLUSH {
            apply_pending(&mut tx, &mut pending, &mut audit).await?;
            audit::insert(&mut tx, std::mem::take(&mut audit)).await?;
        }
        if checkpoints.len() >= CHECKPOINT_FLUSH {
            write_checkpoints(&mut tx, std::mem::take(&mut checkpoints)).await?;
        }
        done += 1;
        // After the first event (it has started) and every thousand.
        if done == 1 || done.is_multiple_of(1000) {
            on_progress(Progress { done, total });
        }
    }
    apply_pending(&mut tx, &mut pending, &mut audit).await?;
    drop(events);
    audit::insert(&mut tx, audit).await?;
    crate::dead_letters::audit_skips(&mut tx, None).await?;
    write_checkpoints(&mut tx, checkpoints).await?;
    projections::finish_rebuild(&mut tx).await?;
    crate::consumer::notify_projected(&mut tx).await?;
    tx.commit().await?;
    lock.close().await?;
    reader.close().await?;
    on_progress(Progress { done, total });
    Ok(done)
}

async fn apply_pending(
    conn: &mut PgConnection,
    pending: &mut Vec<EventEnvelope>,
    audit: &mut Vec<audit::Row>,
) -> Result<(), ProjectionError> {
    let events: Vec<&EventEnvelope> = pending.iter().collect();
    projections::apply_each(conn, &events, Mode::Rebuild { audit }, |_| {
        tracing::Span::none()
    })
    .await
    .map_err(|(_, error)| error)?;
    pending.clear();
    Ok(())
}
