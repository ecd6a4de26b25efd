//! Hostile input at read-api's edge: malformed ids in every path, control characters in
//! every query string (filters and exports included), request ids, bare rejections.
//! Every refusal is a 4xx in problem+json, answered before the database.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use sqlx::PgPool;

use crate::helpers::{call, get, read_router, seed_product};

/// The filters read-api's lists, exports, dashboard and audit trail take.
const FILTERS: &[&str] = &[
    "q",
    "category",
    "status",
    "sort",
    "page",
    "limit",
    "after",
    "min_version",
    "low",
    "customer",
    "role",
    "actor",
    "actor_id",
    "aggregate_type",
    "aggregate_id",
    "event_type",
    "from",
    "to",
    "by",
    "granularity",
    "lang",
    "as_of",
    "days",
];

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_route_with_an_id_refuses_malformed_ids_with_problem_json(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    let checked =
        testkit::auth::assert_malformed_ids_refused(&read_api::http::route_table(), |spec, uri| {
            let method = spec.method.clone();
            let app = &app;
            async move {
                let response = call(app, method, &uri, &[], None).await;
                testkit::auth::Answer {
                    status: response.status.as_u16(),
                    content_type: response
                        .headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                }
            }
        })
        .await;
    assert!(checked >= 100, "{checked}");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_control_character_in_any_query_parameter_is_refused_up_front(pool: PgPool) {
    seed_product(&pool, "CTRL-1", "Vis", "1.00", "Quincaillerie", "active").await;
    let app = read_router(&pool, Duration::from_millis(100));
    let checked = testkit::auth::assert_malformed_queries_refused(
        &read_api::http::route_table(),
        FILTERS,
        |spec, uri| {
            let method = spec.method.clone();
            let app = &app;
            async move {
                let response = call(app, method, &uri, &[], None).await;
                let answer = testkit::auth::Answer {
                    status: response.status.as_u16(),
                    content_type: response
                        .headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                };
                (answer, response.body["code"].as_str().map(str::to_owned))
            }
        },
    )
    .await;
    assert!(checked >= 500, "{checked}");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_export_with_a_nul_in_a_filter_is_a_400_not_an_empty_csv(pool: PgPool) {
    seed_product(&pool, "NUL-1", "Vis", "1.00", "Quincaillerie", "active").await;
    let app = read_router(&pool, Duration::from_millis(100));
    for uri in [
        "/products/export?category=Quincaillerie%00",
        "/products/export?q=%00",
        "/customers/export?q=a%00",
        "/audit/export?actor=%00",
        "/audit/export?event_type=Product%0ACreated",
    ] {
        let response = get(&app, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query", "{uri}");
        assert!(response.body["parameter"].is_string(), "{uri}");
    }
    let fine = get(&app, "/products/export?category=Quincaillerie").await;
    assert_eq!(fine.status, StatusCode::OK);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn list_filters_with_control_characters_never_reach_the_database(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    for uri in [
        "/products?q=%00",
        "/products?category=%00",
        "/products?status=%00",
        "/customers?q=%C2%85",
        "/stock?category=%1B%5B31m",
        "/orders?status=%7F",
        "/users?q=%00",
        "/audit?actor=%00",
        "/audit?aggregate_id=%00",
        "/dashboard/sales?from=%00",
    ] {
        let response = get(&app, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query", "{uri}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_request_id_outside_its_charset_is_replaced(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    for sent in ["<script>", "a b", "=1+1", "a/b", "\"x\"", "id;x"] {
        let response = call(
            &app,
            Method::GET,
            "/healthz",
            &[("x-request-id", sent)],
            None,
        )
        .await;
        let echoed = response.headers["x-request-id"].to_str().unwrap();
        assert!(
            uuid::Uuid::parse_str(echoed).is_ok(),
            "{sent} kept as {echoed}"
        );
    }
    let kept = "trace:0190f3c2.aa_b-1";
    let response = call(
        &app,
        Method::GET,
        "/healthz",
        &[("x-request-id", kept)],
        None,
    )
    .await;
    assert_eq!(response.headers["x-request-id"], kept);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn bare_rejections_answer_problem_json(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(100));
    for (method, uri, status, code) in [
        (Method::GET, "/products/%FF", 400, "malformed_path"),
        (
            Method::GET,
            "/orders/%F0%9F%98%80/proforma.pdf",
            400,
            "malformed_path",
        ),
        (Method::GET, "/no/such/route", 404, "not_found"),
        (Method::POST, "/products", 405, "method_not_allowed"),
        (Method::DELETE, "/audit", 405, "method_not_allowed"),
    ] {
        let response = call(&app, method.clone(), uri, &[], None).await;
        assert_eq!(response.status.as_u16(), status, "{method} {uri}");
        assert_eq!(response.code(), code, "{method} {uri}");
    }
}
