//! The endpoint × role matrix, generated from the route table: every route, called with
//! every role and with no token, answers as its declared access says.

use axum::http::Method;
use serde_json::json;
use shared::access::Access;
use shared::auth::Role;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn every_route_answers_every_role_as_declared(pool: PgPool) {
    let table = command_api::http::route_table();
    assert!(table.len() >= 16, "the table lists every route: {table:?}");
    for spec in &table {
        if let Access::Roles(_) = spec.access {
            assert!(
                !spec.access.allows(&[Role::Analyst]),
                "analysts are read-only, yet may call {} {}",
                spec.method,
                spec.path
            );
        }
    }
    let app = TestApp::new(pool).await;
    let admin = app.bearer();
    let bearer_for = |role| match role {
        Role::Admin => admin.clone(),
        other => testkit::auth::bearer(&[other]),
    };
    testkit::auth::assert_route_matrix_as(&table, bearer_for, |spec, uri, token| {
        let body = if spec.method == Method::GET {
            json!(null)
        } else {
            json!({})
        };
        // An empty header sends no token.
        let authorization = token.unwrap_or_default();
        let method = spec.method.clone();
        let app = &app;
        async move {
            app.json(method, &uri, &[("authorization", &authorization)], &body)
                .await
                .status
                .as_u16()
        }
    })
    .await;
}
