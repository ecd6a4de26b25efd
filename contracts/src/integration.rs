//! Integration events: the small, stable, versioned contract other systems read on
//! `<prefix>.integration.<Type>.v<n>`. Domain events stay internal; these are derived
//! from them by the outbox relay, so they go out exactly when the domain event does.
//! Each has a JSON Schema under `schemas/integration/`; a test validates every published
//! message against it. Changing a field means a new version, published beside the old.

use chrono::SecondsFormat;
use serde::Serialize;

use crate::customer::PaymentTerms;
use crate::envelope::{DecodeError, EventEnvelope};
use crate::events::{AggregateType, InvoiceEvent, Need, OrderEvent, StockEvent};
use crate::ids::{CreditNoteId, CustomerId, InvoiceId, OrderId, PaymentId, ProductId};
use crate::invoice::{PaymentMethod, CURRENCY};
use crate::metadata::EventMeta;
use crate::money::Money;
use crate::pricing::Totals;
use crate::product::Quantity;

pub const VERSION: u32 = 1;

/// One integration message: an envelope with the event's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationMessage {
    /// Unique and stable: `<aggregate type>:<aggregate id>:<sequence>` of the domain event.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub version: u32,
    /// RFC 3339, from the domain event.
    pub occurred_at: String,
    pub correlation_id: Option<String>,
    pub data: serde_json::Value,
}

#[derive(Serialize)]
struct OrderSubmittedV1<'a> {
    order_id: OrderId,
    number: &'a str,
    customer_id: CustomerId,
    currency: &'static str,
    totals: &'a Totals,
    lines: &'a [Need],
}

#[derive(Serialize)]
struct OrderCancelledV1<'a> {
    order_id: OrderId,
    number: &'a str,
    customer_id: Option<CustomerId>,
    reason: Option<&'a str>,
    /// The order held stock (it was submitted); that stock is released.
    was_submitted: bool,
}

#[derive(Serialize)]
struct OrderFulfilledV1<'a> {
    order_id: OrderId,
    number: &'a str,
    customer_id: CustomerId,
}

#[derive(Serialize)]
struct StockLowV1 {
    product_id: ProductId,
    available: Quantity,
    threshold: Quantity,
}

#[derive(Serialize)]
struct InvoiceIssuedV1<'a> {
    invoice_id: InvoiceId,
    number: &'a str,
    order_id: OrderId,
    order_number: &'a str,
    customer_id: CustomerId,
    /// The buyer's VAT number at issue time, if it had one.
    customer_vat_number: Option<&'a str>,
    issue_date: chrono::NaiveDate,
    delivery_date: chrono::NaiveDate,
    due_date: chrono::NaiveDate,
    #[serde(with = "crate::read::by_name")]
    payment_terms: PaymentTerms,
    currency: &'static str,
    totals: &'a Totals,
}

#[derive(Serialize)]
struct CreditNoteIssuedV1<'a> {
    credit_note_id: CreditNoteId,
    number: &'a str,
    invoice_id: InvoiceId,
    invoice_number: &'a str,
    customer_id: CustomerId,
    issue_date: chrono::NaiveDate,
    reason: &'a str,
    currency: &'static str,
    totals: &'a Totals,
}

#[derive(Serialize)]
struct PaymentRecordedV1<'a> {
    payment_id: PaymentId,
    invoice_id: InvoiceId,
    invoice_number: &'a str,
    customer_id: CustomerId,
    paid_on: chrono::NaiveDate,
    amount: Money,
    currency: &'static str,
    method: PaymentMethod,
    reference: Option<&'a str>,
    /// What the invoice still owes after this payment.
    balance: Money,
}

