//! What the projector reports on a timer: its dead letters by status, whether this
//! instance is the active one, and its durable consumer's backlog (command-api's relay
//! reports the backlog too, so that it stays visible while no projector runs).

use std::time::Duration;

use async_nats::jetstream;
use platform::shutdown::Shutdown;
use sqlx::PgPool;
use tokio::sync::watch;

use crate::consumer::Role;

/// Dead letters by `status` (parked, rejected, retried, skipped).
pub const DEAD_LETTERS: &str = "gescom_projector_dead_letters";
/// 1 while this instance holds the projector lock and projects, else 0.
pub const ACTIVE: &str = "gescom_projector_active";

const STATUSES: [&str; 4] = ["parked", "rejected", "retried", "skipped"];

pub struct Sampler {
    pub pool: PgPool,
    pub jetstream: jetstream::Context,
    pub stream: String,
    pub durable: String,
    pub role: watch::Receiver<Role>,
    pub every: Duration,
}

impl Sampler {
    /// Samples every `every` until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        platform::metrics::install();
        metrics::describe_gauge!(
            DEAD_LETTERS,
            "Projector dead letters by status (parked, rejected, retried, skipped)"
        );
        metrics::describe_gauge!(ACTIVE, "1 while this projector instance is the active one");
        let stop = shutdown.wait();
        tokio::pin!(stop);
        let mut every = tokio::time::interval(self.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut stop => return,
                _ = every.tick() => {}
            }
            tokio::select! {
                () = &mut stop => return,
                () = self.sample() => {}
            }
        }
    }

    async fn sample(&self) {
        let active = *self.role.borrow() == Role::Active;
        metrics::gauge!(ACTIVE).set(if active { 1.0 } else { 0.0 });
        if let Err(error) = record_dead_letters(&self.pool).await {
            tracing::debug!(%error, "cannot count dead letters");
        }
        if let Err(error) =
            platform::metrics::record_consumer_backlog(&self.jetstream, &self.stream, &self.durable)
                .await
        {
            tracing::debug!(%error, "cannot sample the consumer");
        }
    }
}

/// Sets the dead-letter gauges from the table now.
pub async fn record_dead_letters(pool: &PgPool) -> Result<(), sqlx::Error> {
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM projector_dead_letters GROUP BY status")
            .fetch_all(pool)
            .await?;
    for status in STATUSES {
        let count = counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        metrics::gauge!(DEAD_LETTERS, "status" => status).set(count as f64);
    }
    Ok(())
}
