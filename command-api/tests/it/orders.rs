//! Orders and stock on the write side: concurrent submits on scarce stock, a submit cut
//! off between two reservations, cancel and fulfil, order numbers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use command_api::app::order_process::{OrderProcesses, ProcessError, SubmitOutcome};
use command_api::domain::customer::Customer;
use command_api::domain::product::Product;
use command_api::domain::stock::Stock;
use command_api::es::CommandBus;
use contracts::events::OrderStatus;
use contracts::ids::OrderId;
use contracts::metadata::EventMeta;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::TestApp;

async fn ok(app: &TestApp, method: Method, uri: &str, body: Value) -> Value {
    let response = app.json(method.clone(), uri, &[], &body).await;
    assert!(
        response.status.is_success(),
        "{method} {uri}: {} {:?}",
        response.status,
        response.body
    );
    response.body
}

/// A product with `stock` on hand; returns its id.
async fn stocked_product(app: &TestApp, sku: &str, stock: &str) -> String {
    let created = ok(
        app,
        Method::POST,
        "/products",
        json!({"sku": sku, "name": sku, "price": "10.00", "vat_rate": "20", "unit": "piece",
               "category": "Test"}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    ok(
        app,
        Method::POST,
        &format!("/stock/{id}/adjustments"),
        json!({"quantity": stock, "reason": "receipt"}),
    )
    .await;
    id
}

async fn customer(app: &TestApp, code: &str) -> String {
    let created = ok(
        app,
        Method::POST,
        "/customers",
        json!({"code": code, "legal_name": format!("{code} SAS")}),
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

/// A draft for `customer` with one line per (product, quantity).
async fn draft(app: &TestApp, customer: &str, lines: &[(&str, u32)]) -> String {
    let order = ok(
        app,
        Method::POST,
        "/orders",
        json!({"customer_id": customer}),
    )
    .await;
    let id = order["id"].as_str().unwrap().to_owned();
    for (product, quantity) in lines {
        ok(
            app,
            Method::POST,
            &format!("/orders/{id}/lines"),
            json!({"product_id": product, "quantity": quantity.to_string()}),
        )
        .await;
    }
    id
}

fn metadata() -> EventMeta {
    EventMeta::system("test")
}

async fn stock_of(pool: &PgPool, product: &str) -> Stock {
    CommandBus::<Stock>::new(pool.clone(), ())
        .load(product.parse().unwrap())
        .await
        .unwrap()
        .0
}

async fn order_status(pool: &PgPool, id: &str) -> OrderStatus {
    let (order, _) = processes(pool)
        .await
        .orders
        .load(id.parse().unwrap())
        .await
        .unwrap();
    order.state().unwrap().status
}

async fn processes_in_flight(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM order_processes")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn sixty_four_concurrent_submits_never_oversell(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let products = [
        stocked_product(&app, "SCARCE-A", "20").await,
        stocked_product(&app, "SCARCE-B", "15").await,
        stocked_product(&app, "SCARCE-C", "10").await,
    ];
    let buyer = customer(&app, "BUYER").await;
    let mut orders = Vec::new();
    for i in 0..64_u32 {
        let mut lines = vec![
            (products[0].as_str(), i % 3 + 1),
            (products[1].as_str(), i % 2 + 1),
        ];
        if i % 4 == 0 {
            lines.push((products[2].as_str(), 2));
        }
        // Lines in varying order: the process reserves in product order anyway.
        if i % 2 == 1 {
            lines.reverse();
        }
        orders.push(draft(&app, &buyer, &lines).await);
    }
    let app = Arc::new(app);
    let submits = orders.iter().map(|id| {
        let app = Arc::clone(&app);
        let uri = format!("/orders/{id}/submit");
        tokio::spawn(async move { app.json(Method::POST, &uri, &[], &Value::Null).await })
    });
    let responses = futures::future::join_all(submits).await;

    let mut submitted = 0;
    for (id, response) in orders.iter().zip(responses) {
        let response = response.unwrap();
        match response.status {
            StatusCode::OK => {
                submitted += 1;
                assert_eq!(order_status(&pool, id).await, OrderStatus::Submitted);
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(response.code(), "insufficient_stock");
                let shortages = response.body["shortages"].as_array().unwrap();
                assert!(!shortages.is_empty(), "a refusal names its short lines");
                for s in shortages {
                    let requested: Decimal = s["requested"].as_str().unwrap().parse().unwrap();
                    let available: Decimal = s["available"].as_str().unwrap().parse().unwrap();
                    assert!(available < requested, "{s}");
                }
                assert_eq!(order_status(&pool, id).await, OrderStatus::Draft);
            }
            other => panic!("submit {id}: {other} {:?}", response.body),
        }
    }
    assert!(submitted > 0 && submitted < 64, "{submitted} submitted");
    assert_eq!(processes_in_flight(&pool).await, 0);

    // Σ reserved per product = Σ quantities of the SUBMITTED orders, within on hand.
    let bus = Arc::clone(&processes(&pool).await.orders);
    let mut wanted: HashMap<String, Decimal> = HashMap::new();
    for id in &orders {
        let (order, _) = bus.load(id.parse().unwrap()).await.unwrap();
        let state = order.state().unwrap();
        if state.status == OrderStatus::Submitted {
            for line in &state.lines {
                *wanted.entry(line.product_id.to_string()).or_default() += line.quantity.value();
            }
        }
    }
    for product in &products {
        let stock = stock_of(&pool, product).await;
        assert!(stock.reserved() <= stock.on_hand(), "oversold {product}");
        assert_eq!(
            stock.reserved(),
            wanted.get(product).copied().unwrap_or_default(),
            "{product}"
        );
    }
}

async fn processes(pool: &PgPool) -> OrderProcesses {
    OrderProcesses::new(
        pool.clone(),
        Arc::new(CommandBus::<Product>::new(pool.clone(), ())),
        Arc::new(CommandBus::<Customer>::new(pool.clone(), ())),
    )
}

/// Cuts every submit off after its first reservation, as a crash would: the database
/// refuses an order's second `StockReserved` until [`heal`]. The fault lives in the test's
/// database only; production code has no hook for it.
async fn cut_after_first_reservation(pool: &PgPool) {
    sqlx::query(
        "CREATE FUNCTION cut_submit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF EXISTS (SELECT 1 FROM events
                         WHERE event_type = 'StockReserved'
                           AND payload -> 'StockReserved' ->> 'order_id'
                             = NEW.payload -> 'StockReserved' ->> 'order_id') THEN
                 RAISE EXCEPTION 'injected: cut after the first reservation';
             END IF;
             RETURN NEW;
         END $$",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "CREATE TRIGGER cut_submit BEFORE INSERT ON events FOR EACH ROW
         WHEN (NEW.event_type = 'StockReserved') EXECUTE FUNCTION cut_submit()",
    )
    .execute(pool)
    .await
    .unwrap();
}

async fn heal(pool: &PgPool) {
    sqlx::query("DROP TRIGGER cut_submit ON events")
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_submit_cut_off_between_two_reservations_completes_on_restart(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "CUT-A", "5").await;
    let b = stocked_product(&app, "CUT-B", "5").await;
    let buyer = customer(&app, "CUT").await;
    let order = draft(&app, &buyer, &[(&a, 2), (&b, 3)]).await;
    let id: OrderId = order.parse().unwrap();

    cut_after_first_reservation(&pool).await;
    let crashing = processes(&pool).await;
    let cut = crashing.submit(id, None, metadata()).await;
    assert!(
        matches!(&cut, Err(ProcessError::Stock(e)) if e.to_string().contains("injected")),
        "{cut:?}"
    );
    heal(&pool).await;
    assert_eq!(order_status(&pool, &order).await, OrderStatus::Submitting);
    let held: Decimal = stock_of(&pool, &a).await.reserved() + stock_of(&pool, &b).await.reserved();
    assert_eq!(
        held,
        Decimal::from(2),
        "one product reserved before the cut"
    );
    assert_eq!(processes_in_flight(&pool).await, 1);

    // A new process, as after a restart.
    let restarted = processes(&pool).await;
    assert_eq!(restarted.resume_all(Duration::ZERO).await.unwrap(), 1);
    assert_eq!(order_status(&pool, &order).await, OrderStatus::Submitted);
    assert_eq!(stock_of(&pool, &a).await.reserved(), Decimal::from(2));
    assert_eq!(stock_of(&pool, &b).await.reserved(), Decimal::from(3));
    assert_eq!(processes_in_flight(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_submit_cut_off_that_cannot_complete_is_compensated_on_restart(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "COMP-A", "5").await;
    let b = stocked_product(&app, "COMP-B", "5").await;
    let buyer = customer(&app, "COMP").await;
    let order = draft(&app, &buyer, &[(&a, 2), (&b, 3)]).await;
    let id: OrderId = order.parse().unwrap();
    cut_after_first_reservation(&pool).await;
    let crashing = processes(&pool).await;
    assert!(crashing.submit(id, None, metadata()).await.is_err());
    heal(&pool).await;

    // While the process was down, the second product's stock went elsewhere.
    let (first, second) = if a < b { (&a, &b) } else { (&b, &a) };
    ok(
        &app,
        Method::POST,
        &format!("/stock/{second}/adjustments"),
        json!({"quantity": "-4", "reason": "loss"}),
    )
    .await;

    let restarted = processes(&pool).await;
    assert_eq!(restarted.resume_all(Duration::ZERO).await.unwrap(), 1);
    assert_eq!(order_status(&pool, &order).await, OrderStatus::Draft);
    assert_eq!(
        stock_of(&pool, first).await.reserved(),
        Decimal::ZERO,
        "released"
    );
    assert_eq!(stock_of(&pool, second).await.reserved(), Decimal::ZERO);
    assert_eq!(processes_in_flight(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_short_submit_names_each_short_line_and_reserves_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "SHORT-A", "1").await;
    let b = stocked_product(&app, "SHORT-B", "10").await;
    let c = stocked_product(&app, "SHORT-C", "2").await;
    let buyer = customer(&app, "SHORT").await;
    let order = draft(&app, &buyer, &[(&a, 3), (&b, 4), (&c, 5)]).await;
    let refused = app
        .json(
            Method::POST,
            &format!("/orders/{order}/submit"),
            &[],
            &Value::Null,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "insufficient_stock");
    let mut short: Vec<(String, String, String)> = refused.body["shortages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sku"].as_str().unwrap().to_owned(),
                s["requested"].as_str().unwrap().to_owned(),
                s["available"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    short.sort();
    assert_eq!(
        short,
        [
            ("SHORT-A".to_owned(), "3".to_owned(), "1".to_owned()),
            ("SHORT-C".to_owned(), "5".to_owned(), "2".to_owned()),
        ]
    );
    for product in [&a, &b, &c] {
        assert_eq!(stock_of(&pool, product).await.reserved(), Decimal::ZERO);
    }
    // Still a draft: it can be fixed and submitted again.
    let line = ok(
        &app,
        Method::PATCH,
        &format!("/orders/{order}/lines/1"),
        json!({"quantity": "1"}),
    )
    .await;
    assert!(line["version"].as_u64().is_some());
    ok(
        &app,
        Method::DELETE,
        &format!("/orders/{order}/lines/3"),
        Value::Null,
    )
    .await;
    let submitted = ok(
        &app,
        Method::POST,
        &format!("/orders/{order}/submit"),
        Value::Null,
    )
    .await;
    assert_eq!(submitted["status"], "submitted");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn cancel_releases_exactly_and_fulfil_consumes(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "LIFE-A", "10").await;
    let buyer = customer(&app, "LIFE").await;
    let kept = draft(&app, &buyer, &[(&a, 3)]).await;
    let cancelled = draft(&app, &buyer, &[(&a, 4)]).await;
    for order in [&kept, &cancelled] {
        ok(
            &app,
            Method::POST,
            &format!("/orders/{order}/submit"),
            Value::Null,
        )
        .await;
    }
    assert_eq!(stock_of(&pool, &a).await.reserved(), Decimal::from(7));

    ok(
        &app,
        Method::POST,
        &format!("/orders/{cancelled}/cancel"),
        json!({"reason": "customer changed their mind"}),
    )
    .await;
    let stock = stock_of(&pool, &a).await;
    assert_eq!(
        stock.reserved(),
        Decimal::from(3),
        "exactly the cancelled order's 4"
    );
    assert_eq!(stock.on_hand(), Decimal::from(10));
    // Cancelling twice changes nothing; a cancelled order is final.
    ok(
        &app,
        Method::POST,
        &format!("/orders/{cancelled}/cancel"),
        Value::Null,
    )
    .await;
    let fulfil_cancelled = app
        .json(
            Method::POST,
            &format!("/orders/{cancelled}/fulfil"),
            &[],
            &Value::Null,
        )
        .await;
    assert_eq!(fulfil_cancelled.code(), "order_status");

    ok(
        &app,
        Method::POST,
        &format!("/orders/{kept}/fulfil"),
        Value::Null,
    )
    .await;
    let stock = stock_of(&pool, &a).await;
    assert_eq!(
        (stock.on_hand(), stock.reserved()),
        (Decimal::from(7), Decimal::ZERO)
    );
    assert_eq!(processes_in_flight(&pool).await, 0);

    // Stock may not go below what is reserved.
    let other = draft(&app, &buyer, &[(&a, 5)]).await;
    ok(
        &app,
        Method::POST,
        &format!("/orders/{other}/submit"),
        Value::Null,
    )
    .await;
    let loss = app
        .json(
            Method::POST,
            &format!("/stock/{a}/adjustments"),
            &[],
            &json!({"quantity": "-3", "reason": "loss"}),
        )
        .await;
    assert_eq!(loss.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(loss.code(), "below_reserved");
    assert_eq!(loss.body["quantities"]["reserved"], "5");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn order_rules_answer_with_their_codes(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "RULE-A", "10").await;
    let buyer = customer(&app, "RULE").await;
    // Archived products and customers are refused on new orders.
    ok(
        &app,
        Method::POST,
        &format!("/products/{a}/archive"),
        Value::Null,
    )
    .await;
    let order = draft(&app, &buyer, &[]).await;
    let archived = app
        .json(
            Method::POST,
            &format!("/orders/{order}/lines"),
            &[],
            &json!({"product_id": a, "quantity": "1"}),
        )
        .await;
    assert_eq!(archived.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(archived.body["errors"][0]["code"], "product_archived");
    ok(
        &app,
        Method::POST,
        &format!("/customers/{buyer}/archive"),
        Value::Null,
    )
    .await;
    let gone = app
        .json(Method::POST, "/orders", &[], &json!({"customer_id": buyer}))
        .await;
    assert_eq!(gone.body["errors"][0]["code"], "customer_archived");
    let empty = app
        .json(
            Method::POST,
            &format!("/orders/{order}/submit"),
            &[],
            &Value::Null,
        )
        .await;
    assert_eq!(empty.code(), "order_empty");
    let taken = app
        .json(
            Method::POST,
            "/customers",
            &[],
            &json!({"code": "rule", "legal_name": "Other"}),
        )
        .await;
    assert_eq!(taken.code(), "customer_code_taken");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn order_numbers_are_gap_free_under_concurrency(pool: PgPool) {
    let app = Arc::new(TestApp::new(pool.clone()).await);
    let creates = (0..20).map(|_| {
        let app = Arc::clone(&app);
        tokio::spawn(async move { app.json(Method::POST, "/orders", &[], &Value::Null).await })
    });
    let mut numbers: Vec<String> = futures::future::join_all(creates)
        .await
        .into_iter()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            r.body["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let year = chrono::Utc::now().format("%Y");
    let expected: Vec<String> = (1..=20).map(|n| format!("PRO-{year}-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_submitted_order_outcome_is_reported_once_decided(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "ONCE-A", "3").await;
    let buyer = customer(&app, "ONCE").await;
    let order = draft(&app, &buyer, &[(&a, 2)]).await;
    let id: OrderId = order.parse().unwrap();
    let processes = processes(&pool).await;
    let first = processes.submit(id, None, metadata()).await.unwrap();
    assert!(matches!(first, SubmitOutcome::Submitted { .. }));
    // Submitting a submitted order is refused, and reserves nothing more.
    assert!(processes.submit(id, None, metadata()).await.is_err());
    assert_eq!(stock_of(&pool, &a).await.reserved(), Decimal::from(2));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_submit_whose_driver_died_is_taken_over_within_seconds(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = stocked_product(&app, "DEAD-A", "5").await;
    let b = stocked_product(&app, "DEAD-B", "5").await;
    let buyer = customer(&app, "DEAD").await;
    let order = draft(&app, &buyer, &[(&a, 2), (&b, 3)]).await;
    let id: OrderId = order.parse().unwrap();

    // The driver is stuck writing an event, holding the process's lease, when its
    // process dies: the task is dropped and its connection cut, as in a kill -9.
    let mut blocker = pool.begin().await.unwrap();
    let mine: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *blocker)
        .await
        .unwrap();
    let driver = processes(&pool).await;
    let submit = tokio::spawn(async move { driver.submit(id, None, metadata()).await });
    let held: bool = loop {
        // The lease is taken once OrderSubmissionStarted has committed.
        let leased: Option<bool> = sqlx::query_scalar(
            "SELECT lease_until IS NOT NULL FROM order_processes WHERE order_id = $1",
        )
        .bind(&order)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if leased == Some(true) {
            break true;
        }
        tokio::task::yield_now().await;
    };
    assert!(held);
    sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    crate::reliability::terminate_the_lock_waiter(&pool, mine).await;
    submit.abort();
    let _ = submit.await;
    blocker.rollback().await.unwrap();
    assert_eq!(order_status(&pool, &order).await, OrderStatus::Submitting);

    // A restarted command-api's recovery loop.
    let restarted = Arc::new(processes(&pool).await);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let recovery = tokio::spawn(restarted.run_recovery(Duration::from_millis(100), async {
        let _ = stopped.await;
    }));
    testkit::eventually(
        "the order is submitted by another driver",
        Duration::from_secs(20),
        || async { order_status(&pool, &order).await == OrderStatus::Submitted },
    )
    .await;
    let _ = stop.send(());
    recovery.await.unwrap();
    assert_eq!(stock_of(&pool, &a).await.reserved(), Decimal::from(2));
    assert_eq!(stock_of(&pool, &b).await.reserved(), Decimal::from(3));
    assert_eq!(processes_in_flight(&pool).await, 0);
}
