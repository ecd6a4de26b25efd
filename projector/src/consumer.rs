//! The live projector: a durable JetStream pull consumer with explicit acks.
//!
//! Only one instance is active: it holds a session advisory lock on a dedicated
//! connection; a second replica waits in standby until the lock frees. Messages are
//! handled in small batches, one transaction each, and acked only after that
//! transaction has committed.
//!
//! A `projector rebuild` first takes the rebuild lock, then waits for the projector
//! lock. The active instance sees the rebuild lock taken at its next lock check, lets
//! its lock go between two batches and waits in standby, like every other replica,
//! until the rebuild has committed. It then resumes from its durable position: what the
//! rebuild replayed is skipped as duplicates, what came after applies.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
use async_nats::jetstream::{self, AckKind, Message};
use futures::{FutureExt, StreamExt};
use platform::db::{channels, locks};
use platform::nats::Subjects;
use platform::shutdown::Shutdown;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::watch;

use crate::checkpoint::{apply_all, Failed, Named, Outcome};
use crate::dead_letters::{self, Reason};
use crate::projections::ProjectionError;

/// Seconds from an event's `occurred_at` to its read-model change committing, by
/// `aggregate_type`.
pub const LAG: &str = "gescom_projector_lag_seconds";
/// Messages settled, by `outcome`: applied, duplicate, held_back, rejected, parked, retried.
pub const MESSAGES: &str = "gescom_projector_messages_total";

fn describe() {
    use metrics::{describe_counter, describe_histogram, Unit};
    describe_histogram!(
        LAG,
        Unit::Seconds,
        "Projection lag: from an event's occurred_at to its read-model change committing, by aggregate type"
    );
    describe_counter!(
        MESSAGES,
        "Event-stream messages the projector settled, by outcome (applied, duplicate, held_back, rejected, parked, retried)"
    );
}

/// A span for one message, in the trace its `traceparent` header continues, carrying
/// its correlation id (headers are read for tracing only, never for what is applied).
fn message_span(message: &Message) -> tracing::Span {
    let header = |name: &str| {
        message
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .map(|v| v.as_str().to_owned())
    };
    let span = tracing::info_span!(
        "project",
        msg_id = header(platform::nats::headers::MSG_ID)
            .as_deref()
            .unwrap_or("-"),
        correlation_id = header(platform::nats::headers::CORRELATION_ID)
            .as_deref()
            .unwrap_or("-"),
    );
    if let Some(parent) = header(platform::telemetry::TRACEPARENT_HEADER) {
        platform::telemetry::set_parent(&span, &parent);
    }
    span
}

#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("lost the projector lock's connection: {0}")]
    LockLost(sqlx::Error),
    #[error("JetStream: {0}")]
    JetStream(String),
    #[error("projection: {0}")]
    Projection(#[from] ProjectionError),
}

/// A session that lasted this long resets the back-off.
const HEALTHY_SESSION: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    pub stream: String,
    pub subjects: Subjects,
    /// Durable consumer name: the position survives restarts.
    pub durable: String,
    /// Most messages handled in one transaction.
    pub max_batch: usize,
    /// How often a standby retries the lock and the active one checks it still holds it.
    pub lock_check: Duration,
    /// How long NATS waits for an ack before redelivering: after a crash, how long the
    /// messages the dead instance had pulled wait. A batch that takes longer reports
    /// progress instead.
    pub ack_wait: Duration,
    /// First pause before starting over after a failure; it doubles up to 30 s, and
    /// comes back to this after a healthy session.
    pub backoff: Duration,
}

