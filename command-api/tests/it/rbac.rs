//! The endpoint × role matrix: the route table matches `schemas/roles.tsv` (written by hand),
//! and every route of that file, called with every role and with no token, answers as the
//! file says.

use axum::http::Method;
use contracts::auth::Role;
use platform::access::Access;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_command_route_answers_every_role_as_the_file_says(pool: PgPool) {
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
    testkit::auth::assert_route_matrix_as(
        "command-api",
        &table,
        bearer_for,
        |route, uri, token| {
            let body = if route.method == Method::GET {
                json!(null)
            } else {
                json!({})
            };
            // An empty header sends no token.
            let authorization = token.unwrap_or_default();
            let method = route.method.clone();
            let app = &app;
            async move {
                app.json(method, &uri, &[("authorization", &authorization)], &body)
                    .await
                    .status
                    .as_u16()
            }
        },
    )
    .await;
}

/// README's configuration table lists every variable command-api reads, with its default.
#[test]
fn every_environment_variable_is_documented() {
    use clap::CommandFactory;
    testkit::documented::assert_environment_documented(
        "command-api",
        &command_api::cli::Cli::command(),
        platform::telemetry::PROCESS_VARIABLES,
    );
}
