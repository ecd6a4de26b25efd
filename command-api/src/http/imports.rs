//! `POST /products/import` and `POST /customers/import` (`text/csv`, `?dry_run=true`).
//! Roles: admin, sales.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::{ApiError, Result};
use super::extract::CommandContext;
use super::AppState;
use crate::es::{append_all, AppendError};
use crate::import::{self, ImportError, Plan, Table, CUSTOMER_COLUMNS, PRODUCT_COLUMNS};

/// Largest CSV accepted: about 100,000 products, or 100,000 customers with their legal
/// ids (`loadgen --scenarios import` measures imports of that size).
pub const IMPORT_LIMIT: usize = 8 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Validate and report only.
    #[serde(default)]
    pub dry_run: bool,
}

/// The file's bytes and the `charset=` its content type names, if any.
async fn csv_body(headers: &HeaderMap, body: Body) -> Result<(bytes::Bytes, Option<String>)> {
    let content_type: Option<mime::Mime> = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let Some(content_type) = content_type.filter(|m| {
        matches!(
            (m.type_().as_str(), m.subtype().as_str()),
            ("text", "csv") | ("application", "csv")
        )
    }) else {
        return Err(ApiError::UnsupportedMediaTypeOf("text/csv"));
    };
    let charset = content_type
        .get_param(mime::CHARSET)
        .map(|c| c.as_str().to_owned());
    let body = axum::body::to_bytes(body, IMPORT_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    Ok((body, charset))
}

impl From<ImportError> for ApiError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Database(e) => e.into(),
            ImportError::Store(e) => ApiError::Internal(e),
            ImportError::Unavailable(e) => ApiError::Unavailable(e),
            other => ApiError::InvalidCsv {
                reason: other.reason().unwrap_or("malformed"),
                message: other.to_string(),
            },
        }
    }
}

impl From<AppendError> for ApiError {
    fn from(error: AppendError) -> Self {
        match error {
            AppendError::Conflict => ApiError::Conflict {
                code: "concurrent_modification",
                message: "a row's record changed during the import; nothing was applied, retry"
                    .to_owned(),
            },
            AppendError::Rejected { sqlstate, message } => {
                ApiError::from_command::<std::convert::Infallible>(
                    crate::es::CommandError::Rejected { sqlstate, message },
                )
            }
            AppendError::Database(e) => e.into(),
        }
    }
}

async fn finish(
    state: &AppState,
    mut plan: Plan,
    dry_run: bool,
    metadata: shared::metadata::EventMeta,
) -> Result<Response> {
    if plan.has_errors() {
        return Err(ApiError::ImportInvalid(Box::new(
            plan.into_report(dry_run, false),
        )));
    }
    if dry_run || plan.pending.is_empty() {
        return Ok(Json(plan.into_report(dry_run, false)).into_response());
    }
    append_all(&state.pool, std::mem::take(&mut plan.pending), metadata).await?;
    Ok(Json(plan.into_report(false, true)).into_response())
}

/// `POST /products/import`: one row per product, created or updated by SKU; all rows or
/// none. Roles: admin, sales.
pub async fn products(
    State(state): State<AppState>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    CommandContext(metadata): CommandContext,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    // The file and its parsed rows are dropped once planned, before the events are stored.
    let plan = {
        let (body, charset) = csv_body(&headers, body).await?;
        let table = Table::read(
            &body,
            charset.as_deref(),
            &PRODUCT_COLUMNS,
            &PRODUCT_COLUMNS[..6],
        )?;
        import::plan_products(&state.pool, &state.products, &state.vat_rates, &table).await?
    };
    finish(&state, plan, query.dry_run, metadata).await
}

/// `POST /customers/import`: one row per customer, created or updated by code; all rows
/// or none. Roles: admin, sales.
pub async fn customers(
    State(state): State<AppState>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    CommandContext(metadata): CommandContext,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let plan = {
        let (body, charset) = csv_body(&headers, body).await?;
        let table = Table::read(
            &body,
            charset.as_deref(),
            &CUSTOMER_COLUMNS,
            &CUSTOMER_COLUMNS[..2],
        )?;
        import::plan_customers(&state.pool, &state.customers, &table).await?
    };
    finish(&state, plan, query.dry_run, metadata).await
}
