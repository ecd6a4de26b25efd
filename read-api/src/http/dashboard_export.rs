//! The dashboard's series as CSV files: `GET /dashboard/<series>/export` takes the same
//! query as its JSON twin, which it calls, and writes the same figures one row per point
//! or item. Roles: admin, analyst.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use platform::csv_cell::Cell;

use super::dashboard::{
    self, AlertLevel, AlertsQuery, CustomerRanking, Figures, Period, PeriodQuery, ProductRanking,
    SalesQuery, TopQuery,
};
use super::error::Result;
use super::export::csv_table;
use super::extract::AppQuery;
use super::state::AppState;

fn file_name(series: &str, period: Period) -> String {
    format!("{series}-{}-{}.csv", period.from, period.to)
}

fn figures(f: &Figures) -> [Cell; 4] {
    [
        Cell::number(f.orders),
        Cell::number(f.net.amount()),
        Cell::number(f.vat.amount()),
        Cell::number(f.gross.amount()),
    ]
}

/// `GET /dashboard/sales/export`: one row per bucket, its first day first; every
/// amount in EUR.
#[utoipa::path(
    get,
    path = "/dashboard/sales/export",
    operation_id = "dashboard_sales_export",
    tag = "dashboard",
    summary = "Sales by day, week or month, as CSV",
    params(SalesQuery),
    responses((status = 200, description = "One row per bucket (`period`, totals, average order value, then the submitted and fulfilled parts), amounts in EUR.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn sales(state: State<AppState>, query: AppQuery<SalesQuery>) -> Result<Response> {
    let Json(series) = dashboard::sales(state, query).await?;
    let rows = series.series.iter().map(|point| {
        let f = &point.figures;
        let mut row = vec![Cell::text(point.period.to_string())];
        row.extend(figures(&f.total));
        row.push(Cell::optional_number(
            f.average_order_value.map(|m| m.amount()),
        ));
        row.extend(figures(&f.submitted));
        row.extend(figures(&f.fulfilled));
        row
    });
    Ok(csv_table(
        &[
            "period",
            "orders",
            "net",
            "vat",
            "gross",
            "average_order_value",
            "submitted_orders",
            "submitted_net",
            "submitted_vat",
            "submitted_gross",
            "fulfilled_orders",
            "fulfilled_net",
            "fulfilled_vat",
            "fulfilled_gross",
        ],
        rows,
        &file_name("sales", series.period),
    ))
}

/// `GET /dashboard/top-products/export`: ranked as the JSON list is.
#[utoipa::path(
    get,
    path = "/dashboard/top-products/export",
    operation_id = "dashboard_top_products_export",
    tag = "dashboard",
    summary = "Top products, as CSV",
    params(("from" = Option<String>, Query, description = "First day, `YYYY-MM-DD` (default: 29 days before `to`)."), ("to" = Option<String>, Query, description = "Last day, `YYYY-MM-DD` (default: today, Europe/Paris)."), ("by" = Option<ProductRanking>, Query, description = "`revenue` (net, default) or `quantity`."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "At most 100 (default 10).")),
    responses((status = 200, description = "`rank`, `product_id`, `sku`, `name`, `unit`, `quantity`, `revenue`, `orders`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn top_products(
    state: State<AppState>,
    query: AppQuery<TopQuery<ProductRanking>>,
) -> Result<Response> {
    let Json(top) = dashboard::top_products(state, query).await?;
    let rows = top.items.into_iter().zip(1_u32..).map(|(item, rank)| {
        vec![
            Cell::number(rank),
            Cell::text(item.product_id.to_string()),
            Cell::text(item.sku),
            Cell::text(item.name),
            Cell::text(item.unit.as_str()),
            Cell::number(item.quantity),
            Cell::number(item.revenue.amount()),
            Cell::number(item.orders),
        ]
    });
    Ok(csv_table(
        &[
            "rank",
            "product_id",
            "sku",
            "name",
            "unit",
            "quantity",
            "revenue",
            "orders",
        ],
        rows,
        &file_name(&format!("top-products-by-{}", top.by), top.period),
    ))
}

/// `GET /dashboard/top-customers/export`: ranked as the JSON list is.
#[utoipa::path(
    get,
    path = "/dashboard/top-customers/export",
    operation_id = "dashboard_top_customers_export",
    tag = "dashboard",
    summary = "Top customers, as CSV",
    params(("from" = Option<String>, Query, description = "First day, `YYYY-MM-DD` (default: 29 days before `to`)."), ("to" = Option<String>, Query, description = "Last day, `YYYY-MM-DD` (default: today, Europe/Paris)."), ("by" = Option<CustomerRanking>, Query, description = "`revenue` (net, default) or `orders`."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "At most 100 (default 10).")),
    responses((status = 200, description = "`rank`, `customer_id`, `code`, `name`, `orders`, `net`, `gross`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn top_customers(
    state: State<AppState>,
    query: AppQuery<TopQuery<CustomerRanking>>,
) -> Result<Response> {
    let Json(top) = dashboard::top_customers(state, query).await?;
    let rows = top.items.into_iter().zip(1_u32..).map(|(item, rank)| {
        vec![
            Cell::number(rank),
            Cell::text(item.customer_id.to_string()),
            Cell::text(item.code),
            Cell::text(item.name),
            Cell::number(item.orders),
            Cell::number(item.net.amount()),
            Cell::number(item.gross.amount()),
        ]
    });
    Ok(csv_table(
        &[
            "rank",
            "customer_id",
            "code",
            "name",
            "orders",
            "net",
            "gross",
        ],
        rows,
        &file_name(&format!("top-customers-by-{}", top.by), top.period),
    ))
}

/// `GET /dashboard/orders-by-status/export`: every status, zero included.
#[utoipa::path(
    get,
    path = "/dashboard/orders-by-status/export",
    operation_id = "dashboard_orders_by_status_export",
    tag = "dashboard",
    summary = "Orders by status, as CSV",
    params(PeriodQuery),
    responses((status = 200, description = "`status`, `orders`, `net`, `gross`: every status, zero included.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn orders_by_status(
    state: State<AppState>,
    query: AppQuery<PeriodQuery>,
) -> Result<Response> {
    let Json(counts) = dashboard::orders_by_status(state, query).await?;
    let rows = counts.items.into_iter().map(|item| {
        vec![
            Cell::text(item.status.as_str()),
            Cell::number(item.orders),
            Cell::number(item.net.amount()),
            Cell::number(item.gross.amount()),
        ]
    });
    Ok(csv_table(
        &["status", "orders", "net", "gross"],
        rows,
        &file_name("orders-by-status", counts.period),
    ))
}

/// `GET /dashboard/stock-alerts/export`: out of stock first, as the JSON list is.
#[utoipa::path(
    get,
    path = "/dashboard/stock-alerts/export",
    operation_id = "dashboard_stock_alerts_export",
    tag = "dashboard",
    summary = "Products out of stock or low, as CSV",
    params(AlertsQuery),
    responses((status = 200, description = "`level`, `product_id`, `sku`, `name`, `category`, `unit`, `on_hand`, `reserved`, `available`, `low_stock_threshold`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn stock_alerts(
    state: State<AppState>,
    query: AppQuery<AlertsQuery>,
) -> Result<Response> {
    let Json(alerts) = dashboard::stock_alerts(state, query).await?;
    let rows = alerts.items.into_iter().map(|alert| {
        let s = alert.stock;
        vec![
            Cell::text(match alert.level {
                AlertLevel::OutOfStock => "out_of_stock",
                AlertLevel::Low => "low",
            }),
            Cell::text(s.product_id.to_string()),
            Cell::text(s.sku),
            Cell::text(s.name),
            Cell::text(s.category),
            Cell::text(s.unit.as_str()),
            Cell::number(s.on_hand),
            Cell::number(s.reserved),
            Cell::number(s.available),
            Cell::optional_number(s.low_stock_threshold),
        ]
    });
    Ok(csv_table(
        &[
            "level",
            "product_id",
            "sku",
            "name",
            "category",
            "unit",
            "on_hand",
            "reserved",
            "available",
            "low_stock_threshold",
        ],
        rows,
        "stock-alerts.csv",
    ))
}
