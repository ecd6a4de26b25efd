//! The outbox relay: publishes `outbox` rows to JetStream and marks what it has sent.
//!
//! **The gap trap.** A bigserial id is assigned at insert but becomes visible at commit,
//! so ids commit out of order, and a reader that checkpoints on "max id seen" skips a
//! row that commits late. This relay keeps no such checkpoint: it reads every row not
//! yet marked `published_at`, oldest id first, so a late committer is simply picked up
//! by a later batch.
//!
//! **Order.** What consumers rely on is per-aggregate order, and it holds: the event with
//! sequence n+1 is written by a transaction that loaded the aggregate after sequence n
//! committed, so when n+1 is visible, n is visible too (or already sent), and it has the
//! smaller id. Across aggregates, rows go out in the order they became visible.
//! (Filtering on `pg_snapshot_xmin` would also give global id order, but the horizon is
//! cluster-wide: any long write transaction in any database, such as a read-model
//! rebuild, would stall publication for its whole duration.)
//!
//! One relay publishes at a time (`pg_try_advisory_xact_lock`); a crash between publish
//! and mark republishes, and JetStream drops the copy by its `Nats-Msg-Id`.
//!
//! **Metrics.** Beside publishing, the relay samples every `sample_every` what ops watch
//! even while the projector is down: the outbox backlog and the age of its oldest row,
//! and the projector's durable consumer backlog on the stream (its pending messages and
//! the age of the oldest one it has not acknowledged), which keeps rising while no
//! projector consumes.

use std::time::{Duration, Instant};

use async_nats::jetstream;
use async_nats::HeaderMap;
use contracts::envelope::EventEnvelope;
use contracts::metadata::EventMeta;
use futures::FutureExt;
use platform::db::{channels, locks};
use platform::nats::{headers, Subjects};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tracing::Instrument;

/// Events published (and acknowledged by JetStream).
pub const PUBLISHED: &str = "gescom_relay_published_events_total";
/// Batches JetStream did not take at all.
pub const FAILURES: &str = "gescom_relay_failed_batches_total";
/// From a batch's first publish to its last ack.
pub const PUBLISH_DURATION: &str = "gescom_relay_publish_duration_seconds";
/// Outbox rows not yet published.
pub const OUTBOX_UNPUBLISHED: &str = "gescom_outbox_unpublished_events";
/// Age of the oldest unpublished outbox row (0 when none).
pub const OUTBOX_OLDEST_AGE: &str = "gescom_outbox_oldest_unpublished_age_seconds";

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        PUBLISHED,
        "Events the relay published to JetStream (acknowledged)"
    );
    describe_counter!(FAILURES, "Relay batches JetStream took none of");
    describe_histogram!(
        PUBLISH_DURATION,
        Unit::Seconds,
        "Relay batch publish time, from its first publish to its last JetStream ack"
    );
    describe_gauge!(OUTBOX_UNPUBLISHED, "Outbox rows not yet published");
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest unpublished outbox row (0 when none)"
    );
}

const PRUNE_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot create stream: {0}")]
    Stream(#[from] jetstream::context::CreateStreamError),
    #[error("cannot encode event: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("JetStream did not take the batch: {0}")]
    Publish(String),
}

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub stream: String,
    pub subjects: Subjects,
    /// Rows read and published per transaction.
    pub batch_size: i64,
    /// Longest wait for a notification before looking at the outbox anyway.
    pub idle_poll: Duration,
    /// How long a publish may wait for JetStream's ack.
    pub ack_timeout: Duration,
    /// Published rows older than this are deleted; the event store keeps the events.
    pub retention: Duration,
    /// The projector's durable consumer, whose backlog the relay samples.
    pub projector_durable: String,
    /// How often the outbox and the projector's consumer are sampled for metrics.
    pub sample_every: Duration,
}

impl RelayConfig {
    pub fn new(stream: impl Into<String>, subjects: Subjects) -> Self {
        Self {
            stream: stream.into(),
            subjects,
            batch_size: 500,
            idle_poll: Duration::from_secs(1),
            ack_timeout: Duration::from_secs(2),
            retention: Duration::from_secs(24 * 3600),
            projector_durable: "projector".to_owned(),
            sample_every: Duration::from_secs(5),
        }
    }
}

pub struct Relay {
    pool: PgPool,
    jetstream: jetstream::Context,
    config: RelayConfig,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    #[sqlx(flatten)]
    envelope: EventEnvelope,
}

impl Relay {
    pub fn new(pool: PgPool, client: async_nats::Client, config: RelayConfig) -> Self {
        let mut jetstream = jetstream::new(client);
        jetstream.set_timeout(config.ack_timeout);
        platform::metrics::install();
        describe();
        Self {
            pool,
            jetstream,
            config,
        }
    }

