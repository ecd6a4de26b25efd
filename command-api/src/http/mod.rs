//! command-api's HTTP edge: routes, extractors, and the one error mapping.

pub mod auth;
pub mod customers;
pub mod error;
pub mod extract;
pub mod imports;
pub mod invoices;
pub mod orders;
pub mod products;
mod reply;
pub mod session_cookie;
mod state;
pub mod stock;
pub mod users;

pub use reply::{CommandAccepted, CreatedDoc, UpdatedDoc};
pub use state::AppState;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::Router;
use platform::access::{
    Access, RouteSpec, Routes, ADMIN, CATALOGUE_WRITERS, INVOICERS, STOCK_KEEPERS,
};
use platform::problem::Code;
use platform::token::TokenVerifier;
use platform::web::{api_router, HttpSettings, Readiness};

/// Largest accepted request body. Commands are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The route table: every command route and who may call it. The access middleware
/// enforces it; `tests/it/rbac.rs` calls every row with every role.
fn routes() -> Routes<AppState> {
    use Method as M;
    platform::openapi::contract_routes(Routes::new(), openapi)
        .route(M::POST, "/auth/login", Access::Public, auth::login)
        .route(M::POST, "/auth/refresh", Access::Public, auth::refresh)
        .route(M::POST, "/auth/logout", Access::Public, auth::logout)
        .route(M::GET, "/auth/me", Access::SignedIn, auth::me)
        .route(
            M::POST,
            "/auth/password",
            Access::SignedIn,
            auth::change_password,
        )
        .route(M::POST, "/users", Access::Roles(ADMIN), users::create)
        .route(
            M::PUT,
            "/users/{id}/roles",
            Access::Roles(ADMIN),
            users::set_roles,
        )
        .route(
            M::POST,
            "/users/{id}/disable",
            Access::Roles(ADMIN),
            users::disable,
        )
        .route(
            M::POST,
            "/users/{id}/enable",
            Access::Roles(ADMIN),
            users::enable,
        )
        .route(
            M::POST,
            "/users/{id}/password",
            Access::Roles(ADMIN),
            users::reset_password,
        )
        .route(
            M::POST,
            "/products",
            Access::Roles(CATALOGUE_WRITERS),
            products::create,
        )
        .route(
            M::PATCH,
            "/products/{id}",
            Access::Roles(CATALOGUE_WRITERS),
            products::update,
        )
        .route(
            M::POST,
            "/products/{id}/archive",
            Access::Roles(CATALOGUE_WRITERS),
            products::archive,
        )
        .route(
            M::POST,
            "/products/{id}/reactivate",
            Access::Roles(CATALOGUE_WRITERS),
            products::reactivate,
        )
        .route(
            M::POST,
            "/products/import",
            Access::Roles(CATALOGUE_WRITERS),
            imports::products,
        )
        .route(
            M::POST,
            "/customers",
            Access::Roles(CATALOGUE_WRITERS),
            customers::create,
        )
        .route(
            M::PATCH,
            "/customers/{id}",
            Access::Roles(CATALOGUE_WRITERS),
            customers::update,
        )
        .route(
            M::POST,
            "/customers/import",
            Access::Roles(CATALOGUE_WRITERS),
            imports::customers,
        )
        .route(
            M::POST,
            "/customers/{id}/archive",
            Access::Roles(CATALOGUE_WRITERS),
            customers::archive,
        )
        .route(
            M::POST,
            "/customers/{id}/reactivate",
            Access::Roles(CATALOGUE_WRITERS),
            customers::reactivate,
        )
        .route(
            M::POST,
            "/stock/{id}/adjustments",
            Access::Roles(STOCK_KEEPERS),
            stock::adjust,
        )
        .route(
            M::POST,
            "/orders",
            Access::Roles(CATALOGUE_WRITERS),
            orders::create,
        )
        .route(
            M::POST,
            "/orders/{id}/lines",
            Access::Roles(CATALOGUE_WRITERS),
            orders::add_line,
        )
        .route(
            M::PATCH,
            "/orders/{id}/lines/{line_no}",
            Access::Roles(CATALOGUE_WRITERS),
            orders::change_line,
        )
        .route(
            M::DELETE,
            "/orders/{id}/lines/{line_no}",
            Access::Roles(CATALOGUE_WRITERS),
            orders::remove_line,
        )
        .route(
            M::PUT,
            "/orders/{id}/customer",
            Access::Roles(CATALOGUE_WRITERS),
            orders::set_customer,
        )
        .route(
            M::PUT,
            "/orders/{id}/terms",
            Access::Roles(CATALOGUE_WRITERS),
            orders::set_terms,
        )
        .route(
            M::POST,
            "/orders/{id}/submit",
            Access::Roles(CATALOGUE_WRITERS),
            orders::submit,
        )
        .route(
            M::POST,
            "/orders/{id}/cancel",
            Access::Roles(CATALOGUE_WRITERS),
            orders::cancel,
        )
        .route(
            M::POST,
            "/orders/{id}/fulfil",
            Access::Roles(STOCK_KEEPERS),
            orders::fulfil,
        )
        .route(
            M::POST,
            "/invoices",
            Access::Roles(INVOICERS),
            invoices::issue,
        )
        // Correcting an issued invoice is an admin's act.
        .route(
            M::POST,
            "/invoices/{id}/credit-notes",
            Access::Roles(ADMIN),
            invoices::credit_note,
        )
        .route(
            M::POST,
            "/invoices/{id}/payments",
            Access::Roles(INVOICERS),
            invoices::payment,
        )
}

