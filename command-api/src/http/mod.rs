//! command-api's HTTP edge: routes, extractors, and the one error mapping.

pub mod auth;
pub mod customers;
pub mod error;
pub mod extract;
pub mod imports;
pub mod orders;
pub mod products;
pub mod stock;
pub mod users;

use std::sync::Arc;

use crate::domain::Keyed;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use contracts::metadata::EventMeta;
use contracts::product::VatRates;
use platform::access::{Access, RouteSpec, Routes, ADMIN, CATALOGUE_WRITERS, STOCK_KEEPERS};
use platform::token::TokenVerifier;
use platform::web::{api_router, HttpSettings, Readiness};
use serde::Serialize;

use crate::app::order_process::OrderProcesses;
use crate::auth::Auth;
use crate::domain::customer::Customer;
use crate::domain::product::Product;
use crate::es::{CommandBus, CommandError};

use self::error::ApiError;

/// Largest accepted request body. Commands are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::PgPool,
    pub products: Arc<CommandBus<Product>>,
    pub customers: Arc<CommandBus<Customer>>,
    /// Orders, and the stock they reserve.
    pub orders: Arc<OrderProcesses>,
    pub auth: Arc<Auth>,
    /// The VAT rates a price may use.
    pub vat_rates: Arc<VatRates>,
}

impl AppState {
    pub fn with_vat_rates(mut self, rates: VatRates) -> Self {
        self.vat_rates = Arc::new(rates);
        self
    }

    pub fn new(pool: sqlx::PgPool, auth: Arc<Auth>) -> Self {
        let products = Arc::new(CommandBus::new(pool.clone(), ()));
        let customers = Arc::new(CommandBus::new(pool.clone(), ()));
        Self {
            orders: Arc::new(OrderProcesses::new(
                pool.clone(),
                Arc::clone(&products),
                Arc::clone(&customers),
            )),
            customers,
            pool,
            products,
            auth,
            vat_rates: Arc::new(VatRates::default()),
        }
    }
}

/// The route table: every command route and who may call it. The access middleware
/// enforces it; `tests/it/rbac.rs` calls every row with every role.
fn routes() -> Routes<AppState> {
    use Method as M;
    Routes::new()
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
    api_router(routes(), state, readiness, verifier, settings)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// Runs `command` on aggregate `id` to its end (see `CommandBus::execute_detached`) and
/// answers with the id and the new version: what every command route does last.
async fn execute<A>(
    bus: &Arc<CommandBus<A>>,
    collection: &str,
    id: A::Id,
    command: A::Command,
    expected_version: Option<u64>,
    metadata: EventMeta,
) -> error::Result<Response>
where
    A: Keyed + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
    ApiError: From<CommandError<A::Error>>,
{
    let committed = bus
        .execute_detached(id, command, expected_version, metadata)
        .await?;
    Ok(accepted(
        false,
        collection,
        &id.to_string(),
        committed.version,
    ))
}

/// [`execute`] for a new aggregate: `201 Created` with its `Location`.
async fn execute_new<A>(
    bus: &Arc<CommandBus<A>>,
    collection: &str,
    id: A::Id,
    command: A::Command,
    metadata: EventMeta,
) -> error::Result<Response>
where
    A: Keyed + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
    ApiError: From<CommandError<A::Error>>,
{
    let committed = bus.execute_new_detached(id, command, metadata).await?;
    Ok(accepted(
        true,
        collection,
        &id.to_string(),
        committed.version,
    ))
}

/// The answer to every successful command: the aggregate id and its new version, in the
/// body and as `ETag`, so that the caller can read its own write (`min_version`) and send
/// `If-Match` next time.
#[derive(Debug, Serialize)]
pub struct CommandAccepted<'a> {
    pub id: &'a str,
    pub version: u64,
}

fn accepted(created: bool, collection: &str, id: &str, version: u64) -> Response {
    accepted_with(
        created,
        collection,
        id,
        version,
        &CommandAccepted { id, version },
    )
}

/// [`accepted`] with a body that says more than the id and version.
fn accepted_with<T: Serialize>(
    created: bool,
    collection: &str,
    id: &str,
    version: u64,
    body: &T,
) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if created {
        if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{id}")) {
            headers.insert(header::LOCATION, location);
        }
    }
    response
}
