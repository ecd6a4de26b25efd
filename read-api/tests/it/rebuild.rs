//! `projector rebuild` against a live system: every read model rebuilt from the event
//! store equals the incremental build row for row, and the live projector resumes after
//! it without a gap or a double.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::call;
use crate::pipeline::{command, Pipeline, Shop};

/// Products, customers, stock and orders in every state, accounts and sessions.
async fn scenario(shop: &Shop<'_>) -> String {
    let pipeline = shop.pipeline;
    let drill = shop.product("DRILL", "89.90", "20", Some("3")).await;
    let book = shop.product("BOOK", "12.00", "5.5", Some("0")).await;
    let old = shop.product("OLD", "1.00", "20", None).await;
    shop.receive(&drill, "10").await;
    shop.receive(&book, "4").await;
    command(
        pipeline,
        Method::POST,
        &format!("/stock/{drill}/adjustments"),
        json!({"quantity": "-1", "reason": "loss", "comment": "cassé"}),
        StatusCode::OK,
    )
    .await;
    command(
        pipeline,
        Method::PATCH,
        &format!("/products/{book}"),
        json!({"name": "Livre de poche", "price": "11.50"}),
        StatusCode::OK,
    )
    .await;
    command(
        pipeline,
        Method::POST,
        &format!("/products/{old}/archive"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    let acme = command(
        pipeline,
        Method::POST,
        "/customers",
        json!({"code": "ACME", "legal_name": "Acme SARL", "siret": "73282932000074",
               "vat_number": "FR44732829320", "payment_terms": "end_of_month_45",
               "billing_address": {"line1": "3 avenue de la Gare", "postal_code": "31000",
                                   "city": "Toulouse", "country": "FR"}}),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gone = shop.customer("GONE").await;

    let fulfilled = shop.order(&acme, &[(&drill, "2"), (&book, "1")]).await;
    shop.step(&fulfilled, "submit").await;
    shop.step(&fulfilled, "fulfil").await;
    // Invoiced, one unit credited, paid in part.
    let invoice = command(
        pipeline,
        Method::POST,
        "/invoices",
        json!({"order_id": fulfilled}),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    command(
        pipeline,
        Method::POST,
        &format!("/invoices/{invoice}/credit-notes"),
        json!({"reason": "perceuse défectueuse", "lines": [{"line_no": 1, "quantity": "1"}]}),
        StatusCode::OK,
    )
    .await;
    let today: chrono::NaiveDate =
        sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
            .fetch_one(&pipeline.pool)
            .await
            .unwrap();
    command(
        pipeline,
        Method::POST,
        &format!("/invoices/{invoice}/payments"),
        json!({"paid_on": today.to_string(), "amount": "50.00", "method": "card"}),
        StatusCode::OK,
    )
    .await;
    // Both documents handed to the platform: a delivery status each, in the invoice's stream.
    let platform = testkit::fake_platform::FakePlatform::start("pa").await;
    let read_api = crate::transmission::serve(pipeline.queries.clone()).await;
    let dispatcher = crate::transmission::dispatcher(&pipeline.pool, &read_api, &platform);
    crate::transmission::drain(&dispatcher).await;
    assert_eq!(platform.deposits().len(), 2);
    let submitted = shop.order(&acme, &[(&drill, "1")]).await;
    shop.step(&submitted, "submit").await;
    let cancelled = shop.order(&gone, &[(&book, "1")]).await;
    shop.step(&cancelled, "submit").await;
    shop.step(&cancelled, "cancel").await;
    let dropped = shop.order(&gone, &[(&drill, "1")]).await;
    shop.step(&dropped, "cancel").await;
    // Refused for short stock: a draft with its shortages.
    let short = shop.order(&acme, &[(&book, "50")]).await;
    command(
        pipeline,
        Method::POST,
        &format!("/orders/{short}/submit"),
        json!(null),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    shop.order(&acme, &[(&drill, "1")]).await;
    command(
        pipeline,
        Method::POST,
        &format!("/customers/{gone}/archive"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    let admin = pipeline.admin_bearer().await;
    let created = call(
        &pipeline.commands,
        Method::POST,
        "/users",
        &[("authorization", &admin)],
        Some(
            json!({"email": "vendeur@example.com", "display_name": "Vendeur", "roles": ["sales"],
                   "password": "un mot de passe assez long"}),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let login = call(
        &pipeline.commands,
        Method::POST,
        "/auth/login",
        &[],
        Some(json!({"email": "vendeur@example.com", "password": "un mot de passe assez long"})),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    drill
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_rebuild_under_a_live_projector_equals_the_incremental_build_row_for_row(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let drill = scenario(&shop).await;
    testkit::all_events_projected(&pool, Duration::from_secs(20)).await;
    let tables = projector::projections::READ_MODEL_TABLES;
    let incremental = testkit::dump_tables(&pool, tables).await;
    for table in tables {
        assert!(
            incremental
                .iter()
                .any(|row| row.starts_with(&format!("{table} "))),
            "the scenario leaves {table} empty"
        );
    }
    let sales_before = shop.dashboard("/dashboard/sales").await["totals"].clone();
    assert_eq!(sales_before["orders"], 2, "{sales_before}");

    // The projector keeps running: the rebuild makes it step down, then it resumes.
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let replayed = projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();
    assert_eq!(replayed as i64, events);
    let rebuilt = testkit::dump_tables(&pool, tables).await;
    if rebuilt != incremental {
        let only_before: Vec<_> = incremental
            .iter()
            .filter(|r| !rebuilt.contains(r))
            .collect();
        let only_after: Vec<_> = rebuilt
            .iter()
            .filter(|r| !incremental.contains(r))
            .collect();
        panic!(
            "rebuild differs:\nincremental only: {only_before:#?}\nrebuilt only: {only_after:#?}"
        );
    }

    // New events apply after the rebuild; the sales already counted are not doubled.
    let version = command(
        &pipeline,
        Method::PATCH,
        &format!("/products/{drill}"),
        json!({"name": "Perceuse après reconstruction"}),
        StatusCode::OK,
    )
    .await["version"]
        .as_u64()
        .unwrap();
    let read = call(
        &pipeline.queries,
        Method::GET,
        &format!("/products/{drill}?min_version={version}"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["name"], "Perceuse après reconstruction");
    testkit::all_events_projected(&pool, Duration::from_secs(20)).await;
    assert_eq!(
        shop.dashboard("/dashboard/sales").await["totals"],
        sales_before
    );
    pipeline.stop().await;
}

/// Each stream's events in sequence order, the streams in the order `rank` gives from
/// their type and the position of their first event.
fn by_stream(
    events: &[contracts::envelope::EventEnvelope],
    rank: impl Fn(&str, usize) -> i64,
) -> Vec<contracts::envelope::EventEnvelope> {
    let mut streams: Vec<(String, String)> = Vec::new();
    for e in events {
        let key = (e.aggregate_type.clone(), e.aggregate_id.clone());
        if !streams.contains(&key) {
            streams.push(key);
        }
    }
    let mut ranked: Vec<(i64, (String, String))> = streams
        .into_iter()
        .enumerate()
        .map(|(first, key)| (rank(&key.0, first), key))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let streams: Vec<(String, String)> = ranked.into_iter().map(|(_, key)| key).collect();
    streams
        .iter()
        .flat_map(|(kind, id)| {
            events
                .iter()
                .filter(move |e| &e.aggregate_type == kind && &e.aggregate_id == id)
                .cloned()
        })
        .collect()
}

/// The projector must not depend on the order in which different aggregates' events
/// arrive (NATS redelivers a dead instance's messages after later ones): every read model
/// built from adversarial orders equals the rebuild, which replays in commit order.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn read_models_do_not_depend_on_the_order_aggregates_arrive_in(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    scenario(&shop).await;
    testkit::all_events_projected(&pool, Duration::from_secs(20)).await;
    pipeline.stop().await;
    let tables = projector::projections::READ_MODEL_TABLES;
    projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();
    let rebuilt = testkit::dump_tables(&pool, tables).await;

    let events: Vec<contracts::envelope::EventEnvelope> = sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
           FROM events ORDER BY position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // Dependents before what they refer to, and what they refer to held back to the end.
    let dependents_first = |kind: &str, first: usize| {
        let tier = match kind {
            "Order" => 0,
            "Stock" => 1,
            "Session" => 2,
            "Customer" => 8,
            "Product" | "User" => 9,
            _ => 5,
        };
        tier * 1_000_000 + first as i64
    };
    for (order, deliveries) in [
        ("dependents first", by_stream(&events, dependents_first)),
        (
            "streams in reverse",
            by_stream(&events, |_, first| -(first as i64)),
        ),
    ] {
        let mut tx = pool.begin().await.unwrap();
        projector::projections::start_rebuild(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for event in &deliveries {
            let mut tx = pool.begin().await.unwrap();
            let outcome = projector::checkpoint::apply_once(
                &mut tx,
                &projector::checkpoint::Named::of(event),
            )
            .await
            .unwrap_or_else(|e| {
                panic!("{order}: {} {}: {e}", event.event_type, event.aggregate_id)
            });
            assert!(
                matches!(outcome, projector::checkpoint::Outcome::Applied { .. }),
                "{order}: {outcome:?}"
            );
            tx.commit().await.unwrap();
        }
        let built = testkit::dump_tables(&pool, tables).await;
        if built != rebuilt {
            let only_built: Vec<_> = built.iter().filter(|r| !rebuilt.contains(r)).collect();
            let only_rebuilt: Vec<_> = rebuilt.iter().filter(|r| !built.contains(r)).collect();
            panic!("{order}: differs from the rebuild:\nbuilt only: {only_built:#?}\nrebuilt only: {only_rebuilt:#?}");
        }
    }
}
