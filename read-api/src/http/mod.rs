//! read-api's HTTP edge: routes and the one error mapping. Reads read-model tables only.

pub mod error;
pub mod extract;
pub mod products;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use shared::web::{health_routes, with_common_layers, Readiness};
use sqlx::PgPool;

use crate::freshness::Freshness;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub freshness: Freshness,
}

/// The whole HTTP API, without a socket, so that tests can drive it with `oneshot`.
pub fn router(state: AppState, readiness: Readiness, request_timeout: Duration) -> Router {
    let queries = Router::new()
        .route("/products", get(products::list))
        .route("/products/{id}", get(products::detail))
        .with_state(state);
    with_common_layers(queries.merge(health_routes(readiness)), request_timeout)
}
