//! Invoices, credit notes and payments read back over the whole write path; overdue
//! status, aged receivables and DSO worked out as of a day, from seeded read models.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use contracts::auth::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{call, get, read_router};
use crate::pipeline::{command, Pipeline, Shop};

async fn today(pool: &PgPool) -> NaiveDate {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Reads `uri` as `role`, expecting 200.
async fn read_as(pipeline: &Pipeline, role: Role, uri: &str) -> Value {
    let bearer = testkit::auth::bearer(&[role]);
    let response = call(
        &pipeline.queries,
        Method::GET,
        uri,
        &[("authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{uri}: {:?}",
        response.body
    );
    response.body
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_invoice_reads_back_with_its_parties_credit_notes_and_payments(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let drill = shop.product("DRILL", "89.90", "20", None).await;
    let book = shop.product("BOOK", "12.00", "5.5", None).await;
    shop.receive(&drill, "10").await;
    shop.receive(&book, "10").await;
    let acme = command(
        &pipeline,
        Method::POST,
        "/customers",
        json!({"code": "ACME", "legal_name": "Acme SARL", "siret": "73282932000074",
               "vat_number": "FR44732829320", "payment_terms": "net_30"}),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = shop.order(&acme, &[(&drill, "2"), (&book, "3")]).await;
    shop.step(&order, "submit").await;
    shop.step(&order, "fulfil").await;
    let issued = command(
        &pipeline,
        Method::POST,
        "/invoices",
        json!({"order_id": order}),
        StatusCode::CREATED,
    )
    .await;
    let id = issued["id"].as_str().unwrap().to_owned();
    let number = issued["number"].as_str().unwrap().to_owned();
    let today = today(&pool).await;

    let detail = read_as(
        &pipeline,
        Role::Sales,
        &format!("/invoices/{id}?min_version=1"),
    )
    .await;
    assert_eq!(detail["number"], number.as_str());
    assert_eq!(detail["status"], "issued");
    assert_eq!(detail["order_id"], order.as_str());
    assert_eq!(detail["customer_code"], "ACME");
    assert_eq!(detail["issue_date"], today.to_string());
    assert_eq!(
        detail["due_date"],
        (today + chrono::Days::new(30)).to_string()
    );
    assert_eq!(detail["payment_terms"], "net_30");
    assert_eq!(detail["total_gross"], "253.74");
    assert_eq!(detail["balance"], "253.74");
    assert_eq!(detail["seller"]["name"], "Négoce Dupont SAS");
    assert_eq!(detail["buyer"]["siret"], "73282932000074");
    assert_eq!(detail["lines"].as_array().unwrap().len(), 2);
    assert_eq!(detail["lines"][1]["sku"], "BOOK");
    assert_eq!(detail["lines"][1]["net"], "36.00");

    command(
        &pipeline,
        Method::POST,
        &format!("/invoices/{id}/credit-notes"),
        json!({"reason": "un livre abîmé", "lines": [{"line_no": 2, "quantity": "1"}]}),
        StatusCode::OK,
    )
    .await;
    let paid = command(
        &pipeline,
        Method::POST,
        &format!("/invoices/{id}/payments"),
        json!({"paid_on": today.to_string(), "amount": "100.00", "method": "bank_transfer",
               "reference": "VIR 2041"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(paid["version"], 3);
    let detail = read_as(
        &pipeline,
        Role::Analyst,
        &format!("/invoices/{id}?min_version=3"),
    )
    .await;
    assert_eq!(detail["status"], "partly_paid");
    assert_eq!(detail["credited"], "12.66");
    assert_eq!(detail["paid"], "100.00");
    assert_eq!(detail["balance"], "141.08");
    assert_eq!(detail["lines"][1]["credited_quantity"], "1");
    assert_eq!(detail["lines"][1]["credited_net"], "12.00");
    let note = &detail["credit_notes"][0];
    assert!(note["number"].as_str().unwrap().starts_with("AV-"));
    assert_eq!(note["total_gross"], "12.66");
    assert_eq!(note["lines"][0]["sku"], "BOOK");
    assert_eq!(note["lines"][0]["quantity"], "1");
    assert_eq!(detail["payments"][0]["method"], "bank_transfer");
    assert_eq!(detail["payments"][0]["reference"], "VIR 2041");

    // Lists, filtered; the warehouse sees no invoice.
    for (query, count) in [
        (format!("customer={acme}"), 1),
        ("status=partly_paid".to_owned(), 1),
        ("status=overdue".to_owned(), 0),
        (format!("q={}", number.to_lowercase()), 1),
        (format!("from={today}&to={today}"), 1),
        (format!("to={}", today.pred_opt().unwrap()), 0),
    ] {
        let page = read_as(&pipeline, Role::Sales, &format!("/invoices?{query}")).await;
        assert_eq!(page["total"], count, "{query}");
    }
    let warehouse = testkit::auth::bearer(&[Role::Warehouse]);
    let refused = call(
        &pipeline.queries,
        Method::GET,
        "/invoices",
        &[("authorization", &warehouse)],
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // What Acme owes: not yet due.
    let aged = read_as(&pipeline, Role::Sales, "/receivables").await;
    assert_eq!(aged["total"], 1);
    assert_eq!(aged["items"][0]["code"], "ACME");
    assert_eq!(aged["items"][0]["total"], "141.08");
    assert_eq!(aged["items"][0]["current"], "141.08");
    assert_eq!(aged["totals"]["days_1_30"], "0.00");
    let summary = read_as(&pipeline, Role::Analyst, "/dashboard/receivables").await;
    assert_eq!(summary["aging"]["total"], "141.08");
    assert_eq!(summary["overdue"], "0.00");
    assert_eq!(summary["dso"]["invoiced"], "241.08");
    // 141.08 / 241.08 × 90 = 52.67…
    assert_eq!(summary["dso"]["value"], "52.7");
    pipeline.stop().await;
}

/// Seeds an invoice row (what the projector writes), issued on `issued`, due on `due`.
async fn seed_invoice(
    pool: &PgPool,
    customer: Uuid,
    code: &str,
    issued: NaiveDate,
    due: NaiveDate,
    gross: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO invoices (id, number, status, order_id, order_number, customer_id,
                               customer_code, customer_name, issue_date, delivery_date, due_date,
                               payment_terms, currency, seller, buyer, line_count, total_net,
                               total_vat, total_gross, vat_lines, version, created_at, updated_at)
         VALUES ($1, 'FAC-' || $1::text, 'issued', $2, 'PRO-x', $3, $4, $4 || ' SA', $5, $5, $6,
                 'net_30', 'EUR', $8, jsonb_build_object('code', $4, 'legal_name', $4 || ' SA'),
                 1, $7::numeric, 0, $7::numeric, '[]', 1, now(), now())",
    )
    .bind(id)
    .bind(Uuid::now_v7())
    .bind(customer)
    .bind(code)
    .bind(issued)
    .bind(due)
    .bind(gross)
    .bind(sqlx::types::Json(testkit::seller()))
    .execute(pool)
    .await
    .unwrap();
    id
}

/// Seeds a payment, and moves the invoice's `paid` and status as the projector does.
async fn seed_payment(pool: &PgPool, invoice: Uuid, on: NaiveDate, amount: &str) {
    sqlx::query(
        "INSERT INTO invoice_payments (invoice_id, id, paid_on, amount, method, recorded_at,
                                       recorded_by)
         VALUES ($1, $2, $3, $4::numeric, 'cheque', now(), 'seed')",
    )
    .bind(invoice)
    .bind(Uuid::now_v7())
    .bind(on)
    .bind(amount)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE invoices SET paid = paid + $2::numeric,
                status = CASE WHEN total_gross - credited - paid - $2::numeric <= 0 THEN 'paid'
                              ELSE 'partly_paid' END
          WHERE id = $1",
    )
    .bind(invoice)
    .bind(amount)
    .execute(pool)
    .await
    .unwrap();
}

async fn seed_credit_note(pool: &PgPool, invoice: Uuid, on: NaiveDate, gross: &str) {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO credit_notes (invoice_id, id, number, issue_date, reason, total_net,
                                   total_vat, total_gross, vat_lines, created_at, created_by)
         VALUES ($1, $2, 'AV-' || $2::text, $3, 'seed', $4::numeric, 0, $4::numeric, '[]', now(),
                 'seed')",
    )
    .bind(invoice)
    .bind(id)
    .bind(on)
    .bind(gross)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE invoices SET credited = credited + $2::numeric WHERE id = $1")
        .bind(invoice)
        .bind(gross)
        .execute(pool)
        .await
        .unwrap();
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn receivables_are_aged_as_of_a_day_from_dated_credit_notes_and_payments(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    let (x, y) = (Uuid::now_v7(), Uuid::now_v7());
    let issued = d("2026-01-01");
    // As of 30 June 2026, customer X:
    seed_invoice(&pool, x, "X", issued, d("2026-07-15"), "100.00").await; // not yet due
    let partly = seed_invoice(&pool, x, "X", issued, d("2026-06-20"), "200.00").await; // 10 days
    seed_payment(&pool, partly, d("2026-06-01"), "50.00").await;
    seed_invoice(&pool, x, "X", issued, d("2026-05-15"), "300.00").await; // 46 days
    let credited = seed_invoice(&pool, x, "X", issued, d("2026-04-10"), "400.00").await; // 81
    seed_credit_note(&pool, credited, d("2026-05-01"), "100.00").await;
    // A credit note after the day does not count yet.
    seed_credit_note(&pool, credited, d("2026-07-01"), "300.00").await;
    seed_invoice(&pool, x, "X", issued, d("2026-01-01"), "500.00").await; // 180 days
    let settled = seed_invoice(&pool, x, "X", issued, d("2026-03-01"), "50.00").await;
    seed_payment(&pool, settled, d("2026-03-01"), "50.00").await;
    // Customer Y: paid in full, but only after the day; and an invoice issued after it.
    let late = seed_invoice(&pool, y, "Y", issued, d("2026-06-01"), "60.00").await; // 29 days
    seed_payment(&pool, late, d("2026-07-05"), "60.00").await;
    seed_invoice(&pool, y, "Y", d("2026-07-02"), d("2026-08-01"), "70.00").await;

    let aged = get(&app, "/receivables?as_of=2026-06-30").await;
    assert_eq!(aged.status, StatusCode::OK, "{:?}", aged.body);
    let body = &aged.body;
    assert_eq!(body["as_of"], "2026-06-30");
    assert_eq!(body["total"], 2);
    assert_eq!(
        body["totals"],
        json!({"invoices": 6, "total": "1410.00", "current": "100.00", "days_1_30": "210.00",
               "days_31_60": "300.00", "days_61_90": "300.00", "over_90": "500.00"})
    );
    let first = &body["items"][0];
    assert_eq!(first["customer_id"], x.to_string());
    assert_eq!(first["code"], "X");
    assert_eq!(first["invoices"], 5);
    assert_eq!(first["total"], "1350.00");
    assert_eq!(first["oldest_due_date"], "2026-01-01");
    assert_eq!(body["items"][1]["total"], "60.00");
    let one = get(&app, &format!("/receivables?as_of=2026-06-30&customer={y}")).await;
    assert_eq!(one.body["total"], 1);
    assert_eq!(one.body["totals"]["days_1_30"], "60.00");
    let paged = get(&app, "/receivables?as_of=2026-06-30&limit=1&page=2").await;
    assert_eq!(paged.body["items"][0]["code"], "Y");

    // Today: what is stored. Y's late invoice is paid, X's 400 credited in full, and Y's
    // invoice of July counts: 100 + 150 + 300 + 500 + 70.
    let now = get(&app, "/receivables").await;
    assert_eq!(now.status, StatusCode::OK, "{:?}", now.body);
    assert_eq!(now.body["totals"]["invoices"], 5);
    assert_eq!(now.body["totals"]["total"], "1120.00");

    let summary = get(&app, "/dashboard/receivables?as_of=2026-06-30&days=181").await;
    assert_eq!(summary.status, StatusCode::OK, "{:?}", summary.body);
    assert_eq!(summary.body["aging"]["total"], "1410.00");
    assert_eq!(summary.body["overdue"], "1310.00");
    // Invoiced from 1 January to 30 June: 1,610.00, less the credit note of May: 1,510.00.
    assert_eq!(summary.body["dso"]["invoiced"], "1510.00");
    assert_eq!(summary.body["dso"]["value"], "169.0");
    let empty = get(&app, "/dashboard/receivables?as_of=2025-06-30").await;
    assert_eq!(empty.body["dso"]["value"], Value::Null);
    for bad in [
        "/dashboard/receivables?days=0",
        "/dashboard/receivables?days=731",
        "/receivables?as_of=2026-02-30",
        "/receivables?customer=nope",
    ] {
        let refused = get(&app, bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(refused.code(), "malformed_query", "{bad}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_invoice_owing_after_its_due_date_reads_overdue_and_lists_page_by_keyset(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    let today = today(&pool).await;
    let customer = Uuid::now_v7();
    let day = |offset: i64| today + chrono::Duration::days(offset);
    let overdue = seed_invoice(&pool, customer, "C", day(-40), day(-10), "10.00").await;
    let due_today = seed_invoice(&pool, customer, "C", day(-30), day(0), "20.00").await;
    let paid_late = seed_invoice(&pool, customer, "C", day(-50), day(-20), "30.00").await;
    seed_payment(&pool, paid_late, day(-1), "30.00").await;
    let partly = seed_invoice(&pool, customer, "C", day(-60), day(-30), "40.00").await;
    seed_payment(&pool, partly, day(-1), "5.00").await;

    let status = |id: Uuid| {
        let app = &app;
        async move { get(app, &format!("/invoices/{id}")).await.body["status"].clone() }
    };
    assert_eq!(status(overdue).await, "overdue");
    assert_eq!(status(due_today).await, "issued");
    assert_eq!(status(paid_late).await, "paid");
    assert_eq!(status(partly).await, "overdue");
    let listed = get(&app, "/invoices?status=overdue&sort=due").await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [partly.to_string(), overdue.to_string()]);
    assert_eq!(get(&app, "/invoices?status=issued").await.body["total"], 1);

    // Keyset paging over the default order (newest issue first).
    let first = get(&app, "/invoices?limit=3").await;
    assert_eq!(first.body["total"], 4);
    let after = first.body["next_after"].as_str().unwrap().to_owned();
    assert_eq!(after, paid_late.to_string());
    let rest = get(&app, &format!("/invoices?limit=3&after={after}")).await;
    assert_eq!(rest.body["items"][0]["id"], partly.to_string());
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);

    // The detail's ETag holds the day: `overdue` may change overnight.
    let detail = get(&app, &format!("/invoices/{overdue}")).await;
    let etag = detail.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"1-{today}\""));
    let again = call(
        &app,
        Method::GET,
        &format!("/invoices/{overdue}"),
        &[("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let missing = get(&app, &format!("/invoices/{}", Uuid::now_v7())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "invoice_not_found");
}
