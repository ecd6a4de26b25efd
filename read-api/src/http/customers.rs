//! `GET /customers`, `GET /customers/export` and `GET /customers/{id}`. Roles: any.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use contracts::customer::Address;
use contracts::ids::CustomerId;
use contracts::read::{CustomerRow, CustomerStatus, Page};
use platform::csv_cell::Cell;
use platform::problem::Code;
use serde::Deserialize;

use super::error::Result;
use super::extract::AppQuery;
use super::paging::{one_of, search, sort_by, Paging};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

impl Resource for CustomerRow {
    type Id = CustomerId;
    const TABLE: Table = Table::new(
        "customers",
        "id, code, legal_name, siren, siret, vat_number, email, phone, billing_address,
         shipping_address, payment_terms, credit_limit, status, version, created_at, updated_at",
    );
    const ID: &'static str = "a customer id";
    const NOT_FOUND: (Code, &'static str) = (Code::CustomerNotFound, "no customer has this id");
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
    /// `active` or `archived`.
    #[param(value_type = Option<contracts::read::CustomerStatus>)]
    pub status: Option<String>,
    /// Text search on code, legal name, SIRET (or SIREN) and email.
    pub q: Option<String>,
    /// `code` (default) or `name`; `-` for descending.
    pub sort: Option<String>,
}

/// What the list and the export narrow to.
fn filters(status: Option<&str>, q: Option<&str>) -> Result<Filters> {
    Ok(Filters::new()
        .equal("status", one_of::<CustomerStatus>("status", status)?)
        .search(search(q)?))
}

/// `GET /customers`. Roles: any.
#[utoipa::path(
    get,
    path = "/customers",
    tag = "customers",
    summary = "List customers",
    params(ListQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<CustomerRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<CustomerRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let sort = sort_by(
        query.sort.as_deref(),
        "code",
        &[("code", "lower(code)"), ("name", "lower(legal_name)")],
    )?;
    let filters = filters(query.status.as_deref(), query.q.as_deref())?;
    Ok(Json(
        resource::list(&state.pool, &filters, sort, paging).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(value_type = Option<contracts::read::CustomerStatus>)]
    pub status: Option<String>,
    pub q: Option<String>,
}

/// The columns of the export: the ones `POST /customers/import` accepts.
pub const EXPORT_COLUMNS: [&str; contracts::csv_columns::CUSTOMER.len()] =
    contracts::csv_columns::CUSTOMER;

/// `GET /customers/export`: every customer matching the list filters, as CSV in code
/// order, streamed. Roles: any.
#[utoipa::path(
    get,
    path = "/customers/export",
    tag = "customers",
    summary = "Export customers as CSV",
    params(ExportQuery),
    responses((status = 200, description = "Every matching row as CSV (README \"CSV files\"), streamed; cells that a spreadsheet would run as formulas get a leading `'`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn export(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let filters = filters(query.status.as_deref(), query.q.as_deref())?;
    let mut sql = CustomerRow::TABLE.select(&filters);
    sql.push(" ORDER BY lower(code), id");
    Ok(super::export::csv_response(
        state.pool.clone(),
        sql,
        &EXPORT_COLUMNS,
        record,
        "customers.csv",
    ))
}

fn record(c: CustomerRow) -> Vec<Cell> {
    let mut record = vec![
        Cell::text(c.code),
        Cell::text(c.legal_name),
        Cell::optional_text(c.siren),
        Cell::optional_text(c.siret),
        Cell::optional_text(c.vat_number),
        Cell::optional_text(c.email),
        Cell::optional_text(c.phone),
    ];
    for address in [c.billing_address, c.shipping_address] {
        record.extend(address_cells(address));
    }
    record.push(Cell::text(c.payment_terms.as_str()));
    record.push(Cell::optional_number(c.credit_limit.map(|m| m.amount())));
    record.push(Cell::text(c.status.as_str()));
    record
}

/// Line 1, line 2, postal code, city, country: empty cells for no address.
fn address_cells(address: Option<Address>) -> [Cell; 5] {
    match address {
        Some(a) => [
            Cell::text(a.line1),
            Cell::optional_text(a.line2),
            Cell::text(a.postal_code),
            Cell::text(a.city),
            Cell::text(a.country.as_str()),
        ],
        None => std::array::from_fn(|_| Cell::text("")),
    }
}
