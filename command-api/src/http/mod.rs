//! command-api's HTTP edge: routes, extractors, and the one error mapping.

pub mod error;
pub mod extract;
pub mod products;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use serde::Serialize;
use shared::ids::ProductId;
use shared::metadata::CommandMetadata;
use shared::web::{health_routes, with_common_layers, Readiness};

use self::error::ApiError;

use crate::domain::product::{Product, ProductCommand};
use crate::es::{CommandBus, Committed};

/// Largest accepted request body. Product commands are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub products: Arc<CommandBus<Product>>,
}

impl AppState {
    /// Runs a product command to its end even if the client hangs up or the request times
    /// out: a dropped handler future must not abandon a transaction between its statements.
    async fn execute_product(
        &self,
        id: ProductId,
        command: ProductCommand,
        expected_version: Option<u64>,
        metadata: CommandMetadata,
    ) -> error::Result<Committed> {
        let bus = Arc::clone(&self.products);
        let run = async move {
            bus.execute(&id.to_string(), command, expected_version, metadata)
                .await
        };
        tokio::spawn(run)
            .await
            .map_err(|e| ApiError::Internal(format!("command task failed: {e}")))?
            .map_err(ApiError::from)
    }
}

/// The whole HTTP API, without a socket, so that tests can drive it with `oneshot`.
pub fn router(state: AppState, readiness: Readiness, request_timeout: Duration) -> Router {
    let commands = Router::new()
        .route("/products", post(products::create))
        .route("/products/{id}", patch(products::update))
        .route("/products/{id}/archive", post(products::archive))
        .route("/products/{id}/reactivate", post(products::reactivate))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    with_common_layers(commands.merge(health_routes(readiness)), request_timeout)
}

/// The answer to every successful command: the aggregate id and its new version, in the
/// body and as `ETag`, so that the caller can read its own write (`min_version`) and send
/// `If-Match` next time.
#[derive(Debug, Serialize)]
pub struct CommandAccepted<'a> {
    pub id: &'a str,
    pub version: u64,
}

fn accepted(created: bool, collection: &str, id: &str, committed: Committed) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (
        status,
        Json(CommandAccepted {
            id,
            version: committed.version,
        }),
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", committed.version)) {
        headers.insert(header::ETAG, etag);
    }
    if created {
        if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{id}")) {
            headers.insert(header::LOCATION, location);
        }
    }
    response
}
