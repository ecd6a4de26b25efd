//! `GET /customers` and `GET /customers/{id}`. Roles: any.

use std::str::FromStr;

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use shared::ids::CustomerId;
use shared::read::{CustomerRow, Page};
use sqlx::{Postgres, QueryBuilder};

use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::paging::{like_pattern, text_filter, Paging};
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
    let raw_sort = query.sort.as_deref().unwrap_or("code").trim();
    let (descending, key) = raw_sort
        .strip_prefix('-')
        .map_or((false, raw_sort), |k| (true, k));
    let column = match key {
        "code" => "lower(code)",
        "name" => "lower(legal_name)",
        other => {
            return Err(ApiError::BadQuery(format!(
                "sort `{other}`: expected code or name, optionally prefixed by -"
            )))
        }
    };
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
    let mut page_sql = QueryBuilder::new(format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE true"
    ));
    filter(&mut page_sql);
    let direction = if descending { "DESC" } else { "ASC" };
    page_sql.push(format_args!(
        " ORDER BY {column} {direction}, id {direction}"
    ));
    paging.push(&mut page_sql);
    let mut count_sql = QueryBuilder::new("SELECT count(*) FROM customers WHERE true");
    filter(&mut count_sql);
    let (items, total) = tokio::try_join!(
        page_sql
            .build_query_as::<CustomerRow>()
            .fetch_all(&state.pool),
        count_sql.build_query_scalar::<i64>().fetch_one(&state.pool),
    )?;
    Ok(Json(Page {
        items,
        total,
        page: paging.page,
        limit: paging.limit,
    }))
}

/// `GET /customers/{id}`. Roles: any.
pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CustomerRow>> {
    let id = CustomerId::from_str(id.trim())
        .map_err(|_| ApiError::BadPath(format!("`{id}` is not a customer id")))?;
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
