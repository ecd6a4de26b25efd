//! The endpoint × role matrix, generated from the route table: every route, called with
//! every role and with no token, answers as its declared access says.

use axum::http::{Method, StatusCode};
use serde_json::json;
use shared::access::Access;
use shared::auth::Role;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn every_route_answers_every_role_as_declared(pool: PgPool) {
    let table = command_api::http::route_table();
    assert!(table.len() >= 16, "the table lists every route: {table:?}");
    let mut app = TestApp::new(pool);
    let id = uuid::Uuid::now_v7().to_string();
    for spec in &table {
        let uri = spec.path.replace("{id}", &id);
        let body = if spec.method == Method::GET {
            json!(null)
        } else {
            json!({})
        };
        for role in Role::ALL {
            app = app.acting_as(&[role]);
            let response = app.json(spec.method.clone(), &uri, &[], &body).await;
            let allowed = spec.access.allows(&[role]);
            if allowed {
                assert!(
                    response.status != StatusCode::FORBIDDEN
                        && response.status != StatusCode::UNAUTHORIZED,
                    "{} {} as {role}: {} {:?}",
                    spec.method,
                    spec.path,
                    response.status,
                    response.body
                );
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {} as {role}",
                    spec.method,
                    spec.path
                );
                assert_eq!(response.code(), "forbidden");
            }
        }
        let anonymous = app
            .json(spec.method.clone(), &uri, &[("authorization", "")], &body)
            .await;
        if spec.access == Access::Public {
            assert!(
                anonymous.status != StatusCode::FORBIDDEN
                    && anonymous.status != StatusCode::UNAUTHORIZED,
                "{} {} without a token: {}",
                spec.method,
                spec.path,
                anonymous.status
            );
        } else {
            assert_eq!(
                anonymous.status,
                StatusCode::UNAUTHORIZED,
                "{} {} without a token",
                spec.method,
                spec.path
            );
        }
    }
}
