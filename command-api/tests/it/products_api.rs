use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{product_body, TestApp};

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn creating_a_product_answers_its_id_and_first_version(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let response = app.create_product("VIS-440").await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    assert_eq!(response.version(), 1);
    assert_eq!(response.header("etag"), Some("\"1\""));
    let id = response.id();
    assert_eq!(
        response.header("location"),
        Some(format!("/products/{id}").as_str())
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_event_carries_actor_and_correlation_id(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let response = app
        .json(
            Method::POST,
            "/products",
            &[("x-request-id", "req-42"), ("user-agent", "it/1")],
            &product_body("META-1"),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.header("x-request-id"), Some("req-42"));
    let metadata: serde_json::Value =
        sqlx::query_scalar("SELECT metadata::jsonb FROM events WHERE aggregate_id = $1")
            .bind(response.id())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(metadata["correlation_id"], "req-42");
    assert_eq!(metadata["actor_id"], app.caller.sub.to_string());
    assert_eq!(metadata["actor_roles"], "admin");
    assert_eq!(metadata["source_ip"], "192.0.2.1");
    assert_eq!(metadata["user_agent"], "it/1");
    assert!(metadata["occurred_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_broken_rule_is_named_by_field(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let response = app
        .json(
            Method::POST,
            "/products",
            &[],
            &json!({
                "sku": "bad sku", "name": "  ", "price": "-1", "vat_rate": "7",
                "unit": "bucket", "category": "x", "barcode": "4006381333932",
                "low_stock_threshold": "1.0001"
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.code(), "validation_failed");
    let fields: Vec<(&str, &str)> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("sku", "invalid_format"),
            ("name", "required"),
            ("price", "negative"),
            ("vat_rate", "unknown_vat_rate"),
            ("unit", "unknown_unit"),
            ("barcode", "invalid_check_digit"),
            ("low_stock_threshold", "too_precise"),
        ]
    );
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type <> 'User'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(events, 0, "nothing is applied");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn malformed_bodies_are_refused_with_problem_json(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let raw = |body: &str, content_type: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/products")
            .header("content-type", content_type)
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let syntax = app.send(raw("{\"sku\": ", "application/json")).await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert_eq!(syntax.code(), "malformed_body");

    let mut unknown = product_body("U-1");
    unknown["colour"] = json!("red");
    let unknown = app.json(Method::POST, "/products", &[], &unknown).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.code(), "malformed_body");
    assert!(unknown.body["detail"].as_str().unwrap().contains("colour"));

    let float = app
        .json(Method::POST, "/products", &[], &{
            let mut b = product_body("F-1");
            b["price"] = json!(12.5);
            b
        })
        .await;
    assert_eq!(
        float.status,
        StatusCode::BAD_REQUEST,
        "money is never a float"
    );
    assert!(float.body["detail"].as_str().unwrap().contains("price"));

    let media = app.send(raw("{}", "text/plain")).await;
    assert_eq!(media.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(media.code(), "unsupported_media_type");

    let huge = format!("{{\"sku\": \"{}\"}}", "x".repeat(100 * 1024));
    let huge = app.send(raw(&huge, "application/json")).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(huge.code(), "payload_too_large");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn overlong_text_is_refused_and_text_is_trimmed(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let mut body = product_body("  TRIM-1  ");
    body["name"] = json!("n".repeat(201));
    let response = app.json(Method::POST, "/products", &[], &body).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["errors"][0]["field"], "name");
    assert_eq!(response.body["errors"][0]["code"], "too_long");

    body["name"] = json!("  Clou  ");
    let response = app.json(Method::POST, "/products", &[], &body).await;
    assert_eq!(response.status, StatusCode::CREATED);
    let payload: serde_json::Value = sqlx::query_scalar(
        "SELECT payload::jsonb -> 'ProductCreated' FROM events WHERE aggregate_type = 'Product'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(payload["sku"], "TRIM-1");
    assert_eq!(payload["name"], "Clou");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_update_with_the_current_version_applies(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = app.create_product("UPD-1").await.id();
    let response = app
        .patch_product(&id, Some(1), &json!({"price": "9.90", "barcode": null}))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    assert_eq!(response.version(), 2);
    assert_eq!(response.header("etag"), Some("\"2\""));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_stale_if_match_gets_412_with_the_current_version(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = app.create_product("STALE-1").await.id();
    app.patch_product(&id, Some(1), &json!({"name": "Deux"}))
        .await;
    let response = app
        .patch_product(&id, Some(1), &json!({"name": "Trois"}))
        .await;
    assert_eq!(response.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(response.code(), "version_mismatch");
    assert_eq!(response.body["current_version"], 2);
    assert_eq!(response.header("etag"), Some("\"2\""));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_malformed_if_match_is_a_400(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = app.create_product("IFM-1").await.id();
    let response = app
        .json(
            Method::PATCH,
            &format!("/products/{id}"),
            &[("if-match", "\"abc\"")],
            &json!({"name": "x"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_header");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_update_that_changes_nothing_keeps_the_version(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = app.create_product("SAME-1").await.id();
    let response = app
        .patch_product(&id, None, &json!({"price": "12.5"}))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.version(), 1);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn commands_on_an_unknown_product_get_404(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let missing = "0190a3c4-0000-7000-8000-00000000dead";
    let response = app
        .patch_product(missing, Some(3), &json!({"name": "x"}))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "product_not_found");
    let response = app
        .post_empty(&format!("/products/{missing}/archive"))
        .await;
    assert_eq!(response.code(), "product_not_found");
    let response = app.post_empty("/products/not-an-id/archive").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_path");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn archive_and_reactivate_are_idempotent(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = app.create_product("ARC-1").await.id();
    let first = app.post_empty(&format!("/products/{id}/archive")).await;
    assert_eq!((first.status, first.version()), (StatusCode::OK, 2));
    let again = app.post_empty(&format!("/products/{id}/archive")).await;
    assert_eq!((again.status, again.version()), (StatusCode::OK, 2));
    let back = app.post_empty(&format!("/products/{id}/reactivate")).await;
    assert_eq!((back.status, back.version()), (StatusCode::OK, 3));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_sku_is_unique_ignoring_case(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    assert_eq!(
        app.create_product("Case-1").await.status,
        StatusCode::CREATED
    );
    let response = app.create_product("cASE-1").await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.code(), "sku_taken");
    let (events, outbox): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events WHERE aggregate_type <> 'User'),
                (SELECT count(*) FROM outbox WHERE aggregate_type <> 'User')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (events, outbox),
        (1, 1),
        "the refused create left nothing behind"
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn twenty_concurrent_creates_of_one_sku_give_one_success(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let creates = (0..20).map(|i| {
        // The same SKU, spelled in a different case each time.
        let sku: String = "race-sku-01"
            .chars()
            .enumerate()
            .map(|(j, c)| {
                if (i >> (j % 5)) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        let app = &app;
        async move { app.create_product(&sku).await }
    });
    let responses = futures::future::join_all(creates).await;
    let created = responses
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let taken = responses
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.body["code"] == "sku_taken")
        .count();
    assert_eq!((created, taken), (1, 19));
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type <> 'User'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(events, 1);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn unknown_routes_and_methods_answer_problem_json(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let response = app.post_empty("/nowhere").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "not_found");
    let response = app
        .send(
            Request::builder()
                .method(Method::DELETE)
                .uri("/products")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.code(), "method_not_allowed");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn health_and_readiness_answer(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
    assert_eq!(app.send(get("/healthz")).await.status, StatusCode::OK);
    let ready = app.send(get("/readyz")).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["database"], "up");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_unusable_request_id_is_replaced_everywhere(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let long = "x".repeat(500);
    let response = app
        .json(
            Method::POST,
            "/products",
            &[("x-request-id", long.as_str())],
            &product_body("RID-1"),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    let echoed = response.header("x-request-id").unwrap().to_owned();
    assert!(echoed.len() == 36, "a generated uuid, got {echoed}");
    let stored: String = sqlx::query_scalar(
        "SELECT metadata::jsonb ->> 'correlation_id' FROM events WHERE aggregate_type <> 'User'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, echoed);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn concurrent_updates_without_if_match_are_retried_and_all_apply(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = app.create_product("RETRY-1").await.id();
    // Three writers race for version 2; the losers are handled again on fresh state
    // (at least one wins each round, and a command gets four attempts).
    let patches = [
        json!({"name": "Un"}),
        json!({"price": "1.00"}),
        json!({"category": "Trois"}),
    ];
    let responses = futures::future::join_all(
        patches
            .iter()
            .map(|body| app.patch_product(&id, None, body)),
    )
    .await;
    let mut versions: Vec<u64> = responses
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.version()
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, [2, 3, 4]);
    let changed: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT payload::jsonb -> 'ProductUpdated' -> 'changed' FROM events
          WHERE event_type = 'ProductUpdated' ORDER BY sequence",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut fields: Vec<String> = changed
        .iter()
        .flat_map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_owned())
        })
        .collect();
    fields.sort();
    assert_eq!(fields, ["category", "name", "price"], "no update was lost");
}

/// Appends rows to `events` in one statement, as `es::append_all` does.
async fn append_statement(
    pool: &PgPool,
    rows: &[(&str, &str, i64, &str, serde_json::Value)],
) -> Result<(), sqlx::Error> {
    let column = |f: fn(&(&str, &str, i64, &str, serde_json::Value)) -> String| {
        rows.iter().map(f).collect::<Vec<String>>()
    };
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         SELECT t, i, s, e, '1', p::json, '{}'
           FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
             AS x(t, i, s, e, p)",
    )
    .bind(column(|r| r.0.to_owned()))
    .bind(column(|r| r.1.to_owned()))
    .bind(rows.iter().map(|r| r.2).collect::<Vec<i64>>())
    .bind(column(|r| r.3.to_owned()))
    .bind(column(|r| r.4.to_string()))
    .execute(pool)
    .await
    .map(|_| ())
}

fn created(sku: &str) -> serde_json::Value {
    json!({"ProductCreated": {"sku": sku}})
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn one_statement_of_many_events_gets_its_outbox_rows_in_order_and_its_keys_checked(
    pool: PgPool,
) {
    let _app = TestApp::new(pool.clone()).await;
    append_statement(
        &pool,
        &[
            ("Product", "p1", 1, "ProductCreated", created("K-1")),
            (
                "Product",
                "p1",
                2,
                "ProductArchived",
                json!({"ProductArchived": {}}),
            ),
            ("Product", "p2", 1, "ProductCreated", created("K-2")),
            (
                "Product",
                "p1",
                3,
                "ProductReactivated",
                json!({"ProductReactivated": {}}),
            ),
            (
                "Customer",
                "c1",
                1,
                "CustomerCreated",
                json!({"CustomerCreated": {"code": "C-1"}}),
            ),
        ],
    )
    .await
    .unwrap();
    let outbox: Vec<(String, i64)> = sqlx::query_as(
        "SELECT aggregate_id, sequence FROM outbox WHERE aggregate_type <> 'User' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected =
        [("p1", 1), ("p1", 2), ("p2", 1), ("p1", 3), ("c1", 1)].map(|(a, s)| (a.to_owned(), s));
    assert_eq!(
        outbox, expected,
        "one outbox row per event, in insert order"
    );
    let keys: Vec<(String, String)> =
        sqlx::query_as("SELECT sku_key, product_id FROM product_sku_keys ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        keys,
        [("k-1", "p1"), ("k-2", "p2")].map(|(k, p)| (k.to_owned(), p.to_owned()))
    );
    let code: String =
        sqlx::query_scalar("SELECT customer_id FROM customer_code_keys WHERE code = 'c-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(code, "c1");

    // A SKU taken by an earlier product, or twice in one statement, in any case: the
    // whole statement fails with the project's SQLSTATE, naming the SKU.
    for rows in [
        vec![
            ("Product", "p3", 1, "ProductCreated", created("K-3")),
            ("Product", "p4", 1, "ProductCreated", created("k-1")),
        ],
        vec![
            ("Product", "p5", 1, "ProductCreated", created("Dup")),
            ("Product", "p6", 1, "ProductCreated", created("DUP")),
        ],
    ] {
        let refused = append_statement(&pool, &rows).await.unwrap_err();
        let db = refused.as_database_error().expect("a database error");
        assert_eq!(db.code().as_deref(), Some("GS001"), "{db}");
        assert!(db.message().to_lowercase().contains("already used"), "{db}");
    }
    let refused = append_statement(
        &pool,
        &[(
            "Customer",
            "c2",
            1,
            "CustomerCreated",
            json!({"CustomerCreated": {"code": "c-1"}}),
        )],
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused
            .as_database_error()
            .and_then(|d| d.code())
            .as_deref(),
        Some("GS003")
    );
    let (events, outbox, keys): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events WHERE aggregate_type <> 'User'),
                (SELECT count(*) FROM outbox WHERE aggregate_type <> 'User'),
                (SELECT count(*) FROM product_sku_keys)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (events, outbox, keys),
        (5, 5, 2),
        "refused statements left nothing"
    );
}
