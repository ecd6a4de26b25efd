//! read-api's contract: the operations of its OpenAPI document (the handlers'
//! annotations, and here those of the routes served by the generic `resource::show`),
//! completed from the route table by `platform::openapi`.

use contracts::read::{CustomerRow, StockLevelRow, UserRow};
use platform::openapi::{CodeGroups, SpecError};
use platform::problem::Code;

use super::{
    audit, customers, dashboard, dashboard_export, invoice_documents, invoices, orders, products,
    proforma, receivables, stock, users,
};

#[utoipa::path(
    get,
    path = "/customers/{id}",
    tag = "customers",
    summary = "A customer",
    params(
        ("id" = uuid::Uuid, Path, description = "The customer's id."),
        super::consistency::MinVersion,
        ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins.")
    ),
    responses((status = 200, description = "The customer.", body = CustomerRow)),
    extensions(("x-problem-codes" = json!(["@detail", "customer_not_found"])))
)]
#[allow(dead_code)]
fn customer() {}

#[utoipa::path(
    get,
    path = "/stock/{id}",
    tag = "stock",
    summary = "A product's stock level",
    params(
        ("id" = uuid::Uuid, Path, description = "The product's id."),
        super::consistency::MinVersion,
        ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins.")
    ),
    responses((status = 200, description = "The stock level.", body = StockLevelRow)),
    extensions(("x-problem-codes" = json!(["@detail", "product_not_found"])))
)]
#[allow(dead_code)]
fn stock_level() {}

#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    summary = "An account",
    params(
        ("id" = uuid::Uuid, Path, description = "The account's id."),
        super::consistency::MinVersion,
        ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins.")
    ),
    responses((status = 200, description = "The account.", body = UserRow)),
    extensions(("x-problem-codes" = json!(["@detail", "user_not_found"])))
)]
#[allow(dead_code)]
fn user() {}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "gescom read-api",
        description = "The query side: lists, details, CSV exports, the proforma PDF, invoices (with their Factur-X PDF, CII and UBL XML, and those of their credit notes) and receivables, the sales dashboard and the audit trail, from the read models. After a command, pass its `version` as `min_version` (or `X-Min-Version`) to read your write. Errors are `application/problem+json`; switch on `code`."
    ),
    paths(
        products::list,
        products::export,
        products::detail,
        customers::list,
        customers::export,
        customer,
        stock::list,
        stock_level,
        stock::movements,
        orders::list,
        orders::detail,
        proforma::proforma,
        invoices::list,
        invoices::detail,
        invoice_documents::invoice_pdf,
        invoice_documents::invoice_cii,
        invoice_documents::invoice_ubl,
        invoice_documents::credit_note_pdf,
        invoice_documents::credit_note_cii,
        invoice_documents::credit_note_ubl,
        receivables::aged,
        users::list,
        user,
        dashboard::sales,
        dashboard::top_products,
        dashboard::top_customers,
        dashboard::orders_by_status,
        dashboard::stock_alerts,
        receivables::summary,
        dashboard_export::sales,
        dashboard_export::top_products,
        dashboard_export::top_customers,
        dashboard_export::orders_by_status,
        dashboard_export::stock_alerts,
        audit::list,
        audit::export,
    ),
    // Named by parameters written inline, which utoipa does not collect.
    components(schemas(dashboard::ProductRanking, dashboard::CustomerRanking))
)]
struct ApiDoc;

/// What the extractors and the database refuse, named `@group` in `x-problem-codes`.
const PROBLEM_GROUPS: &CodeGroups = &[
    // Every route that reads the database: a lost connection.
    ("db", &[Code::Unavailable]),
    // A detail: read-your-writes (`min_version`, `X-Min-Version`), then the database.
    (
        "detail",
        &[
            Code::MalformedHeader,
            Code::ProjectionLagging,
            Code::Unavailable,
        ],
    ),
];

/// The OpenAPI document of this API, as served at `/openapi.json` and checked in as
/// `docs/openapi/read-api.json`.
pub fn openapi() -> Result<serde_json::Value, SpecError> {
    use utoipa::OpenApi;
    platform::openapi::complete(&ApiDoc::openapi(), &super::route_table(), PROBLEM_GROUPS)
}
