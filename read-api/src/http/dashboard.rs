//! The sales dashboard: ready-to-chart series over a period. Roles: admin, analyst.
//!
//! Sales are read from the projector's daily tables (`sales_daily`, by product, by
//! customer): an order counts on its submission day in [`SALES_TIME_ZONE`], under
//! `submitted` until it is fulfilled, then under `fulfilled`; a cancelled one is gone.
//! A period is two calendar days, both included; series have one point per bucket,
//! empty buckets included, so a chart needs no gap filling.

use axum::extract::State;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use contracts::events::OrderStatus;
use contracts::ids::{CustomerId, ProductId};
use contracts::money::Money;
use contracts::product::Unit;
use contracts::read::{StockLevelRow, SALES_TIME_ZONE};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::state::AppState;

/// Longest series a request may ask for.
const MAX_BUCKETS: i64 = 800;
/// The default period: this many days up to today.
const DEFAULT_DAYS: i64 = 30;
const DEFAULT_TOP: u32 = 10;
const MAX_TOP: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl Granularity {
    /// The unit of Postgres' `date_trunc`; weeks start on Monday.
    fn unit(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }

    fn buckets(self, from: NaiveDate, to: NaiveDate) -> i64 {
        let days = (to - from).num_days() + 1;
        match self {
            Granularity::Day => days,
            Granularity::Week => days / 7 + 2,
            Granularity::Month => {
                i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) + 1
                    - i64::from(from.month())
            }
        }
    }
}

/// `from` and `to` (`YYYY-MM-DD`), both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Defaults: `to` is today in the sales time zone, `from` 29 days before `to`.
    async fn parse(state: &AppState, from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let to = match to {
            Some(raw) => day("to", raw)?,
            None => {
                sqlx::query_scalar("SELECT (now() AT TIME ZONE $1)::date")
                    .bind(SALES_TIME_ZONE)
                    .fetch_one(&state.pool)
                    .await?
            }
        };
        let from = match from {
            Some(raw) => day("from", raw)?,
            None => to - chrono::Days::new(DEFAULT_DAYS as u64 - 1),
        };
        if from > to {
            return Err(ApiError::BadQuery(format!(
                "the period starts ({from}) after it ends ({to})"
            )));
        }
        Ok(Self { from, to })
    }
}

fn day(name: &str, raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::BadQuery(format!("{name} `{raw}`: expected YYYY-MM-DD")))
}

/// A top list's rows: `sql` takes the period's two days and the limit.
async fn fetch_top<T>(state: &AppState, sql: &str, period: Period, limit: i64) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sql)
        .bind(period.from)
        .bind(period.to)
        .bind(limit)
        .fetch_all(&state.pool)
        .await?)
}

fn top_limit(limit: Option<u32>) -> Result<i64> {
    match limit.unwrap_or(DEFAULT_TOP) {
        n @ 1..=MAX_TOP => Ok(i64::from(n)),
        _ => Err(ApiError::BadQuery(format!("limit must be 1 to {MAX_TOP}"))),
    }
}

/// Net over orders, to the cent; none without orders.
fn average(net: Money, orders: i64) -> Option<Money> {
    (orders > 0).then(|| Money::from_store(net.amount() / Decimal::from(orders)).round_to_cents())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SalesQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `day` (default), `week` (from Monday) or `month`.
    pub granularity: Option<Granularity>,
}

/// Orders and money of one status in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub orders: i64,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

impl Default for Figures {
    fn default() -> Self {
        let zero = Money::from_store(Decimal::ZERO);
        Figures {
            orders: 0,
            net: zero,
            vat: zero,
            gross: zero,
        }
    }
}

impl std::ops::Add for Figures {
    type Output = Figures;

    fn add(self, other: Figures) -> Figures {
        Figures {
            orders: self.orders + other.orders,
            net: self.net + other.net,
            vat: self.vat + other.vat,
            gross: self.gross + other.gross,
        }
    }
}

/// Submitted and fulfilled orders together, with both parts.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SalesFigures {
    #[serde(flatten)]
    pub total: Figures,
    /// Net (HT) per order.
    pub average_order_value: Option<Money>,
    pub submitted: Figures,
    pub fulfilled: Figures,
}

