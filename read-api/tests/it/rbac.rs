//! The endpoint × role matrix of read-api, generated from its route table.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use shared::access::Access;
use shared::auth::Role;
use sqlx::PgPool;

use crate::helpers::{call, read_router};

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn every_route_answers_every_role_as_declared(pool: PgPool) {
    let table = read_api::http::route_table();
    assert!(table.len() >= 8, "the table lists every route: {table:?}");
    let app = read_router(&pool, Duration::from_millis(200));
    let id = uuid::Uuid::now_v7().to_string();
    for spec in &table {
        let uri = spec.path.replace("{id}", &id);
        for role in Role::ALL {
            let token = testkit::auth::bearer(&[role]);
            let response = call(
                &app,
                spec.method.clone(),
                &uri,
                &[("authorization", &token)],
                None,
            )
            .await;
            if spec.access.allows(&[role]) {
                assert!(
                    response.status != StatusCode::FORBIDDEN
                        && response.status != StatusCode::UNAUTHORIZED,
                    "{} {} as {role}: {}",
                    spec.method,
                    spec.path,
                    response.status
                );
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {} as {role}",
                    spec.method,
                    spec.path
                );
            }
        }
        let anonymous = call(
            &app,
            spec.method.clone(),
            &uri,
            &[("authorization", "")],
            None,
        )
        .await;
        let expected_public = spec.access == Access::Public;
        assert_eq!(
            anonymous.status == StatusCode::UNAUTHORIZED,
            !expected_public,
            "{} {} without a token: {}",
            spec.method,
            spec.path,
            anonymous.status
        );
    }
}

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
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