    /// Publishes, and samples the metrics, until `shutdown` completes. Errors (NATS or
    /// database down) are logged and retried with back-off: the outbox keeps everything
    /// meanwhile.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let shutdown = shutdown.shared();
        // Boxed: the two loops' state would make every caller's future large.
        tokio::join!(
            Box::pin(self.publish(shutdown.clone())),
            Box::pin(self.sample(shutdown))
        );
    }

    /// Samples the outbox and the projector's consumer every `sample_every`.
    async fn sample(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut every = tokio::time::interval(self.config.sample_every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = every.tick() => {}
            }
            let sampled = async {
                if let Err(error) = self.sample_outbox().await {
                    tracing::debug!(%error, "cannot sample the outbox");
                }
                if let Err(error) = platform::metrics::record_consumer_backlog(
                    &self.jetstream,
                    &self.config.stream,
                    &self.config.projector_durable,
                )
                .await
                {
                    tracing::debug!(%error, "cannot sample the projector's consumer");
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = sampled => {}
            }
        }
    }

    /// Sets the outbox gauges: unpublished rows and the age of the oldest.
    pub async fn sample_outbox(&self) -> Result<(), sqlx::Error> {
        let (rows, oldest_age): (i64, Option<f64>) = sqlx::query_as(
            "SELECT count(*), extract(epoch FROM now() - min(created_at))::float8
               FROM outbox WHERE published_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        metrics::gauge!(OUTBOX_UNPUBLISHED).set(rows as f64);
        metrics::gauge!(OUTBOX_OLDEST_AGE).set(oldest_age.unwrap_or(0.0).max(0.0));
        Ok(())
    }

    async fn publish(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut listener = None;
        let mut stream_ready = false;
        let mut backoff = Duration::from_millis(50);
        let mut next_prune = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_prune {
                next_prune += PRUNE_EVERY;
                if let Err(error) = self.prune().await {
                    tracing::warn!(%error, "cannot prune the outbox");
                }
            }
            if listener.is_none() {
                listener = self.listen().await;
            }
            let step = async {
                if !stream_ready {
                    platform::nats::ensure_event_stream(
                        &self.jetstream,
                        &self.config.stream,
                        &self.config.subjects,
                    )
                    .await?;
                    platform::nats::ensure_integration_stream(
                        &self.jetstream,
                        &self.config.stream,
                        &self.config.subjects,
                    )
                    .await?;
                    stream_ready = true;
                }
                self.publish_batch().await
            };
            let outcome = tokio::select! {
                () = &mut shutdown => return,
                outcome = step => outcome,
            };
            let wait = match outcome {
                Ok(sent) if sent > 0 => {
                    backoff = Duration::from_millis(50);
                    continue;
                }
                Ok(_) => {
                    backoff = Duration::from_millis(50);
                    self.config.idle_poll
                }
                Err(error) => {
                    // The stream may have been deleted or never created: look again.
                    stream_ready = false;
                    tracing::warn!(%error, retry_in = ?backoff, "outbox relay failed; retrying");
                    let wait = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    wait
                }
            };
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.recv().await.map(drop),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(wait) => {}
                received = notified => if received.is_err() { listener = None },
            }
        }
    }

    async fn listen(&self) -> Option<PgListener> {
        let mut listener = PgListener::connect_with(&self.pool).await.ok()?;
        listener.listen(channels::OUTBOX).await.ok()?;
        Some(listener)
    }

    /// Deletes published rows older than the retention. Returns how many.
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        sqlx::query(
            "DELETE FROM outbox
              WHERE published_at IS NOT NULL
                AND published_at < now() - make_interval(secs => $1)",
        )
        .bind(self.config.retention.as_secs_f64())
        .execute(&self.pool)
        .await
        .map(|done| done.rows_affected())
    }

    /// Publishes one batch of unmarked rows in id order and marks the ones JetStream
    /// acknowledged. Returns how many were marked.
    pub async fn publish_batch(&self) -> Result<usize, RelayError> {
        let mut tx = self.pool.begin().await?;
        // The leader's lock is tried once, as the statement's first step (an InitPlan); a
        // relay that does not get it reads nothing: one round trip either way.
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "WITH leader AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($2) AS taken)
             SELECT o.id, o.aggregate_type, o.aggregate_id, o.sequence,
                    e.event_type, e.event_version, e.payload, e.metadata
               FROM outbox o
               JOIN events e USING (aggregate_type, aggregate_id, sequence)
              WHERE (SELECT taken FROM leader) AND o.published_at IS NULL
              ORDER BY o.id
              LIMIT $1",
        )
        .bind(self.config.batch_size)
        .bind(locks::OUTBOX_RELAY)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        // Send the whole batch, then collect the acks: messages on one connection keep
        // their order, and the round trips overlap.
        let started = Instant::now();
        let mut pending = Vec::with_capacity(rows.len());
        let mut failure = None;
        'rows: for OutboxRow { id, envelope } in rows {
            // The domain event, and the integration event it gives, if any: the row is
            // sent when both are. The metadata is read once. The relay judges nothing: an
            // event whose metadata or payload does not read still goes out, without the
            // headers and integration message it cannot give, so that one bad row holds
            // no later one back; the projector parks it, the log names it here.
            let meta = envelope.meta().map_err(|error| {
                tracing::error!(%error, msg_id = %envelope.msg_id(), "unreadable event metadata");
            });
            // A span per event, in the command's trace, carrying its correlation id; its
            // own context goes on in the messages' `traceparent` to the projector.
            let span = tracing::info_span!(
                "relay.publish",
                msg_id = %envelope.msg_id(),
                correlation_id = meta.as_ref().map_or("-", |m| m.correlation_id.as_str()),
            );
            if let Some(parent) = meta.as_ref().ok().and_then(|m| m.traceparent.as_deref()) {
                platform::telemetry::set_parent(&span, parent);
            }
            let traceparent = platform::telemetry::traceparent(&span);
            let mut messages = vec![(
                self.config
                    .subjects
                    .event(&envelope.aggregate_type, &envelope.aggregate_id),
                message_headers(&envelope, meta.as_ref().ok(), traceparent.as_deref()),
                serde_json::to_vec(&envelope)?,
            )];
            let integration = meta.ok().and_then(|meta| {
                contracts::integration::from_domain(&envelope, &meta).unwrap_or_else(|error| {
                    tracing::error!(%error, msg_id = %envelope.msg_id(), "no integration message");
                    None
                })
            });
            if let Some(integration) = integration {
                let mut headers = HeaderMap::new();
                headers.insert(headers::MSG_ID, format!("int:{}", integration.id).as_str());
                headers.insert(headers::EVENT_TYPE, integration.event_type);
                headers.insert(
                    headers::EVENT_VERSION,
                    integration.version.to_string().as_str(),
                );
                if let Some(traceparent) = &traceparent {
                    headers.insert(
                        platform::telemetry::TRACEPARENT_HEADER,
                        traceparent.as_str(),
                    );
                }
                messages.push((
                    self.config
                        .subjects
                        .integration(integration.event_type, integration.version),
                    headers,
                    serde_json::to_vec(&integration)?,
                ));
            }
            let mut acks = Vec::with_capacity(messages.len());
            for (subject, headers, body) in messages {
                match self
                    .jetstream
                    .publish_with_headers(subject, headers, body.into())
                    .instrument(span.clone())
                    .await
                {
                    Ok(ack) => acks.push(ack),
                    Err(error) => {
                        failure = Some(error.to_string());
                        break 'rows;
                    }
                }
            }
            pending.push((id, acks));
        }
        // Mark only the unbroken prefix that JetStream acknowledged: the rest is sent
        // again, in order, next time.
        let mut sent = Vec::with_capacity(pending.len());
        'acks: for (id, acks) in pending {
            for ack in acks {
                if let Err(error) = ack.await {
                    failure = Some(error.to_string());
                    break 'acks;
                }
            }
            sent.push(id);
        }
        if sent.is_empty() {
            // Nothing went through: let the caller back off (and check the stream).
            metrics::counter!(FAILURES).increment(1);
            return Err(RelayError::Publish(failure.unwrap_or_default()));
        }
        metrics::histogram!(PUBLISH_DURATION).record(started.elapsed().as_secs_f64());
        if let Some(error) = failure {
            tracing::warn!(%error, published = sent.len(), "part of a batch was not acknowledged");
        }
        sqlx::query("UPDATE outbox SET published_at = now() WHERE id = ANY($1)")
            .bind(&sent)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        metrics::counter!(PUBLISHED).increment(sent.len() as u64);
        Ok(sent.len())
    }
}

fn message_headers(
    envelope: &EventEnvelope,
    meta: Option<&EventMeta>,
    traceparent: Option<&str>,
) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(headers::MSG_ID, envelope.msg_id().as_str());
    map.insert(headers::EVENT_TYPE, envelope.event_type.as_str());
    map.insert(headers::EVENT_VERSION, envelope.event_version.as_str());
    map.insert(headers::AGGREGATE_TYPE, envelope.aggregate_type.as_str());
    map.insert(headers::AGGREGATE_ID, envelope.aggregate_id.as_str());
    map.insert(headers::SEQUENCE, envelope.sequence.to_string().as_str());
    if let Some(meta) = meta {
        map.insert(headers::CORRELATION_ID, meta.correlation_id.as_str());
        map.insert(headers::ACTOR_ID, meta.actor_id.as_str());
    }
    if let Some(traceparent) = traceparent {
        map.insert(platform::telemetry::TRACEPARENT_HEADER, traceparent);
    }
    map
}
