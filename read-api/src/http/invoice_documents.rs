//! An invoice's and a credit note's documents: the Factur-X PDF (`…/pdf`, French unless
//! `?lang=en` or an `Accept-Language` that prefers English), the bare CII XML
//! (`…/cii.xml`, the same bytes the PDF embeds) and UBL 2.1 (`…/ubl.xml`). Roles: admin,
//! sales, analyst, as the invoice reads.
//!
//! An issued document never changes: its `ETag` names only the document and the version
//! of what gescom writes (layout and XML), so a client holding it gets a 304 without a
//! rendering. `min_version` waits for the invoice's stream (a credit note is an event
//! of it) like the invoice's detail does.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use contracts::customer::PaymentTerms;
use contracts::ids::{CreditNoteId, InvoiceId};
use contracts::invoice::{Buyer, Seller};
use contracts::money::Money;
use contracts::pricing::VatLine;
use contracts::read::InvoiceRow;
use platform::problem::Code;
use platform::web::AppPath;
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::types::Json;
use sqlx::PgPool;

use super::consistency::{if_none_match, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::proforma::language;
use super::resource::{self, Resource};
use super::state::AppState;
use crate::facturx::{
    self, Corrected, DocumentLine, InvoiceDocument, Kind, VatTotal, DOCUMENT_VERSION,
};
use crate::pdf::{Lang, LAYOUT_VERSION};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// `fr` or `en`.
    pub lang: Option<String>,
    pub min_version: Option<String>,
}

/// `GET /invoices/{id}/pdf`. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/pdf",
    tag = "invoices",
    summary = "An invoice as a Factur-X PDF (PDF/A-3b with its CII XML, EN 16931)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), PdfQuery, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current."), ("Accept-Language" = Option<String>, Header, description = "`fr` or `en` when `lang` is absent.")),
    responses((status = 200, description = "The PDF, with `factur-x.xml` embedded.", content_type = "application/pdf", body = Vec<u8>, headers(("ETag" = String, description = "The document, its language and the layout's version."), ("Vary" = String, description = "`accept-language`"))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found"])))
)]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<PdfQuery>,
) -> Result<Response> {
    let lang = language(query.lang.as_deref(), &headers)?;
    let id =
        resource::id_at_version::<InvoiceRow>(&state, &id, query.min_version, &headers).await?;
    let etag = pdf_etag("inv", id.as_uuid(), lang);
    if if_none_match(&headers, &etag) {
        // Only if it exists: a 304 must not stand for a 404.
        invoice_exists(&state.pool, id).await?;
        return not_modified(&etag, true);
    }
    let document = invoice(&state.pool, id).await?;
    pdf_response(&state, document, lang, etag).await
}

/// `GET /invoices/{id}/cii.xml`. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/cii.xml",
    tag = "invoices",
    summary = "An invoice as UN/CEFACT CII XML (Factur-X EN 16931 profile)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The XML its PDF embeds as `factur-x.xml`.", content_type = "application/xml", body = String, headers(("ETag" = String, description = "The document and the XML's version."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found"])))
)]
pub async fn invoice_cii(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    invoice_xml(&state, &id, &headers, query, Syntax::Cii).await
}

/// `GET /invoices/{id}/ubl.xml`. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/ubl.xml",
    tag = "invoices",
    summary = "An invoice as OASIS UBL 2.1 XML (EN 16931 UBL binding)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The UBL `Invoice`.", content_type = "application/xml", body = String, headers(("ETag" = String, description = "The document and the XML's version."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found"])))
)]
pub async fn invoice_ubl(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    invoice_xml(&state, &id, &headers, query, Syntax::Ubl).await
}

async fn invoice_xml(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    query: MinVersion,
    syntax: Syntax,
) -> Result<Response> {
    let id = resource::id_at_version::<InvoiceRow>(state, id, query.min_version, headers).await?;
    let etag = xml_etag("inv", id.as_uuid(), syntax);
    if if_none_match(headers, &etag) {
        invoice_exists(&state.pool, id).await?;
        return not_modified(&etag, false);
    }
    let document = invoice(&state.pool, id).await?;
    xml_response(&document, syntax, etag)
}

