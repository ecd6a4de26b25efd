//! Hostile input at command-api's edge: malformed ids in every path, control characters
//! in bodies, queries and headers, request ids, bare rejections. Every refusal is a 4xx
//! in problem+json and comes before the database; nothing is written.

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{product_body, TestApp};

async fn events_besides_the_admin(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type <> 'User'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_route_with_an_id_refuses_malformed_ids_with_problem_json(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let checked = testkit::auth::assert_malformed_ids_refused(
        &command_api::http::route_table(),
        |spec, uri| {
            let method = spec.method.clone();
            let app = &app;
            async move {
                let response = app
                    .send(
                        Request::builder()
                            .method(method)
                            .uri(uri)
                            .header("content-type", "application/json")
                            .body(Body::from("{}"))
                            .unwrap(),
                    )
                    .await;
                testkit::auth::Answer {
                    status: response.status.as_u16(),
                    content_type: response.header("content-type").map(str::to_owned),
                }
            }
        },
    )
    .await;
    assert!(checked >= 300, "{checked}");
    assert_eq!(events_besides_the_admin(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_control_character_anywhere_in_a_body_is_refused_naming_the_field(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let with = |field: &str, value: &str| {
        let mut body = product_body("CTRL-1");
        body[field] = json!(value);
        body
    };
    for (field, value) in [
        ("name", "Vis\u{0}"),
        ("name", "Vis\nà bois"),
        ("category", "Quincaillerie\t"),
        ("sku", "CTRL\u{7f}"),
        ("category", "a\u{85}b"),
        ("price", "12.50\u{0}"),
        ("barcode", "\u{9f}4006381333931"),
    ] {
        let response = app
            .json(Method::POST, "/products", &[], &with(field, value))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {value:?}"
        );
        assert_eq!(response.code(), "validation_failed");
        assert_eq!(
            response.body["errors"],
            json!([{
                "field": field,
                "code": "control_character",
                "message": "must not contain control characters (no field is multi-line)"
            }])
        );
    }
    // Nested fields are named by their path; a key is checked too.
    let customer = json!({
        "code": "C-CTRL",
        "legal_name": "Acme",
        "billing_address": {"line1": "1 rue\u{0}", "postal_code": "75001", "city": "Paris", "country": "FR"}
    });
    let response = app.json(Method::POST, "/customers", &[], &customer).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["errors"][0]["field"], "billing_address.line1");
    let mut keyed = product_body("CTRL-2");
    keyed["na\u{0}me"] = json!("x");
    let response = app.json(Method::POST, "/products", &[], &keyed).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["errors"][0]["field"], "na\\u{0}me");
    let response = app
        .json(Method::POST, "/customers", &[], &json!(["\u{1b}[31m"]))
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["errors"][0]["field"], "[0]");
    assert_eq!(events_besides_the_admin(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_login_with_a_control_character_in_the_email_is_refused_not_a_500(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for email in [
        "first.admin@example.com\u{0}",
        "\u{0}",
        "first\u{85}.admin@example.com",
        "first.admin@example.com\r\n",
    ] {
        let response = app
            .json(
                Method::POST,
                "/auth/login",
                &[("authorization", "")],
                &json!({"email": email, "password": "the first admin's own passphrase"}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email:?}: {:?}",
            response.body
        );
        assert_eq!(response.code(), "validation_failed");
        assert_eq!(response.body["errors"][0]["field"], "email");
    }
    let response = app
        .json(
            Method::POST,
            "/auth/login",
            &[("authorization", "")],
            &json!({"email": "first.admin@example.com", "password": "pass\u{0}word"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["errors"][0]["field"], "password");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_control_character_in_a_query_string_is_refused_before_any_handler(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for uri in [
        "/products/import?mode=%00",
        "/customers/import?dry_run=%0A",
        "/products?x=%C2%85",
        "/products/import?%FF=1",
    ] {
        let response = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri(uri)
                    .header("content-type", "text/csv")
                    .body(Body::from("sku\n"))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query", "{uri}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_user_agent_is_stored_with_control_characters_as_spaces(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/products")
        .header("content-type", "application/json")
        .body(Body::from(product_body("UA-1").to_string()))
        .unwrap();
    request.headers_mut().insert(
        "user-agent",
        HeaderValue::from_bytes(b"probe\tagent/1 \xc3\xa9\xc2\x85x").unwrap(),
    );
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    let stored: Value = sqlx::query_scalar(
        "SELECT metadata::jsonb -> 'user_agent' FROM events WHERE aggregate_id = $1",
    )
    .bind(response.id())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, "probe agent/1 é x");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_request_id_outside_its_charset_is_replaced_and_never_stored(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for (i, sent) in [
        "<script>",
        "a b",
        "=HYPERLINK(\"x\")",
        "a/b",
        "id;rm",
        "%00",
    ]
    .into_iter()
    .enumerate()
    {
        let response = app
            .json(
                Method::POST,
                "/products",
                &[("x-request-id", sent)],
                &product_body(&format!("RID-{i}")),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED);
        let echoed = response.header("x-request-id").unwrap().to_owned();
        assert!(
            uuid::Uuid::parse_str(&echoed).is_ok(),
            "{sent} kept as {echoed}"
        );
        let stored: String = sqlx::query_scalar(
            "SELECT metadata::jsonb ->> 'correlation_id' FROM events WHERE aggregate_id = $1",
        )
        .bind(response.id())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(stored, echoed);
    }
    let kept = "0190f3c2-aa:trace.7_x";
    let response = app
        .json(
            Method::POST,
            "/products",
            &[("x-request-id", kept)],
            &product_body("RID-KEPT"),
        )
        .await;
    assert_eq!(response.header("x-request-id"), Some(kept));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn bare_rejections_answer_problem_json(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let send = |method: Method, uri: &str, content_type: Option<&str>, body: String| {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.body(Body::from(body)).unwrap()
    };
    let cases = [
        (
            send(
                Method::PATCH,
                "/products/%FF",
                Some("application/json"),
                "{}".into(),
            ),
            400,
            "malformed_path",
        ),
        (
            send(Method::POST, "/products", None, "{}".into()),
            415,
            "unsupported_media_type",
        ),
        (
            send(
                Method::POST,
                "/products",
                Some("application/json"),
                format!("{{\"sku\": \"{}\"}}", "x".repeat(100 * 1024)),
            ),
            413,
            "payload_too_large",
        ),
        (
            send(Method::PUT, "/products", None, String::new()),
            405,
            "method_not_allowed",
        ),
        (
            send(Method::GET, "/no/such/route", None, String::new()),
            404,
            "not_found",
        ),
        (
            send(
                Method::PATCH,
                "/orders/00000000-0000-7000-8000-000000000000/lines/%F0%9F%98%80",
                Some("application/json"),
                "{}".into(),
            ),
            400,
            "malformed_path",
        ),
    ];
    for (request, status, code) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let response = app.send(request).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{what}: {:?}",
            response.body
        );
        assert_eq!(response.code(), code, "{what}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn multibyte_text_in_a_legal_id_is_a_422_not_a_500(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    for (i, (field, value)) in [
        ("vat_number", "F😀12345678901"),
        ("vat_number", "F\u{301}R40303265045"),
        ("vat_number", "FRé0303265045"),
        ("vat_number", "😀"),
        ("siren", "55208131😀"),
        ("siret", "7328293200007é"),
        ("code", "ACMÉ😀"),
        ("phone", "+33 😀 23 45 67 89"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"code": format!("MB-{i}"), "legal_name": "Acme"});
        body[field] = json!(value);
        let response = app.json(Method::POST, "/customers", &[], &body).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {value}: {:?}",
            response.body
        );
        assert_eq!(response.code(), "validation_failed");
        assert_eq!(response.body["errors"][0]["field"], field);
    }
    assert_eq!(events_besides_the_admin(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_malformed_id_is_refused_naming_what_it_is_not(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let adjustment = json!({"quantity": "1", "reason": "receipt"});
    for (method, uri, body, noun) in [
        (Method::PATCH, "/products/P-1", json!({}), "product"),
        (Method::POST, "/products/P-1/archive", json!({}), "product"),
        (Method::PATCH, "/customers/C-1", json!({}), "customer"),
        (
            Method::POST,
            "/customers/C-1/reactivate",
            json!({}),
            "customer",
        ),
        (
            Method::PUT,
            "/users/U-1/roles",
            json!({"roles": ["sales"]}),
            "user",
        ),
        (Method::POST, "/users/U-1/enable", json!({}), "user"),
        (Method::PUT, "/orders/O-1/terms", json!({}), "order"),
        (Method::POST, "/orders/O-1/submit", json!({}), "order"),
        (
            Method::POST,
            "/stock/P-1/adjustments",
            adjustment,
            "product",
        ),
    ] {
        let response = app.json(method.clone(), uri, &[], &body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{method} {uri}");
        assert_eq!(response.code(), "malformed_path", "{method} {uri}");
        let id = uri.split('/').nth(2).unwrap();
        assert_eq!(
            response.body["detail"],
            format!(
                "malformed path parameter: `{id}` is not {} {noun} id",
                if noun == "order" { "an" } else { "a" }
            ),
            "{method} {uri}"
        );
    }
    assert_eq!(events_besides_the_admin(&pool).await, 0);
}
