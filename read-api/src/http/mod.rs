//! read-api's HTTP edge: routes and the one error mapping. Reads read-model tables only.

pub mod audit;
pub mod consistency;
mod contract;
pub mod customers;
pub mod dashboard;
pub mod dashboard_export;
pub mod error;
pub mod export;
pub mod extract;
pub mod invoice_documents;
pub mod invoices;
pub mod orders;
pub mod paging;
pub mod products;
pub mod proforma;
pub mod receivables;
pub mod resource;
mod state;
pub mod stock;
pub mod users;

pub use contract::openapi;
pub use state::AppState;

use std::sync::Arc;

use axum::http::Method;
use axum::Router;
use contracts::read::{CustomerRow, StockLevelRow, UserRow};
use platform::access::{Access, RouteSpec, Routes, ADMIN, ANALYSTS, ANY_ROLE, INVOICE_READERS};
use platform::token::TokenVerifier;
use platform::web::{api_router, HttpSettings, Readiness};

use resource::show;

/// The route table: every query route and who may call it. The access middleware
/// enforces it; `tests/it/rbac.rs` calls every row with every role.
fn routes() -> Routes<AppState> {
    use Method as M;
    platform::openapi::contract_routes(Routes::new(), openapi)
        .route(M::GET, "/products", Access::Roles(ANY_ROLE), products::list)
        .route(
            M::GET,
            "/products/export",
            Access::Roles(ANY_ROLE),
            products::export,
        )
        .route(
            M::GET,
            "/products/{id}",
            Access::Roles(ANY_ROLE),
            products::detail,
        )
        .route(
            M::GET,
            "/customers",
            Access::Roles(ANY_ROLE),
            customers::list,
        )
        .route(
            M::GET,
            "/customers/export",
            Access::Roles(ANY_ROLE),
            customers::export,
        )
        .route(
            M::GET,
            "/customers/{id}",
            Access::Roles(ANY_ROLE),
            show::<CustomerRow>,
        )
        .route(M::GET, "/stock", Access::Roles(ANY_ROLE), stock::list)
        .route(
            M::GET,
            "/stock/{id}",
            Access::Roles(ANY_ROLE),
            show::<StockLevelRow>,
        )
        .route(
            M::GET,
            "/stock/{id}/movements",
            Access::Roles(ANY_ROLE),
            stock::movements,
        )
        .route(M::GET, "/orders", Access::Roles(ANY_ROLE), orders::list)
        .route(
            M::GET,
            "/orders/{id}",
            Access::Roles(ANY_ROLE),
            orders::detail,
        )
        .route(
            M::GET,
            "/orders/{id}/proforma.pdf",
            Access::Roles(ANY_ROLE),
            proforma::proforma,
        )
        .route(
            M::GET,
            "/invoices",
            Access::Roles(INVOICE_READERS),
            invoices::list,
        )
        .route(
            M::GET,
            "/invoices/{id}",
            Access::Roles(INVOICE_READERS),
            invoices::detail,
        )
        .route(
            M::GET,
            "/invoices/{id}/pdf",
            Access::Roles(INVOICE_READERS),
            invoice_documents::invoice_pdf,
        )
        .route(
            M::GET,
            "/invoices/{id}/cii.xml",
            Access::Roles(INVOICE_READERS),
            invoice_documents::invoice_cii,
        )
        .route(
            M::GET,
            "/invoices/{id}/ubl.xml",
            Access::Roles(INVOICE_READERS),
            invoice_documents::invoice_ubl,
        )
        .route(
            M::GET,
            "/invoices/{id}/credit-notes/{credit_note_id}/pdf",
            Access::Roles(INVOICE_READERS),
            invoice_documents::credit_note_pdf,
        )
        .route(
            M::GET,
            "/invoices/{id}/credit-notes/{credit_note_id}/cii.xml",
            Access::Roles(INVOICE_READERS),
            invoice_documents::credit_note_cii,
        )
        .route(
            M::GET,
            "/invoices/{id}/credit-notes/{credit_note_id}/ubl.xml",
            Access::Roles(INVOICE_READERS),
            invoice_documents::credit_note_ubl,
        )
        .route(
            M::GET,
            "/receivables",
            Access::Roles(INVOICE_READERS),
            receivables::aged,
        )
        .route(M::GET, "/users", Access::Roles(ADMIN), users::list)
        .route(M::GET, "/users/{id}", Access::Roles(ADMIN), show::<UserRow>)
        .route(
            M::GET,
            "/dashboard/sales",
            Access::Roles(ANALYSTS),
            dashboard::sales,
        )
        .route(
            M::GET,
            "/dashboard/sales/export",
            Access::Roles(ANALYSTS),
            dashboard_export::sales,
        )
        .route(
            M::GET,
            "/dashboard/top-products",
            Access::Roles(ANALYSTS),
            dashboard::top_products,
        )
        .route(
            M::GET,
            "/dashboard/top-products/export",
            Access::Roles(ANALYSTS),
            dashboard_export::top_products,
        )
        .route(
            M::GET,
            "/dashboard/top-customers",
            Access::Roles(ANALYSTS),
            dashboard::top_customers,
        )
        .route(
            M::GET,
            "/dashboard/top-customers/export",
            Access::Roles(ANALYSTS),
            dashboard_export::top_customers,
        )
        .route(
            M::GET,
            "/dashboard/orders-by-status",
            Access::Roles(ANALYSTS),
            dashboard::orders_by_status,
        )
        .route(
            M::GET,
            "/dashboard/orders-by-status/export",
            Access::Roles(ANALYSTS),
            dashboard_export::orders_by_status,
        )
        .route(
            M::GET,
            "/dashboard/stock-alerts",
            Access::Roles(ANALYSTS),
            dashboard::stock_alerts,
        )
        .route(
            M::GET,
            "/dashboard/stock-alerts/export",
            Access::Roles(ANALYSTS),
            dashboard_export::stock_alerts,
        )
        .route(
            M::GET,
            "/dashboard/receivables",
            Access::Roles(ANALYSTS),
            receivables::summary,
        )
        .route(M::GET, "/audit", Access::Roles(ADMIN), audit::list)
        .route(M::GET, "/audit/export", Access::Roles(ADMIN), audit::export)
}

/// Every route of the API with its access rule, health probes included.
pub fn route_table() -> Vec<RouteSpec> {
    platform::web::route_table(&routes())
}

/// The whole HTTP API, without a socket, so that tests can drive it with `oneshot`.
/// read-api holds the public key only: it verifies tokens and can never mint one.
pub fn router(
    state: AppState,
    readiness: Readiness,
    verifier: Arc<TokenVerifier>,
    settings: &HttpSettings,
) -> Router {
    api_router(routes(), state, readiness, verifier, settings)
}
