//! `GET /invoices` and `GET /invoices/{id}` (with the parties as issued, lines, credit
//! notes and payments). Roles: admin, sales, analyst (not the warehouse).
//!
//! `overdue` is worked out as rows are read (`status!`): an invoice still owing after its
//! due date, today in the company's calendar.

use std::str::FromStr;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use contracts::ids::{CustomerId, InvoiceId};
use contracts::invoice::{Buyer, InvoiceStatus, Seller};
use contracts::read::{
    CreditNoteDetail, CreditNoteLineRow, CreditNoteRow, InvoiceDetail, InvoiceLineRow, InvoiceRow,
    Page, PaymentRow, TransmissionRow,
};
use platform::problem::Code;
use platform::web::AppPath;
use serde::Deserialize;
use sqlx::PgPool;

use super::consistency::{if_none_match, MinVersion};
use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::paging::{one_of, search, sort_by, text_filter, Paging, Sort};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

/// Today in the company's calendar (`contracts::read::SALES_TIME_ZONE`), in SQL.
macro_rules! today {
    () => {
        "(now() AT TIME ZONE 'Europe/Paris')::date"
    };
}
pub(crate) use today;

/// The status as shown: the stored one, or `overdue` for an invoice still owing after
/// its due date.
macro_rules! status {
    () => {
        concat!(
            "CASE WHEN status IN ('issued', 'partly_paid') AND due_date < ",
            today!(),
            " THEN 'overdue' ELSE status END"
        )
    };
}

impl Resource for InvoiceRow {
    type Id = InvoiceId;
    const TABLE: Table = Table::new(
        "invoices",
        concat!(
            "id, number, ",
            status!(),
            " AS status, order_id, order_number, customer_id, customer_code, customer_name,
             issue_date, delivery_date, due_date, payment_terms, currency, line_count,
             total_net, total_vat, total_gross, vat_lines, credited, paid, balance, version,
             created_at, updated_at"
        ),
    );
    const ID: &'static str = "an invoice id";
    const NOT_FOUND: (Code, &'static str) = (Code::InvoiceNotFound, "no invoice has this id");
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
    /// As shown: `overdue` picks the issued and partly paid invoices past due, `issued`
    /// and `partly_paid` those not yet due.
    #[param(value_type = Option<contracts::invoice::InvoiceStatus>)]
    pub status: Option<String>,
    /// A customer's id.
    pub customer: Option<String>,
    /// Issued on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Issued on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Text search on the invoice's and the order's numbers and the customer's code and
    /// name (as invoiced).
    pub q: Option<String>,
    /// `issued` (default `-issued`: newest first), `due`, `number` or `total`; `-`
    /// descending.
    pub sort: Option<String>,
    /// Keyset paging: the rows after this invoice in the chosen order (the previous
    /// page's `next_after`); `page` must be 1.
    pub after: Option<String>,
}

fn day(name: &str, raw: Option<&str>) -> Result<Option<NaiveDate>> {
    text_filter(name, raw, 10)?
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| ApiError::BadQuery(format!("{name} `{d}`: expected YYYY-MM-DD")))
        })
        .transpose()
}

fn customer(raw: Option<&str>) -> Result<Option<CustomerId>> {
    text_filter("customer", raw, 40)?
        .map(|c| {
            CustomerId::from_str(&c)
                .map_err(|_| ApiError::BadQuery(format!("customer `{c}` is not a customer id")))
        })
        .transpose()
}

/// `GET /invoices`. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices",
    tag = "invoices",
    summary = "List invoices",
    params(ListQuery),
    responses((status = 200, description = "One page, with the total (and `next_after` for keyset paging).", body = Page<InvoiceRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<InvoiceRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let sort = sort_by(
        query.sort.as_deref(),
        "-issued",
        &[
            // Each matches an index of migration 0014.
            ("issued", "issue_date"),
            ("due", "due_date"),
            ("number", "number"),
            ("total", "total_gross"),
        ],
    )?;
    let status = one_of::<InvoiceStatus>("status", query.status.as_deref())?;
    let filters = Filters::new()
        .on(status, |sql, status| {
            sql.push(concat!(" AND (", status!(), ") = "))
                .push_bind(status.as_str());
        })
        .equal("customer_id", customer(query.customer.as_deref())?)
        .compare("issue_date", ">=", day("from", query.from.as_deref())?)
        .compare("issue_date", "<=", day("to", query.to.as_deref())?)
        .search(search(query.q.as_deref())?);
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
            InvoiceId::from_str(raw)
                .map_err(|_| ApiError::BadQuery(format!("after: `{raw}` is not an invoice id")))?,
        ),
    };
    let table = InvoiceRow::TABLE;
    let mut rows = table.select(&filters);
    if let Some(after) = after {
        // (sort key, id) after that row's: the index walk of the first page, from there.
        let Sort { column, direction } = sort;
        let comparison = if direction == "DESC" { "<" } else { ">" };
        rows.push(format_args!(
            " AND ({column}, id) {comparison} ((SELECT {column} FROM invoices WHERE id = "
        ))
        .push_bind(after)
        .push("), ")
        .push_bind(after)
        .push(")");
    }
    rows.push(" ORDER BY ").push(table.order(sort));
    let mut page: Page<InvoiceRow> =
        resource::fetch_page(&state.pool, rows, table.count(&filters), paging).await?;
    page.next_after = (page.items.len() == paging.limit as usize)
        .then(|| page.items.last().map(|i| i.id.to_string()))
        .flatten();
    Ok(Json(page))
}

