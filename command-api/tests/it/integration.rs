//! Integration events: published through the outbox beside the domain events, each
//! valid against its JSON Schema in `schemas/integration/`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::Method;
use command_api::relay::{Relay, RelayConfig};
use serde_json::{json, Value};
use sqlx::PgPool;
use testkit::NatsTest;

use crate::helpers::TestApp;

async fn ok(app: &TestApp, method: Method, uri: &str, body: Value) -> Value {
    let response = app.json(method.clone(), uri, &[], &body).await;
    assert!(
        response.status.is_success(),
        "{method} {uri}: {:?}",
        response.body
    );
    response.body
}

fn schema(event_type: &str) -> jsonschema::Validator {
    let path = format!(
        "{}/../schemas/integration/{event_type}.v1.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_integration_message_validates_against_its_schema(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    nats.integration_stream().await;
    let app = TestApp::new(pool.clone()).await;
    let product = ok(
        &app,
        Method::POST,
        "/products",
        json!({"sku": "INT-1", "name": "Étau", "price": "45.00", "vat_rate": "20", "unit": "piece",
               "category": "Outillage", "low_stock_threshold": "2"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::POST,
        &format!("/stock/{product}/adjustments"),
        json!({"quantity": "5", "reason": "receipt"}),
    )
    .await;
    let customer = ok(
        &app,
        Method::POST,
        "/customers",
        json!({"code": "INT", "legal_name": "Int SA"}),
    )
    .await["id"]
        .clone();
    let mut orders = Vec::new();
    for quantity in ["4", "1", "1"] {
        let order = ok(
            &app,
            Method::POST,
            "/orders",
            json!({"customer_id": customer}),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &app,
            Method::POST,
            &format!("/orders/{order}/lines"),
            json!({"product_id": product, "quantity": quantity}),
        )
        .await;
        orders.push(order);
    }
    // Submitted then fulfilled (and stock goes low); submitted then cancelled; a draft
    // cancelled.
    ok(
        &app,
        Method::POST,
        &format!("/orders/{}/submit", orders[0]),
        Value::Null,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/orders/{}/fulfil", orders[0]),
        Value::Null,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/orders/{}/submit", orders[1]),
        Value::Null,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/orders/{}/cancel", orders[1]),
        json!({"reason": "doublon"}),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/orders/{}/cancel", orders[2]),
        Value::Null,
    )
    .await;
    // The fulfilled order invoiced, credited one unit, paid in part.
    let invoice = ok(
        &app,
        Method::POST,
        "/invoices",
        json!({"order_id": orders[0]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::POST,
        &format!("/invoices/{invoice}/credit-notes"),
        json!({"reason": "un étau abîmé", "lines": [{"line_no": 1, "quantity": "1"}]}),
    )
    .await;
    let today: chrono::NaiveDate =
        sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
            .fetch_one(&pool)
            .await
            .unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/invoices/{invoice}/payments"),
        json!({"paid_on": today.to_string(), "amount": "50.00", "method": "cheque",
               "reference": "CHQ 0042"}),
    )
    .await;

    let mut config = RelayConfig::new(nats.config.stream.clone(), nats.subjects());
    config.ack_timeout = Duration::from_secs(2);
    let relay = Relay::new(pool.clone(), nats.client.clone(), config);
    while relay.publish_batch().await.unwrap() > 0 {}

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for message in nats.integration_messages().await {
        let body: Value = serde_json::from_slice(&message.payload).unwrap();
        let event_type = body["type"].as_str().unwrap().to_owned();
        assert_eq!(
            message.subject.as_str(),
            format!("{}.integration.{event_type}.v1", nats.config.prefix)
        );
        let validator = schema(&event_type);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{event_type}: {errors:?}\n{body:#}");
        *seen.entry(event_type).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [
        ("OrderCancelled", 2),
        ("OrderFulfilled", 1),
        ("OrderSubmitted", 2),
        ("StockLow", 1),
        ("InvoiceIssued", 1),
        ("CreditNoteIssued", 1),
        ("PaymentRecorded", 1),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_owned(), n))
    .collect();
    assert_eq!(seen, expected);
    // Domain events went to their own stream, not this one.
    assert!(nats.messages().await.len() > 10);
    nats.cleanup().await;
}

#[test]
fn a_message_missing_a_field_fails_its_schema() {
    let bad = json!({"id": "Stock:x:3", "type": "StockLow", "version": 1,
                     "occurred_at": "2026-11-28T10:00:00Z", "correlation_id": null,
                     "data": {"product_id": "0190a3c4-0000-7000-8000-000000000001", "available": "1"}});
    assert!(!schema("StockLow").is_valid(&bad));
}
