//! The endpoint × role matrix of read-api: its route table matches `schemas/roles.tsv`
//! (written by hand), and every route answers every role as the file says.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use contracts::auth::Role;
use sqlx::PgPool;

use crate::helpers::{call, read_router};

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_query_route_answers_every_role_as_the_file_says(pool: PgPool) {
    let table = read_api::http::route_table();
    assert!(table.len() >= 8, "the table lists every route: {table:?}");
    let app = read_router(&pool, Duration::from_millis(200));
    testkit::auth::assert_route_matrix("read-api", &table, |route, uri, token| {
        let authorization = token.unwrap_or_default();
        let method = route.method.clone();
        let app = &app;
        async move {
            call(
                app,
                method,
                &uri,
                &[("authorization", &authorization)],
                None,
            )
            .await
            .status
            .as_u16()
        }
    })
    .await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn read_api_never_accepts_a_token_it_cannot_verify(pool: PgPool) {
    let app = read_router(&pool, Duration::from_millis(200));
    let claims = testkit::auth::claims(&[Role::Admin]);
    let forged = testkit::auth::sign_with(&claims, testkit::auth::OTHER_PRIVATE_PEM, "test-1");
    let response = call(
        &app,
        Method::GET,
        "/audit",
        &[("authorization", &format!("Bearer {forged}"))],
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.code(), "invalid_token");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn admins_list_accounts_by_role_and_text(pool: PgPool) {
    for (email, roles) in [
        ("ana@example.com", "{sales}"),
        ("bob@example.com", "{analyst}"),
    ] {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, roles, status, must_change_password,
                                version, created_at, updated_at)
             VALUES (gen_random_uuid(), $1, 'Someone', $2::text[], 'active', false, 1, now(), now())",
        )
        .bind(email)
        .bind(roles)
        .execute(&pool)
        .await
        .unwrap();
    }
    let app = read_router(&pool, Duration::from_millis(200));
    let sales = crate::helpers::get(&app, "/users?role=sales&q=ANA").await;
    assert_eq!(sales.status, StatusCode::OK, "{:?}", sales.body);
    assert_eq!(sales.body["total"], 1);
    assert_eq!(sales.body["items"][0]["email"], "ana@example.com");
    let all = crate::helpers::get(&app, "/users").await;
    assert_eq!(all.body["total"], 2);
}

/// README's configuration table lists every variable read-api reads, with its default.
#[test]
fn every_environment_variable_is_documented() {
    use clap::CommandFactory;
    testkit::documented::assert_environment_documented(
        "read-api",
        &read_api::cli::Cli::command(),
        platform::telemetry::PROCESS_VARIABLES,
    );
}