/// `GET /invoices/{id}/credit-notes/{credit_note_id}/pdf`. Roles: admin, sales, analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/credit-notes/{credit_note_id}/pdf",
    tag = "invoices",
    summary = "A credit note as a Factur-X PDF (PDF/A-3b with its CII XML, EN 16931)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), ("credit_note_id" = uuid::Uuid, Path, description = "The credit note's id."), PdfQuery, ("X-Min-Version" = Option<String>, Header, description = "The invoice's version to wait for (the credit note's command answered it); the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current."), ("Accept-Language" = Option<String>, Header, description = "`fr` or `en` when `lang` is absent.")),
    responses((status = 200, description = "The PDF, with `factur-x.xml` embedded.", content_type = "application/pdf", body = Vec<u8>, headers(("ETag" = String, description = "The document, its language and the layout's version."), ("Vary" = String, description = "`accept-language`"))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found", "credit_note_not_found"])))
)]
pub async fn credit_note_pdf(
    State(state): State<AppState>,
    AppPath((id, note)): AppPath<(String, String)>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<PdfQuery>,
) -> Result<Response> {
    let lang = language(query.lang.as_deref(), &headers)?;
    let note: CreditNoteId = path_id(&note, "a credit note id")?;
    let id =
        resource::id_at_version::<InvoiceRow>(&state, &id, query.min_version, &headers).await?;
    let etag = pdf_etag("av", note.as_uuid(), lang);
    if if_none_match(&headers, &etag) {
        // Only if it exists: a 304 must not stand for a 404.
        credit_note_head(&state.pool, id, note).await?;
        return not_modified(&etag, true);
    }
    let document = credit_note(&state.pool, id, note).await?;
    pdf_response(&state, document, lang, etag).await
}

/// `GET /invoices/{id}/credit-notes/{credit_note_id}/cii.xml`. Roles: admin, sales,
/// analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/credit-notes/{credit_note_id}/cii.xml",
    tag = "invoices",
    summary = "A credit note as UN/CEFACT CII XML (Factur-X EN 16931 profile, type 381)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), ("credit_note_id" = uuid::Uuid, Path, description = "The credit note's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "The invoice's version to wait for; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The XML its PDF embeds as `factur-x.xml`.", content_type = "application/xml", body = String, headers(("ETag" = String, description = "The document and the XML's version."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found", "credit_note_not_found"])))
)]
pub async fn credit_note_cii(
    State(state): State<AppState>,
    AppPath((id, note)): AppPath<(String, String)>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    credit_note_xml(&state, (&id, &note), &headers, query, Syntax::Cii).await
}

/// `GET /invoices/{id}/credit-notes/{credit_note_id}/ubl.xml`. Roles: admin, sales,
/// analyst.
#[utoipa::path(
    get,
    path = "/invoices/{id}/credit-notes/{credit_note_id}/ubl.xml",
    tag = "invoices",
    summary = "A credit note as OASIS UBL 2.1 XML (EN 16931 UBL binding, `CreditNote`)",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), ("credit_note_id" = uuid::Uuid, Path, description = "The credit note's id."), MinVersion, ("X-Min-Version" = Option<String>, Header, description = "The invoice's version to wait for; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current.")),
    responses((status = 200, description = "The UBL `CreditNote`.", content_type = "application/xml", body = String, headers(("ETag" = String, description = "The document and the XML's version."))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "invoice_not_found", "credit_note_not_found"])))
)]
pub async fn credit_note_ubl(
    State(state): State<AppState>,
    AppPath((id, note)): AppPath<(String, String)>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Response> {
    credit_note_xml(&state, (&id, &note), &headers, query, Syntax::Ubl).await
}

async fn credit_note_xml(
    state: &AppState,
    (id, note): (&str, &str),
    headers: &HeaderMap,
    query: MinVersion,
    syntax: Syntax,
) -> Result<Response> {
    let note: CreditNoteId = path_id(note, "a credit note id")?;
    let id = resource::id_at_version::<InvoiceRow>(state, id, query.min_version, headers).await?;
    let etag = xml_etag("av", note.as_uuid(), syntax);
    if if_none_match(headers, &etag) {
        credit_note_head(&state.pool, id, note).await?;
        return not_modified(&etag, false);
    }
    let document = credit_note(&state.pool, id, note).await?;
    xml_response(&document, syntax, etag)
}

/// Which XML: CII (what the PDF embeds) or UBL.
#[derive(Debug, Clone, Copy)]
enum Syntax {
    Cii,
    Ubl,
}

impl Syntax {
    fn name(self) -> &'static str {
        match self {
            Syntax::Cii => "cii",
            Syntax::Ubl => "ubl",
        }
    }
}

