use std::time::Duration;

use command_api::domain::product::{ProductCommand, ProductPatch};
use contracts::product::Barcode;
use projector::consumer::Role;
use sqlx::PgPool;
use testkit::{eventually, NatsTest};

use crate::helpers::{dump_read_models, product_version, spawn_projector, spawn_relay, Catalogue};

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
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
    testkit::all_events_projected(&pool, Duration::from_secs(15)).await;
    let incremental = dump_read_models(&pool).await;
    assert_eq!(
        incremental
            .iter()
            .filter(|r| r.starts_with("products"))
            .count(),
        12
    );

    // The live projector holds the lock: it steps down for the rebuild, waits in
    // standby, and takes the lock back after.
    let mut role = projector.role.clone();
    let mut progress = Vec::new();
    let replayed = projector::rebuild::rebuild(&pool, |p| progress.push(p))
        .await
        .unwrap();
    assert_eq!(replayed as i64, events);
    assert_eq!(
        progress.last(),
        Some(&projector::rebuild::Progress {
            done: events as u64,
            total: events as u64
        })
    );
    assert_eq!(dump_read_models(&pool).await, incremental, "row for row");
    role.wait_for(|r| *r == Role::Active).await.unwrap();

    // The live stream resumes after the rebuild without doubling anything.
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

/// A rebuild truncates every read model and nothing else: each table of the schema is
/// either the projector's or the command side's, and a new table must say which.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_table_is_either_a_read_model_or_command_side(pool: PgPool) {
    const COMMAND_SIDE: &[&str] = &[
        "_sqlx_migrations",
        "events",
        "outbox",
        "product_sku_keys",
        "user_email_keys",
        "customer_code_keys",
        "login_throttle",
        "account_access",
        "order_number_counters",
        "order_processes",
        "invoice_number_counters",
        "invoiced_orders",
        "transmissions",
        // The projector's own, which a rebuild keeps (skipped events stay skipped).
        "projector_dead_letters",
    ];
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    tables.sort();
    let mut known: Vec<String> = projector::projections::READ_MODEL_TABLES
        .iter()
        .chain(COMMAND_SIDE)
        .map(|t| (*t).to_owned())
        .collect();
    known.sort();
    assert_eq!(tables, known);
}

/// Readers keep the old read model while a rebuild runs, instead of waiting for it: the
/// rebuild empties the tables with `DELETE`, which no reader waits on.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn readers_see_the_old_read_model_while_a_rebuild_runs(pool: PgPool) {
    let nats = NatsTest::new().await;
    let relay = spawn_relay(&pool, &nats);
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    for i in 0..5 {
        catalogue.create(&format!("OLD-{i}"), "Ancien").await;
    }
    testkit::all_events_projected(&pool, Duration::from_secs(15)).await;
    projector.running.stop().await;

    // Mid-rebuild (after its first event, inside its transaction), another connection
    // reads. The progress callback is synchronous, so the read runs on a thread of its
    // own; a statement timeout turns a reader that would wait into a failure, not a hang.
    let options = pool.connect_options();
    let mut seen_mid_rebuild = None;
    projector::rebuild::rebuild(&pool, |p| {
        if p.done != 1 {
            return;
        }
        let options = std::sync::Arc::clone(&options);
        seen_mid_rebuild = Some(
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    use sqlx::Connection;
                    let mut reader = sqlx::PgConnection::connect_with(&options).await?;
                    sqlx::query("SET statement_timeout = '10s'")
                        .execute(&mut reader)
                        .await?;
                    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM products")
                        .fetch_one(&mut reader)
                        .await
                })
            })
            .join()
            .unwrap(),
        );
    })
    .await
    .unwrap();
    assert_eq!(
        seen_mid_rebuild.unwrap().unwrap(),
        5,
        "the old rows, at once"
    );
    relay.stop().await;
    nats.cleanup().await;
}
