//! CSV export and import: a round trip through a fresh database gives the same bytes;
//! customer search uses its trigram index.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use command_api::auth::passwords::{Hashing, HashingConfig};
use command_api::auth::throttle::ThrottleConfig;
use command_api::auth::tokens::TokenIssuer;
use command_api::auth::Auth;
use http_body_util::BodyExt;
use serde_json::json;
use shared::auth::Role;
use shared::web::{HttpSettings, NatsCheck, Readiness};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::helpers::{call, read_router};

fn commands(pool: &PgPool) -> Router {
    let (issuer, verifier) = TokenIssuer::from_private_pem(
        testkit::auth::PRIVATE_PEM.as_bytes(),
        testkit::auth::settings(),
        chrono::Duration::minutes(15),
        chrono::Duration::days(7),
    )
    .unwrap();
    command_api::http::router(
        command_api::http::AppState::new(
            pool.clone(),
            Arc::new(Auth::new(
                pool.clone(),
                issuer,
                ThrottleConfig::default(),
                Hashing::new(HashingConfig::sized(2, 1024)),
            )),
        ),
        Readiness {
            db: pool.clone(),
            nats: NatsCheck::Unused,
        },
        Arc::new(verifier),
        &HttpSettings::new(Duration::from_secs(30)),
    )
}

async fn raw(
    router: &Router,
    method: Method,
    uri: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", testkit::auth::bearer(&[Role::Admin]))
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

async fn export(pool: &PgPool, what: &str) -> Vec<u8> {
    let (status, body) = raw(
        &read_router(pool, Duration::from_secs(1)),
        Method::GET,
        &format!("/{what}/export"),
        "text/plain",
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// A database of its own, migrated, for the other end of the round trip.
async fn fresh_database(pool: &PgPool) -> (PgPool, String) {
    let name = format!("gescom_rt_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(pool)
        .await
        .unwrap();
    let options = (*pool.connect_options()).clone().database(&name);
    let other = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    shared::db::MIGRATOR.run(&other).await.unwrap();
    (other, name)
}

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn export_import_export_gives_the_same_bytes(pool: PgPool) {
    let source = commands(&pool);
    for body in [
        json!({"sku": "B-2", "name": "Boulon, tête \"hexagonale\"", "price": "0.0850", "vat_rate": "20",
               "unit": "piece", "category": "Quincaillerie", "barcode": "4006381333931",
               "low_stock_threshold": "12.5"}),
        json!({"sku": "a-1", "name": "Livre", "price": "12.00", "vat_rate": "5.5", "unit": "piece",
               "category": "Librairie"}),
    ] {
        let response = call(&source, Method::POST, "/products", &[], Some(body)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    }
    let archived = call(
        &source,
        Method::POST,
        "/products",
        &[],
        Some(
            json!({"sku": "OLD", "name": "Ancien", "price": "1", "vat_rate": "0", "unit": "kg",
                    "category": "Divers"}),
        ),
    )
    .await;
    call(
        &source,
        Method::POST,
        &format!(
            "/products/{}/archive",
            archived.body["id"].as_str().unwrap()
        ),
        &[],
        None,
    )
    .await;
    for body in [
        json!({"code": "ACME", "legal_name": "Acme; SAS", "siret": "73282932000074",
               "vat_number": "FR44732829320", "email": "compta@acme.fr", "phone": "+33 1 23 45 67 89",
               "billing_address": {"line1": "1 rue de la Paix", "line2": "Bât. B", "postal_code": "75002",
                                   "city": "Paris", "country": "FR"},
               "shipping_address": {"line1": "Zone Nord", "postal_code": "59000", "city": "Lille",
                                    "country": "FR"},
               "payment_terms": "end_of_month_45", "credit_limit": "15000.00"}),
        json!({"code": "be-01", "legal_name": "Brasserie Belge", "vat_number": "BE0428759497"}),
    ] {
        let response = call(&source, Method::POST, "/customers", &[], Some(body)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    }
    projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();
    let products = export(&pool, "products").await;
    let customers = export(&pool, "customers").await;
    assert_eq!(
        String::from_utf8_lossy(&products).lines().count(),
        4,
        "{}",
        String::from_utf8_lossy(&products)
    );

    let (other, name) = fresh_database(&pool).await;
    let target = commands(&other);
    for (what, csv) in [("products", &products), ("customers", &customers)] {
        let (status, body) = raw(
            &target,
            Method::POST,
            &format!("/{what}/import"),
            "text/csv",
            csv.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    }
    projector::rebuild::rebuild(&other, |_| {}).await.unwrap();
    let products_again = export(&other, "products").await;
    let customers_again = export(&other, "customers").await;
    other.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&products_again),
        String::from_utf8_lossy(&products)
    );
    assert_eq!(
        String::from_utf8_lossy(&customers_again),
        String::from_utf8_lossy(&customers)
    );
    let text = String::from_utf8_lossy(&products);
    assert!(
        text.contains("OLD,Ancien,1.00,0,kg,Divers,,,archived"),
        "{text}"
    );
    assert!(
        text.contains("\"Boulon, tête \"\"hexagonale\"\"\""),
        "{text}"
    );
}

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn customer_search_walks_the_trigram_index(pool: PgPool) {
    sqlx::query(
        "INSERT INTO customers (id, code, legal_name, siret, email, payment_terms, status, version,
                                created_at, updated_at)
         SELECT gen_random_uuid(), 'C' || i, 'Société ' || i, lpad(i::text, 14, '0'),
                'contact' || i || '@example.fr', 'immediate', 'active', 1, now(), now()
           FROM generate_series(1, 20000) AS i",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE customers")
        .execute(&pool)
        .await
        .unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT * FROM customers WHERE search LIKE lower('%contact1234@%')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("customers_search_trgm"), "{plan}");
    let app = read_router(&pool, Duration::from_secs(1));
    let found = crate::helpers::get(&app, "/customers?q=00000000012345").await;
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["items"][0]["code"], "C12345");
}
