//! `/invoices` commands: issue an invoice for a fulfilled order (admin, sales), issue a
//! credit note on it (admin only: correcting an issued invoice is an admin's act), record
//! a payment (admin, sales: the people who follow up on customers record what they pay;
//! gescom has no accounting role).
//!
//! Each creating command takes an optional client-chosen `id`: sent again with the same
//! id (a retry after a lost answer), it records nothing and answers the current version.

use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use contracts::ids::{CreditNoteId, InvoiceId, OrderId, PaymentId};
use contracts::invoice::{InvoiceStatus, PaymentMethod};
use contracts::money::Money;
use contracts::product::{bounded_text, Quantity};
use contracts::{FieldCode, Invalid};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::Result;
use super::extract::{AppJson, CommandContext, Fields, Target};
use super::reply::accepted_with;
use super::state::AppState;
use crate::app::invoicing::NewPayment;
use crate::domain::invoice::{Credit, CreditScope, Invoice};

/// Most lines one credit note names.
const MAX_CREDIT_LINES: usize = 500;

fn id_field<I: std::str::FromStr>(
    f: &mut Fields,
    field: &str,
    raw: Option<&str>,
    what: &str,
) -> Option<Option<I>> {
    f.optional(field, raw, |raw| {
        raw.parse()
            .map_err(|_| Invalid::new(FieldCode::InvalidId, format!("not {what} id (a UUID)")))
    })
}

/// An amount charged or credited: positive, in cents.
fn cents(raw: &str) -> Result<Money, Invalid> {
    let amount = Money::parse(raw)?;
    if amount.amount().is_zero() {
        return Err(Invalid::new(FieldCode::Zero, "must be more than zero"));
    }
    if amount.amount().normalize().scale() > 2 {
        return Err(Invalid::new(
            FieldCode::TooPrecise,
            "at most 2 decimals (cents)",
        ));
    }
    Ok(amount)
}

fn positive_quantity(raw: &str) -> Result<Quantity, Invalid> {
    let quantity = Quantity::parse(raw)?;
    if quantity.value().is_zero() {
        return Err(Invalid::new(FieldCode::Zero, "must be more than zero"));
    }
    Ok(quantity)
}

