use std::sync::Arc;
use std::time::Duration;

use command_api::domain::product::{Product, ProductCommand, ProductPatch};
use command_api::es::CommandBus;
use command_api::relay::{Relay, RelayConfig};
use contracts::envelope::EventEnvelope;
use contracts::events::ProductDetails;
use contracts::ids::ProductId;
use contracts::metadata::EventMeta;
use contracts::money::Money;
use contracts::product::{Category, ProductName, Sku, Unit, VatRate};
use projector::consumer::{Consumer, ConsumerConfig, Role, Stats};
use rust_decimal::Decimal;
use sqlx::PgPool;
use testkit::NatsTest;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

pub struct RunningProjector {
    pub running: Running,
    pub stats: Arc<Stats>,
    pub role: watch::Receiver<Role>,
}

pub fn spawn_projector(pool: &PgPool, nats: &NatsTest) -> RunningProjector {
    let mut config = ConsumerConfig::new(nats.config.stream.clone(), nats.subjects());
    config.lock_check = Duration::from_millis(50);
    let consumer = Consumer::new(pool.clone(), nats.client.clone(), config);
    let stats = consumer.stats();
    let role = consumer.role();
    let (stop, shutdown) = testkit::shutdown_switch();
    let task = tokio::spawn(consumer.run(shutdown));
    RunningProjector {
        running: Running { stop, task },
        stats,
        role,
    }
}

pub fn spawn_relay(pool: &PgPool, nats: &NatsTest) -> Running {
    let mut config = RelayConfig::new(nats.config.stream.clone(), nats.subjects());
    config.idle_poll = Duration::from_millis(100);
    // What the relay samples for metrics (the projector's backlog) is fresh at once.
    config.sample_every = Duration::from_millis(20);
    let relay = Relay::new(pool.clone(), nats.client.clone(), config);
    let (stop, shutdown) = testkit::shutdown_switch();
    let task = tokio::spawn(relay.run(shutdown.wait()));
    Running { stop, task }
}

pub fn metadata(actor: &str, correlation: &str) -> EventMeta {
    EventMeta {
        correlation_id: correlation.to_owned(),
        actor_id: actor.to_owned(),
        actor_roles: Some(contracts::auth::Roles::one(contracts::auth::Role::Sales)),
        source_ip: Some(std::net::Ipv4Addr::LOCALHOST.into()),
        user_agent: None,
        occurred_at: EventMeta::now(),
        traceparent: None,
    }
}

pub fn details(name: &str, price: &str) -> ProductDetails {
    ProductDetails {
        name: ProductName::parse(name).unwrap(),
        price: Money::new(price.parse::<Decimal>().unwrap()).unwrap(),
        vat_rate: VatRate::new(Decimal::new(55, 1)).unwrap(),
        unit: Unit::Kg,
        category: Category::parse("Épicerie").unwrap(),
        barcode: None,
        low_stock_threshold: None,
    }
}

pub struct Catalogue {
    pub bus: CommandBus<Product>,
}

impl Catalogue {
    pub fn new(pool: &PgPool) -> Self {
        Self {
            bus: CommandBus::new(pool.clone(), ()),
        }
    }

    pub async fn create(&self, sku: &str, name: &str) -> ProductId {
        let id = ProductId::generate();
        self.bus
            .execute(
                id,
                ProductCommand::Create {
                    id,
                    sku: Sku::parse(sku).unwrap(),
                    details: details(name, "4.20"),
                },
                None,
                metadata("alice", &format!("create-{sku}")),
            )
            .await
            .unwrap();
        id
    }

    pub async fn rename(&self, id: ProductId, name: &str) -> u64 {
        self.bus
            .execute(
                id,
                ProductCommand::Update(ProductPatch {
                    name: Some(ProductName::parse(name).unwrap()),
                    ..ProductPatch::default()
                }),
                None,
                metadata("bob", "rename"),
            )
            .await
            .unwrap()
            .version
    }

    pub async fn run(&self, id: ProductId, command: ProductCommand) -> u64 {
        self.bus
            .execute(id, command, None, metadata("carol", "misc"))
            .await
            .unwrap()
            .version
    }
}

/// A stored event, as the relay would publish it.
pub async fn stored_envelope(pool: &PgPool, id: ProductId, sequence: i64) -> EventEnvelope {
    sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
           FROM events
          WHERE aggregate_type = 'Product' AND aggregate_id = $1 AND sequence = $2",
    )
    .bind(id.to_string())
    .bind(sequence)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn product_version(pool: &PgPool, id: ProductId) -> Option<i64> {
    sqlx::query_scalar("SELECT version FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap()
}

/// Every read-model row, sorted, as text: equal dumps mean equal tables.
/// Every row of every read model, sorted.
pub async fn dump_read_models(pool: &PgPool) -> Vec<String> {
    testkit::dump_tables(pool, projector::projections::READ_MODEL_TABLES).await
}

/// The projector's admin surface, as an active instance serves it.
pub fn admin_app(pool: &PgPool) -> axum::Router {
    use platform::web::{HttpSettings, NatsCheck, Readiness};
    use projector::admin::{router, AdminState};
    let (_role_tx, role) = tokio::sync::watch::channel(projector::consumer::Role::Active);
    router(
        AdminState {
            role,
            stats: std::sync::Arc::new(projector::consumer::Stats::default()),
            pool: pool.clone(),
        },
        Readiness {
            db: pool.clone(),
            nats: NatsCheck::Unused,
        },
        testkit::auth::verifier(),
        &HttpSettings::new(Duration::from_secs(5)),
    )
}
