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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
    /// `active` or `archived`.
    pub status: Option<String>,
    /// Text search on code and legal name.
    pub q: Option<String>,
}

/// `GET /customers`, sorted by code. Roles: any.
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<CustomerRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
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
    let mut page_sql = QueryBuilder::new(
        "SELECT id, code, legal_name, status, version, created_at, updated_at
           FROM customers WHERE true",
    );
    filter(&mut page_sql);
    page_sql.push(" ORDER BY lower(code), id");
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
    sqlx::query_as(
        "SELECT id, code, legal_name, status, version, created_at, updated_at
           FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.pool)
    .await?
    .map(Json)
    .ok_or_else(|| ApiError::NotFound {
        code: "customer_not_found",
        message: "no customer has this id".to_owned(),
    })
}