/// The invoice as it now stands, after a command: its number, balance and status.
async fn current(state: &AppState, id: InvoiceId) -> Result<Invoice> {
    let (invoice, _) = state.invoicing.invoices.load(id).await?;
    Ok(invoice)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInvoice {
    /// The fulfilled order to invoice, whole.
    #[schema(value_type = uuid::Uuid)]
    pub order_id: String,
    /// The new invoice's id, if the client chooses it (a UUID): a retry with the same id
    /// is then answered, not refused.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Issued {
    #[schema(value_type = uuid::Uuid)]
    id: String,
    version: u64,
    /// `FAC-<year>-<6 digits>`.
    number: String,
    /// Total TTC.
    #[schema(value_type = String, format = "decimal")]
    total_gross: Money,
    /// What the invoice owes now (the total at issue; less credit notes and payments on a
    /// retry).
    #[schema(value_type = String, format = "decimal")]
    balance: Money,
}

/// `POST /invoices`: invoices a fulfilled order, whole. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/invoices",
    tag = "invoices",
    summary = "Invoice a fulfilled order",
    description = "Numbers the invoice `FAC-<year>-<6 digits>` without gaps, dates it today (Europe/Paris), takes the delivery date from the order's fulfilment and the due date from the customer's payment terms, and copies the order's priced lines, the customer's identity and addresses and the seller's settings as snapshots. Immutable from then on: correct it with a credit note. One invoice per order: a second is refused with 409 `order_already_invoiced`, naming the invoice (`invoice_id`).",
    request_body = IssueInvoice,
    responses(
        (status = 201, description = "Issued: the invoice's id, version, number, total and balance.", body = Issued, headers(("ETag" = String, description = "The new version, quoted."), ("Location" = String, description = "`/invoices/{id}`"))),
        (status = 200, description = "The same `id` sent again: already issued, nothing recorded.", body = Issued, headers(("ETag" = String, description = "The current version, quoted.")))
    ),
    extensions(("x-problem-codes" = json!(["@json", "@commit", "order_already_invoiced", "order_not_fulfilled", "invoice_exists", "order_empty", "seller_not_configured"])))
)]
pub async fn issue(
    State(state): State<AppState>,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<IssueInvoice>,
) -> Result<Response> {
    let mut f = Fields::default();
    let order = f.check(
        "order_id",
        body.order_id
            .trim()
            .parse::<OrderId>()
            .map_err(|_| Invalid::new(FieldCode::InvalidId, "not an order id (a UUID)")),
    );
    let id = id_field::<InvoiceId>(&mut f, "id", body.id.as_deref(), "an invoice");
    let (Some(order_id), Some(id)) = (order, id) else {
        return Err(f.invalid());
    };
    let (id, new) = match id {
        Some(id) => (id, false),
        None => (InvoiceId::generate(), true),
    };
    let committed = state.invoicing.issue(id, new, order_id, metadata).await?;
    let invoice = current(&state, id).await?;
    let issued = invoice.state();
    let body = Issued {
        id: id.to_string(),
        version: committed.version,
        number: issued.map(|s| s.number.clone()).unwrap_or_default(),
        total_gross: issued.map_or(Money::ZERO, |s| s.totals.gross),
        balance: Money::from_store(issued.map_or(Decimal::ZERO, |s| s.balance())),
    };
    Ok(accepted_with(
        !committed.events.is_empty(),
        "/invoices",
        &body.id,
        committed.version,
        &body,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditLine {
    /// The invoice line, from 1.
    pub line_no: u32,
    /// Units given back, at the line's price and discount (the last units take exactly
    /// what is left of the line).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "decimal", example = "1")]
    pub quantity: Option<String>,
    /// Or an amount taken off the line, HT, in cents (a price reduction).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "decimal", example = "10.00")]
    pub amount: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueCreditNote {
    /// The credit note's id, if the client chooses it: a retry with the same id and
    /// reason is answered, not recorded twice.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub id: Option<String>,
    /// Why: printed on the credit note (at most 500 characters).
    pub reason: String,
    /// `true`: credit everything the invoice still has to credit (no `lines` then).
    #[serde(default)]
    pub whole: bool,
    /// What to take off which lines: each a `quantity` or an `amount`.
    #[serde(default)]
    pub lines: Vec<CreditLine>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CreditNoteIssued {
    /// The invoice's id.
    #[schema(value_type = uuid::Uuid)]
    id: String,
    version: u64,
    #[schema(value_type = uuid::Uuid)]
    credit_note_id: String,
    /// `AV-<year>-<6 digits>`.
    number: String,
    /// What the invoice owes now (negative: a refund is owed).
    #[schema(value_type = String, format = "decimal")]
    balance: Money,
    status: InvoiceStatus,
}

fn credit_scope(body: &IssueCreditNote, f: &mut Fields) -> Option<CreditScope> {
    match (body.whole, body.lines.is_empty()) {
        (true, true) => return Some(CreditScope::Whole),
        (true, false) => {
            f.push(
                "lines",
                Invalid::new(
                    FieldCode::Exclusive,
                    "`whole` credits every line: no `lines` with it",
                ),
            );
            return None;
        }
        (false, true) => {
            f.push(
                "lines",
                Invalid::new(
                    FieldCode::Required,
                    "name the lines to credit, or send `whole: true`",
                ),
            );
            return None;
        }
        (false, false) => {}
    }
    if body.lines.len() > MAX_CREDIT_LINES {
        f.push(
            "lines",
            Invalid::new(
                FieldCode::OutOfRange,
                format!("at most {MAX_CREDIT_LINES} lines"),
            ),
        );
        return None;
    }
    let mut credits = Vec::with_capacity(body.lines.len());
    for (i, line) in body.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let credit = match (line.quantity.as_deref(), line.amount.as_deref()) {
            (Some(q), None) => f
                .check(&field("quantity"), positive_quantity(q))
                .map(|quantity| Credit::Quantity {
                    line_no: line.line_no,
                    quantity,
                }),
            (None, Some(a)) => f
                .check(&field("amount"), cents(a))
                .map(|amount| Credit::Amount {
                    line_no: line.line_no,
                    amount,
                }),
            (Some(_), Some(_)) => {
                f.push(
                    &field("amount"),
                    Invalid::new(FieldCode::Exclusive, "a quantity or an amount, not both"),
                );
                None
            }
            (None, None) => {
                f.push(
                    &field("quantity"),
                    Invalid::new(FieldCode::Required, "a quantity or an amount"),
                );
                None
            }
        };
        credits.extend(credit);
    }
    Some(CreditScope::Lines(credits))
}

/// `POST /invoices/{id}/credit-notes`: a credit note (*avoir*) on the invoice, numbered
/// `AV-<year>-<6 digits>`. Roles: admin.
#[utoipa::path(
    post,
    path = "/invoices/{id}/credit-notes",
    tag = "invoices",
    summary = "Issue a credit note",
    description = "Takes units or an amount (HT) off lines, or everything left (`whole`), at the lines' prices and VAT rates; VAT is once per rate on the credit note, and never more than the invoice has left to credit at that rate. Never more than what is left to credit on a line: 422 `credit_exceeds_invoice`. Dated today, numbered without gaps, immutable.",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = IssueCreditNote,
    responses((status = 200, description = "Issued (or, for an `id` sent again, already issued).", body = CreditNoteIssued, headers(("ETag" = String, description = "The invoice's new version, quoted.")))),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "invoice_not_found", "credit_exceeds_invoice", "credit_note_exists"])))
)]
pub async fn credit_note(
    target: Target<InvoiceId>,
    AppJson(body): AppJson<IssueCreditNote>,
) -> Result<Response> {
    let mut f = Fields::default();
    let credit_note_id =
        id_field::<CreditNoteId>(&mut f, "id", body.id.as_deref(), "a credit note");
    let reason = f.check("reason", bounded_text(&body.reason, 500));
    let scope = credit_scope(&body, &mut f);
    let (Some(credit_note_id), Some(reason), Some(scope), true) =
        (credit_note_id, reason, scope, f.is_empty())
    else {
        return Err(f.invalid());
    };
    let credit_note_id = credit_note_id.unwrap_or_else(CreditNoteId::generate);
    let Target {
        state,
        id,
        expected,
        metadata,
    } = target;
    let committed = state
        .invoicing
        .credit(id, credit_note_id, reason, scope, expected, metadata)
        .await?;
    let invoice = current(&state, id).await?;
    let invoice = invoice.state();
    let body = CreditNoteIssued {
        id: id.to_string(),
        version: committed.version,
        credit_note_id: credit_note_id.to_string(),
        number: invoice
            .and_then(|s| s.credit_notes.iter().find(|c| c.id == credit_note_id))
            .map(|c| c.number.clone())
            .unwrap_or_default(),
        balance: Money::from_store(invoice.map_or(Decimal::ZERO, |s| s.balance())),
        status: invoice.map_or(InvoiceStatus::Issued, status),
    };
    Ok(accepted_with(
        false,
        "/invoices",
        &body.id,
        committed.version,
        &body,
    ))
}

