//! The whole data path: command-api → events + outbox → relay → JetStream → projector
//! → read model → read-api, each step a separate task on the real services.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use contracts::auth::Role;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::call;
use crate::pipeline::{command, Pipeline};

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_created_product_is_readable_at_the_returned_version_on_the_first_try(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let (commands, queries) = (&pipeline.commands, &pipeline.queries);
    let sales = testkit::auth::claims(&[Role::Sales]);
    let sales_token = format!("Bearer {}", testkit::auth::sign(&sales));

    let created = call(
        commands,
        Method::POST,
        "/products",
        &[
            ("x-request-id", "e2e-1"),
            ("authorization", &sales_token),
            ("user-agent", "e2e/1"),
        ],
        Some(json!({
            "sku": "E2E-1", "name": "Perceuse", "price": "89.00", "vat_rate": "20",
            "unit": "piece", "category": "Outillage"
        })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let version = created.body["version"].as_u64().unwrap();

    let read = call(
        queries,
        Method::GET,
        &format!("/products/{id}?min_version={version}"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["sku"], "E2E-1");
    assert_eq!(read.body["price"], "89.00");
    assert_eq!(read.body["updated_by"], sales.sub.to_string());
    assert_eq!(read.body["last_correlation_id"], "e2e-1");

    let updated = call(
        commands,
        Method::PATCH,
        &format!("/products/{id}"),
        &[("if-match", &format!("\"{version}\""))],
        Some(json!({"price": "79.00"})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK);
    let etag = updated.headers["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let listed = call(
        queries,
        Method::GET,
        &format!("/products?q=e2e&min_version={id}:{etag}"),
        &[],
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body["items"][0]["price"], "79.00");
    assert_eq!(listed.body["items"][0]["version"], 2);

    // The audit trail, for an admin: who created it, from where, under which request.
    let audit = call(
        queries,
        Method::GET,
        &format!("/audit?aggregate_id={id}&type=ProductCreated"),
        &[],
        None,
    )
    .await;
    assert_eq!(audit.status, StatusCode::OK, "{:?}", audit.body);
    assert_eq!(audit.body["total"], 1);
    let entry = &audit.body["items"][0];
    assert_eq!(entry["actor_id"], sales.sub.to_string());
    assert_eq!(entry["actor_roles"], "sales");
    assert_eq!(entry["source_ip"], "192.0.2.7");
    assert_eq!(entry["user_agent"], "e2e/1");
    assert_eq!(entry["correlation_id"], "e2e-1");
    assert_eq!(entry["payload"]["ProductCreated"]["sku"], "E2E-1");
    // …and not for the sales user who did it.
    let denied = call(
        queries,
        Method::GET,
        "/audit",
        &[("authorization", &sales_token)],
        None,
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    pipeline.stop().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_order_goes_from_draft_to_fulfilled_and_both_read_models_agree(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let mut products = Vec::new();
    for (sku, price, vat, stock) in [
        ("DRILL", "89.90", "20", "10"),
        ("BOOK", "12.00", "5.5", "5"),
    ] {
        let created = command(
            &pipeline,
            Method::POST,
            "/products",
            json!({"sku": sku, "name": sku, "price": price, "vat_rate": vat, "unit": "piece",
                   "category": "Test", "low_stock_threshold": "2"}),
            StatusCode::CREATED,
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        command(
            &pipeline,
            Method::POST,
            &format!("/stock/{id}/adjustments"),
            json!({"quantity": stock, "reason": "receipt", "comment": "first delivery"}),
            StatusCode::OK,
        )
        .await;
        products.push(id);
    }
    let customer = command(
        &pipeline,
        Method::POST,
        "/customers",
        json!({"code": "ACME", "legal_name": "Acme SARL"}),
        StatusCode::CREATED,
    )
    .await;
    let order = command(
        &pipeline,
        Method::POST,
        "/orders",
        json!({"customer_id": customer["id"]}),
        StatusCode::CREATED,
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    assert!(
        order["number"].as_str().unwrap().starts_with("PRO-"),
        "{order}"
    );
    command(
        &pipeline,
        Method::POST,
        &format!("/orders/{order_id}/lines"),
        json!({"product_id": products[0], "quantity": "3", "discount": "10"}),
        StatusCode::OK,
    )
    .await;
    command(
        &pipeline,
        Method::POST,
        &format!("/orders/{order_id}/lines"),
        json!({"product_id": products[1], "quantity": "4", "unit_price": "11.50"}),
        StatusCode::OK,
    )
    .await;
    let submitted = command(
        &pipeline,
        Method::POST,
        &format!("/orders/{order_id}/submit"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    let version = submitted["version"].as_u64().unwrap();

    let read = call(
        &pipeline.queries,
        Method::GET,
        &format!("/orders/{order_id}?min_version={version}"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    let body = &read.body;
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["customer_code"], "ACME");
    // 3 × 89.90 − 10 % = 242.73 at 20 %; 4 × 11.50 = 46.00 at 5.5 %.
    assert_eq!(body["total_net"], "288.73");
    assert_eq!(body["vat_lines"][0]["amount"], "48.55");
    assert_eq!(body["vat_lines"][1]["amount"], "2.53");
    assert_eq!(body["total_vat"], "51.08");
    assert_eq!(body["total_gross"], "339.81");
    assert_eq!(body["lines"].as_array().unwrap().len(), 2);

    let fulfilled = command(
        &pipeline,
        Method::POST,
        &format!("/orders/{order_id}/fulfil"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    let done = call(
        &pipeline.queries,
        Method::GET,
        &format!("/orders/{order_id}?min_version={}", fulfilled["version"]),
        &[],
        None,
    )
    .await;
    assert_eq!(done.body["status"], "fulfilled");

    // Stock: 10 − 3 and 5 − 4 on hand, nothing reserved, the book below its threshold.
    for (product, on_hand, low) in [(&products[0], "7", false), (&products[1], "1", true)] {
        let level = testkit::eventually_value(
            "the stock read model catches up",
            Duration::from_secs(10),
            || async {
                let level = call(
                    &pipeline.queries,
                    Method::GET,
                    &format!("/stock/{product}"),
                    &[],
                    None,
                )
                .await;
                (level.body["on_hand"] == on_hand && level.body["reserved"] == "0")
                    .then_some(level.body)
            },
        )
        .await;
        assert_eq!(level["available"], on_hand);
        assert_eq!(level["low"], low, "{level}");
        let movements = call(
            &pipeline.queries,
            Method::GET,
            &format!("/stock/{product}/movements"),
            &[],
            None,
        )
        .await;
        let kinds: Vec<&str> = movements.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["consumed", "reserved", "adjusted"]);
    }
    let fulfilled = call(
        &pipeline.queries,
        Method::GET,
        "/orders?status=fulfilled&q=acme&sort=-total",
        &[],
        None,
    )
    .await;
    assert_eq!(fulfilled.status, StatusCode::OK, "{:?}", fulfilled.body);
    assert_eq!(fulfilled.body["total"], 1);
    assert_eq!(fulfilled.body["items"][0]["total_gross"], "339.81");
    let low = call(&pipeline.queries, Method::GET, "/stock?low=true", &[], None).await;
    assert_eq!(low.body["total"], 1);
    assert_eq!(low.body["items"][0]["sku"], "BOOK");
    pipeline.stop().await;
}

/// What an order copies from other aggregates is of two kinds: its lines keep the
/// product as it was when the line was added (a snapshot: a later rename or price change
/// must not rewrite an order), while the customer shown with the order is the current one
/// (kept up to date by the customer's own events).
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn order_lines_keep_their_product_snapshot_and_the_customer_shown_is_current(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let product = command(
        &pipeline,
        Method::POST,
        "/products",
        json!({"sku": "LAMP", "name": "Lampe", "price": "30.00", "vat_rate": "20",
               "unit": "piece", "category": "Test"}),
        StatusCode::CREATED,
    )
    .await;
    let product_id = product["id"].as_str().unwrap().to_owned();
    let customer = command(
        &pipeline,
        Method::POST,
        "/customers",
        json!({"code": "ACME", "legal_name": "Acme SARL"}),
        StatusCode::CREATED,
    )
    .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let order = command(
        &pipeline,
        Method::POST,
        "/orders",
        json!({"customer_id": customer_id}),
        StatusCode::CREATED,
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    let with_line = command(
        &pipeline,
        Method::POST,
        &format!("/orders/{order_id}/lines"),
        json!({"product_id": product_id, "quantity": "2"}),
        StatusCode::OK,
    )
    .await;

    command(
        &pipeline,
        Method::PATCH,
        &format!("/products/{product_id}"),
        json!({"name": "Lampe LED", "price": "35.00"}),
        StatusCode::OK,
    )
    .await;
    let renamed = command(
        &pipeline,
        Method::PATCH,
        &format!("/customers/{customer_id}"),
        json!({"legal_name": "Acme Industries SAS"}),
        StatusCode::OK,
    )
    .await;
    // The customer's projection updates the orders' copies in its own transaction.
    let seen = call(
        &pipeline.queries,
        Method::GET,
        &format!(
            "/customers/{customer_id}?min_version={}",
            renamed["version"].as_u64().unwrap()
        ),
        &[],
        None,
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);

    let read = call(
        &pipeline.queries,
        Method::GET,
        &format!(
            "/orders/{order_id}?min_version={}",
            with_line["version"].as_u64().unwrap()
        ),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["customer_name"], "Acme Industries SAS");
    let line = &read.body["lines"][0];
    assert_eq!(line["label"], "Lampe", "{line}");
    assert_eq!(line["unit_price"], "30.00", "{line}");
    assert_eq!(line["net"], "60.00", "{line}");
    let list = call(&pipeline.queries, Method::GET, "/orders", &[], None).await;
    assert_eq!(
        list.body["items"][0]["customer_name"],
        "Acme Industries SAS"
    );

    pipeline.stop().await;
}
