//! `GET /products` (list) and `GET /products/{id}` (detail), with read-your-writes.

use std::str::FromStr;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::csv_cell::Cell;
use shared::ids::ProductId;
use shared::product::Category;
use shared::read::{Page, ProductRow};
use shared::web::AppPath;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::consistency::{
    if_none_match, min_version_text, parse_version, wait_min_version, MinVersion,
};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{like_pattern, sort_by, text_filter, Paging};
use super::AppState;

const MAX_SEARCH_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1-based page number.
    pub page: Option<u32>,
    pub limit: Option<u32>,
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
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    let id: ProductId = path_id(&id, "a product id")?;
    wait_min_version(
        &state,
        query.min_version,
        &headers,
        "SELECT version FROM products WHERE id = $1",
        id,
    )
    .await?;
    let row: ProductRow = sqlx::query_as("SELECT * FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "product_not_found",
            message: "no product has this id".to_owned(),
        })?;
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
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<ProductRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let (column, direction) = sort_by(
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
    let status = status_filter(query.status.as_deref())?;
    let search = text_filter("q", query.q.as_deref(), MAX_SEARCH_CHARS)?.map(|q| like_pattern(&q));
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

    let filters = Filters {
        status,
        category: text_filter("category", query.category.as_deref(), Category::MAX_CHARS)?,
        search,
    };
    // The page and the total are two queries, run at once on two connections: a window
    // count in the page query would make it sort every matching row instead of walking
    // the sort index (150 ms instead of 1 ms over 100,000 products).
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
    let mut page_sql = QueryBuilder::<Postgres>::new("SELECT * FROM products WHERE true");
    filters.push_where(&mut page_sql);
    if let Some(after) = after {
        // A row comparison on (sort key, id) walks the same index as the first page,
        // from that row on: no OFFSET to skip through.
        let comparison = if direction == "DESC" { "<" } else { ">" };
        page_sql
            .push(format_args!(
                " AND ({column}, id) {comparison} ((SELECT {column} FROM products WHERE id = "
            ))
            .push_bind(after)
            .push("), ")
            .push_bind(after)
            .push(")");
    }
    page_sql.push(format_args!(
        " ORDER BY {column} {direction}, id {direction}"
    ));
    paging.push(&mut page_sql);
    let mut count_sql = filters.count_query();
    let (items, total) = tokio::try_join!(
        page_sql
            .build_query_as::<ProductRow>()
            .fetch_all(&state.pool),
        count_sql.build_query_scalar::<i64>().fetch_one(&state.pool),
    )?;
    let next_after = (items.len() == paging.limit as usize)
        .then(|| items.last().map(|p| p.id.to_string()))
        .flatten();
    Ok(Json(Page {
        items,
        total,
        page: paging.page,
        limit: paging.limit,
        next_after,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
}

/// The columns of the export: the ones `POST /products/import` accepts.
pub const EXPORT_COLUMNS: [&str; shared::csv_columns::PRODUCT.len()] = shared::csv_columns::PRODUCT;

/// `GET /products/export`: every product matching the list filters, as CSV in SKU order,
/// streamed. Roles: any.
pub async fn export(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let filters = Filters {
        status: status_filter(query.status.as_deref())?,
        category: text_filter("category", query.category.as_deref(), Category::MAX_CHARS)?,
        search: text_filter("q", query.q.as_deref(), MAX_SEARCH_CHARS)?.map(|q| like_pattern(&q)),
    };
    let mut sql = QueryBuilder::new("SELECT * FROM products WHERE true");
    filters.push_where(&mut sql);
    sql.push(" ORDER BY lower(sku), id");
    Ok(super::export::csv_response(
        state.pool.clone(),
        sql,
        &EXPORT_COLUMNS,
        |p: ProductRow| {
            vec![
                Cell::text(p.sku),
                Cell::text(p.name),
                Cell::number(p.price),
                Cell::number(p.vat_rate),
                Cell::text(p.unit),
                Cell::text(p.category),
                Cell::optional_text(p.barcode),
                Cell::optional_number(p.low_stock_threshold),
                Cell::text(p.status),
            ]
        },
        "products.csv",
    ))
}

fn status_filter(raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s @ ("active" | "archived")) => Ok(Some(s.to_owned())),
        Some(other) => Err(ApiError::BadQuery(format!(
            "status `{other}`: expected active or archived"
        ))),
    }
}

struct Filters {
    status: Option<String>,
    category: Option<String>,
    /// A `LIKE` pattern, already escaped.
    search: Option<String>,
}

impl Filters {
    /// The total: from the per-(status, category) counts that the projector keeps, unless
    /// text search narrows the rows, in which case the trigram index finds them.
    fn count_query(&self) -> QueryBuilder<'_, Postgres> {
        let mut sql = if self.search.is_some() {
            QueryBuilder::new("SELECT count(*) FROM products WHERE true")
        } else {
            QueryBuilder::new("SELECT coalesce(sum(n), 0)::bigint FROM product_counts WHERE true")
        };
        self.push_where(&mut sql);
        sql
    }

    fn push_where(&self, sql: &mut QueryBuilder<'_, Postgres>) {
        if let Some(status) = &self.status {
            sql.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(category) = &self.category {
            sql.push(" AND category = ").push_bind(category.clone());
        }
        if let Some(pattern) = &self.search {
            sql.push(" AND search LIKE lower(")
                .push_bind(pattern.clone())
                .push(")");
        }
    }
}