/// The operations of the contract, from the handlers' annotations; [`openapi`] completes
/// it from the route table.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "gescom command-api",
        description = "The write side: every change is a command that answers `{id, version}` with an `ETag`; read it back from read-api with `min_version`. Errors are `application/problem+json`; switch on `code`."
    ),
    paths(
        auth::login,
        auth::refresh,
        auth::logout,
        auth::me,
        auth::change_password,
        users::create,
        users::set_roles,
        users::disable,
        users::enable,
        users::reset_password,
        products::create,
        products::update,
        products::archive,
        products::reactivate,
        imports::products,
        customers::create,
        customers::update,
        customers::archive,
        customers::reactivate,
        imports::customers,
        stock::adjust,
        orders::create,
        orders::add_line,
        orders::change_line,
        orders::remove_line,
        orders::set_customer,
        orders::set_terms,
        orders::submit,
        orders::cancel,
        orders::fulfil,
        invoices::issue,
        invoices::credit_note,
        invoices::payment,
    )
)]
struct ApiDoc;

/// What the extractors and the store refuse, named `@group` in `x-problem-codes`.
const PROBLEM_GROUPS: &platform::openapi::CodeGroups = &[
    // `AppJson`, `MaybeJson`: the body, its type and size, then the fields' rules.
    (
        "json",
        &[
            Code::MalformedBody,
            Code::UnsupportedMediaType,
            Code::PayloadTooLarge,
            Code::ValidationFailed,
        ],
    ),
    // `Target`: `If-Match`.
    ("target", &[Code::MalformedHeader, Code::VersionMismatch]),
    // `CommandBus`: a lost race after its retries, a lost database.
    ("commit", &[Code::ConcurrentModification, Code::Unavailable]),
    // The order process manager: another step holds the order; a state it cannot leave.
    ("process", &[Code::OrderBusy, Code::OrderStatus]),
];

/// The OpenAPI document of this API, as served at `/openapi.json` and checked in as
/// `docs/openapi/command-api.json`.
pub fn openapi() -> Result<serde_json::Value, platform::openapi::SpecError> {
    use utoipa::OpenApi;
    platform::openapi::complete(&ApiDoc::openapi(), &route_table(), PROBLEM_GROUPS)
}

/// Every route of the API with its access rule, health probes included.
pub fn route_table() -> Vec<RouteSpec> {
    platform::web::route_table(&routes())
}

/// The whole HTTP API, without a socket, so that tests can drive it with `oneshot`.
pub fn router(
    state: AppState,
    readiness: Readiness,
    verifier: Arc<TokenVerifier>,
    settings: &HttpSettings,
) -> Router {
    let state = AppState {
        browser_origins: Arc::from(settings.cors_origins.clone()),
        ..state
    };
    api_router(routes(), state, readiness, verifier, settings)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}
