//! Read-your-writes: wait, bounded, until the projection has reached a version.
//!
//! The projector sends `NOTIFY gescom_projected` with each commit. One listener per
//! process turns those into a counter; a waiter re-reads the version each time the
//! counter moves (or every `FALLBACK_POLL`, in case a notification was lost while the
//! listener reconnected), until the version is reached or the deadline passes.

use std::future::Future;
use std::time::Duration;

use platform::db::channels;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

const FALLBACK_POLL: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct Freshness {
    commits: watch::Receiver<u64>,
    /// Longest wait for a version before answering `projection_lagging`.
    pub max_wait: Duration,
}

/// The projection stayed below the wanted version for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("projection at version {reached}, wanted {wanted}")]
pub struct Lagging {
    pub wanted: i64,
    pub reached: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(transparent)]
    Lagging(#[from] Lagging),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Freshness {
    /// Starts the listener task on `pool`.
    pub fn start(pool: PgPool, max_wait: Duration) -> Self {
        let (tx, commits) = watch::channel(0_u64);
        tokio::spawn(async move {
            loop {
                match listen(&pool, &tx).await {
                    Ok(()) => return, // every waiter is gone
                    Err(error) => {
                        tracing::warn!(%error, "projection listener failed; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Self { commits, max_wait }
    }

    /// Waits until `current()` reports at least `wanted`; returns the version reached.
    pub async fn wait_for<F, Fut>(&self, wanted: i64, mut current: F) -> Result<i64, WaitError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<i64, sqlx::Error>>,
    {
        let deadline = Instant::now() + self.max_wait;
        let mut commits = self.commits.clone();
        loop {
            commits.mark_unchanged();
            let reached = current().await?;
            if reached >= wanted {
                return Ok(reached);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Lagging { wanted, reached }.into());
            }
            let nap = FALLBACK_POLL.min(deadline - now);
            let _ = tokio::time::timeout(nap, commits.changed()).await;
        }
    }
}

async fn listen(pool: &PgPool, tx: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channels::PROJECTED).await?;
    loop {
        tokio::select! {
            // Every waiter and the state are gone: give the connection back.
            () = tx.closed() => return Ok(()),
            received = listener.recv() => {
                received?;
                tx.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }
}
