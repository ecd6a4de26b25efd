//! Prometheus metrics: one process-wide recorder (the `metrics` facade is global by
//! design), rendered by each service's public `GET /metrics` from its own router; no
//! listener of the exporter's own. Also what every service measures the same way: HTTP
//! latency by route template and status, the database pool, and a JetStream durable
//! consumer's backlog.
//!
//! Every name starts with `gescom_`; durations are histograms in seconds (`_seconds`),
//! counters end in `_total`. The README's "Observability" section lists them all.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

/// The `route` label of a request that matched no route: raw paths never become labels.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The `method` label of a request whose method is not a standard one.
pub const OTHER_METHOD: &str = "other";

/// The Prometheus text format's media type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets, in seconds, for every duration: from a fast HTTP answer (1 ms) to
/// a projector many minutes behind.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    300.0, 1800.0,
];

/// How often recorded histogram samples are folded in even when nobody scrapes, so that
/// they do not pile up in memory.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder on first call (later calls return the same handle).
/// `None` only if another recorder was installed first, in which case nothing is
/// rendered. Called by every service's router and by the relay and the consumer, so
/// that what they record is kept from the start.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .ok()?
                .install_recorder()
                .map_err(|error| tracing::warn!(%error, "no metrics recorder installed"))
                .ok()?;
            describe();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let upkeep = handle.clone();
                runtime.spawn(async move {
                    let mut every = tokio::time::interval(UPKEEP_EVERY);
                    loop {
                        every.tick().await;
                        upkeep.run_upkeep();
                    }
                });
            }
            Some(handle)
        })
        .as_ref()
}

/// What the metrics every service shares mean (`# HELP` lines).
fn describe() {
    use metrics::{describe_gauge, describe_histogram, Unit};
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request duration until the response head, by method, route template and status"
    );
    describe_gauge!(DB_POOL, "Database pool connections by state (in_use, idle)");
    describe_gauge!(DB_POOL_MAX, "Largest size of the database pool");
    describe_gauge!(
        CONSUMER_PENDING,
        "Messages on the event stream not yet delivered to the durable consumer"
    );
    describe_gauge!(
        CONSUMER_ACK_PENDING,
        "Messages delivered to the durable consumer and not yet acknowledged"
    );
    describe_gauge!(
        CONSUMER_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest message on the event stream the durable consumer has not acknowledged (0 when none)"
    );
}

pub const HTTP_DURATION: &str = "gescom_http_request_duration_seconds";
pub const DB_POOL: &str = "gescom_db_pool_connections";
pub const DB_POOL_MAX: &str = "gescom_db_pool_max_connections";
pub const CONSUMER_PENDING: &str = "gescom_projector_consumer_pending_messages";
pub const CONSUMER_ACK_PENDING: &str = "gescom_projector_consumer_ack_pending_messages";
pub const CONSUMER_OLDEST_AGE: &str = "gescom_projector_consumer_oldest_unacked_age_seconds";

/// Records each request's duration (until the response head) by method (or
/// [`OTHER_METHOD`]), route template (`/products/{id}`, or [`UNMATCHED_ROUTE`]) and status. A layer on the router, so
/// that axum's `MatchedPath` is known.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Clients may send any method name: only the standard ones become labels.
    let method = match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => OTHER_METHOD,
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED_ROUTE.to_owned(), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    metrics::histogram!(
        HTTP_DURATION,
        "method" => method,
        "route" => route,
        "status" => response.status().as_u16().to_string(),
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Sets the pool gauges from `pool` now.
pub fn record_pool(pool: &PgPool) {
    let size = pool.size();
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(size);
    metrics::gauge!(DB_POOL, "state" => "in_use").set(f64::from(size - idle));
    metrics::gauge!(DB_POOL, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_POOL_MAX).set(f64::from(pool.options().get_max_connections()));
}

/// `GET /metrics`: the Prometheus text of everything recorded in this process, the
/// pool gauges taken now.
pub async fn render(pool: &PgPool) -> Response {
    record_pool(pool);
    let Some(handle) = install() else {
        return (
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            String::new(),
        )
            .into_response();
    };
    handle.run_upkeep();
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        handle.render(),
    )
        .into_response()
}

/// A durable consumer's backlog on a stream, as JetStream reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumerBacklog {
    /// Not yet delivered (JetStream's `num_pending`).
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: u64,
    /// Age of the oldest message not acknowledged; zero when there is none.
    pub oldest_unacked_age: Duration,
}

/// The backlog of durable consumer `durable` on `stream`. A consumer that does not
/// exist yet (the projector never ran) has everything on the stream before it.
pub async fn consumer_backlog(
    jetstream: &jetstream::Context,
    stream: &str,
    durable: &str,
) -> Result<ConsumerBacklog, String> {
    let stream = jetstream
        .get_stream(stream)
        .await
        .map_err(|e| e.to_string())?;
    let (pending, ack_pending, first_unacked) = match stream.consumer_info(durable).await {
        Ok(info) => (
            info.num_pending,
            u64::try_from(info.num_ack_pending).unwrap_or(0),
            info.ack_floor.stream_sequence + 1,
        ),
        Err(error) if error.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound => {
            let state = stream.get_info().await.map_err(|e| e.to_string())?.state;
            (state.messages, 0, state.first_sequence)
        }
        Err(error) => return Err(error.to_string()),
    };
    let oldest_unacked_age = if pending + ack_pending == 0 {
        Duration::ZERO
    } else {
        let message = stream
            .get_raw_message(first_unacked)
            .await
            .map_err(|e| e.to_string())?;
        let published = std::time::SystemTime::from(message.time);
        published.elapsed().unwrap_or_default()
    };
    Ok(ConsumerBacklog {
        pending,
        ack_pending,
        oldest_unacked_age,
    })
}

/// Samples `durable`'s backlog and sets the consumer gauges (labelled `consumer`). A
/// failure (NATS away) leaves the last values and is returned for the log.
pub async fn record_consumer_backlog(
    jetstream: &jetstream::Context,
    stream: &str,
    durable: &str,
) -> Result<ConsumerBacklog, String> {
    let backlog = consumer_backlog(jetstream, stream, durable).await?;
    let consumer = durable.to_owned();
    metrics::gauge!(CONSUMER_PENDING, "consumer" => consumer.clone()).set(backlog.pending as f64);
    metrics::gauge!(CONSUMER_ACK_PENDING, "consumer" => consumer.clone())
        .set(backlog.ack_pending as f64);
    metrics::gauge!(CONSUMER_OLDEST_AGE, "consumer" => consumer)
        .set(backlog.oldest_unacked_age.as_secs_f64());
    Ok(backlog)
}
