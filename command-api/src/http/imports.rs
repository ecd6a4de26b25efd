//! `POST /products/import` and `POST /customers/import` (`text/csv`, `?dry_run=true`).
//! Roles: admin, sales.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contracts::metadata::EventMeta;
use platform::problem::Code;
use serde::Deserialize;

use super::error::{ApiError, Result};
use super::extract::CommandContext;
use super::state::AppState;
use crate::es::{append_all, AppendError, CommandBus};
use crate::import::{self, CustomerRows, ImportError, ProductRows, RowMapper, Table};

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

/// An import request: `?dry_run=`, the command's metadata, and the file's bytes with the
/// `charset=` its content type names, if any.
pub struct CsvUpload {
    dry_run: bool,
    metadata: EventMeta,
    body: bytes::Bytes,
    charset: Option<String>,
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
                code: Code::ConcurrentModification,
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

impl<S: Send + Sync> FromRequest<S> for CsvUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Query(query) = Query::<ImportQuery>::from_request_parts(&mut parts, state)
            .await
            .map_err(|e| ApiError::BadQuery(e.body_text()))?;
        let CommandContext(metadata) =
            CommandContext::from_request_parts(&mut parts, state).await?;
        let (body, charset) = csv_body(&parts.headers, body).await?;
        Ok(Self {
            dry_run: query.dry_run,
            metadata,
            body,
            charset,
        })
    }
}

impl CsvUpload {
    /// Reads the file as `M`'s rows, plans them against `bus`, then stores every row's
    /// events, or none: the answer is the import's report.
    async fn import<M: RowMapper>(
        self,
        state: &AppState,
        bus: &CommandBus<M::Aggregate>,
        rows: M,
    ) -> Result<Response> {
        let Self {
            dry_run,
            metadata,
            body,
            charset,
        } = self;
        // The file is dropped once read and its rows once planned, before the events are
        // stored: an import of 100,000 rows holds much.
        let mut plan = {
            let table = Table::read(
                &body,
                charset.as_deref(),
                M::COLUMNS,
                &M::COLUMNS[..M::REQUIRED],
            )?;
            drop(body);
            import::plan(&state.pool, bus, &rows, &table).await?
        };
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
}

/// `POST /products/import`: one row per product, created or updated by SKU; all rows or
/// none. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/products/import",
    tag = "imports",
    summary = "Import products from a CSV file",
    params(("dry_run" = Option<bool>, Query, description = "Validate and report only.")),
    request_body(content = String, description = "The CSV file (README \"CSV files\"): UTF-8, UTF-8 with BOM or Windows-1252 (`charset=`), comma or semicolon; at most 8 MiB.", content_type = "text/csv"),
    responses((status = 200, description = "Every row valid: applied (or, with `dry_run`, what would be).", body = crate::import::ImportReport)),
    extensions(("x-problem-codes" = json!(["unsupported_media_type", "payload_too_large", "invalid_csv", "import_invalid", "@commit", "sku_taken"])))
)]
pub async fn products(State(state): State<AppState>, upload: CsvUpload) -> Result<Response> {
    let rows = ProductRows {
        vat_rates: &state.vat_rates,
    };
    upload.import(&state, &state.products, rows).await
}

/// `POST /customers/import`: one row per customer, created or updated by code; all rows
/// or none. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/customers/import",
    tag = "imports",
    summary = "Import customers from a CSV file",
    params(("dry_run" = Option<bool>, Query, description = "Validate and report only.")),
    request_body(content = String, description = "The CSV file (README \"CSV files\"): UTF-8, UTF-8 with BOM or Windows-1252 (`charset=`), comma or semicolon; at most 8 MiB.", content_type = "text/csv"),
    responses((status = 200, description = "Every row valid: applied (or, with `dry_run`, what would be).", body = crate::import::ImportReport)),
    extensions(("x-problem-codes" = json!(["unsupported_media_type", "payload_too_large", "invalid_csv", "import_invalid", "@commit", "customer_code_taken"])))
)]
pub async fn customers(State(state): State<AppState>, upload: CsvUpload) -> Result<Response> {
    upload.import(&state, &state.customers, CustomerRows).await
}
