//! The projector applies only what the event store holds: forged, altered and malformed
//! messages change no read row, and an event a projection cannot apply is parked,
//! holding back only its own stream until an admin retries or skips it.

use std::time::Duration;

use contracts::ids::ProductId;
use projector::consumer::Stats;
use projector::dead_letters::{self, DeadLetterError, Resolution, Resolver, SkipReason};
use sqlx::PgPool;
use testkit::{eventually, NatsTest};

use crate::helpers::{
    dump_read_models, product_version, spawn_projector, stored_envelope, Catalogue,
};

const WAIT: Duration = Duration::from_secs(15);

const ADMIN_ID: &str = "0190f0aa-0000-7000-8000-000000000001";

fn admin() -> Resolver {
    Resolver {
        user_id: ADMIN_ID.to_owned(),
        email: "admin@example.com".to_owned(),
        roles: "admin".to_owned(),
        correlation_id: "fix-42".to_owned(),
    }
}

async fn publish_raw(nats: &NatsTest, subject: String, body: &'static [u8]) {
    nats.jetstream
        .publish(subject, body.into())
        .await
        .unwrap()
        .await
        .unwrap();
}

async fn product_name(pool: &PgPool, id: ProductId) -> String {
    sqlx::query_scalar("SELECT name FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn dead_letter_reasons(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("SELECT reason, status FROM projector_dead_letters ORDER BY reason, status, id")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// A rebuild from the store gives the read models the live projector built.
async fn assert_equals_rebuild(pool: &PgPool) {
    let live = dump_read_models(pool).await;
    projector::rebuild::rebuild(pool, |_| {}).await.unwrap();
    assert_eq!(dump_read_models(pool).await, live);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn forged_altered_and_malformed_messages_change_no_read_row(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    // No relay: the test decides what NATS delivers.
    let id = catalogue.create("TEA-1", "Thé vert").await;
    nats.publish_copy(&stored_envelope(&pool, id, 1).await)
        .await;
    eventually("the product is projected", WAIT, || async {
        product_version(&pool, id).await == Some(1)
    })
    .await;
    let before = dump_read_models(&pool).await;

    let real = stored_envelope(&pool, id, 1).await;
    // A creation the store never saw, for a product that does not exist.
    let mut forged_creation = real.clone();
    forged_creation.aggregate_id = ProductId::generate().to_string();
    // The real product's next sequence, before any command produced it.
    let mut forged_update = real.clone();
    forged_update.sequence = 2;
    forged_update.event_type = "ProductUpdated".to_owned();
    forged_update.payload = serde_json::json!({"name": "FORGED", "price": "0.01"});
    // A well-formed event of a type no projection knows, on a stream that does not exist.
    let mut unknown = real.clone();
    unknown.aggregate_type = "Spaceship".to_owned();
    unknown.event_type = "Launched".to_owned();
    for forged in [&forged_creation, &forged_update, &unknown] {
        nats.publish_copy(forged).await;
    }
    let subject = nats.subjects().event("Product", &id.to_string());
    publish_raw(&nats, subject.clone(), b"\x00not json at all").await;
    publish_raw(
        &nats,
        subject,
        br#"{"aggregate_type":"Product","sequence":"two"}"#,
    )
    .await;
    eventually("the five messages are rejected", WAIT, || async {
        Stats::get(&projector.stats.rejected) == 5
    })
    .await;
    assert_eq!(dump_read_models(&pool).await, before, "no read row changed");
    let rejected = |reason: &str| (reason.to_owned(), "rejected".to_owned());
    assert_eq!(
        dead_letter_reasons(&pool).await,
        vec![
            rejected("malformed"),
            rejected("malformed"),
            rejected("not_in_store"),
            rejected("not_in_store"),
            rejected("not_in_store"),
        ]
    );

    // The real update now takes sequence 2, which the forged one claimed.
    catalogue.rename(id, "Thé noir").await;
    nats.publish_copy(&stored_envelope(&pool, id, 2).await)
        .await;
    eventually("the real update applies", WAIT, || async {
        product_version(&pool, id).await == Some(2)
    })
    .await;
    assert_eq!(product_name(&pool, id).await, "Thé noir");

    // An altered copy of a real event: what applies is the stored event.
    catalogue.rename(id, "Thé blanc").await;
    let mut altered = stored_envelope(&pool, id, 3).await;
    altered.payload = serde_json::json!({"name": "ALTERED"});
    altered
        .metadata
        .insert("actor_id".to_owned(), "mallory".to_owned());
    nats.publish_copy(&altered).await;
    eventually("the stored event applies", WAIT, || async {
        product_version(&pool, id).await == Some(3)
    })
    .await;
    assert_eq!(product_name(&pool, id).await, "Thé blanc");
    let actors: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT actor_id FROM audit_log ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    // The catalogue's creator and renamer; not the altered copy's actor.
    assert_eq!(actors, vec!["alice".to_owned(), "bob".to_owned()]);

    projector.running.stop().await;
    assert_equals_rebuild(&pool).await;
    nats.cleanup().await;
}

/// Makes the products projection fail on one name, as a projection bug would.
async fn poison_products_named(pool: &PgPool, name: &str) {
    sqlx::query(
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'poisoned row'; END $$",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(&format!(
        "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON products
         FOR EACH ROW WHEN (NEW.name = '{name}') EXECUTE FUNCTION poison()"
    ))
    .execute(pool)
    .await
    .unwrap();
}

/// A product whose second event fails, with a third behind it, and another product's
/// stream flowing meanwhile. Returns the parked dead letter's id.
async fn park_a_stream(pool: &PgPool, nats: &NatsTest, stats: &Stats) -> (ProductId, i64) {
    poison_products_named(pool, "Poison").await;
    let catalogue = Catalogue::new(pool);
    let id = catalogue.create("COFFEE-1", "Café").await;
    catalogue.rename(id, "Poison").await;
    catalogue.rename(id, "Antidote").await;
    for sequence in 1..=3 {
        nats.publish_copy(&stored_envelope(pool, id, sequence).await)
            .await;
    }
    eventually("event 2 parked, event 3 held back", WAIT, || async {
        Stats::get(&stats.failed) == 1 && Stats::get(&stats.held_back) == 1
    })
    .await;
    assert_eq!(product_version(pool, id).await, Some(1));

    let other = catalogue.create("COCOA-1", "Cacao").await;
    nats.publish_copy(&stored_envelope(pool, other, 1).await)
        .await;
    eventually("another stream still flows", WAIT, || async {
        product_version(pool, other).await == Some(1)
    })
    .await;

    let parked: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, sequence, status FROM projector_dead_letters WHERE reason = 'failed'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!((parked[0].1, parked[0].2.as_str()), (2, "parked"));
    (id, parked[0].0)
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_parked_event_is_retried_once_the_fault_is_fixed(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let (id, parked) = park_a_stream(&pool, &nats, &projector.stats).await;

    let error = dead_letters::retry(&pool, parked, &admin())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DeadLetterError::StillFailing { sequence: 2, .. }),
        "{error:?}"
    );
    sqlx::query("DROP TRIGGER poison ON products")
        .execute(&pool)
        .await
        .unwrap();
    let resolution = dead_letters::retry(&pool, parked, &admin()).await.unwrap();
    assert_eq!(
        resolution,
        Resolution {
            applied: 2,
            parked: None
        }
    );
    assert_eq!(product_version(&pool, id).await, Some(3));
    assert_eq!(product_name(&pool, id).await, "Antidote");
    let row: (String, i32, Option<String>) = sqlx::query_as(
        "SELECT status, attempts, resolved_by FROM projector_dead_letters WHERE id = $1",
    )
    .bind(parked)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "retried".to_owned(),
            2,
            Some("admin@example.com".to_owned())
        )
    );
    assert!(matches!(
        dead_letters::retry(&pool, parked, &admin()).await,
        Err(DeadLetterError::NotParked { .. })
    ));

    projector.running.stop().await;
    assert_equals_rebuild(&pool).await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_skipped_event_stays_skipped_and_its_stream_moves_on(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let (id, parked) = park_a_stream(&pool, &nats, &projector.stats).await;

    let why = SkipReason::parse("  price list of 2019, superseded  ").unwrap();
    let resolution = dead_letters::skip(&pool, parked, &admin(), &why)
        .await
        .unwrap();
    assert_eq!(
        resolution,
        Resolution {
            applied: 1,
            parked: None
        }
    );
    assert_eq!(product_version(&pool, id).await, Some(3));
    assert_eq!(product_name(&pool, id).await, "Antidote");
    // A redelivery of the skipped event is a duplicate, not a second failure.
    nats.publish_copy(&stored_envelope(&pool, id, 2).await)
        .await;
    eventually("the redelivery is a duplicate", WAIT, || async {
        Stats::get(&projector.stats.duplicates) == 1
    })
    .await;
    assert_eq!(Stats::get(&projector.stats.failed), 1);

    // The audit trail says who skipped which event, and why, at the event's own place.
    let audited: (String, String, Option<String>, String, serde_json::Value) = sqlx::query_as(
        "SELECT event_type, actor_id, actor_roles, correlation_id, payload FROM audit_log
          WHERE aggregate_type = 'Product' AND aggregate_id = $1 AND sequence = 2",
    )
    .bind(id.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (
            &audited.0[..],
            &audited.1[..],
            audited.2.as_deref(),
            &audited.3[..]
        ),
        ("DeadLetterSkipped", ADMIN_ID, Some("admin"), "fix-42")
    );
    assert_eq!(audited.4["reason"], "price list of 2019, superseded");
    assert_eq!(audited.4["dead_letter_id"], parked);

    projector.running.stop().await;
    // The trigger is still there: the rebuild passes over the skipped event as well, and
    // writes the skip back into the audit trail.
    assert_equals_rebuild(&pool).await;
    nats.cleanup().await;
}

