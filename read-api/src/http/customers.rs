//! `GET /customers` and `GET /customers/{id}`. Roles: any.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use shared::csv_cell::Cell;
use shared::ids::CustomerId;
use shared::read::{CustomerRow, Page};
use shared::web::AppPath;
use sqlx::{Postgres, QueryBuilder};

use super::consistency::{wait_min_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{fetch_page, like_pattern, sort_by, text_filter, Paging};
use super::AppState;

pub const CUSTOMER_COLUMNS: &str = "id, code, legal_name, siren, siret, vat_number, email, phone,
    billing_address, shipping_address, payment_terms, credit_limit, status, version, created_at,
    updated_at";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
    /// `active` or `archived`.
    pub status: Option<String>,
    /// Text search on code, legal name, SIRET (or SIREN) and email.
    pub q: Option<String>,
    /// `code` (default) or `name`; `-` for descending.
    pub sort: Option<String>,
}

/// `GET /customers`. Roles: any.
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<CustomerRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let (column, direction) = sort_by(
        query.sort.as_deref(),
        "code",
        &[("code", "lower(code)"), ("name", "lower(legal_name)")],
    )?;
    let status = text_filter("status", query.status.as_deref(), 20)?;
    let search = text_filter("q", query.q.as_deref(), 100)?.map(|q| like_pattern(&q));
    let filter = |sql: &mut QueryBuilder<'_, Postgres>| {
        if let Some(status) = &status {
            sql.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(pattern) = &search {
            sql.push(" AND search LIKE lower(")
                .push_bind(pattern.clone())
                .push(")");
        }
    };
    let page = fetch_page(
        &state.pool,
        &format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE true"),
        "SELECT count(*) FROM customers WHERE true",
        filter,
        &format!("{column} {direction}, id {direction}"),
        paging,
    )
    .await?;
    Ok(Json(page))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    pub status: Option<String>,
    pub q: Option<String>,
}

/// The columns of the export: the ones `POST /customers/import` accepts.
pub const EXPORT_COLUMNS: [&str; shared::csv_columns::CUSTOMER.len()] =
    shared::csv_columns::CUSTOMER;

/// `GET /customers/export`: every customer matching the list filters, as CSV in code
/// order, streamed. Roles: any.
pub async fn export(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let status = text_filter("status", query.status.as_deref(), 20)?;
    let search = text_filter("q", query.q.as_deref(), 100)?.map(|q| like_pattern(&q));
    let mut sql = QueryBuilder::new(format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE true"
    ));
    if let Some(status) = status {
        sql.push(" AND status = ").push_bind(status);
    }
    if let Some(pattern) = search {
        sql.push(" AND search LIKE lower(")
            .push_bind(pattern)
            .push(")");
    }
    sql.push(" ORDER BY lower(code), id");
    Ok(super::export::csv_response(
        state.pool.clone(),
        sql,
        &EXPORT_COLUMNS,
        |c: CustomerRow| {
            let part = |a: &Option<serde_json::Value>, key: &str| {
                Cell::text(
                    a.as_ref()
                        .and_then(|a| a.get(key))
                        .and_then(|v| v.as_str())
                        .unwrap_or_default(),
                )
            };
            let mut record = vec![
                Cell::text(c.code),
                Cell::text(c.legal_name),
                Cell::optional_text(c.siren),
                Cell::optional_text(c.siret),
                Cell::optional_text(c.vat_number),
                Cell::optional_text(c.email),
                Cell::optional_text(c.phone),
            ];
            for address in [&c.billing_address, &c.shipping_address] {
                for key in ["line1", "line2", "postal_code", "city", "country"] {
                    record.push(part(address, key));
                }
            }
            record.push(Cell::text(c.payment_terms));
            record.push(Cell::optional_number(c.credit_limit));
            record.push(Cell::text(c.status));
            record
        },
        "customers.csv",
    ))
}

/// `GET /customers/{id}`, with `min_version` for read-your-writes. Roles: any.
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<CustomerRow>> {
    let id: CustomerId = path_id(&id, "a customer id")?;
    wait_min_version(
        &state,
        query.min_version,
        &headers,
        "SELECT version FROM customers WHERE id = $1",
        id,
    )
    .await?;
    sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?
    .map(Json)
    .ok_or_else(|| ApiError::NotFound {
        code: "customer_not_found",
        message: "no customer has this id".to_owned(),
    })
}