impl ConsumerConfig {
    pub fn new(stream: impl Into<String>, subjects: Subjects) -> Self {
        Self {
            stream: stream.into(),
            subjects,
            durable: "projector".to_owned(),
            max_batch: 256,
            lock_check: Duration::from_secs(1),
            ack_wait: Duration::from_secs(3),
            backoff: Duration::from_millis(200),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Starting,
    /// Another instance holds the lock.
    Standby,
    Active,
    Stopped,
}

/// Counters, for tests, logs and `/admin/status` (Prometheus counts the same in
/// [`MESSAGES`]).
#[derive(Debug, Default)]
pub struct Stats {
    pub applied: AtomicU64,
    pub duplicates: AtomicU64,
    /// Events applied from the store before the one a message named (gaps filled).
    pub gap_filled: AtomicU64,
    /// Messages acked unapplied because their stream waits behind a parked event.
    pub held_back: AtomicU64,
    /// Messages recorded as dead letters: unreadable, or naming no stored event.
    pub rejected: AtomicU64,
    /// Stored events parked because a projection failed on them.
    pub failed: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

pub struct Consumer {
    pool: PgPool,
    jetstream: jetstream::Context,
    config: ConsumerConfig,
    role: watch::Sender<Role>,
    stats: Arc<Stats>,
}

impl Consumer {
    pub fn new(pool: PgPool, client: async_nats::Client, config: ConsumerConfig) -> Self {
        platform::metrics::install();
        describe();
        Self {
            pool,
            jetstream: jetstream::new(client),
            config,
            role: watch::Sender::new(Role::Starting),
            stats: Arc::default(),
        }
    }

    pub fn role(&self) -> watch::Receiver<Role> {
        self.role.subscribe()
    }

    pub fn stats(&self) -> Arc<Stats> {
        Arc::clone(&self.stats)
    }

    /// Waits for the lock, then projects until `shutdown`. When the database, the lock's
    /// connection or JetStream fails, it starts over (lock included) after a back-off.
    pub async fn run(self, shutdown: Shutdown) {
        let mut backoff = self.config.backoff;
        loop {
            let started = tokio::time::Instant::now();
            match self.run_inner(shutdown.clone()).await {
                Ok(()) => break,
                Err(error) => {
                    // One fault after a healthy while costs the shortest pause; only
                    // faults in a row wait longer.
                    if started.elapsed() >= HEALTHY_SESSION {
                        backoff = self.config.backoff;
                    }
                    self.role.send_replace(Role::Starting);
                    tracing::warn!(%error, retry_in = ?backoff, "projector failed; starting over");
                    tokio::select! {
                        () = shutdown.clone().wait() => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
        self.role.send_replace(Role::Stopped);
    }

    async fn run_inner(&self, shutdown: Shutdown) -> Result<(), ConsumerError> {
        let stop = shutdown.wait();
        tokio::pin!(stop);
        let mut lock = self.pool.acquire().await?.detach();
        loop {
            if !self.take_lock(&mut lock, &mut stop).await? {
                return Ok(());
            }
            match self.project(&mut lock, &mut stop).await? {
                Session::Stopped => break,
                Session::SteppedDown => {
                    sqlx::query("SELECT pg_advisory_unlock($1)")
                        .bind(locks::PROJECTOR)
                        .execute(&mut lock)
                        .await?;
                    tracing::info!("a rebuild is waiting: projector lock released");
                }
            }
        }
        // Closing the connection releases the session lock for a standby.
        let _ = lock.close().await;
        Ok(())
    }

    /// Waits in standby until this instance holds the projector lock and no rebuild
    /// waits for it (true), or until `stop` (false).
    async fn take_lock(
        &self,
        lock: &mut PgConnection,
        stop: &mut (impl std::future::Future<Output = ()> + Unpin),
    ) -> Result<bool, ConsumerError> {
        loop {
            if !rebuild_waiting(lock).await? {
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(locks::PROJECTOR)
                    .fetch_one(&mut *lock)
                    .await?;
                if got {
                    self.role.send_replace(Role::Active);
                    return Ok(true);
                }
            }
            if self.role.send_replace(Role::Standby) != Role::Standby {
                tracing::info!("another projector or a rebuild holds the lock; waiting");
            }
            tokio::select! {
                () = &mut *stop => return Ok(false),
                () = tokio::time::sleep(self.config.lock_check) => {}
            }
        }
    }

    /// Projects while this instance holds the lock, until `stop` or a waiting rebuild.
    async fn project(
        &self,
        lock: &mut PgConnection,
        stop: &mut (impl std::future::Future<Output = ()> + Unpin),
    ) -> Result<Session, ConsumerError> {
        tracing::info!(durable = %self.config.durable, "projector active");

        let stream = platform::nats::ensure_event_stream(
            &self.jetstream,
            &self.config.stream,
            &self.config.subjects,
        )
        .await
        .map_err(|e| ConsumerError::JetStream(e.to_string()))?;
        let consumer = stream
            // Create or update: a consumer made by an older release takes today's
            // settings (ack_wait).
            .create_consumer(pull::Config {
                durable_name: Some(self.config.durable.clone()),
                ack_policy: AckPolicy::Explicit,
                deliver_policy: DeliverPolicy::All,
                filter_subject: self.config.subjects.all_events(),
                ack_wait: self.config.ack_wait,
                ..Default::default()
            })
            .await
            .map_err(|e| ConsumerError::JetStream(e.to_string()))?;
        let mut messages = consumer
            .messages()
            .await
            .map_err(|e| ConsumerError::JetStream(e.to_string()))?;
        let mut lock_check = tokio::time::interval(self.config.lock_check);
        loop {
            let first = tokio::select! {
                () = &mut *stop => return Ok(Session::Stopped),
                _ = lock_check.tick() => {
                    if rebuild_waiting(lock).await? {
                        return Ok(Session::SteppedDown);
                    }
                    continue;
                }
                next = messages.next() => next,
            };
            let Some(first) = first else {
                return Err(ConsumerError::JetStream("message stream ended".to_owned()));
            };
            // Whatever else is already buffered joins the batch: low latency when idle,
            // fewer commits under load.
            let mut batch = Vec::new();
            let mut next = Some(first);
            while let Some(item) = next {
                match item {
                    Ok(message) => batch.push(message),
                    Err(error) => tracing::warn!(%error, "JetStream pull error"),
                }
                next = if batch.len() < self.config.max_batch {
                    messages.next().now_or_never().flatten()
                } else {
                    None
                };
            }
            if !batch.is_empty() {
                self.handle_batch(batch).await?;
            }
        }
    }

    /// Applies a batch in one transaction and settles each message; if the batch fails,
    /// each message is tried alone, so that only the one at fault is parked. A failure the
    /// database might not repeat (a lost connection) parks nothing: the session starts
    /// over and NATS redelivers.
    async fn handle_batch(&self, batch: Vec<Message>) -> Result<(), ConsumerError> {
        let outcomes = self
            .with_progress(&batch, self.apply_or_isolate(&batch))
            .await?;
        for (message, outcome) in batch.iter().zip(outcomes) {
            self.settle(message, outcome).await;
        }
        Ok(())
    }

    /// Applies a batch in one transaction; if it fails, each message is tried alone, so
    /// that only the one at fault is parked. A failure the database might not repeat (a
    /// lost connection) parks nothing: the session starts over and NATS redelivers.
    async fn apply_or_isolate(&self, batch: &[Message]) -> Result<Vec<Settle>, ConsumerError> {
        match self.apply_batch(batch).await {
            Ok(outcomes) => Ok(outcomes),
            Err(failed) if is_transient(&failed.source) => Err(failed.source.into()),
            Err(failed) => {
                tracing::warn!(error = %failed, size = batch.len(), "batch failed; retrying one by one");
                let mut outcomes = Vec::with_capacity(batch.len());
                for message in batch {
                    outcomes.push(
                        match self.apply_batch(std::slice::from_ref(message)).await {
                            Ok(mut alone) => alone.pop().unwrap_or(Settle::Retry),
                            Err(failed) if is_transient(&failed.source) => {
                                return Err(failed.source.into())
                            }
                            Err(failed) => self.park(message, &failed).await?,
                        },
                    );
                }
                Ok(outcomes)
            }
        }
    }

    /// Runs `work` while telling NATS, every third of `ack_wait`, that `batch` is still
    /// being worked on: a short `ack_wait` then only bounds how long a crashed
    /// instance's messages wait, not how long a batch may take.
    async fn with_progress<T>(&self, batch: &[Message], work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        let every = self.config.ack_wait / 3;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = tick.tick() => {
                    for message in batch {
                        if let Err(error) = message.ack_with(AckKind::Progress).await {
                            tracing::warn!(%error, "progress ack failed");
                        }
                    }
                }
            }
        }
    }

    async fn apply_batch(&self, batch: &[Message]) -> Result<Vec<Settle>, Failed> {
        let mut tx = self.pool.begin().await?;
        let read: Vec<_> = batch
            .iter()
            .map(|message| Named::read(&message.payload))
            .collect();
        let (names, spans): (Vec<Named>, Vec<&Message>) = read
            .iter()
            .zip(batch)
            .filter_map(|(named, message)| Some((named.as_ref().ok()?.clone(), message)))
            .unzip();
        let mut applied = apply_all(&mut tx, &names, |i| message_span(spans[i]))
            .await?
            .into_iter();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut lags = Vec::new();
        for (message, named) in batch.iter().zip(&read) {
            let named = match named {
                Ok(named) => named,
                Err(error) => {
                    dead_letters::reject(
                        &mut tx,
                        &message.subject,
                        None,
                        Reason::Malformed,
                        &error.to_string(),
                    )
                    .await?;
                    outcomes.push(Settle::Rejected);
                    continue;
                }
            };
            let outcome = applied.next().unwrap_or(Outcome::NotInStore);
            match outcome {
                Outcome::Applied {
                    occurred_at: Some(occurred_at),
                    ..
                } => lags.push((named.aggregate_type.clone(), occurred_at)),
                Outcome::NotInStore => {
                    dead_letters::reject(
                        &mut tx,
                        &message.subject,
                        Some(named),
                        Reason::NotInStore,
                        "the event store holds no such event",
                    )
                    .await?;
                }
                _ => {}
            }
            outcomes.push(Settle::Done(outcome));
        }
        tx.commit().await?;
        let now = chrono::Utc::now();
        for (aggregate_type, occurred_at) in lags {
            let lag = (now - occurred_at).to_std().unwrap_or_default();
            metrics::histogram!(LAG, "aggregate_type" => aggregate_type).record(lag.as_secs_f64());
        }
        Ok(outcomes)
    }

    /// Parks the stored event that failed alone; its stream waits behind it.
    async fn park(&self, message: &Message, failed: &Failed) -> Result<Settle, ConsumerError> {
        self.stats.failed.fetch_add(1, Ordering::Relaxed);
        let Ok(named) = Named::read(&message.payload) else {
            return Ok(Settle::Retry);
        };
        let sequence = failed.sequence.unwrap_or(named.sequence);
        let mut conn = self.pool.acquire().await?;
        dead_letters::park(
            &mut conn,
            &message.subject,
            &named.aggregate_type,
            &named.aggregate_id,
            sequence,
            &failed.source.to_string(),
        )
        .await?;
        Ok(Settle::Parked)
    }

    async fn settle(&self, message: &Message, settle: Settle) {
        let (kind, outcome) = match settle {
            Settle::Done(Outcome::Applied { events, .. }) => {
                self.stats.applied.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .gap_filled
                    .fetch_add(events.saturating_sub(1) as u64, Ordering::Relaxed);
                (AckKind::Ack, "applied")
            }
            Settle::Done(Outcome::Duplicate) => {
                self.stats.duplicates.fetch_add(1, Ordering::Relaxed);
                (AckKind::Ack, "duplicate")
            }
            // Acked: the retry or skip that unparks the stream reads it from the store.
            Settle::Done(Outcome::HeldBack) => {
                self.stats.held_back.fetch_add(1, Ordering::Relaxed);
                (AckKind::Ack, "held_back")
            }
            // Acked: parked with its error, the event waits in the store.
            Settle::Parked => (AckKind::Ack, "parked"),
            Settle::Done(Outcome::NotInStore) | Settle::Rejected => {
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                (AckKind::Term, "rejected")
            }
            Settle::Retry => (AckKind::Nak(Some(Duration::from_secs(1))), "retried"),
        };
        metrics::counter!(MESSAGES, "outcome" => outcome).increment(1);
        if let Err(error) = message.ack_with(kind).await {
            // Not fatal: an unacked message is redelivered and then skipped as a duplicate.
            tracing::warn!(%error, "ack failed");
        }
    }
}

enum Settle {
    Done(Outcome),
    /// Recorded as a dead letter, not applied.
    Rejected,
    /// Its stored event failed and is parked.
    Parked,
    Retry,
}

/// Whether the database might not fail the same way again: a lost or refused connection,
/// a server shutting down, a serialisation failure or deadlock.
fn is_transient(error: &ProjectionError) -> bool {
    let ProjectionError::Database(error) = error else {
        return false;
    };
    // Besides a lost connection: a serialisation failure, deadlock or lock timeout.
    platform::db::is_connection_loss(error)
        || matches!(error, sqlx::Error::Database(db)
            if db.code().is_some_and(|code| ["40001", "40P01", "55P03"].contains(&code.as_ref())))
}

enum Session {
    Stopped,
    /// A rebuild waits for the lock.
    SteppedDown,
}

/// Whether a rebuild holds its lock; also proves the lock's connection still lives.
async fn rebuild_waiting(lock: &mut PgConnection) -> Result<bool, ConsumerError> {
    // A shared try-lock succeeds unless the rebuild holds the key exclusively; it is
    // given back at once.
    let free: bool = sqlx::query_scalar(
        "SELECT CASE WHEN pg_try_advisory_lock_shared($1)
                     THEN pg_advisory_unlock_shared($1) ELSE false END",
    )
    .bind(locks::REBUILD)
    .fetch_one(lock)
    .await
    .map_err(ConsumerError::LockLost)?;
    Ok(!free)
}

/// Wakes read-api's read-your-writes waiters once this transaction commits.
pub(crate) async fn notify_projected(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(channels::PROJECTED)
        .execute(conn)
        .await
        .map(drop)
}