fn status(invoice: &crate::domain::invoice::State) -> InvoiceStatus {
    InvoiceStatus::settled(
        invoice.totals.gross,
        Money::from_store(invoice.credited()),
        Money::from_store(invoice.paid()),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPayment {
    /// The payment's id, if the client chooses it: the same payment sent again is
    /// answered, not recorded twice.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub id: Option<String>,
    /// The day the money was received, `YYYY-MM-DD`; not after today.
    #[schema(value_type = String, format = Date, example = "2026-03-20")]
    pub paid_on: String,
    /// Positive, in cents, at most the invoice's balance.
    #[schema(value_type = String, format = "decimal", example = "120.00")]
    pub amount: String,
    #[schema(value_type = PaymentMethod, example = "bank_transfer")]
    pub method: String,
    /// The bank's or the cheque's reference (at most 200 characters).
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PaymentRecorded {
    /// The invoice's id.
    #[schema(value_type = uuid::Uuid)]
    id: String,
    version: u64,
    #[schema(value_type = uuid::Uuid)]
    payment_id: String,
    /// What the invoice still owes.
    #[schema(value_type = String, format = "decimal")]
    balance: Money,
    status: InvoiceStatus,
}

/// `POST /invoices/{id}/payments`: a payment, partial or full. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/invoices/{id}/payments",
    tag = "invoices",
    summary = "Record a payment",
    description = "Lowers the balance (TTC less credit notes and payments). More than the balance: 422 `overpayment`, with the `balance`.",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = RecordPayment,
    responses((status = 200, description = "Recorded (or, for an `id` sent again, already recorded).", body = PaymentRecorded, headers(("ETag" = String, description = "The invoice's new version, quoted.")))),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "invoice_not_found", "overpayment", "payment_exists"])))
)]
pub async fn payment(
    target: Target<InvoiceId>,
    AppJson(body): AppJson<RecordPayment>,
) -> Result<Response> {
    let mut f = Fields::default();
    let payment_id = id_field::<PaymentId>(&mut f, "id", body.id.as_deref(), "a payment");
    let paid_on = f.check(
        "paid_on",
        NaiveDate::parse_from_str(body.paid_on.trim(), "%Y-%m-%d")
            .map_err(|_| Invalid::new(FieldCode::InvalidDate, "a date as YYYY-MM-DD")),
    );
    let amount = f.check("amount", cents(&body.amount));
    let method = f.check("method", PaymentMethod::parse(&body.method));
    let reference = f.optional("reference", body.reference.as_deref(), |r| {
        bounded_text(r, 200)
    });
    let (Some(payment_id), Some(paid_on), Some(amount), Some(method), Some(reference)) =
        (payment_id, paid_on, amount, method, reference)
    else {
        return Err(f.invalid());
    };
    let payment = NewPayment {
        id: payment_id.unwrap_or_else(PaymentId::generate),
        paid_on,
        amount,
        method,
        reference,
    };
    let payment_id = payment.id;
    let Target {
        state,
        id,
        expected,
        metadata,
    } = target;
    let committed = state.invoicing.pay(id, payment, expected, metadata).await?;
    let invoice = current(&state, id).await?;
    let invoice = invoice.state();
    let body = PaymentRecorded {
        id: id.to_string(),
        version: committed.version,
        payment_id: payment_id.to_string(),
        balance: Money::from_store(invoice.map_or(Decimal::ZERO, |s| s.balance())),
        status: invoice.map_or(InvoiceStatus::Issued, status),
    };
    Ok(accepted_with(
        false,
        "/invoices",
        &body.id,
        committed.version,
        &body,
    ))
}
