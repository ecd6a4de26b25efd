//! `GET /orders` and `GET /orders/{id}` (with lines and totals). Roles: any.

use std::str::FromStr;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use shared::ids::{CustomerId, OrderId};
use shared::read::{OrderDetail, OrderLineRow, OrderRow, Page};
use shared::web::AppPath;
use sqlx::{Postgres, QueryBuilder};

use super::consistency::{wait_min_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{fetch_page, like_pattern, sort_by, text_filter, Paging};
use super::AppState;

const ORDER_COLUMNS: &str = "id, number, status, customer_id, customer_code, customer_name, notes,
    valid_until, line_count, total_net, total_vat, total_gross, vat_lines, shortages, version,
    created_at, updated_at, submitted_at";

const STATUSES: [&str; 5] = ["draft", "submitting", "submitted", "fulfilled", "cancelled"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
    pub status: Option<String>,
    pub customer: Option<String>,
    /// Created on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Created before this day (`YYYY-MM-DD`, excluded).
    pub to: Option<String>,
    /// Text search on the number and the customer's code and name.
    pub q: Option<String>,
    /// `created` (default `-created`: newest first), `number` or `total`; `-` descending.
    pub sort: Option<String>,
}

fn day(name: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    text_filter(name, raw, 10)?
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
                .ok_or_else(|| ApiError::BadQuery(format!("{name} `{d}`: expected YYYY-MM-DD")))
        })
        .transpose()
}

/// `GET /orders`: totals in each row. Roles: any.
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<OrderRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let status = text_filter("status", query.status.as_deref(), 20)?;
    if let Some(s) = &status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::BadQuery(format!(
                "status `{s}`: expected one of {}",
                STATUSES.join(", ")
            )));
        }
    }
    let customer = text_filter("customer", query.customer.as_deref(), 40)?
        .map(|c| {
            CustomerId::from_str(&c)
                .map_err(|_| ApiError::BadQuery(format!("customer `{c}` is not a customer id")))
        })
        .transpose()?;
    let from = day("from", query.from.as_deref())?;
    let to = day("to", query.to.as_deref())?;
    let search = text_filter("q", query.q.as_deref(), 100)?.map(|q| like_pattern(&q));
    let (column, direction) = sort_by(
        query.sort.as_deref(),
        "-created",
        &[
            ("created", "created_at"),
            ("number", "number"),
            ("total", "total_gross"),
        ],
    )?;
    let filter = |sql: &mut QueryBuilder<'_, Postgres>| {
        if let Some(status) = &status {
            sql.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(customer) = customer {
            sql.push(" AND customer_id = ").push_bind(customer);
        }
        if let Some(from) = from {
            sql.push(" AND created_at >= ").push_bind(from);
        }
        if let Some(to) = to {
            sql.push(" AND created_at < ").push_bind(to);
        }
        if let Some(pattern) = &search {
            sql.push(" AND search LIKE lower(")
                .push_bind(pattern.clone())
                .push(")");
        }
    };
    let page = fetch_page(
        &state.pool,
        &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE true"),
        "SELECT count(*) FROM orders WHERE true",
        filter,
        &format!("{column} {direction}, id {direction}"),
        paging,
    )
    .await?;
    Ok(Json(page))
}

pub fn order_not_found() -> ApiError {
    ApiError::NotFound {
        code: "order_not_found",
        message: "no order has this id".to_owned(),
    }
}

/// The order id of a path, once the order's read model has reached `min_version`.
pub async fn order_at_version(
    state: &AppState,
    raw: &str,
    min_version: Option<String>,
    headers: &HeaderMap,
) -> Result<OrderId> {
    let id: OrderId = path_id(raw, "an order id")?;
    wait_min_version(
        state,
        min_version,
        headers,
        "SELECT version FROM orders WHERE id = $1",
        id,
    )
    .await?;
    Ok(id)
}

/// `GET /orders/{id}`: the order, its lines and totals; `min_version` for
/// read-your-writes. Roles: any.
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<OrderDetail>> {
    let id = order_at_version(&state, &id, query.min_version, &headers).await?;
    let order: OrderRow =
        sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(&state.pool)
            .await?
            .ok_or_else(order_not_found)?;
    let lines: Vec<OrderLineRow> = sqlx::query_as(
        "SELECT line_no, product_id, sku, label, unit, quantity, unit_price, discount, vat_rate, net
           FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(OrderDetail { order, lines }))
}
