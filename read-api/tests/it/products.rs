use std::time::Duration;

use axum::http::{Method, StatusCode};
use sqlx::PgPool;

use crate::helpers::{call, get, read_router, seed_product};

const WAIT: Duration = Duration::from_secs(2);

async fn seed_catalogue(pool: &PgPool) {
    seed_product(
        pool,
        "VIS-001",
        "Vis à bois",
        "0.15",
        "Quincaillerie",
        "active",
    )
    .await;
    seed_product(
        pool,
        "CLOU-01",
        "Clou tête plate",
        "0.05",
        "Quincaillerie",
        "active",
    )
    .await;
    seed_product(pool, "MART-1", "Marteau", "24.90", "Outillage", "active").await;
    seed_product(
        pool,
        "SCIE-1",
        "Scie égoïne",
        "19.00",
        "Outillage",
        "archived",
    )
    .await;
    seed_product(pool, "PROMO_50%", "Lot promo", "9.99", "Divers", "active").await;
}

fn skus(body: &serde_json::Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_list_pages_with_a_total(pool: PgPool) {
    seed_catalogue(&pool).await;
    let app = read_router(&pool, WAIT);
    let first = get(&app, "/products?limit=2&sort=sku").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["total"], 5);
    assert_eq!(skus(&first.body), ["CLOU-01", "MART-1"]);
    let third = get(&app, "/products?limit=2&page=3&sort=sku").await;
    assert_eq!(skus(&third.body), ["VIS-001"]);
    let beyond = get(&app, "/products?limit=2&page=9").await;
    assert_eq!(beyond.body["total"], 5);
    assert!(skus(&beyond.body).is_empty());
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_list_filters_by_status_and_category(pool: PgPool) {
    seed_catalogue(&pool).await;
    let app = read_router(&pool, WAIT);
    let tools = get(&app, "/products?category=Outillage&sort=sku").await;
    assert_eq!(skus(&tools.body), ["MART-1", "SCIE-1"]);
    let archived = get(&app, "/products?status=archived").await;
    assert_eq!(skus(&archived.body), ["SCIE-1"]);
    let active_tools = get(&app, "/products?status=active&category=Outillage").await;
    assert_eq!(skus(&active_tools.body), ["MART-1"]);
    assert_eq!(active_tools.body["total"], 1);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_list_sorts_by_each_key_both_ways(pool: PgPool) {
    seed_catalogue(&pool).await;
    let app = read_router(&pool, WAIT);
    let by_price = get(&app, "/products?sort=-price").await;
    assert_eq!(
        skus(&by_price.body),
        ["MART-1", "SCIE-1", "PROMO_50%", "VIS-001", "CLOU-01"]
    );
    let by_name = get(&app, "/products?sort=name").await;
    assert_eq!(
        skus(&by_name.body),
        ["CLOU-01", "PROMO_50%", "MART-1", "SCIE-1", "VIS-001"]
    );
    let by_updated = get(&app, "/products?sort=-updated").await;
    assert_eq!(by_updated.body["items"].as_array().unwrap().len(), 5);
    // Prices are strings, never floats.
    assert_eq!(by_price.body["items"][0]["price"], "24.90");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn text_search_matches_name_and_sku_ignoring_case(pool: PgPool) {
    seed_catalogue(&pool).await;
    let app = read_router(&pool, WAIT);
    assert_eq!(
        skus(&get(&app, "/products?q=marteau").await.body),
        ["MART-1"]
    );
    assert_eq!(
        skus(&get(&app, "/products?q=vis-0").await.body),
        ["VIS-001"]
    );
    // `%` is a character to find, not a wildcard.
    assert_eq!(
        skus(&get(&app, "/products?q=50%25").await.body),
        ["PROMO_50%"]
    );
    assert!(skus(&get(&app, "/products?q=5%25").await.body).is_empty());
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn text_search_uses_the_trigram_index(pool: PgPool) {
    seed_catalogue(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    // With five rows the planner rightly prefers a scan; forbid it to see the plan the
    // indexes make possible on a large table.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Vec<String> =
        sqlx::query_scalar("EXPLAIN SELECT * FROM products WHERE search LIKE '%marteau%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("products_search_trgm"), "{plan}");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn bad_list_parameters_are_400_problems(pool: PgPool) {
    let app = read_router(&pool, WAIT);
    let long_category = format!("/products?category={}", "c".repeat(101));
    let long_search = format!("/products?q={}", "q".repeat(101));
    for uri in [
        long_category.as_str(),
        long_search.as_str(),
        "/products?colour=red",
        "/products?limit=0",
        "/products?limit=201",
        "/products?page=0",
        "/products?limit=ten",
        "/products?sort=colour",
        "/products?status=deleted",
        "/products?min_version=3",
        "/products?min_version=not-an-id:3",
    ] {
        let response = get(&app, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.code(), "malformed_query", "{uri}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_detail_answers_the_row_with_its_version_as_etag(pool: PgPool) {
    let id = seed_product(&pool, "MART-1", "Marteau", "24.90", "Outillage", "active").await;
    let app = read_router(&pool, WAIT);
    let response = get(&app, &format!("/products/{id}")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["sku"], "MART-1");
    assert_eq!(response.body["price"], "24.90");
    assert_eq!(
        response.body["low_stock_threshold"],
        serde_json::Value::Null
    );
    assert_eq!(response.headers["etag"], "\"1\"");

    let cached = call(
        &app,
        Method::GET,
        &format!("/products/{id}"),
        &[("if-none-match", "\"0\", W/\"1\"")],
        None,
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert_eq!(cached.headers["etag"], "\"1\"");
    let stale = call(
        &app,
        Method::GET,
        &format!("/products/{id}"),
        &[("if-none-match", "\"0\"")],
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_missing_or_malformed_id_is_a_problem(pool: PgPool) {
    let app = read_router(&pool, WAIT);
    let missing = get(&app, "/products/0190a3c4-0000-7000-8000-00000000dead").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "product_not_found");
    let malformed = get(&app, "/products/42").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "malformed_path");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_version_not_reached_in_time_is_a_504_with_the_version_reached(pool: PgPool) {
    let id = seed_product(&pool, "MART-1", "Marteau", "24.90", "Outillage", "active").await;
    let app = read_router(&pool, Duration::from_millis(100));
    let response = get(&app, &format!("/products/{id}?min_version=5")).await;
    assert_eq!(response.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(response.code(), "projection_lagging");
    assert_eq!(response.body["reached_version"], 1);
    assert_eq!(response.body["wanted_version"], 5);

    let header = call(
        &app,
        Method::GET,
        &format!("/products/{id}"),
        &[("x-min-version", "2")],
        None,
    )
    .await;
    assert_eq!(header.code(), "projection_lagging");
    let listed = get(&app, &format!("/products?min_version={id}:2")).await;
    assert_eq!(listed.code(), "projection_lagging");
    let reached = get(&app, &format!("/products/{id}?min_version=1")).await;
    assert_eq!(reached.status, StatusCode::OK);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_waiting_read_returns_once_the_projection_catches_up(pool: PgPool) {
    let id = seed_product(&pool, "MART-1", "Marteau", "24.90", "Outillage", "active").await;
    let freshness = read_api::freshness::Freshness::start(pool.clone(), Duration::from_secs(10));
    let checks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let waiter = tokio::spawn({
        let (pool, checks) = (pool.clone(), checks.clone());
        async move {
            freshness
                .wait_for(2, || {
                    checks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let pool = pool.clone();
                    async move {
                        sqlx::query_scalar::<_, i64>("SELECT version FROM products WHERE id = $1")
                            .bind(id)
                            .fetch_one(&pool)
                            .await
                    }
                })
                .await
        }
    });
    // The waiter has looked once and seen version 1: it is now waiting.
    testkit::eventually("the waiter looked", Duration::from_secs(5), || async {
        checks.load(std::sync::atomic::Ordering::SeqCst) >= 1
    })
    .await;
    // What the projector does: change the row and notify, in one transaction.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE products SET version = 2, name = 'Marteau 500 g' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SELECT pg_notify('gescom_projected', '')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(waiter.await.unwrap().unwrap(), 2);

    let app = read_router(&pool, WAIT);
    let response = get(&app, &format!("/products/{id}?min_version=2")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["name"], "Marteau 500 g");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_database_failure_is_a_500_that_says_nothing_internal(pool: PgPool) {
    let app = read_router(&pool, WAIT);
    sqlx::query("ALTER TABLE products RENAME TO products_gone")
        .execute(&pool)
        .await
        .unwrap();
    let response = get(&app, "/products").await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.code(), "internal");
    let text = response.body.to_string();
    assert!(!text.contains("products"), "no SQL detail leaks: {text}");
    assert!(response.headers.contains_key("x-request-id"), "quotable id");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_request_over_the_time_limit_is_a_504_problem(pool: PgPool) {
    let id = seed_product(&pool, "MART-1", "Marteau", "24.90", "Outillage", "active").await;
    let app = crate::helpers::read_router_with_timeout(
        &pool,
        Duration::from_secs(30),
        Duration::from_millis(100),
    );
    let response = get(&app, &format!("/products/{id}?min_version=9")).await;
    assert_eq!(response.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(response.code(), "request_timeout");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn totals_follow_status_and_category_changes(pool: PgPool) {
    seed_catalogue(&pool).await;
    let app = read_router(&pool, WAIT);
    let total = |uri: &'static str| {
        let app = app.clone();
        async move { get(&app, uri).await.body["total"].as_i64().unwrap() }
    };
    assert_eq!(total("/products?status=active&category=Outillage").await, 1);
    // As the projector would: archive the hammer, move a screw to the tools.
    sqlx::query("UPDATE products SET status = 'archived' WHERE sku = 'MART-1'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET category = 'Outillage', name = 'Vis' WHERE sku = 'VIS-001'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(total("/products?status=active&category=Outillage").await, 1);
    assert_eq!(total("/products?status=archived").await, 2);
    assert_eq!(total("/products?category=Outillage").await, 3);
    assert_eq!(total("/products?category=Quincaillerie").await, 1);
    assert_eq!(total("/products").await, 5);
    // The same totals as counting the rows.
    let counted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM products WHERE category = 'Outillage'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(counted, 3);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn keyset_pages_walk_the_whole_list_in_order(pool: PgPool) {
    seed_catalogue(&pool).await;
    // Ties on the sort key: the id breaks them, so no row is skipped or repeated.
    for i in 0..7 {
        seed_product(
            &pool,
            &format!("TIE-{i}"),
            "Même nom",
            "1.00",
            "Divers",
            "active",
        )
        .await;
    }
    let app = read_router(&pool, WAIT);
    for sort in ["name", "-price", "sku"] {
        let all = get(&app, &format!("/products?sort={sort}&limit=200")).await;
        let expected: Vec<&str> = all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap())
            .collect();
        let mut walked = Vec::new();
        let mut uri = format!("/products?sort={sort}&limit=3");
        loop {
            let page = get(&app, &uri).await;
            assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
            assert_eq!(page.body["total"], expected.len());
            for p in page.body["items"].as_array().unwrap() {
                walked.push(p["sku"].as_str().unwrap().to_owned());
            }
            match page.body["next_after"].as_str() {
                Some(after) => uri = format!("/products?sort={sort}&limit=3&after={after}"),
                None => break,
            }
        }
        assert_eq!(walked, expected, "sort={sort}");
    }
    let both = get(
        &app,
        "/products?page=2&after=0190a3c4-0000-7000-8000-000000000001",
    )
    .await;
    assert_eq!(both.code(), "malformed_query");
}