impl SalesFigures {
    fn new(submitted: Figures, fulfilled: Figures) -> Self {
        let total = submitted + fulfilled;
        Self {
            total,
            average_order_value: average(total.net, total.orders),
            submitted,
            fulfilled,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SalesPoint {
    /// The bucket's first day.
    pub period: NaiveDate,
    #[serde(flatten)]
    pub figures: SalesFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SalesSeries {
    #[serde(flatten)]
    pub period: Period,
    pub granularity: Granularity,
    pub currency: &'static str,
    pub series: Vec<SalesPoint>,
    pub totals: SalesFigures,
}

#[derive(sqlx::FromRow)]
struct SalesRow {
    period: NaiveDate,
    submitted_orders: i64,
    submitted_net: Money,
    submitted_vat: Money,
    submitted_gross: Money,
    fulfilled_orders: i64,
    fulfilled_net: Money,
    fulfilled_vat: Money,
    fulfilled_gross: Money,
}

/// `GET /dashboard/sales`: HT and TTC by day, week or month. Roles: admin, analyst.
#[utoipa::path(
    get,
    path = "/dashboard/sales",
    tag = "dashboard",
    summary = "Sales by day, week or month",
    params(SalesQuery),
    responses((status = 200, description = "The series and its totals.", body = SalesSeries)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn sales(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<SalesQuery>,
) -> Result<Json<SalesSeries>> {
    let period = Period::parse(&state, query.from.as_deref(), query.to.as_deref()).await?;
    let granularity = query.granularity.unwrap_or(Granularity::Day);
    if granularity.buckets(period.from, period.to) > MAX_BUCKETS {
        return Err(ApiError::BadQuery(format!(
            "at most {MAX_BUCKETS} points: choose a shorter period or a coarser granularity"
        )));
    }
    let rows: Vec<SalesRow> = sqlx::query_as(
        "WITH buckets AS (
             SELECT generate_series(date_trunc($3, $1::date), date_trunc($3, $2::date),
                                    ('1 ' || $3)::interval)::date AS period),
         figures AS (
             SELECT date_trunc($3, day)::date AS period, status, sum(orders)::bigint AS orders,
                    sum(net) AS net, sum(vat) AS vat, sum(gross) AS gross
               FROM sales_daily WHERE day BETWEEN $1 AND $2
              GROUP BY 1, 2)
         SELECT b.period,
                coalesce(s.orders, 0) AS submitted_orders, coalesce(s.net, 0) AS submitted_net,
                coalesce(s.vat, 0) AS submitted_vat, coalesce(s.gross, 0) AS submitted_gross,
                coalesce(f.orders, 0) AS fulfilled_orders, coalesce(f.net, 0) AS fulfilled_net,
                coalesce(f.vat, 0) AS fulfilled_vat, coalesce(f.gross, 0) AS fulfilled_gross
           FROM buckets b
           LEFT JOIN figures s ON s.period = b.period AND s.status = 'submitted'
           LEFT JOIN figures f ON f.period = b.period AND f.status = 'fulfilled'
          ORDER BY b.period",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(granularity.unit())
    .fetch_all(&state.pool)
    .await?;
    let mut submitted_total = Figures::default();
    let mut fulfilled_total = Figures::default();
    let series = rows
        .into_iter()
        .map(|row| {
            let submitted = Figures {
                orders: row.submitted_orders,
                net: row.submitted_net,
                vat: row.submitted_vat,
                gross: row.submitted_gross,
            };
            let fulfilled = Figures {
                orders: row.fulfilled_orders,
                net: row.fulfilled_net,
                vat: row.fulfilled_vat,
                gross: row.fulfilled_gross,
            };
            submitted_total = submitted_total + submitted;
            fulfilled_total = fulfilled_total + fulfilled;
            SalesPoint {
                period: row.period,
                figures: SalesFigures::new(submitted, fulfilled),
            }
        })
        .collect();
    Ok(Json(SalesSeries {
        period,
        granularity,
        currency: "EUR",
        series,
        totals: SalesFigures::new(submitted_total, fulfilled_total),
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductRanking {
    Quantity,
    Revenue,
}

/// A top list: a period, what to rank by, how many.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopQuery<R> {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<R>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TopProduct {
    pub product_id: ProductId,
    /// As the catalogue has them now.
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, format = "decimal")]
    pub quantity: Decimal,
    /// Net (HT).
    pub revenue: Money,
    pub orders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Top<T> {
    #[serde(flatten)]
    pub period: Period,
    pub by: &'static str,
    pub items: Vec<T>,
}

/// `GET /dashboard/top-products`, by `revenue` (net HT, the default) or `quantity`.
/// Roles: admin, analyst.
#[utoipa::path(
    get,
    path = "/dashboard/top-products",
    tag = "dashboard",
    summary = "Top products",
    params(("from" = Option<String>, Query, description = "First day, `YYYY-MM-DD` (default: 29 days before `to`)."), ("to" = Option<String>, Query, description = "Last day, `YYYY-MM-DD` (default: today, Europe/Paris)."), ("by" = Option<ProductRanking>, Query, description = "`revenue` (net, default) or `quantity`."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "At most 100 (default 10).")),
    responses((status = 200, description = "The top list.", body = Top<TopProduct>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn top_products(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<TopQuery<ProductRanking>>,
) -> Result<Json<Top<TopProduct>>> {
    let period = Period::parse(&state, query.from.as_deref(), query.to.as_deref()).await?;
    let limit = top_limit(query.limit)?;
    let (by, order) = match query.by.unwrap_or(ProductRanking::Revenue) {
        ProductRanking::Revenue => ("revenue", "revenue DESC, quantity DESC"),
        ProductRanking::Quantity => ("quantity", "quantity DESC, revenue DESC"),
    };
    let sql = format!(
        "SELECT t.product_id, p.sku, p.name, p.unit, t.quantity, t.revenue, t.orders
           FROM (SELECT product_id, sum(quantity) AS quantity, sum(net) AS revenue,
                        sum(orders)::bigint AS orders
                   FROM sales_by_product_daily WHERE day BETWEEN $1 AND $2
                  GROUP BY product_id
                  ORDER BY {order}, product_id
                  LIMIT $3) AS t
           JOIN products p ON p.id = t.product_id
          ORDER BY {order}, t.product_id"
    );
    let items = fetch_top(&state, &sql, period, limit).await?;
    Ok(Json(Top { period, by, items }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerRanking {
    Revenue,
    Orders,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TopCustomer {
    pub customer_id: CustomerId,
    /// As the customer file has them now.
    pub code: String,
    pub name: String,
    pub orders: i64,
    pub net: Money,
    pub gross: Money,
}

/// `GET /dashboard/top-customers`, by `revenue` (net HT, the default) or `orders`.
/// Roles: admin, analyst.
#[utoipa::path(
    get,
    path = "/dashboard/top-customers",
    tag = "dashboard",
    summary = "Top customers",
    params(("from" = Option<String>, Query, description = "First day, `YYYY-MM-DD` (default: 29 days before `to`)."), ("to" = Option<String>, Query, description = "Last day, `YYYY-MM-DD` (default: today, Europe/Paris)."), ("by" = Option<CustomerRanking>, Query, description = "`revenue` (net, default) or `orders`."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "At most 100 (default 10).")),
    responses((status = 200, description = "The top list.", body = Top<TopCustomer>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn top_customers(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<TopQuery<CustomerRanking>>,
) -> Result<Json<Top<TopCustomer>>> {
    let period = Period::parse(&state, query.from.as_deref(), query.to.as_deref()).await?;
    let limit = top_limit(query.limit)?;
    let (by, order) = match query.by.unwrap_or(CustomerRanking::Revenue) {
        CustomerRanking::Revenue => ("revenue", "net DESC, orders DESC"),
        CustomerRanking::Orders => ("orders", "orders DESC, net DESC"),
    };
    let sql = format!(
        "SELECT t.customer_id, c.code, c.legal_name AS name, t.orders, t.net, t.gross
           FROM (SELECT customer_id, sum(orders)::bigint AS orders, sum(net) AS net,
                        sum(gross) AS gross
                   FROM sales_by_customer_daily WHERE day BETWEEN $1 AND $2
                  GROUP BY customer_id
                  ORDER BY {order}, customer_id
                  LIMIT $3) AS t
           JOIN customers c ON c.id = t.customer_id
          ORDER BY {order}, t.customer_id"
    );
    let items = fetch_top(&state, &sql, period, limit).await?;
    Ok(Json(Top { period, by, items }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StatusCount {
    pub status: OrderStatus,
    pub orders: i64,
    pub net: Money,
    pub gross: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrdersByStatus {
    #[serde(flatten)]
    pub period: Period,
    /// Every status, in lifecycle order, zero included.
    pub items: Vec<StatusCount>,
}

/// `GET /dashboard/orders-by-status`: orders created in the period, by current status.
/// Roles: admin, analyst.
#[utoipa::path(
    get,
    path = "/dashboard/orders-by-status",
    tag = "dashboard",
    summary = "Orders by status",
    params(PeriodQuery),
    responses((status = 200, description = "Counts and amounts per status.", body = OrdersByStatus)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn orders_by_status(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<PeriodQuery>,
) -> Result<Json<OrdersByStatus>> {
    let period = Period::parse(&state, query.from.as_deref(), query.to.as_deref()).await?;
    // Bounds as instants, so that the creation-time index serves the range.
    let items = sqlx::query_as(
        "SELECT s.status, count(o.id) AS orders, coalesce(sum(o.total_net), 0) AS net,
                coalesce(sum(o.total_gross), 0) AS gross
           FROM unnest($4::text[]) WITH ORDINALITY AS s(status, rank)
           LEFT JOIN orders o
             ON o.status = s.status
            AND o.created_at >= ($1::date::timestamp AT TIME ZONE $3)
            AND o.created_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
          GROUP BY s.status, s.rank
          ORDER BY s.rank",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(SALES_TIME_ZONE)
    .bind(OrderStatus::ALL)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(OrdersByStatus { period, items }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// At most 100.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StockAlert {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub stock: StockLevelRow,
    pub level: AlertLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AlertLevel {
    /// Nothing available.
    OutOfStock,
    /// At or below the threshold.
    Low,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StockAlerts {
    pub out_of_stock: i64,
    pub low: i64,
    /// Out of stock first, then the lowest against their threshold.
    pub items: Vec<StockAlert>,
}

#[derive(sqlx::FromRow)]
struct AlertCounts {
    out_of_stock: i64,
    low: i64,
}

/// `GET /dashboard/stock-alerts`: active products out of stock or at or below their
/// threshold, now. Roles: admin, analyst.
#[utoipa::path(
    get,
    path = "/dashboard/stock-alerts",
    tag = "dashboard",
    summary = "Products out of stock or low",
    params(AlertsQuery),
    responses((status = 200, description = "The alerts.", body = StockAlerts)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn stock_alerts(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AlertsQuery>,
) -> Result<Json<StockAlerts>> {
    let limit = top_limit(Some(query.limit.unwrap_or(MAX_TOP)))?;
    const ALERTING: &str = "FROM stock_levels s JOIN products p ON p.id = s.product_id
        WHERE p.status = 'active' AND (s.available <= 0 OR s.low)";
    let count_sql = format!(
        "SELECT count(*) FILTER (WHERE s.available <= 0) AS out_of_stock,
                count(*) FILTER (WHERE s.available > 0) AS low
           {ALERTING}"
    );
    let items_sql = format!(
        "SELECT s.product_id, s.sku, s.name, s.category, s.unit, s.on_hand, s.reserved,
                s.available, s.low_stock_threshold, s.low, s.version, s.updated_at,
                CASE WHEN s.available <= 0 THEN 'out_of_stock' ELSE 'low' END AS level
           {ALERTING}
          ORDER BY s.available <= 0 DESC, s.available - s.low_stock_threshold,
                   lower(s.sku), s.product_id
          LIMIT $1"
    );
    let (counts, items) = tokio::try_join!(
        sqlx::query_as::<_, AlertCounts>(&count_sql).fetch_one(&state.pool),
        sqlx::query_as::<_, StockAlert>(&items_sql)
            .bind(limit)
            .fetch_all(&state.pool),
    )?;
    Ok(Json(StockAlerts {
        out_of_stock: counts.out_of_stock,
        low: counts.low,
        items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn bucket_counts_bound_the_series() {
        assert_eq!(
            Granularity::Day.buckets(d("2026-01-01"), d("2026-01-31")),
            31
        );
        assert_eq!(
            Granularity::Month.buckets(d("2025-11-15"), d("2026-02-01")),
            4
        );
        assert!(Granularity::Week.buckets(d("2026-01-01"), d("2026-01-31")) >= 5);
    }

    #[test]
    fn the_average_is_to_the_cent_and_absent_without_orders() {
        let money = |cents| Money::from_store(Decimal::new(cents, 2));
        let average = |net, orders| average(money(net), orders).map(|a| a.to_string());
        assert_eq!(average(1000, 3).as_deref(), Some("3.33"));
        assert_eq!(average(1001, 2).as_deref(), Some("5.01"));
        assert_eq!(average(1000, 2).as_deref(), Some("5.00"));
        assert_eq!(average(0, 0), None);
    }
}
