//! Read rows are typed from the table on: closed sets are enums read from the text the
//! projector writes, amounts are money, JSON columns the domain's structs; a list filter
//! on a closed set refuses a value outside it.

use std::fmt::Debug;
use std::time::Duration;

use axum::http::StatusCode;
use contracts::account::UserStatus;
use contracts::auth::Role;
use contracts::customer::PaymentTerms;
use contracts::events::OrderStatus;
use contracts::invoice::{InvoiceStatus, PaymentMethod};
use contracts::money::Money;
use contracts::product::{ProductStatus, Unit};
use contracts::read::{ClosedSet, CustomerStatus, StockMovementKind};
use contracts::stock::AdjustmentReason;
use serde_json::json;
use sqlx::postgres::Postgres;
use sqlx::{Decode, Encode, PgPool, Type};
use uuid::Uuid;

use crate::helpers::{get, read_router, seed_product};

const WAIT: Duration = Duration::from_millis(100);

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_typo_in_a_closed_set_filter_is_a_400_naming_the_parameter_and_its_values(pool: PgPool) {
    let app = read_router(&pool, WAIT);
    let statuses = json!(["draft", "submitting", "submitted", "fulfilled", "cancelled"]);
    for (uri, parameter, typo, allowed) in [
        (
            "/products?status=actve",
            "status",
            "actve",
            json!(["active", "archived"]),
        ),
        (
            "/products/export?status=Archived",
            "status",
            "Archived",
            json!(["active", "archived"]),
        ),
        (
            "/customers?status=archvied",
            "status",
            "archvied",
            json!(["active", "archived"]),
        ),
        (
            "/customers/export?status=inactive",
            "status",
            "inactive",
            json!(["active", "archived"]),
        ),
        ("/orders?status=submited", "status", "submited", statuses),
        (
            "/invoices?status=unpaid",
            "status",
            "unpaid",
            json!(["issued", "partly_paid", "paid", "credited", "overdue"]),
        ),
        (
            "/users?status=disable",
            "status",
            "disable",
            json!(["active", "disabled"]),
        ),
        (
            "/users?role=admn",
            "role",
            "admn",
            json!(["admin", "sales", "warehouse", "analyst"]),
        ),
        (
            "/audit?aggregate_type=Prodcut",
            "aggregate_type",
            "Prodcut",
            json!([
                "Product",
                "User",
                "Session",
                "LoginAttempt",
                "Stock",
                "Customer",
                "Order",
                "Invoice"
            ]),
        ),
    ] {
        let response = get(&app, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query", "{uri}");
        assert_eq!(response.body["parameter"], parameter, "{uri}");
        assert_eq!(response.body["allowed"], allowed, "{uri}");
        let detail = response.body["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("`{typo}`")), "{uri}: {detail}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_closed_set_filter_spelt_right_narrows_the_list(pool: PgPool) {
    let active = seed_customer(&pool, "ACTIF", "active").await;
    let archived = seed_customer(&pool, "ARCHIVE", "archived").await;
    let app = read_router(&pool, WAIT);
    for (status, id) in [("archived", archived), ("%20active%20", active)] {
        let listed = get(&app, &format!("/customers?status={status}")).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.body["total"], 1, "{status}");
        assert_eq!(listed.body["items"][0]["id"], id.to_string());
    }
    let everyone = get(&app, "/customers?status=").await;
    assert_eq!(everyone.body["total"], 2, "an empty filter is no filter");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_customer_reads_back_as_stored(pool: PgPool) {
    let id = seed_customer(&pool, "DUPONT", "archived").await;
    let app = read_router(&pool, WAIT);
    let response = get(&app, &format!("/customers/{id}")).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = &response.body;
    assert_eq!(body["payment_terms"], "net_30");
    assert_eq!(body["credit_limit"], "1500.50");
    assert_eq!(body["status"], "archived");
    assert_eq!(
        body["billing_address"],
        json!({"line1": "12 rue Haute", "line2": null, "postal_code": "69001", "city": "Lyon",
               "country": "FR"})
    );
    assert_eq!(body["shipping_address"], json!(null));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_order_reads_back_as_stored(pool: PgPool) {
    let product = Uuid::now_v7();
    let id = Uuid::now_v7();
    let vat_lines = json!([{"rate": "20", "base": "24.00", "amount": "4.80"}]);
    let shortages = json!([{"product_id": product, "sku": "VIS-1", "requested": "3",
                            "available": "1.5"}]);
    sqlx::query(
        "INSERT INTO orders (id, number, status, line_count, total_net, total_vat, total_gross,
                             vat_lines, shortages, version, created_at, updated_at)
         VALUES ($1, 'PRO-2026-000001', 'draft', 1, 24.00, 4.80, 28.80, $2, $3, 4, now(), now())",
    )
    .bind(id)
    .bind(&vat_lines)
    .bind(&shortages)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO order_lines (order_id, line_no, product_id, sku, label, unit, quantity,
                                  unit_price, discount, vat_rate, net)
         VALUES ($1, 1, $2, 'VIS-1', 'Vis', 'm2', 3, 8.0000, 0, 20, 24.00)",
    )
    .bind(id)
    .bind(product)
    .execute(&pool)
    .await
    .unwrap();
    let empty = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO orders (id, number, status, version, created_at, updated_at)
         VALUES ($1, 'PRO-2026-000002', 'submitting', 1, now(), now())",
    )
    .bind(empty)
    .execute(&pool)
    .await
    .unwrap();
    let app = read_router(&pool, WAIT);

    let order = get(&app, &format!("/orders/{id}")).await;
    assert_eq!(order.status, StatusCode::OK);
    let body = &order.body;
    assert_eq!(body["status"], "draft");
    assert_eq!(
        (&body["total_net"], &body["total_vat"], &body["total_gross"]),
        (&json!("24.00"), &json!("4.80"), &json!("28.80"))
    );
    assert_eq!(body["vat_lines"], vat_lines);
    assert_eq!(body["shortages"], shortages);
    let line = &body["lines"][0];
    assert_eq!(line["unit"], "m2");
    assert_eq!(
        line["unit_price"], "8.0000",
        "a unit price keeps its decimals"
    );
    assert_eq!(line["net"], "24.00");

    // A new order's totals are the columns' zero defaults: shown as money, with cents.
    let fresh = get(&app, &format!("/orders/{empty}")).await;
    assert_eq!(fresh.body["status"], "submitting");
    assert_eq!(fresh.body["total_gross"], "0.00");
    assert_eq!(fresh.body["vat_lines"], json!([]));
    assert_eq!(fresh.body["shortages"], json!(null));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn stock_movements_read_back_their_kind_and_reason(pool: PgPool) {
    let product = seed_product(&pool, "VIS-1", "Vis", "0.10", "Quincaillerie", "active").await;
    let order = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO stock_movements (product_id, sequence, kind, quantity, reason, comment,
                                      order_id, on_hand, reserved, occurred_at, actor_id)
         VALUES ($1, 1, 'adjusted', 10, 'inventory_count', 'inventaire', NULL, 10, 0, now(), 'u'),
                ($1, 2, 'reserved', 4, NULL, NULL, $2, 10, 4, now(), 'u')",
    )
    .bind(product)
    .bind(order)
    .execute(&pool)
    .await
    .unwrap();
    let app = read_router(&pool, WAIT);
    let response = get(&app, &format!("/stock/{product}/movements")).await;
    assert_eq!(response.status, StatusCode::OK);
    let items = &response.body["items"];
    assert_eq!(
        (
            &items[0]["kind"],
            &items[0]["reason"],
            &items[0]["order_id"]
        ),
        (&json!("reserved"), &json!(null), &json!(order))
    );
    assert_eq!(
        (&items[1]["kind"], &items[1]["reason"]),
        (&json!("adjusted"), &json!("inventory_count"))
    );
}

/// Each closed set against its column's text, in both directions: what a filter binds is
/// what the projector wrote, and what the projector wrote decodes.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_closed_set_reads_and_binds_the_text_the_projector_writes(pool: PgPool) {
    round_trip::<ProductStatus>(&pool, &["active", "archived"]).await;
    round_trip::<Unit>(
        &pool,
        &[
            "piece", "kg", "g", "m", "m2", "m3", "l", "hour", "day", "box", "pack",
        ],
    )
    .await;
    round_trip::<PaymentTerms>(
        &pool,
        &[
            "immediate",
            "net_30",
            "end_of_month_30",
            "end_of_month_45",
            "net_45",
            "net_60",
        ],
    )
    .await;
    round_trip::<CustomerStatus>(&pool, &["active", "archived"]).await;
    round_trip::<UserStatus>(&pool, &["active", "disabled"]).await;
    round_trip::<Role>(&pool, &["admin", "sales", "warehouse", "analyst"]).await;
    round_trip::<OrderStatus>(
        &pool,
        &["draft", "submitting", "submitted", "fulfilled", "cancelled"],
    )
    .await;
    round_trip::<StockMovementKind>(&pool, &["adjusted", "reserved", "released", "consumed"]).await;
    round_trip::<AdjustmentReason>(
        &pool,
        &["receipt", "inventory_count", "loss", "return", "correction"],
    )
    .await;
    round_trip::<InvoiceStatus>(
        &pool,
        &["issued", "partly_paid", "paid", "credited", "overdue"],
    )
    .await;
    round_trip::<PaymentMethod>(
        &pool,
        &[
            "bank_transfer",
            "card",
            "cheque",
            "cash",
            "direct_debit",
            "other",
        ],
    )
    .await;

    let roles: Vec<Role> = sqlx::query_scalar("SELECT ARRAY['sales', 'admin']")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        roles,
        [Role::Sales, Role::Admin],
        "an array keeps its order"
    );
    let unknown = sqlx::query_scalar::<_, Unit>("SELECT 'bucket'")
        .fetch_one(&pool)
        .await;
    assert!(unknown.is_err(), "a text outside the set is an error");

    for (stored, shown) in [("0", "0.00"), ("12.5", "12.50"), ("0.0850", "0.0850")] {
        let money: Money = sqlx::query_scalar("SELECT $1::numeric")
            .bind(stored)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(money.to_string(), shown);
    }
}

async fn round_trip<T>(pool: &PgPool, texts: &[&str])
where
    T: ClosedSet + for<'q> Encode<'q, Postgres> + for<'r> Decode<'r, Postgres> + Type<Postgres>,
    T: Debug + Unpin,
{
    assert_eq!(T::ALL.len(), texts.len(), "{:?}", T::ALL);
    for (value, text) in T::ALL.iter().zip(texts) {
        let bound: String = sqlx::query_scalar("SELECT $1::text")
            .bind(*value)
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(bound, *text);
        let read: T = sqlx::query_scalar("SELECT $1")
            .bind(*text)
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(read, *value);
    }
}

async fn seed_customer(pool: &PgPool, code: &str, status: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO customers (id, code, legal_name, billing_address, payment_terms,
                                credit_limit, status, version, created_at, updated_at)
         VALUES ($1, $2, 'Dupont et Fils', $3, 'net_30', 1500.50, $4, 1, now(), now())",
    )
    .bind(id)
    .bind(code)
    .bind(
        json!({"line1": "12 rue Haute", "line2": null, "postal_code": "69001",
                 "city": "Lyon", "country": "FR"}),
    )
    .bind(status)
    .execute(pool)
    .await
    .unwrap();
    id
}
