//! Invoices on the write side: issued from fulfilled orders only, numbered without gaps
//! in the event's transaction (under concurrency too), one per order; credit notes and
//! payments with their limits; retries; the seller's snapshot.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestResponse};

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

/// A product at `price` (VAT `vat` %) with 1,000 on hand; returns its id.
async fn product(app: &TestApp, sku: &str, price: &str, vat: &str) -> String {
    let id = ok(
        app,
        Method::POST,
        "/products",
        json!({"sku": sku, "name": format!("Article {sku}"), "price": price, "vat_rate": vat,
               "unit": "piece", "category": "Test"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        app,
        Method::POST,
        &format!("/stock/{id}/adjustments"),
        json!({"quantity": "1000", "reason": "receipt"}),
    )
    .await;
    id
}

async fn customer(app: &TestApp, code: &str, terms: &str) -> String {
    ok(
        app,
        Method::POST,
        "/customers",
        json!({"code": code, "legal_name": format!("{code} SARL"), "siret": "73282932000074",
               "vat_number": "FR44732829320", "payment_terms": terms,
               "billing_address": {"line1": "3 avenue de la Gare", "postal_code": "31000",
                                   "city": "Toulouse", "country": "FR"}}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An order of `lines` (product, quantity, discount) for `customer`, submitted, and
/// fulfilled unless `fulfil` is false.
async fn order(
    app: &TestApp,
    customer: &str,
    lines: &[(&str, &str, &str)],
    fulfil: bool,
) -> String {
    let id = ok(
        app,
        Method::POST,
        "/orders",
        json!({"customer_id": customer}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (product, quantity, discount) in lines {
        ok(
            app,
            Method::POST,
            &format!("/orders/{id}/lines"),
            json!({"product_id": product, "quantity": quantity, "discount": discount}),
        )
        .await;
    }
    ok(
        app,
        Method::POST,
        &format!("/orders/{id}/submit"),
        Value::Null,
    )
    .await;
    if fulfil {
        ok(
            app,
            Method::POST,
            &format!("/orders/{id}/fulfil"),
            Value::Null,
        )
        .await;
    }
    id
}

async fn issue(app: &TestApp, order: &str) -> TestResponse {
    app.json(Method::POST, "/invoices", &[], &json!({"order_id": order}))
        .await
}

/// The stored payload of an invoice's first event.
async fn issued_payload(pool: &PgPool, invoice: &str) -> Value {
    let payload: Value = sqlx::query_scalar(
        "SELECT payload::jsonb FROM events
          WHERE aggregate_type = 'Invoice' AND aggregate_id = $1 AND sequence = 1",
    )
    .bind(invoice)
    .fetch_one(pool)
    .await
    .unwrap();
    payload["InvoiceIssued"].clone()
}

async fn today(pool: &PgPool) -> chrono::NaiveDate {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_fulfilled_order_is_invoiced_once_with_snapshots_and_a_number(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let drill = product(&app, "DRILL", "89.90", "20").await;
    let book = product(&app, "BOOK", "12.00", "5.5").await;
    let acme = customer(&app, "ACME", "end_of_month_30").await;
    let fulfilled = order(&app, &acme, &[(&drill, "2", "10"), (&book, "3", "0")], true).await;

    let response = issue(&app, &fulfilled).await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    let id = response.id();
    assert_eq!(response.version(), 1);
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(
        response.header("location"),
        Some(format!("/invoices/{id}").as_str())
    );
    let number = response.body["number"].as_str().unwrap().to_owned();
    let today = today(&pool).await;
    assert_eq!(number, format!("FAC-{}-000001", today.format("%Y")));
    // What it amounts to, so that a client can take a payment without reading it back.
    assert_eq!(response.body["total_gross"], "232.16");
    assert_eq!(response.body["balance"], "232.16");

    let stored = issued_payload(&pool, &id).await;
    assert_eq!(stored["number"], number.as_str());
    assert_eq!(stored["order_id"], fulfilled.as_str());
    assert_eq!(stored["issue_date"], today.to_string());
    assert_eq!(stored["delivery_date"], today.to_string());
    let due = command_api::domain::invoice::due_date(
        contracts::customer::PaymentTerms::EndOfMonth30,
        today,
    );
    assert_eq!(stored["due_date"], due.to_string());
    // The order's lines priced by the order's rules: 2 × 89.90 − 10 % = 161.82 at 20 %,
    // 3 × 12.00 = 36.00 at 5.5 %.
    assert_eq!(
        stored["totals"],
        json!({"net": "197.82", "vat": [
                  {"rate": "20", "base": "161.82", "amount": "32.36"},
                  {"rate": "5.5", "base": "36.00", "amount": "1.98"}],
               "vat_total": "34.34", "gross": "232.16"})
    );
    assert_eq!(stored["seller"]["siret"], "35600000000048");
    assert_eq!(stored["buyer"]["code"], "ACME");
    assert_eq!(stored["buyer"]["vat_number"], "FR44732829320");
    assert_eq!(stored["buyer"]["billing_address"]["city"], "Toulouse");

    // A later change of the customer leaves the issued invoice as it was.
    ok(
        &app,
        Method::PATCH,
        &format!("/customers/{acme}"),
        json!({"legal_name": "Acme Renamed SAS"}),
    )
    .await;
    assert_eq!(issued_payload(&pool, &id).await, stored);

    // A second invoice of the order is refused, naming the first.
    let again = issue(&app, &fulfilled).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert_eq!(again.code(), "order_already_invoiced");
    assert_eq!(again.body["invoice_id"], id.as_str());
    // The same invoice sent again (a retry with its id): answered, nothing recorded.
    let retry = app
        .json(
            Method::POST,
            "/invoices",
            &[],
            &json!({"order_id": fulfilled, "id": id}),
        )
        .await;
    assert_eq!(retry.status, StatusCode::OK, "{:?}", retry.body);
    assert_eq!(retry.version(), 1);
    assert_eq!(retry.body["number"], number.as_str());

    // The next invoice takes the next number.
    let other = order(&app, &acme, &[(&book, "1", "0")], true).await;
    let next = issue(&app, &other).await;
    assert_eq!(next.status, StatusCode::CREATED, "{:?}", next.body);
    assert_eq!(
        next.body["number"],
        format!("FAC-{}-000002", today.format("%Y"))
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn only_an_existing_fulfilled_order_is_invoiced(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let book = product(&app, "BOOK", "12.00", "5.5").await;
    let acme = customer(&app, "ACME", "net_30").await;
    let submitted = order(&app, &acme, &[(&book, "1", "0")], false).await;
    let refused = issue(&app, &submitted).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "order_not_fulfilled");

    let unknown = issue(&app, &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.code(), "validation_failed");
    assert_eq!(unknown.body["errors"][0]["field"], "order_id");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_order");

    let malformed = app
        .json(
            Method::POST,
            "/invoices",
            &[],
            &json!({"order_id": "nope", "id": "nope either"}),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = malformed.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["order_id", "id"]);
    // No number was used by the refusals.
    let counters: i64 = sqlx::query_scalar("SELECT count(*) FROM invoice_number_counters")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counters, 0);
}

/// Many issues at once: one invoice per order whatever the race, and numbers 1..n with
/// no gap and no double, credit notes likewise in their own sequence.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn concurrent_issues_number_without_gaps_and_invoice_each_order_once(pool: PgPool) {
    let app = Arc::new(TestApp::new(pool.clone()).await);
    let book = product(&app, "BOOK", "12.00", "5.5").await;
    let acme = customer(&app, "ACME", "immediate").await;
    let mut orders = Vec::new();
    for _ in 0..6 {
        orders.push(order(&app, &acme, &[(&book, "1", "0")], true).await);
    }
    // Each order invoiced three times at once, every attempt with its own id.
    let mut attempts = Vec::new();
    for order in &orders {
        for _ in 0..3 {
            let (app, order) = (Arc::clone(&app), order.clone());
            attempts.push(tokio::spawn(async move {
                let response = issue(&app, &order).await;
                (response.status, response.body)
            }));
        }
    }
    let mut numbers = Vec::new();
    let mut refused = 0;
    for attempt in attempts {
        let (status, body) = attempt.await.unwrap();
        match status {
            StatusCode::CREATED => numbers.push(body["number"].as_str().unwrap().to_owned()),
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "order_already_invoiced", "{body}");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((numbers.len(), refused), (6, 12));
    let mut serials: Vec<u32> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, (1..=6).collect::<Vec<_>>());

    // Credit notes on all six at once: AV-…-000001 to 000006.
    let invoices: Vec<String> = sqlx::query_scalar(
        "SELECT aggregate_id FROM events WHERE event_type = 'InvoiceIssued' ORDER BY position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut notes = Vec::new();
    for invoice in invoices {
        let app = Arc::clone(&app);
        notes.push(tokio::spawn(async move {
            ok(
                &app,
                Method::POST,
                &format!("/invoices/{invoice}/credit-notes"),
                json!({"reason": "annulation", "whole": true}),
            )
            .await["number"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut serials = Vec::new();
    for note in notes {
        let number = note.await.unwrap();
        assert!(number.starts_with("AV-"), "{number}");
        serials.push(number.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    }
    serials.sort_unstable();
    assert_eq!(serials, (1..=6).collect::<Vec<_>>());
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn credit_notes_and_payments_keep_within_the_invoice(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let drill = product(&app, "DRILL", "89.90", "20").await;
    let book = product(&app, "BOOK", "12.00", "5.5").await;
    let acme = customer(&app, "ACME", "net_30").await;
    let fulfilled = order(&app, &acme, &[(&drill, "2", "10"), (&book, "3", "0")], true).await;
    let invoice = issue(&app, &fulfilled).await.id();
    let credit = |body: Value| {
        let app = &app;
        let uri = format!("/invoices/{invoice}/credit-notes");
        async move { app.json(Method::POST, &uri, &[], &body).await }
    };
    let pay = |body: Value, headers: Vec<(&'static str, String)>| {
        let app = &app;
        let uri = format!("/invoices/{invoice}/payments");
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.json(Method::POST, &uri, &headers, &body).await
        }
    };

    // One unit of the book (12.00 at 5.5 %: 12.66 TTC).
    let note = credit(json!({"reason": "retour d'un livre abîmé",
                             "lines": [{"line_no": 2, "quantity": "1"}]}))
    .await;
    assert_eq!(note.status, StatusCode::OK, "{:?}", note.body);
    assert_eq!(note.version(), 2);
    assert!(note.body["number"].as_str().unwrap().starts_with("AV-"));
    assert_eq!(note.body["balance"], "219.50");
    assert_eq!(note.body["status"], "issued");

    // More than is left, on a line or as a whole: refused, nothing recorded.
    for body in [
        json!({"reason": "trop", "lines": [{"line_no": 2, "quantity": "3"}]}),
        json!({"reason": "trop", "lines": [{"line_no": 1, "amount": "161.83"}]}),
    ] {
        let refused = credit(body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.code(), "credit_exceeds_invoice");
    }
    for (body, field, code) in [
        (
            json!({"reason": "x", "lines": [{"line_no": 9, "amount": "1"}]}),
            "lines[0].line_no",
            "unknown_line",
        ),
        (
            json!({"reason": "x", "lines": [{"line_no": 1, "amount": "1"}, {"line_no": 1, "quantity": "1"}]}),
            "lines[1].line_no",
            "duplicate_line",
        ),
        (
            json!({"reason": "x", "lines": [{"line_no": 1, "amount": "1", "quantity": "1"}]}),
            "lines[0].amount",
            "exclusive",
        ),
        (
            json!({"reason": "x", "whole": true, "lines": [{"line_no": 1, "amount": "1"}]}),
            "lines",
            "exclusive",
        ),
        (json!({"reason": "x"}), "lines", "required"),
        (json!({"reason": " ", "whole": true}), "reason", "required"),
        (
            json!({"reason": "x", "lines": [{"line_no": 1, "amount": "0.001"}]}),
            "lines[0].amount",
            "too_precise",
        ),
    ] {
        let refused = credit(body.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(refused.body["errors"][0]["field"], field, "{body}");
        assert_eq!(refused.body["errors"][0]["code"], code, "{body}");
    }

    // A payment: partial, then more than the balance (refused, naming it), then the rest.
    let today = today(&pool).await;
    let first = pay(
        json!({"paid_on": today.to_string(), "amount": "100.00", "method": "bank_transfer",
               "reference": "VIR 2041"}),
        vec![("if-match", "\"2\"".to_owned())],
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["balance"], "119.50");
    assert_eq!(first.body["status"], "partly_paid");
    let payment_id = first.body["payment_id"].as_str().unwrap().to_owned();
    let stale = pay(
        json!({"paid_on": today.to_string(), "amount": "1.00", "method": "cash"}),
        vec![("if-match", "\"2\"".to_owned())],
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let over = pay(
        json!({"paid_on": today.to_string(), "amount": "119.51", "method": "cheque"}),
        vec![],
    )
    .await;
    assert_eq!(
        over.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        over.body
    );
    assert_eq!(over.code(), "overpayment");
    assert_eq!(over.body["balance"], "119.50");
    let future = today.succ_opt().unwrap();
    let early = pay(
        json!({"paid_on": future.to_string(), "amount": "1.00", "method": "card"}),
        vec![],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.body["errors"][0]["field"], "paid_on");
    assert_eq!(early.body["errors"][0]["code"], "in_future");
    let bad = pay(
        json!({"paid_on": "2026-02-30", "amount": "-1", "method": "wire"}),
        vec![],
    )
    .await;
    let codes: Vec<(&str, &str)> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("paid_on", "invalid_date"),
            ("amount", "negative"),
            ("method", "unknown_payment_method")
        ]
    );

    // The same payment sent again with its id: recorded once.
    let rest_id = uuid::Uuid::now_v7().to_string();
    let rest = json!({"id": rest_id, "paid_on": today.to_string(), "amount": "119.50",
                      "method": "direct_debit"});
    let paid = pay(rest.clone(), vec![]).await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.body);
    assert_eq!(paid.body["balance"], "0.00");
    assert_eq!(paid.body["status"], "paid");
    let again = pay(rest, vec![]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.version(), paid.version());
    let changed = pay(
        json!({"id": rest_id, "paid_on": today.to_string(), "amount": "1.00", "method": "cash"}),
        vec![],
    )
    .await;
    assert_eq!(changed.status, StatusCode::CONFLICT);
    assert_eq!(changed.code(), "payment_exists");
    assert_ne!(payment_id, rest_id);

    // Nothing is left to pay; a credit note of the rest makes a refund owed.
    let whole = credit(json!({"reason": "annulation de la commande", "whole": true})).await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body);
    assert_eq!(whole.body["balance"], "-219.50");
    assert_eq!(whole.body["status"], "credited");
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM events WHERE aggregate_type = 'Invoice' AND aggregate_id = $1
          ORDER BY sequence",
    )
    .bind(&invoice)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "InvoiceIssued",
            "CreditNoteIssued",
            "PaymentRecorded",
            "PaymentRecorded",
            "CreditNoteIssued"
        ]
    );
    let missing = app
        .json(
            Method::POST,
            &format!("/invoices/{}/payments", uuid::Uuid::now_v7()),
            &[],
            &json!({"paid_on": today.to_string(), "amount": "1", "method": "cash"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "invoice_not_found");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn without_a_seller_no_invoice_is_issued(pool: PgPool) {
    let app = TestApp::without_seller(pool.clone()).await;
    let book = product(&app, "BOOK", "12.00", "5.5").await;
    let acme = customer(&app, "ACME", "net_30").await;
    let fulfilled = order(&app, &acme, &[(&book, "1", "0")], true).await;
    let refused = issue(&app, &fulfilled).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "seller_not_configured");
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'Invoice'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(events, 0);
}
