use std::time::Duration;

use command_api::domain::product::{ProductCommand, ProductPatch};
use shared::product::Barcode;
use sqlx::PgPool;
use testkit::{eventually, NatsTest};

use crate::helpers::{dump_read_models, product_version, spawn_projector, spawn_relay, Catalogue};

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn a_rebuild_from_the_event_store_equals_the_incremental_read_model(pool: PgPool) {
    let nats = NatsTest::new().await;
    let relay = spawn_relay(&pool, &nats);
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    let mut last = None;
    for i in 0..12 {
        let id = catalogue
            .create(&format!("RB-{i}"), &format!("Produit {i}"))
            .await;
        if i % 2 == 0 {
            catalogue.rename(id, &format!("Produit {i} bis")).await;
        }
        if i % 3 == 0 {
            catalogue.run(id, ProductCommand::Archive).await;
        }
        if i % 4 == 0 {
            catalogue
                .run(
                    id,
                    ProductCommand::Update(ProductPatch {
                        barcode: Some(Some(Barcode::parse("96385074").unwrap())),
                        ..ProductPatch::default()
                    }),
                )
                .await;
        }
        last = Some(id);
    }
    let last = last.unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    eventually("every event projected", Duration::from_secs(15), || async {
        let applied: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(last_sequence), 0)::bigint FROM projector_checkpoints",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        applied == events
    })
    .await;
    let incremental = dump_read_models(&pool).await;
    assert_eq!(
        incremental
            .iter()
            .filter(|r| r.starts_with("products"))
            .count(),
        12
    );

    // The live projector holds the lock: a rebuild runs once it has stopped.
    projector.running.stop().await;
    let replayed = projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();
    assert_eq!(replayed as i64, events);
    assert_eq!(dump_read_models(&pool).await, incremental, "row for row");

    // The live stream resumes after the rebuild without doubling anything.
    let projector = spawn_projector(&pool, &nats);
    let version = catalogue.rename(last, "Après reconstruction").await;
    eventually(
        "a new event applies after the rebuild",
        Duration::from_secs(15),
        || async { product_version(&pool, last).await == Some(version as i64) },
    )
    .await;
    projector.running.stop().await;
    relay.stop().await;
    nats.cleanup().await;
}
