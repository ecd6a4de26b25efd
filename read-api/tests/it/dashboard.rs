//! The sales dashboard over the whole write path: orders in every state, figures that
//! count each sale once, redeliveries included.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::http::StatusCode;
use contracts::envelope::EventEnvelope;
use serde_json::Value;
use sqlx::PgPool;

use crate::pipeline::{Pipeline, Shop};

async fn stored(pool: &PgPool, order: &str, event_type: &str) -> EventEnvelope {
    sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
           FROM events WHERE aggregate_type = 'Order' AND aggregate_id = $1 AND event_type = $2",
    )
    .bind(order)
    .bind(event_type)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_dashboard_counts_each_sale_once_through_fulfilment_cancellation_and_redelivery(
    pool: PgPool,
) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let drill = shop.product("DRILL", "100.00", "20", Some("5")).await;
    let coffee = shop.product("COFFEE", "10.00", "5.5", Some("8")).await;
    let lamp = shop.product("LAMP", "50.00", "20", None).await;
    shop.receive(&drill, "20").await;
    shop.receive(&coffee, "10").await;
    let alpha = shop.customer("ALPHA").await;
    let beta = shop.customer("BETA").await;

    // Fulfilled: 3 × 100 at 20 %.
    let fulfilled = shop.order(&alpha, &[(&drill, "3")]).await;
    shop.step(&fulfilled, "submit").await;
    shop.step(&fulfilled, "fulfil").await;
    // Submitted: 4 × 10 at 5.5 %.
    let submitted = shop.order(&beta, &[(&coffee, "4")]).await;
    shop.step(&submitted, "submit").await;
    // Submitted, then cancelled: counted, then taken out.
    let cancelled = shop.order(&alpha, &[(&drill, "2"), (&coffee, "1")]).await;
    shop.step(&cancelled, "submit").await;
    let version = shop.step(&cancelled, "cancel").await;
    // Drafts, one of them cancelled: never counted.
    shop.order(&beta, &[(&lamp, "1")]).await;
    let dropped = shop.order(&beta, &[(&coffee, "5")]).await;
    shop.step(&dropped, "cancel").await;
    shop.seen(&cancelled, version).await;

    let check = |sales: Value| {
        let totals = &sales["totals"];
        assert_eq!(totals["orders"], 2, "{sales}");
        assert_eq!(totals["net"], "340.00");
        assert_eq!(totals["vat"], "62.20");
        assert_eq!(totals["gross"], "402.20");
        assert_eq!(totals["average_order_value"], "170.00");
        assert_eq!(totals["submitted"]["orders"], 1);
        assert_eq!(totals["submitted"]["gross"], "42.20");
        assert_eq!(totals["fulfilled"]["orders"], 1);
        assert_eq!(totals["fulfilled"]["net"], "300.00");
        let series = sales["series"].as_array().unwrap();
        assert_eq!(
            series.len(),
            30,
            "the default period is 30 days, every day present"
        );
        let today = series.last().unwrap();
        assert_eq!(today["gross"], "402.20");
        assert!(series[..29]
            .iter()
            .all(|p| p["orders"] == 0 && p["net"] == "0.00" && p["gross"] == "0.00"));
        assert_eq!(series[0]["average_order_value"], Value::Null);
    };
    check(shop.dashboard("/dashboard/sales").await);

    // Forced redelivery of the submission and of the cancellation: skipped, counted once.
    let duplicates = pipeline.projector.duplicates.load(Ordering::Relaxed);
    for (order, event) in [
        (&submitted, "OrderSubmitted"),
        (&cancelled, "OrderSubmitted"),
        (&cancelled, "OrderCancelled"),
        (&fulfilled, "OrderFulfilled"),
    ] {
        pipeline
            .nats
            .publish_copy(&stored(&pool, order, event).await)
            .await;
    }
    testkit::eventually(
        "the copies are delivered",
        Duration::from_secs(10),
        || async { pipeline.projector.duplicates.load(Ordering::Relaxed) >= duplicates + 4 },
    )
    .await;
    check(shop.dashboard("/dashboard/sales").await);

    let monthly = shop
        .dashboard("/dashboard/sales?granularity=month&from=2026-01-01&to=2026-12-31")
        .await;
    assert_eq!(monthly["series"].as_array().unwrap().len(), 12);
    assert_eq!(monthly["series"][0]["period"], "2026-01-01");

    let by_revenue = shop.dashboard("/dashboard/top-products").await;
    let items = by_revenue["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{by_revenue}");
    assert_eq!(items[0]["sku"], "DRILL");
    assert_eq!(items[0]["quantity"], "3");
    assert_eq!(items[0]["revenue"], "300.00");
    assert_eq!(items[1]["sku"], "COFFEE");
    assert_eq!(items[1]["quantity"], "4");
    let by_quantity = shop
        .dashboard("/dashboard/top-products?by=quantity&limit=1")
        .await;
    assert_eq!(by_quantity["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_quantity["items"][0]["sku"], "COFFEE");

    let customers = shop.dashboard("/dashboard/top-customers").await;
    assert_eq!(customers["items"][0]["code"], "ALPHA");
    assert_eq!(customers["items"][0]["net"], "300.00");
    assert_eq!(customers["items"][0]["orders"], 1);
    assert_eq!(customers["items"][1]["code"], "BETA");
    assert_eq!(customers["items"][1]["gross"], "42.20");

    let statuses = shop.dashboard("/dashboard/orders-by-status").await;
    let counts: Vec<(String, i64)> = statuses["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap().to_owned(),
                s["orders"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("draft".to_owned(), 1),
            ("submitting".to_owned(), 0),
            ("submitted".to_owned(), 1),
            ("fulfilled".to_owned(), 1),
            ("cancelled".to_owned(), 2),
        ]
    );

    // Drill: 17 left, threshold 5. Coffee: 6 available, threshold 8. Lamp: none.
    let alerts = shop.dashboard("/dashboard/stock-alerts").await;
    assert_eq!(alerts["out_of_stock"], 1, "{alerts}");
    assert_eq!(alerts["low"], 1);
    let levels: Vec<(&str, &str)> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["sku"].as_str().unwrap(), a["level"].as_str().unwrap()))
        .collect();
    assert_eq!(levels, [("LAMP", "out_of_stock"), ("COFFEE", "low")]);

    // The same series as CSV files: a header, then one row per point or item.
    let csv = |value: Value| -> Vec<String> {
        let text = value.as_str().expect("a CSV body").to_owned();
        text.lines().map(str::to_owned).collect()
    };
    let sales = csv(shop.dashboard("/dashboard/sales/export").await);
    assert_eq!(sales.len(), 31, "a header and 30 days");
    assert!(sales[0].starts_with(r#""period","orders","net","vat","gross","average_order_value","#));
    assert!(sales[1].ends_with(r#",0,0.00,0.00,0.00,"",0,0.00,0.00,0.00,0,0.00,0.00,0.00"#));
    // Today: the fulfilled 300 + 60 and the submitted 40 + 2.20.
    assert!(
        sales[30]
            .ends_with(",2,340.00,62.20,402.20,170.00,1,40.00,2.20,42.20,1,300.00,60.00,360.00"),
        "{}",
        sales[30]
    );
    let top = csv(shop
        .dashboard("/dashboard/top-products/export?by=quantity")
        .await);
    assert_eq!(
        top[0],
        r#""rank","product_id","sku","name","unit","quantity","revenue","orders""#
    );
    assert!(
        top[1].starts_with(&format!(r#"1,"{coffee}","COFFEE","#)),
        "{}",
        top[1]
    );
    assert!(top[1].ends_with(",4,40.00,1"), "{}", top[1]);
    assert_eq!(top.len(), 3);
    let customers = csv(shop.dashboard("/dashboard/top-customers/export").await);
    assert_eq!(
        customers[1],
        format!(r#"1,"{alpha}","ALPHA","ALPHA SARL",1,300.00,360.00"#)
    );
    let statuses = csv(shop.dashboard("/dashboard/orders-by-status/export").await);
    assert_eq!(statuses[0], r#""status","orders","net","gross""#);
    // Cancelled: 2 × 100 + 1 × 10 (VAT 40 + 0.55), and the dropped draft's 5 × 10 (2.75).
    assert_eq!(statuses[5], r#""cancelled",2,260.00,303.30"#);
    let alerts = csv(shop.dashboard("/dashboard/stock-alerts/export").await);
    assert_eq!(alerts.len(), 3);
    assert!(alerts[1].starts_with(&format!(r#""out_of_stock","{lamp}","LAMP","#)));

    pipeline.stop().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn dashboard_periods_are_checked(pool: PgPool) {
    let router = crate::helpers::read_router(&pool, Duration::from_secs(1));
    for (uri, fragment) in [
        (
            "/dashboard/sales?from=2026-02-01&to=2026-01-01",
            "after it ends",
        ),
        (
            "/dashboard/sales?from=2020-01-01&to=2026-01-01",
            "at most 800 points",
        ),
        ("/dashboard/sales?granularity=year", "granularity"),
        ("/dashboard/top-products?from=01/02/2026", "YYYY-MM-DD"),
        ("/dashboard/top-products?limit=0", "limit"),
        ("/dashboard/top-customers?by=margin", "by"),
    ] {
        let response = crate::helpers::get(&router, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query");
        assert!(
            response.body["detail"].as_str().unwrap().contains(fragment),
            "{uri}: {:?}",
            response.body
        );
    }
    // Six years by month is fine, and every month is there.
    let response = crate::helpers::get(
        &router,
        "/dashboard/sales?from=2020-01-01&to=2025-12-31&granularity=month",
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["series"].as_array().unwrap().len(), 72);
    assert_eq!(response.body["totals"]["orders"], 0);
    assert_eq!(response.body["totals"]["net"], "0.00");
}