/// Why a domain event could not give its integration message.
#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("cannot encode the integration message: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The integration message a domain event gives, if it gives one; `meta` is the event's
/// metadata, read once by the caller.
pub fn from_domain(
    envelope: &EventEnvelope,
    meta: &EventMeta,
) -> Result<Option<IntegrationMessage>, IntegrationError> {
    // Most events give none: decide on the stored type before decoding any payload.
    const GIVE_ONE: [&str; 7] = [
        "OrderSubmitted",
        "OrderCancelled",
        "OrderFulfilled",
        "StockLow",
        "InvoiceIssued",
        "CreditNoteIssued",
        "PaymentRecorded",
    ];
    if !GIVE_ONE.contains(&envelope.event_type.as_str()) {
        return Ok(None);
    }
    let (event_type, data) = match AggregateType::from_name(&envelope.aggregate_type) {
        Some(AggregateType::Order) => {
            let order = envelope.decode::<OrderId, OrderEvent>(meta.clone())?;
            let id = order.id;
            match order.event {
                OrderEvent::OrderSubmitted {
                    number,
                    customer_id,
                    totals,
                    lines,
                } => (
                    "OrderSubmitted",
                    serde_json::to_value(OrderSubmittedV1 {
                        order_id: id,
                        number: &number,
                        customer_id,
                        currency: "EUR",
                        totals: &totals,
                        lines: &lines,
                    })?,
                ),
                OrderEvent::OrderCancelled {
                    number,
                    customer_id,
                    reason,
                    release,
                } => (
                    "OrderCancelled",
                    serde_json::to_value(OrderCancelledV1 {
                        order_id: id,
                        number: &number,
                        customer_id,
                        reason: reason.as_deref(),
                        was_submitted: release,
                    })?,
                ),
                OrderEvent::OrderFulfilled {
                    number,
                    customer_id,
                } => (
                    "OrderFulfilled",
                    serde_json::to_value(OrderFulfilledV1 {
                        order_id: id,
                        number: &number,
                        customer_id,
                    })?,
                ),
                _ => return Ok(None),
            }
        }
        Some(AggregateType::Stock) => match envelope
            .decode::<ProductId, StockEvent>(meta.clone())?
            .event
        {
            StockEvent::StockLow {
                product_id,
                available,
                threshold,
            } => (
                "StockLow",
                serde_json::to_value(StockLowV1 {
                    product_id,
                    available,
                    threshold,
                })?,
            ),
            _ => return Ok(None),
        },
        Some(AggregateType::Invoice) => {
            let invoice = envelope.decode::<InvoiceId, InvoiceEvent>(meta.clone())?;
            match invoice_message(invoice.id, &invoice.event)? {
                Some(message) => message,
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(IntegrationMessage {
        id: envelope.msg_id(),
        event_type,
        version: VERSION,
        occurred_at: meta
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        correlation_id: Some(meta.correlation_id.clone()),
        data,
    }))
}

/// The integration message of an invoice's event: each but a platform's delivery report
/// gives one (the platform already tells the systems it serves).
fn invoice_message(
    id: InvoiceId,
    event: &InvoiceEvent,
) -> Result<Option<(&'static str, serde_json::Value)>, serde_json::Error> {
    Ok(Some(match event {
        InvoiceEvent::InvoiceIssued {
            number,
            order_id,
            order_number,
            customer_id,
            issue_date,
            delivery_date,
            due_date,
            payment_terms,
            buyer,
            totals,
            ..
        } => (
            "InvoiceIssued",
            serde_json::to_value(InvoiceIssuedV1 {
                invoice_id: id,
                number,
                order_id: *order_id,
                order_number,
                customer_id: *customer_id,
                customer_vat_number: buyer.vat_number.as_ref().map(|v| v.as_str()),
                issue_date: *issue_date,
                delivery_date: *delivery_date,
                due_date: *due_date,
                payment_terms: *payment_terms,
                currency: CURRENCY,
                totals,
            })?,
        ),
        InvoiceEvent::CreditNoteIssued {
            credit_note_id,
            number,
            invoice_number,
            customer_id,
            issue_date,
            reason,
            totals,
            ..
        } => (
            "CreditNoteIssued",
            serde_json::to_value(CreditNoteIssuedV1 {
                credit_note_id: *credit_note_id,
                number,
                invoice_id: id,
                invoice_number,
                customer_id: *customer_id,
                issue_date: *issue_date,
                reason,
                currency: CURRENCY,
                totals,
            })?,
        ),
        InvoiceEvent::PaymentRecorded {
            payment_id,
            invoice_number,
            customer_id,
            paid_on,
            amount,
            method,
            reference,
            balance,
        } => (
            "PaymentRecorded",
            serde_json::to_value(PaymentRecordedV1 {
                payment_id: *payment_id,
                invoice_id: id,
                invoice_number,
                customer_id: *customer_id,
                paid_on: *paid_on,
                amount: *amount,
                currency: CURRENCY,
                method: *method,
                reference: reference.as_deref(),
                balance: *balance,
            })?,
        ),
        InvoiceEvent::DeliveryStatusRecorded { .. } => return Ok(None),
    }))
}
