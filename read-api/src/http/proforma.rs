//! `GET /orders/{id}/proforma.pdf`: the order's proforma invoice. Roles: any.
//!
//! French unless `?lang=en` or an `Accept-Language` that prefers English; `lang`
//! wins over the header. `min_version` waits for the order like its detail does.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use contracts::events::OrderStatus;
use contracts::ids::{CustomerId, OrderId};
use contracts::money::Money;
use contracts::pricing::VatLine;
use contracts::read::{CustomerRow, OrderRow, SALES_TIME_ZONE};
use platform::problem::Code;
use platform::web::AppPath;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::consistency::if_none_match;
use super::error::{ApiError, Result};
use super::extract::AppQuery;
use super::resource::{self, Resource};
use super::state::AppState;
use crate::proforma::{self, Customer, Lang, Line, Proforma};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProformaQuery {
    /// `fr` or `en`.
    pub lang: Option<String>,
    pub min_version: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrderHead {
    number: String,
    version: i64,
    status: OrderStatus,
    customer_id: Option<CustomerId>,
    notes: Option<String>,
    /// The creation day in the company's calendar.
    order_date: NaiveDate,
    valid_until: Option<NaiveDate>,
    #[sqlx(json)]
    vat_lines: Vec<VatLine>,
    total_net: Money,
    total_vat: Money,
    total_gross: Money,
}

/// A line as the document prints it. Not [`contracts::read::OrderLineRow`]: a document prints
/// whatever unit text the line holds, where the API's row holds a [`contracts::product::Unit`].
#[derive(sqlx::FromRow)]
struct LineRow {
    sku: String,
    label: String,
    quantity: Decimal,
    unit: String,
    unit_price: Money,
    discount: Decimal,
    vat_rate: Decimal,
    net: Money,
}

/// `GET /orders/{id}/proforma.pdf`. Roles: any.
#[utoipa::path(
    get,
    path = "/orders/{id}/proforma.pdf",
    tag = "orders",
    summary = "An order's proforma invoice (PDF)",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ProformaQuery, ("X-Min-Version" = Option<String>, Header, description = "Same as `min_version`; the query parameter wins."), ("If-None-Match" = Option<String>, Header, description = "An `ETag` already held: 304 without a body when it is still current."), ("Accept-Language" = Option<String>, Header, description = "`fr` or `en` when `lang` is absent.")),
    responses((status = 200, description = "The PDF.", content_type = "application/pdf", body = Vec<u8>, headers(("ETag" = String, description = "Order and customer versions, language, seller settings."), ("Vary" = String, description = "`accept-language`"))), (status = 304, description = "`If-None-Match` holds the current `ETag`.", headers(("ETag" = String)))),
    extensions(("x-problem-codes" = json!(["@detail", "order_not_found", "order_cancelled", "seller_not_configured"])))
)]
pub async fn proforma(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<ProformaQuery>,
) -> Result<Response> {
    let lang = language(query.lang.as_deref(), &headers)?;
    let issuer = state
        .proforma
        .clone()
        .ok_or_else(|| ApiError::Unavailable {
            code: Code::SellerNotConfigured,
            message: "set GESCOM_SELLER_NAME, _SIRET and _VAT_NUMBER to serve proformas".into(),
        })?;
    let id = resource::id_at_version::<OrderRow>(&state, &id, query.min_version, &headers).await?;
    let (document, versions) = load(&state, id, issuer.settings.validity_days).await?;
    // The document changes with the order, the customer, the language and the seller's
    // settings: a client that holds this one gets a 304 and no rendering is done.
    let etag = format!(
        "\"o{}-c{}-{}-{:x}\"",
        versions.order,
        versions.customer.unwrap_or(0),
        lang.code(),
        issuer.digest
    );
    if if_none_match(&headers, &etag) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, &etag)
            .header(header::VARY, HeaderValue::from_static("accept-language"))
            .body(Body::empty())
            .map_err(|e| ApiError::Internal(e.to_string()));
    }
    // CPU-bound: on the blocking pool, at most one render per core at once.
    let permit = state
        .renders
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let rendered = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let started = std::time::Instant::now();
        let rendered = proforma::render(&issuer.settings.seller, &document, lang);
        metrics::histogram!(proforma::RENDER_DURATION, "lang" => lang.code())
            .record(started.elapsed().as_secs_f64());
        rendered.map(|r| (r, document.number))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("proforma task: {e}")))?
    .map_err(|e| ApiError::Internal(format!("proforma: {e}")))?;
    let (rendered, number) = rendered;
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