/// `"inv-<id>-fr-2.1"`: the document, its language, the layout's and the documents'
/// versions.
fn pdf_etag(kind: &str, id: uuid::Uuid, lang: Lang) -> String {
    format!(
        "\"{kind}-{id}-{}-{LAYOUT_VERSION}.{DOCUMENT_VERSION}\"",
        lang.code()
    )
}

fn xml_etag(kind: &str, id: uuid::Uuid, syntax: Syntax) -> String {
    format!("\"{kind}-{id}-{}-{DOCUMENT_VERSION}\"", syntax.name())
}

fn not_modified(etag: &str, varies: bool) -> Result<Response> {
    let mut response = Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .header(header::ETAG, etag);
    if varies {
        response = response.header(header::VARY, HeaderValue::from_static("accept-language"));
    }
    response
        .body(Body::empty())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

async fn pdf_response(
    state: &AppState,
    document: InvoiceDocument,
    lang: Lang,
    etag: String,
) -> Result<Response> {
    // CPU-bound: on the blocking pool, at most one render per core at once (with the
    // proformas).
    let permit = state
        .renders
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let number = document.number.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let started = std::time::Instant::now();
        let rendered = facturx::pdf(&document, lang);
        metrics::histogram!(facturx::RENDER_DURATION, "lang" => lang.code())
            .record(started.elapsed().as_secs_f64());
        rendered
    })
    .await
    .map_err(|e| ApiError::Internal(format!("document task: {e}")))?
    .map_err(|e| ApiError::Internal(format!("document {number}: {e}")))?;
    Response::builder()
        .header(header::CONTENT_TYPE, "application/pdf")
        .header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{number}.pdf\""),
        )
        .header(header::CONTENT_LANGUAGE, lang.code())
        .header(header::ETAG, &etag)
        .header(header::VARY, HeaderValue::from_static("accept-language"))
        .header(header::CACHE_CONTROL, "private, no-cache")
        .header("x-page-count", rendered.pages)
        .body(Body::from(rendered.pdf))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn xml_response(document: &InvoiceDocument, syntax: Syntax, etag: String) -> Result<Response> {
    let xml = match syntax {
        Syntax::Cii => facturx::cii(document),
        Syntax::Ubl => facturx::ubl(document),
    }
    .map_err(|e| ApiError::Internal(format!("document {}: {e}", document.number)))?;
    Response::builder()
        .header(header::CONTENT_TYPE, "application/xml")
        .header(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}.{}.xml\"",
                document.number,
                syntax.name()
            ),
        )
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, "private, no-cache")
        .body(Body::from(xml))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[derive(sqlx::FromRow)]
struct InvoiceHead {
    id: InvoiceId,
    number: String,
    order_number: String,
    issue_date: NaiveDate,
    delivery_date: NaiveDate,
    due_date: NaiveDate,
    payment_terms: PaymentTerms,
    seller: Json<Seller>,
    buyer: Json<Buyer>,
    total_net: Money,
    total_vat: Money,
    total_gross: Money,
    vat_lines: Json<Vec<VatLine>>,
    created_at: DateTime<Utc>,
}

async fn invoice_exists(pool: &PgPool, id: InvoiceId) -> Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM invoices WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await?;
    if exists {
        Ok(())
    } else {
        Err(InvoiceRow::not_found())
    }
}

