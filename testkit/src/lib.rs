//! Test support for gescom's integration tests. Each test gets its own database (from
//! `#[sqlx::test]`) and, from here, its own NATS stream and subject prefix, so tests run
//! in parallel against the real PostgreSQL and the real JetStream.

pub mod auth;
pub mod contract;
pub mod documented;
pub mod fake_platform;
pub mod metrics;

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use async_nats::jetstream;
use futures::StreamExt;
use platform::config::{DatabaseConfig, NatsConfig};
use platform::nats::Subjects;
use platform::shutdown::Shutdown;
use sqlx::PgPool;

pub use contracts;
pub use platform;

const TEST_STREAM_PREFIX: &str = "GESCOM_TEST_";
/// Streams of earlier test runs older than this are deleted when a test starts.
const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A private stream and subject prefix on the real NATS server.
pub struct NatsTest {
    pub client: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub config: NatsConfig,
}

impl NatsTest {
    pub async fn new() -> Self {
        let client = async_nats::connect(nats_url())
            .await
            .expect("NATS must run on NATS_URL (see README)");
        let jetstream = jetstream::new(client.clone());
        delete_stale_streams(&jetstream).await;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let config = NatsConfig::new(
            &nats_url(),
            &format!("t{id}"),
            &format!("{TEST_STREAM_PREFIX}{}", id.to_uppercase()),
        );
        Self {
            client,
            jetstream,
            config,
        }
    }

    pub fn subjects(&self) -> Subjects {
        self.config.subjects()
    }

    /// Every message on the event stream, in stream order.
    pub async fn messages(&self) -> Vec<jetstream::message::StreamMessage> {
        all_messages(self.stream().await).await
    }

    /// Every message on the integration stream, in stream order.
    pub async fn integration_messages(&self) -> Vec<jetstream::message::StreamMessage> {
        all_messages(self.integration_stream().await).await
    }

    pub async fn message_count(&self) -> u64 {
        match self.jetstream.get_stream(&self.config.stream).await {
            Ok(mut stream) => stream.info().await.map(|i| i.state.messages).unwrap_or(0),
            Err(_) => 0,
        }
    }

    pub async fn stream(&self) -> jetstream::stream::Stream {
        platform::nats::ensure_event_stream(&self.jetstream, &self.config.stream, &self.subjects())
            .await
            .expect("create test stream")
    }

    /// Publishes `envelope` under a fresh `Nats-Msg-Id`, so that JetStream's
    /// deduplication lets it through: to the projector it is a redelivery (or an early
    /// arrival).
    pub async fn publish_copy(&self, envelope: &contracts::envelope::EventEnvelope) {
        self.stream().await;
        let mut map = async_nats::HeaderMap::new();
        map.insert(
            platform::nats::headers::MSG_ID,
            uuid::Uuid::new_v4().to_string().as_str(),
        );
        self.jetstream
            .publish_with_headers(
                self.subjects()
                    .event(&envelope.aggregate_type, &envelope.aggregate_id),
                map,
                serde_json::to_vec(envelope)
                    .expect("envelope as JSON")
                    .into(),
            )
            .await
            .expect("publish")
            .await
            .expect("JetStream ack");
    }

    /// The test's integration stream (created if missing).
    pub async fn integration_stream(&self) -> jetstream::stream::Stream {
        platform::nats::ensure_integration_stream(
            &self.jetstream,
            &self.config.stream,
            &self.subjects(),
        )
        .await
        .expect("create test integration stream")
    }

    pub async fn cleanup(self) {
        let _ = self.jetstream.delete_stream(&self.config.stream).await;
        let _ = self
            .jetstream
            .delete_stream(platform::nats::integration_stream_name(&self.config.stream))
            .await;
    }
}

async fn all_messages(stream: jetstream::stream::Stream) -> Vec<jetstream::message::StreamMessage> {
    let last = stream
        .get_info()
        .await
        .map(|i| i.state.last_sequence)
        .unwrap_or(0);
    let mut out = Vec::new();
    for seq in 1..=last {
        if let Ok(msg) = stream.get_raw_message(seq).await {
            out.push(msg);
        }
    }
    out
}

async fn delete_stale_streams(js: &jetstream::Context) {
    let mut names = js.stream_names();
    let mut stale = Vec::new();
    while let Some(Ok(name)) = names.next().await {
        if name.starts_with(TEST_STREAM_PREFIX) {
            stale.push(name);
        }
    }
    for name in stale {
        if let Ok(mut stream) = js.get_stream(&name).await {
            let old = stream.info().await.is_ok_and(|info| {
                let created: SystemTime = info.created.into();
                created.elapsed().unwrap_or_default() > STALE_AFTER
            });
            if old {
                let _ = js.delete_stream(&name).await;
            }
        }
    }
}

/// The settings a service needs to reach the test's own database.
pub fn database_config(pool: &PgPool) -> DatabaseConfig {
    let options = pool.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("postgres"),
    );
    let mut config = DatabaseConfig::new(url);
    config.max_connections = 5;
    config
}

/// Awaits a condition, re-checking it every few milliseconds; panics with `what` if it
/// does not hold within `timeout`. A wait for a state, not a timed assertion.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Awaits `check` until it yields a value, checking every 10 ms, failing after `timeout`.
pub async fn eventually_value<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A shutdown signal the test fires itself.
pub fn shutdown_switch() -> (tokio::sync::oneshot::Sender<()>, Shutdown) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    (
        tx,
        Shutdown::on(async move {
            let _ = rx.await;
        }),
    )
}

/// Every row of `tables` as `table json`, sorted: two builds of the same tables are
/// equal row for row when their dumps are.
pub async fn dump_tables(pool: &PgPool, tables: &[&str]) -> Vec<String> {
    let sql = tables
        .iter()
        .map(|t| format!("SELECT '{t} ' || to_jsonb(r)::text FROM {t} r"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sqlx::query_scalar(&format!("{sql} ORDER BY 1"))
        .fetch_all(pool)
        .await
        .expect("dump tables")
}

/// Waits until the projector has applied every event in the store: each aggregate's
/// checkpoint is its last sequence, so their sum is the number of events.
pub async fn all_events_projected(pool: &PgPool, timeout: Duration) {
    eventually("every event projected", timeout, || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT (SELECT count(*) FROM events) =
                    (SELECT coalesce(sum(last_sequence), 0) FROM projector_checkpoints)",
        )
        .fetch_one(pool)
        .await
        .expect("count events")
    })
    .await;
}

/// The seller of tests' invoices: real-looking legal ids (La Poste's SIRET, a valid French
/// VAT key), as the proforma tests use.
pub fn seller() -> contracts::invoice::Seller {
    use contracts::customer::{Siret, VatNumber};
    contracts::invoice::Seller {
        name: "Négoce Dupont SAS".to_owned(),
        address: vec!["12 rue des Halles".to_owned(), "69002 Lyon".to_owned()],
        siret: Siret::parse("35600000000048").expect("a valid SIRET"),
        vat_number: VatNumber::parse("FR39356000000").expect("a valid VAT number"),
        legal_form: Some("SAS".to_owned()),
        capital: None,
        rcs: Some("RCS Lyon 356 000 000".to_owned()),
        email: Some("ventes@dupont.example".to_owned()),
        phone: None,
    }
}