/// Metadata is read through one type: a stored event without its time or its actor is
/// parked with the key it lacks, never projected with an empty value.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_stored_event_without_required_metadata_is_parked(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let id = ProductId::generate();
    sqlx::query(
        r#"INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                               payload, metadata)
           VALUES ('Product', $1, 1, 'ProductCreated', '1', $2, '{"correlation_id": "c-9", "actor_id": "alice"}')"#,
    )
    .bind(id.to_string())
    .bind(serde_json::json!({"ProductCreated": {
        "product_id": id, "sku": "TEA-9",
        "details": {"name": "Thé", "price": "1.00", "vat_rate": "20", "unit": "piece",
                    "category": "Tea", "barcode": null, "low_stock_threshold": null}}}))
    .execute(&pool)
    .await
    .unwrap();
    nats.publish_copy(&stored_envelope(&pool, id, 1).await)
        .await;
    // The failure is counted before its dead letter commits: wait for the row itself.
    eventually("the event is parked", WAIT, || async {
        !dead_letter_reasons(&pool).await.is_empty()
    })
    .await;
    assert_eq!(Stats::get(&projector.stats.failed), 1);
    let (reason, error): (String, String) =
        sqlx::query_as("SELECT reason, error FROM projector_dead_letters")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason, "failed");
    assert!(error.contains("lacks `occurred_at`"), "{error}");
    assert_eq!(product_version(&pool, id).await, None);
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audit, 0);
}
