use std::time::Duration;

use command_api::domain::product::ProductCommand;
use contracts::read::ProductRow;
use projector::consumer::{Role, Stats};
use sqlx::PgPool;
use testkit::{eventually, NatsTest};

use crate::helpers::{
    dump_read_models, product_version, spawn_projector, spawn_relay, stored_envelope, Catalogue,
};

const WAIT: Duration = Duration::from_secs(15);

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn commands_reach_the_products_read_model_through_jetstream(pool: PgPool) {
    let nats = NatsTest::new().await;
    let relay = spawn_relay(&pool, &nats);
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    let id = catalogue.create("FLOUR-1", "Farine T55").await;
    catalogue.rename(id, "Farine T65").await;
    let version = catalogue.run(id, ProductCommand::Archive).await;
    assert_eq!(version, 3);

    eventually("the row reaches version 3", WAIT, || async {
        product_version(&pool, id).await == Some(3)
    })
    .await;
    let row: ProductRow = sqlx::query_as("SELECT * FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.sku, "FLOUR-1");
    assert_eq!(row.name, "Farine T65");
    assert_eq!(row.price.to_string(), "4.20");
    assert_eq!(row.vat_rate.to_string(), "5.5");
    assert_eq!(row.unit.as_str(), "kg");
    assert_eq!(row.status.as_str(), "archived");
    assert_eq!(row.updated_by, "carol");
    assert_eq!(row.last_correlation_id, "misc");
    assert!(row.created_at < row.updated_at);
    // Counted when acked, just after the commit that made the row visible.
    eventually("three events counted as applied", WAIT, || async {
        Stats::get(&projector.stats.applied) == 3
    })
    .await;

    projector.running.stop().await;
    relay.stop().await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_redelivered_event_is_skipped(pool: PgPool) {
    let nats = NatsTest::new().await;
    let relay = spawn_relay(&pool, &nats);
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    let id = catalogue.create("SALT-1", "Sel").await;
    catalogue.rename(id, "Sel fin").await;
    eventually("version 2 projected", WAIT, || async {
        product_version(&pool, id).await == Some(2)
    })
    .await;

    // The creation again: applied a second time it would reset the name and version.
    nats.publish_copy(&stored_envelope(&pool, id, 1).await)
        .await;
    eventually("the copy is seen", WAIT, || async {
        Stats::get(&projector.stats.duplicates) == 1
    })
    .await;
    let name: String = sqlx::query_scalar("SELECT name FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "Sel fin");
    assert_eq!(product_version(&pool, id).await, Some(2));
    assert_eq!(Stats::get(&projector.stats.applied), 2);

    projector.running.stop().await;
    relay.stop().await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_event_ahead_of_a_gap_is_applied_after_the_gap_is_filled_from_the_store(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    // No relay: the test decides what NATS delivers.
    let id = catalogue.create("OIL-1", "Huile").await;
    catalogue.rename(id, "Huile d'olive").await;

    nats.publish_copy(&stored_envelope(&pool, id, 2).await)
        .await;
    eventually("version 2 projected", WAIT, || async {
        product_version(&pool, id).await == Some(2)
    })
    .await;
    // The counter moves at ack time, just after the commit that shows the row.
    eventually("the gap fill is counted", WAIT, || async {
        Stats::get(&projector.stats.gap_filled) == 1
    })
    .await;
    let (sku, name): (String, String) =
        sqlx::query_as("SELECT sku, name FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((sku.as_str(), name.as_str()), ("OIL-1", "Huile d'olive"));

    // Sequence 1 arriving late is now a duplicate.
    nats.publish_copy(&stored_envelope(&pool, id, 1).await)
        .await;
    eventually("the late event is skipped", WAIT, || async {
        Stats::get(&projector.stats.duplicates) == 1
    })
    .await;
    assert_eq!(product_version(&pool, id).await, Some(2));

    projector.running.stop().await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_message_naming_an_event_the_store_lacks_applies_nothing(pool: PgPool) {
    let nats = NatsTest::new().await;
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    let id = catalogue.create("SUGAR-1", "Sucre").await;
    catalogue.rename(id, "Sucre roux").await;

    // Sequence 4 does not exist in the store: 1..2 would fill only part of the gap.
    let mut phantom = stored_envelope(&pool, id, 2).await;
    phantom.sequence = 4;
    nats.publish_copy(&phantom).await;
    eventually("the message is rejected", WAIT, || async {
        Stats::get(&projector.stats.rejected) >= 1
    })
    .await;
    assert_eq!(product_version(&pool, id).await, None, "nothing applied");
    assert_eq!(Stats::get(&projector.stats.applied), 0);

    projector.running.stop().await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_second_projector_waits_until_the_first_stops(pool: PgPool) {
    let nats = NatsTest::new().await;
    let first = spawn_projector(&pool, &nats);
    let mut first_role = first.role.clone();
    first_role.wait_for(|r| *r == Role::Active).await.unwrap();

    let second = spawn_projector(&pool, &nats);
    let mut second_role = second.role.clone();
    second_role.wait_for(|r| *r == Role::Standby).await.unwrap();

    first.running.stop().await;
    tokio::time::timeout(WAIT, second_role.wait_for(|r| *r == Role::Active))
        .await
        .expect("the standby takes over")
        .unwrap();

    // And it projects.
    let relay = spawn_relay(&pool, &nats);
    let id = Catalogue::new(&pool).create("RICE-1", "Riz").await;
    eventually("the standby projects", WAIT, || async {
        product_version(&pool, id).await == Some(1)
    })
    .await;
    relay.stop().await;
    second.running.stop().await;
    nats.cleanup().await;
}

/// One batch naming streams out of order, twice, ahead of gaps and past the store's end:
/// each stream is brought forward once, in sequence, and each name answered on its own;
/// the three creations it starts with go in one statement, and the result equals a rebuild.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn one_batch_applies_each_stream_once_and_in_order_whatever_it_names(pool: PgPool) {
    use projector::checkpoint::{apply_all, Named, Outcome};

    let catalogue = Catalogue::new(&pool);
    let a = catalogue.create("A-1", "Alpha").await;
    catalogue.rename(a, "Alpha 2").await;
    catalogue.rename(a, "Alpha 3").await;
    let b = catalogue.create("B-1", "Beta").await;
    catalogue.rename(b, "Beta 2").await;
    let c = catalogue.create("C-1", "Gamma").await;
    let mut names = Vec::new();
    for (id, sequence) in [
        (b, 1),
        (c, 1),
        (a, 2),
        (a, 1),
        (a, 3),
        (b, 5),
        (b, 2),
        (c, 1),
    ] {
        let mut named = Named::of(&stored_envelope(&pool, id, 1).await);
        named.sequence = sequence;
        names.push(named);
    }

    let mut tx = pool.begin().await.unwrap();
    let outcomes = apply_all(&mut tx, &names, |_| tracing::Span::none())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let kinds: Vec<String> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Applied { events, .. } => format!("applied {events}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "applied 1",
            "applied 1",
            "applied 2",
            "Duplicate",
            "applied 1",
            "NotInStore",
            "applied 1",
            "Duplicate"
        ]
    );
    for (id, name, version) in [(a, "Alpha 3", 3), (b, "Beta 2", 2), (c, "Gamma", 1)] {
        let row: (String, i64) = sqlx::query_as("SELECT name, version FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row, (name.to_owned(), version));
        let checkpoint: i64 = sqlx::query_scalar(
            "SELECT last_sequence FROM projector_checkpoints WHERE aggregate_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(checkpoint, version);
    }
    // One audit row per stored event, none twice.
    let audited: Vec<(String, i64)> =
        sqlx::query_as("SELECT aggregate_id, sequence FROM audit_log ORDER BY 1, 2")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut expected: Vec<(String, i64)> = [(a, 1), (a, 2), (a, 3), (b, 1), (b, 2), (c, 1)]
        .into_iter()
        .map(|(id, sequence)| (id.to_string(), sequence))
        .collect();
    expected.sort();
    assert_eq!(audited, expected);
    let counted: i64 = sqlx::query_scalar("SELECT sum(n)::bigint FROM product_counts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, 3);
    let stock: i64 = sqlx::query_scalar("SELECT count(*) FROM stock_levels")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stock, 3);
    let built = dump_read_models(&pool).await;
    projector::rebuild::rebuild(&pool, |_| ()).await.unwrap();
    assert_eq!(dump_read_models(&pool).await, built);
}