async fn invoice_head(pool: &PgPool, id: InvoiceId) -> Result<InvoiceHead> {
    sqlx::query_as(
        "SELECT id, number, order_number, issue_date, delivery_date, due_date, payment_terms,
                seller, buyer, total_net, total_vat, total_gross, vat_lines, created_at
           FROM invoices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(InvoiceRow::not_found)
}

#[derive(sqlx::FromRow)]
struct LineRow {
    line_no: i32,
    sku: String,
    label: String,
    unit: String,
    quantity: Option<Decimal>,
    unit_price: Money,
    discount: Decimal,
    vat_rate: Decimal,
    net: Money,
}

impl From<LineRow> for DocumentLine {
    fn from(row: LineRow) -> Self {
        Self {
            line_no: u32::try_from(row.line_no).unwrap_or_default(),
            sku: row.sku,
            label: row.label,
            unit: row.unit,
            quantity: row.quantity,
            unit_price: row.unit_price.amount(),
            discount: row.discount,
            vat_rate: row.vat_rate,
            net: row.net.amount(),
        }
    }
}

fn vat_totals(lines: Vec<VatLine>) -> Vec<VatTotal> {
    lines
        .into_iter()
        .map(|v| VatTotal {
            rate: v.rate.percent(),
            base: v.base.amount(),
            amount: v.amount.amount(),
        })
        .collect()
}

/// The invoice as issued.
async fn invoice(pool: &PgPool, id: InvoiceId) -> Result<InvoiceDocument> {
    let (head, lines) = tokio::try_join!(invoice_head(pool, id), async {
        Ok(sqlx::query_as::<_, LineRow>(
            "SELECT line_no, sku, label, unit, quantity, unit_price, discount, vat_rate, net
               FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    })?;
    Ok(InvoiceDocument {
        kind: Kind::Invoice,
        id: head.id.as_uuid(),
        number: head.number,
        issue_date: head.issue_date,
        issued_at: head.created_at,
        order_number: head.order_number,
        delivery_date: head.delivery_date,
        due_date: Some(head.due_date),
        payment_terms: head.payment_terms,
        seller: head.seller.0,
        buyer: head.buyer.0,
        lines: lines.into_iter().map(DocumentLine::from).collect(),
        vat: vat_totals(head.vat_lines.0),
        total_net: head.total_net.amount(),
        total_vat: head.total_vat.amount(),
        total_gross: head.total_gross.amount(),
        corrects: None,
        reason: None,
    })
}

#[derive(sqlx::FromRow)]
struct CreditNoteHead {
    id: uuid::Uuid,
    number: String,
    issue_date: NaiveDate,
    reason: String,
    total_net: Money,
    total_vat: Money,
    total_gross: Money,
    vat_lines: Json<Vec<VatLine>>,
    created_at: DateTime<Utc>,
}

async fn credit_note_head(
    pool: &PgPool,
    invoice: InvoiceId,
    id: CreditNoteId,
) -> Result<CreditNoteHead> {
    sqlx::query_as(
        "SELECT id, number, issue_date, reason, total_net, total_vat, total_gross, vat_lines,
                created_at
           FROM credit_notes WHERE invoice_id = $1 AND id = $2",
    )
    .bind(invoice)
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| ApiError::NotFound {
        code: Code::CreditNoteNotFound,
        message: "this invoice has no credit note with this id".into(),
    })
}

/// A credit note as issued: its lines name the invoice lines they credit (item, price,
/// discount), with the units given back, if any.
async fn credit_note(
    pool: &PgPool,
    invoice: InvoiceId,
    id: CreditNoteId,
) -> Result<InvoiceDocument> {
    let (head, note) = tokio::try_join!(
        invoice_head(pool, invoice),
        credit_note_head(pool, invoice, id)
    )?;
    let lines = sqlx::query_as::<_, LineRow>(
        "SELECT c.line_no, l.sku, l.label, l.unit, c.quantity, l.unit_price, l.discount,
                c.vat_rate, c.net
           FROM credit_note_lines c
           JOIN invoice_lines l ON l.invoice_id = c.invoice_id AND l.line_no = c.invoice_line_no
          WHERE c.invoice_id = $1 AND c.credit_note_id = $2
          ORDER BY c.line_no",
    )
    .bind(invoice)
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(InvoiceDocument {
        kind: Kind::CreditNote,
        id: note.id,
        number: note.number,
        issue_date: note.issue_date,
        issued_at: note.created_at,
        order_number: head.order_number,
        delivery_date: head.delivery_date,
        due_date: None,
        payment_terms: head.payment_terms,
        seller: head.seller.0,
        buyer: head.buyer.0,
        lines: lines.into_iter().map(DocumentLine::from).collect(),
        vat: vat_totals(note.vat_lines.0),
        total_net: note.total_net.amount(),
        total_vat: note.total_vat.amount(),
        total_gross: note.total_gross.amount(),
        corrects: Some(Corrected {
            number: head.number,
            issue_date: head.issue_date,
        }),
        reason: Some(note.reason),
    })
}
