//! Receivables: what customers still owe on their invoices, aged by how long it is past
//! due, per customer (`GET /receivables`, roles admin, sales, analyst), and the
//! dashboard's total and DSO (`GET /dashboard/receivables`, roles admin, analyst).
//!
//! Worked out when read, from the invoice read models, as of a day (`as_of`, default
//! today in the company's calendar): the invoices issued by then, less the credit notes
//! issued and the payments received by then. An invoice counts while it still owes
//! something; one that owes the customer a refund is not a receivable.

use std::str::FromStr;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use contracts::ids::CustomerId;
use contracts::invoice::CURRENCY;
use contracts::money::Money;
use contracts::read::Page;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::invoices::today;
use super::paging::{text_filter, Paging};
use super::state::AppState;

/// What the invoices owe as of `$1`, each with how many days it is past due (`late`),
/// for one customer (`$2`) or all (null). Before today, every invoice issued by then is
/// worked out from its dated credit notes and payments; from today on (no payment is
/// dated after the day it is recorded), the stored balance of the open ones is exact.
fn owed(history: bool) -> String {
    let (balance, open) = if history {
        (
            "i.total_gross
               - coalesce((SELECT sum(c.total_gross) FROM credit_notes c
                            WHERE c.invoice_id = i.id AND c.issue_date <= $1), 0)
               - coalesce((SELECT sum(p.amount) FROM invoice_payments p
                            WHERE p.invoice_id = i.id AND p.paid_on <= $1), 0)",
            "true",
        )
        // The partial index `invoices_open`.
    } else {
        ("i.balance", "i.status IN ('issued', 'partly_paid')")
    };
    format!(
        "WITH owed AS (
             SELECT i.customer_id, i.customer_code, i.customer_name, i.issue_date, i.due_date,
                    {balance} AS balance, $1::date - i.due_date AS late
               FROM invoices i
              WHERE {open} AND i.issue_date <= $1 AND ($2::uuid IS NULL OR i.customer_id = $2)),
         open AS (SELECT * FROM owed WHERE balance > 0)"
    )
}

