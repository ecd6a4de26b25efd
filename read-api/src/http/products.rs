//! `GET /products` (list) and `GET /products/{id}` (detail), with read-your-writes.

use std::str::FromStr;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contracts::ids::ProductId;
use contracts::product::{Category, ProductStatus};
use contracts::read::{Page, ProductRow};
use platform::csv_cell::Cell;
use platform::problem::Code;
use platform::web::AppPath;
use serde::Deserialize;
use sqlx::{PgPool, QueryBuilder};

use super::consistency::{if_none_match, min_version_text, parse_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::paging::{one_of, search, sort_by, text_filter, Paging, Sort};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

impl Resource for ProductRow {
    type Id = ProductId;
    const TABLE: Table = Table::new(
        "products",
        "id, sku, name, price, vat_rate, unit, category, barcode, low_stock_threshold, status,
         version, created_at, updated_at, updated_by, last_correlation_id",
    );
    const ID: &'static str = "a product id";
    const NOT_FOUND: (Code, &'static str) = (Code::ProductNotFound, "no product has this id");
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1-based page number.
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(value_type = Option<contracts::product::ProductStatus>)]
    pub status: Option<String>,
    pub category: Option<String>,
    /// Text search on name and SKU.
    pub q: Option<String>,
    /// `name`, `sku`, `price` or `updated`; a leading `-` sorts descending.
    pub sort: Option<String>,
    /// `<product id>:<version>`: wait until that product's write is visible.
    pub min_version: Option<String>,
    /// Keyset paging: the rows after this product in the chosen order (the previous
    /// page's `next_after`). Any page then costs what the first does; `page` must be 1.
    pub after: Option<String>,
}

async fn product_version(pool: &PgPool, id: ProductId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT version FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map(|v| v.unwrap_or(0))
}

/// `GET /products/{id}`. Roles: any.
#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "products",
    summary = "A product",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The product.", body = ProductRow, headers(("ETag" = String, description = "Its version, quoted."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String, description = "Its version, quoted.")))),
    extensions(("x-problem-codes" = json!(["@detail", "product_not_found"])))
)]
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    let row: ProductRow = resource::detail(&state, &id, query.min_version, &headers).await?;
    let etag = format!("\"{}\"", row.version);
    // A client that holds this version already gets no body.
    let mut response = if if_none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(&row).into_response()
    };
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// `GET /products`. Roles: any.
#[utoipa::path(
    get,
    path = "/products",
    tag = "products",
    summary = "List products",
    params(ListQuery, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins.")),
    responses((status = 200, description = "One page, with the total (or `next_after` for keyset paging).", body = Page<ProductRow>)),
    extensions(("x-problem-codes" = json!(["@db", "malformed_header", "projection_lagging"])))
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<ProductRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let sort = sort_by(
        query.sort.as_deref(),
        "name",
        &[
            // Each expression matches an index of `migrations/`.
            ("name", "lower(name)"),
            ("sku", "lower(sku)"),
            ("price", "price"),
            ("updated", "updated_at"),
        ],
    )?;
    let search = search(query.q.as_deref())?;
    // Without text search the total comes from the per-(status, category) counts that
    // the projector keeps; with it, the trigram index finds the rows.
    let counted = search.is_none();
    let filters = filters(query.status.as_deref(), query.category.as_deref(), search)?;
    if let Some(raw) = min_version_text(query.min_version, &headers)? {
        let (id, version) = raw.split_once(':').ok_or_else(|| {
            ApiError::BadQuery("min_version on a list is `<product id>:<version>`".to_owned())
        })?;
        let id = ProductId::from_str(id.trim())
            .map_err(|_| ApiError::BadQuery(format!("min_version: `{id}` is not a product id")))?;
        let wanted = parse_version(version)?;
        state
            .freshness
            .wait_for(wanted, || product_version(&state.pool, id))
            .await?;
    }
    let after = match query
        .after
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => None,
        Some(_) if paging.page != 1 => {
            return Err(ApiError::BadQuery(
                "after and page do not go together: after continues from a row".to_owned(),
            ))
        }
        Some(raw) => Some(
            ProductId::from_str(raw)
                .map_err(|_| ApiError::BadQuery(format!("after: `{raw}` is not a product id")))?,
        ),
    };
    let table = ProductRow::TABLE;
    let mut rows = table.select(&filters);
    if let Some(after) = after {
        // A row comparison on (sort key, id) walks the same index as the first page,
        // from that row on: no OFFSET to skip through.
        let Sort { column, direction } = sort;
        let comparison = if direction == "DESC" { "<" } else { ">" };
        rows.push(format_args!(
            " AND ({column}, id) {comparison} ((SELECT {column} FROM products WHERE id = "
        ))
        .push_bind(after)
        .push("), ")
        .push_bind(after)
        .push(")");
    }
    rows.push(" ORDER BY ").push(table.order(sort));
    let count = if counted {
        let mut sql =
            QueryBuilder::new("SELECT coalesce(sum(n), 0)::bigint FROM product_counts WHERE true");
        filters.push(&mut sql);
        sql
    } else {
        table.count(&filters)
    };
    let mut page: Page<ProductRow> = resource::fetch_page(&state.pool, rows, count, paging).await?;
    page.next_after = (page.items.len() == paging.limit as usize)
        .then(|| page.items.last().map(|p| p.id.to_string()))
        .flatten();
    Ok(Json(page))
}

/// What the list and the export narrow to.
fn filters(
    status: Option<&str>,
    category: Option<&str>,
    search: Option<String>,
) -> Result<Filters> {
    Ok(Filters::new()
        .equal("status", one_of::<ProductStatus>("status", status)?)
        .equal(
            "category",
            text_filter("category", category, Category::MAX_CHARS)?,
        )
        .search(search))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(value_type = Option<contracts::product::ProductStatus>)]
    pub status: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
}

/// The columns of the export: the ones `POST /products/import` accepts.
pub const EXPORT_COLUMNS: [&str; contracts::csv_columns::PRODUCT.len()] =
    contracts::csv_columns::PRODUCT;

/// `GET /products/export`: every product matching the list filters, as CSV in SKU order,
/// streamed. Roles: any.
#[utoipa::path(
    get,
    path = "/products/export",
    tag = "products",
    summary = "Export products as CSV",
    params(ExportQuery),
    responses((status = 200, description = "Every matching row as CSV (README \"CSV files\"), streamed; cells that a spreadsheet would run as formulas get a leading `'`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn export(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let filters = filters(
        query.status.as_deref(),
        query.category.as_deref(),
        search(query.q.as_deref())?,
    )?;
    let mut sql = ProductRow::TABLE.select(&filters);
    sql.push(" ORDER BY lower(sku), id");
    Ok(super::export::csv_response(
        state.pool.clone(),
        sql,
        &EXPORT_COLUMNS,
        |p: ProductRow| {
            vec![
                Cell::text(p.sku),
                Cell::text(p.name),
                Cell::number(p.price.amount()),
                Cell::number(p.vat_rate),
                Cell::text(p.unit.as_str()),
                Cell::text(p.category),
                Cell::optional_text(p.barcode),
                Cell::optional_number(p.low_stock_threshold),
                Cell::text(p.status.as_str()),
            ]
        },
        "products.csv",
    ))
}
