//! `GET /orders` and `GET /orders/{id}` (with lines and totals). Roles: any.

use std::str::FromStr;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use contracts::events::OrderStatus;
use contracts::ids::{CustomerId, OrderId};
use contracts::read::{OrderDetail, OrderLineRow, OrderRow, Page};
use platform::problem::Code;
use platform::web::AppPath;
use serde::Deserialize;
use sqlx::PgPool;

use super::consistency::MinVersion;
use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::paging::{one_of, search, sort_by, text_filter, Paging};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

impl Resource for OrderRow {
    type Id = OrderId;
    const TABLE: Table = Table::new(
        "orders",
        "id, number, status, customer_id, customer_code, customer_name, notes, valid_until,
         line_count, total_net, total_vat, total_gross, vat_lines, shortages, version,
         created_at, updated_at, submitted_at",
    );
    const ID: &'static str = "an order id";
    const NOT_FOUND: (Code, &'static str) = (Code::OrderNotFound, "no order has this id");
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(value_type = Option<contracts::events::OrderStatus>)]
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
#[utoipa::path(
    get,
    path = "/orders",
    tag = "orders",
    summary = "List orders",
    params(ListQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<OrderRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<OrderRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let customer = text_filter("customer", query.customer.as_deref(), 40)?
        .map(|c| {
            CustomerId::from_str(&c)
                .map_err(|_| ApiError::BadQuery(format!("customer `{c}` is not a customer id")))
        })
        .transpose()?;
    let sort = sort_by(
        query.sort.as_deref(),
        "-created",
        &[
            ("created", "created_at"),
            ("number", "number"),
            ("total", "total_gross"),
        ],
    )?;
    let filters = Filters::new()
        .equal(
            "status",
            one_of::<OrderStatus>("status", query.status.as_deref())?,
        )
        .equal("customer_id", customer)
        .compare("created_at", ">=", day("from", query.from.as_deref())?)
        .compare("created_at", "<", day("to", query.to.as_deref())?)
        .search(search(query.q.as_deref())?);
    Ok(Json(
        resource::list(&state.pool, &filters, sort, paging).await?,
    ))
}

/// An order's lines, in order.
async fn lines(pool: &PgPool, id: OrderId) -> Result<Vec<OrderLineRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT line_no, product_id, sku, label, unit, quantity, unit_price, discount, vat_rate, net
           FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// `GET /orders/{id}`: the order, its lines and totals; `min_version` for
/// read-your-writes. Roles: any.
#[utoipa::path(
    get,
    path = "/orders/{id}",
    tag = "orders",
    summary = "An order with its lines",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins.")),
    responses((status = 200, description = "The order.", body = OrderDetail)),
    extensions(("x-problem-codes" = json!(["@detail", "order_not_found"])))
)]
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<OrderDetail>> {
    let id = resource::id_at_version::<OrderRow>(&state, &id, query.min_version, &headers).await?;
    let order = resource::find::<OrderRow>(&state.pool, id).await?;
    let lines = lines(&state.pool, id).await?;
    Ok(Json(OrderDetail { order, lines }))
}