pub(super) fn language(lang: Option<&str>, headers: &HeaderMap) -> Result<Lang> {
    if let Some(raw) = lang {
        return Lang::parse(raw)
            .ok_or_else(|| ApiError::BadQuery(format!("lang `{raw}`: expected fr or en")));
    }
    Ok(headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or(Lang::Fr))
}

/// What a proforma was made from, for its `ETag`.
struct Versions {
    order: i64,
    customer: Option<i64>,
}

/// The order, its lines and its customer, from the read models.
async fn load(state: &AppState, id: OrderId, validity_days: u32) -> Result<(Proforma, Versions)> {
    let head: OrderHead = sqlx::query_as(
        "SELECT number, version, status, customer_id, notes, (created_at AT TIME ZONE $2)::date AS order_date,
                valid_until, vat_lines, total_net, total_vat, total_gross
           FROM orders WHERE id = $1",
    )
    .bind(id)
    .bind(SALES_TIME_ZONE)
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(OrderRow::not_found)?;
    if head.status == OrderStatus::Cancelled {
        return Err(ApiError::Conflict {
            code: Code::OrderCancelled,
            message: format!("{} is cancelled: it has no proforma", head.number),
        });
    }
    let lines = sqlx::query_as::<_, LineRow>(
        "SELECT sku, label, quantity, unit, unit_price, discount, vat_rate, net
           FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&state.pool);
    let (lines, customer) = tokio::try_join!(lines, async {
        match head.customer_id {
            Some(customer) => resource::get::<CustomerRow>(&state.pool, customer).await,
            None => Ok(None),
        }
    })?;
    let versions = Versions {
        order: head.version,
        customer: customer.as_ref().map(|c| c.version),
    };
    let document = Proforma {
        number: head.number,
        date: head.order_date,
        valid_until: head
            .valid_until
            .unwrap_or_else(|| head.order_date + chrono::Days::new(u64::from(validity_days))),
        customer: customer.map(customer_block),
        lines: lines
            .into_iter()
            .map(|l| Line {
                sku: l.sku,
                label: l.label,
                quantity: Some(l.quantity),
                unit: l.unit,
                unit_price: Some(l.unit_price.amount()),
                discount: l.discount,
                vat_rate: l.vat_rate,
                net: l.net.amount(),
            })
            .collect(),
        vat: head.vat_lines,
        total_net: head.total_net.amount(),
        total_vat: head.total_vat.amount(),
        total_gross: head.total_gross.amount(),
        notes: head.notes,
    };
    Ok((document, versions))
}

fn customer_block(row: CustomerRow) -> Customer {
    let address = row
        .billing_address
        .map(|a| {
            let mut lines = vec![a.line1];
            lines.extend(a.line2);
            lines.push(format!("{} {}", a.postal_code, a.city));
            // A French document names foreign countries only.
            if a.country.as_str() != "FR" {
                lines.push(a.country.as_str().to_owned());
            }
            lines
        })
        .unwrap_or_default();
    Customer {
        code: row.code,
        legal_name: row.legal_name,
        address,
        siret: row.siret,
        siren: row.siren,
        vat_number: row.vat_number,
        payment_terms: Some(row.payment_terms),
    }
}
