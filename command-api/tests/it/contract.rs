//! The API contract: `docs/openapi/command-api.json` is what the code generates, it
//! documents every route with the roles of the route table, and the API serves it with its
//! docs.

use sqlx::PgPool;

use crate::helpers::TestApp;

#[test]
fn the_checked_in_document_is_what_the_code_generates() {
    let doc = command_api::http::openapi().unwrap();
    testkit::contract::assert_checked_in("command-api", &doc);
}

#[test]
fn the_document_states_every_route_with_its_roles_and_nothing_else() {
    let doc = command_api::http::openapi().unwrap();
    testkit::contract::assert_document_matches(
        "command-api",
        &doc,
        &command_api::http::route_table(),
    );
    assert_eq!(doc["openapi"], "3.1.0");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn command_api_serves_its_document_and_the_docs_without_a_token(pool: PgPool) {
    let app = TestApp::new(pool).await;
    testkit::contract::assert_serves_contract(&app.router, command_api::http::openapi().unwrap())
        .await;
}