async fn lines(pool: &PgPool, id: InvoiceId) -> Result<Vec<InvoiceLineRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT line_no, order_line_no, product_id, sku, label, unit, quantity, unit_price,
                discount, vat_rate, net, credited_quantity, credited_net
           FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

async fn credit_notes(pool: &PgPool, id: InvoiceId) -> Result<Vec<CreditNoteDetail>, sqlx::Error> {
    let notes: Vec<CreditNoteRow> = sqlx::query_as(
        "SELECT id, number, issue_date, reason, total_net, total_vat, total_gross, vat_lines,
                created_at, created_by
           FROM credit_notes WHERE invoice_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut lines: Vec<(uuid::Uuid, CreditNoteLineRow)> = Vec::new();
    for row in sqlx::query_as::<_, CreditNoteLine>(
        "SELECT c.credit_note_id, c.line_no, c.invoice_line_no, l.sku, l.label, c.quantity,
                c.vat_rate, c.net
           FROM credit_note_lines c
           JOIN invoice_lines l ON l.invoice_id = c.invoice_id AND l.line_no = c.invoice_line_no
          WHERE c.invoice_id = $1
          ORDER BY c.credit_note_id, c.line_no",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    {
        lines.push((row.credit_note_id, row.line));
    }
    Ok(notes
        .into_iter()
        .map(|credit_note| {
            let lines = lines
                .iter()
                .filter(|(note, _)| *note == credit_note.id.as_uuid())
                .map(|(_, line)| line.clone())
                .collect();
            CreditNoteDetail { credit_note, lines }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CreditNoteLine {
    credit_note_id: uuid::Uuid,
    #[sqlx(flatten)]
    line: CreditNoteLineRow,
}

async fn payments(pool: &PgPool, id: InvoiceId) -> Result<Vec<PaymentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, paid_on, amount, method, reference, recorded_at, recorded_by
           FROM invoice_payments WHERE invoice_id = $1 ORDER BY recorded_at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

async fn transmissions(pool: &PgPool, id: InvoiceId) -> Result<Vec<TransmissionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT document_id, kind, number, status, platform_ref, reason, reported_at
           FROM invoice_transmissions WHERE invoice_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// `GET /invoices/{id}`: the invoice, the parties as issued, its lines, credit notes and
/// payments; `min_version` for read-your-writes. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}",
    tag = "invoices",
    summary = "An invoice with its lines, credit notes and payments",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The invoice.", body = InvoiceDetail, headers(("ETag" = String, description = "Its version and the day its status was worked out, quoted."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found"])))
)]
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    let id =
        resource::id_at_version::<InvoiceRow>(&state, &id, query.min_version, &headers).await?;
    let invoice = resource::find::<InvoiceRow>(&state.pool, id).await?;
    // `overdue` changes with the day, not only with the version.
    let today: NaiveDate = sqlx::query_scalar(concat!("SELECT ", today!()))
        .fetch_one(&state.pool)
        .await?;
    let etag = format!("\"{}-{today}\"", invoice.version);
    let mut response = if if_none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (parties, lines, credit_notes, payments, transmissions) = tokio::try_join!(
            parties(&state.pool, id),
            lines(&state.pool, id),
            credit_notes(&state.pool, id),
            payments(&state.pool, id),
            transmissions(&state.pool, id),
        )?;
        let (sqlx::types::Json(seller), sqlx::types::Json(buyer)) = parties;
        Json(InvoiceDetail {
            invoice,
            seller,
            buyer,
            lines,
            credit_notes,
            payments,
            transmissions,
        })
        .into_response()
    };
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

type Parties = (sqlx::types::Json<Seller>, sqlx::types::Json<Buyer>);

async fn parties(pool: &PgPool, id: InvoiceId) -> Result<Parties, sqlx::Error> {
    sqlx::query_as("SELECT seller, buyer FROM invoices WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_in_the_company_calendar() {
        assert!(today!().contains(&format!("'{}'", contracts::read::SALES_TIME_ZONE)));
    }
}