/// The aging columns of the rows of `open`.
const AGING: &str = "count(*) AS invoices, coalesce(sum(balance), 0) AS total,
    coalesce(sum(balance) FILTER (WHERE late <= 0), 0) AS current,
    coalesce(sum(balance) FILTER (WHERE late BETWEEN 1 AND 30), 0) AS days_1_30,
    coalesce(sum(balance) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS days_31_60,
    coalesce(sum(balance) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS days_61_90,
    coalesce(sum(balance) FILTER (WHERE late > 90), 0) AS over_90";

/// What is owed, by how long past due (TTC, EUR).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Aging {
    /// Invoices that still owe something.
    pub invoices: i64,
    /// All they owe.
    pub total: Money,
    /// Not yet due.
    pub current: Money,
    /// 1 to 30 days past due.
    pub days_1_30: Money,
    pub days_31_60: Money,
    pub days_61_90: Money,
    /// More than 90 days past due.
    pub over_90: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CustomerAging {
    pub customer_id: CustomerId,
    /// As on the customer's latest invoice.
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub aging: Aging,
    /// The earliest due date among what is owed.
    pub oldest_due_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgedReceivables {
    pub as_of: NaiveDate,
    pub currency: &'static str,
    /// Customers who owe something, most owed first; `total`: how many.
    #[serde(flatten)]
    pub customers: Page<CustomerAging>,
    /// Over every customer.
    pub totals: Aging,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgedQuery {
    /// The day the receivables stand at, `YYYY-MM-DD` (default: today, Europe/Paris).
    pub as_of: Option<String>,
    /// One customer's id.
    pub customer: Option<String>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Customers per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The day asked for, or today; and whether it is before today.
async fn as_of(state: &AppState, raw: Option<&str>) -> Result<(NaiveDate, bool)> {
    let today: NaiveDate = sqlx::query_scalar(concat!("SELECT ", today!()))
        .fetch_one(&state.pool)
        .await?;
    match text_filter("as_of", raw, 10)? {
        None => Ok((today, false)),
        Some(raw) => {
            let day = NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                .map_err(|_| ApiError::BadQuery(format!("as_of `{raw}`: expected YYYY-MM-DD")))?;
            Ok((day, day < today))
        }
    }
}

async fn totals(
    state: &AppState,
    history: bool,
    day: NaiveDate,
    customer: Option<CustomerId>,
) -> Result<Aging> {
    Ok(
        sqlx::query_as(&format!("{} SELECT {AGING} FROM open", owed(history)))
            .bind(day)
            .bind(customer)
            .fetch_one(&state.pool)
            .await?,
    )
}

/// `GET /receivables`: aged receivables per customer. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/receivables",
    tag = "invoices",
    summary = "Aged receivables, per customer",
    description = "What each customer still owes on its invoices (TTC, less credit notes and payments), as of a day, by how long past due: not yet due, 1–30, 31–60, 61–90 and over 90 days.",
    params(AgedQuery),
    responses((status = 200, description = "One page of customers, most owed first, and the totals.", body = AgedReceivables)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn aged(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AgedQuery>,
) -> Result<Json<AgedReceivables>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let customer = text_filter("customer", query.customer.as_deref(), 40)?
        .map(|c| {
            CustomerId::from_str(&c)
                .map_err(|_| ApiError::BadQuery(format!("customer `{c}` is not a customer id")))
        })
        .transpose()?;
    let (day, history) = as_of(&state, query.as_of.as_deref()).await?;
    let rows = format!(
        "{} SELECT customer_id,
                   (array_agg(customer_code ORDER BY issue_date DESC, customer_code))[1] AS code,
                   (array_agg(customer_name ORDER BY issue_date DESC, customer_name))[1] AS name,
                   {AGING}, min(due_date) AS oldest_due_date
              FROM open GROUP BY customer_id
             ORDER BY total DESC, customer_id
             LIMIT $3 OFFSET $4",
        owed(history)
    );
    let (items, totals) = tokio::try_join!(
        async {
            sqlx::query_as::<_, CustomerAging>(&rows)
                .bind(day)
                .bind(customer)
                .bind(i64::from(paging.limit))
                .bind(i64::from(paging.page - 1) * i64::from(paging.limit))
                .fetch_all(&state.pool)
                .await
                .map_err(ApiError::from)
        },
        totals(&state, history, day, customer),
    )?;
    let count: i64 = sqlx::query_scalar(&format!(
        "{} SELECT count(DISTINCT customer_id) FROM open",
        owed(history)
    ))
    .bind(day)
    .bind(customer)
    .fetch_one(&state.pool)
    .await?;
    Ok(Json(AgedReceivables {
        as_of: day,
        currency: CURRENCY,
        customers: Page {
            items,
            total: count,
            page: paging.page,
            limit: paging.limit,
            next_after: None,
        },
        totals,
    }))
}

/// The longest DSO window.
const MAX_DSO_DAYS: u32 = 730;
const DEFAULT_DSO_DAYS: u32 = 90;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The day, `YYYY-MM-DD` (default: today, Europe/Paris).
    pub as_of: Option<String>,
    /// The DSO's window in days, up to `as_of` (1 to 730, default 90).
    #[param(minimum = 1, maximum = 730)]
    pub days: Option<u32>,
}

/// Days sales outstanding over a window: what is owed at its end, over what was invoiced
/// in it, times its days.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dso {
    /// The window: this many days up to `as_of`, both included.
    pub days: u32,
    /// TTC invoiced in the window, less the credit notes issued in it.
    pub invoiced: Money,
    /// `outstanding / invoiced × days`, to a tenth of a day; none without sales.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>, format = "decimal")]
    pub value: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReceivablesSummary {
    pub as_of: NaiveDate,
    pub currency: &'static str,
    /// Everything owed, by age (`total` is the receivables).
    pub aging: Aging,
    /// Owed and past due.
    pub overdue: Money,
    pub dso: Dso,
}

/// `GET /dashboard/receivables`: receivables, overdue, aging and DSO. Roles: admin,
/// analyst.
#[utoipa::path(
    get,
    path = "/dashboard/receivables",
    tag = "dashboard",
    summary = "Receivables and DSO",
    params(SummaryQuery),
    responses((status = 200, description = "The figures as of the day.", body = ReceivablesSummary)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn summary(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<SummaryQuery>,
) -> Result<Json<ReceivablesSummary>> {
    let days = match query.days.unwrap_or(DEFAULT_DSO_DAYS) {
        n @ 1..=MAX_DSO_DAYS => n,
        _ => {
            return Err(ApiError::BadQuery(format!(
                "days must be 1 to {MAX_DSO_DAYS}"
            )))
        }
    };
    let (day, history) = as_of(&state, query.as_of.as_deref()).await?;
    let aging = totals(&state, history, day, None).await?;
    let first = day - chrono::Days::new(u64::from(days) - 1);
    let invoiced: Money = sqlx::query_scalar(
        "SELECT (SELECT coalesce(sum(total_gross), 0) FROM invoices
                  WHERE issue_date BETWEEN $1 AND $2)
              - (SELECT coalesce(sum(total_gross), 0) FROM credit_notes
                  WHERE issue_date BETWEEN $1 AND $2)",
    )
    .bind(first)
    .bind(day)
    .fetch_one(&state.pool)
    .await?;
    let value = (invoiced.amount() > Decimal::ZERO).then(|| {
        (aging.total.amount() / invoiced.amount() * Decimal::from(days))
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    });
    let overdue = Money::from_store(aging.total.amount() - aging.current.amount());
    Ok(Json(ReceivablesSummary {
        as_of: day,
        currency: CURRENCY,
        aging,
        overdue,
        dso: Dso {
            days,
            invoiced,
            value,
        },
    }))
}
