//! Invoicing: issue an invoice for a fulfilled order, credit it, record its payments.
//!
//! The Invoice aggregate decides alone; this use case gathers what it decides from: the
//! order as its stream holds it (lines, status, the day it was fulfilled), the customer's
//! file and the seller's settings (both copied into the invoice as snapshots), and the
//! day, in the company's calendar (Europe/Paris, as the dashboard's), of the command's
//! own time. The invoice number is assigned by the database in the event's transaction,
//! which also refuses a second invoice of one order (GS005).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use contracts::events::InvoiceEvent;
use contracts::ids::{CreditNoteId, InvoiceId, OrderId, PaymentId};
use contracts::invoice::{Buyer, PaymentMethod, Seller};
use contracts::metadata::EventMeta;
use contracts::money::Money;
use contracts::read::SALES_TIME_ZONE;
use sqlx::PgPool;

use crate::domain::customer::{Customer, CustomerError};
use crate::domain::invoice::{
    CreditScope, Invoice, InvoiceCommand, InvoiceError, Issue, OrderToInvoice,
};
use crate::domain::order::{Order, OrderError};
use crate::es::{sqlstate, CommandBus, CommandError, Committed};

#[derive(Debug, thiserror::Error)]
pub enum InvoicingError {
    #[error(transparent)]
    Invoice(#[from] CommandError<InvoiceError>),
    #[error("order: {0}")]
    Order(CommandError<OrderError>),
    #[error("customer: {0}")]
    Customer(CommandError<CustomerError>),
    #[error("no order has this id")]
    UnknownOrder,
    /// The order names no customer, or one the store does not hold: not a fulfilled order.
    #[error("the order's customer is missing")]
    NoCustomer,
    #[error("the order is invoiced already, by invoice {invoice_id}")]
    AlreadyInvoiced { invoice_id: String },
    #[error("no seller is configured (GESCOM_SELLER_NAME, _SIRET, _VAT_NUMBER)")]
    SellerNotConfigured,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored event metadata: {0}")]
    Metadata(String),
}

/// What a payment command carries.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    pub id: PaymentId,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

pub struct Invoicing {
    pub invoices: Arc<CommandBus<Invoice>>,
    orders: Arc<CommandBus<Order>>,
    customers: Arc<CommandBus<Customer>>,
    pool: PgPool,
    /// From the settings; none: invoices are refused (503 `seller_not_configured`).
    seller: Option<Seller>,
}

impl Invoicing {
    pub fn new(
        pool: PgPool,
        orders: Arc<CommandBus<Order>>,
        customers: Arc<CommandBus<Customer>>,
        seller: Option<Seller>,
    ) -> Self {
        Self {
            invoices: Arc::new(CommandBus::new(pool.clone(), ())),
            orders,
            customers,
            pool,
            seller,
        }
    }

    /// Invoices the whole of a fulfilled order as invoice `id`. Sent again with the same
    /// id, it records nothing and answers the invoice's version. `new`: the id was just
    /// generated, so the stream is not read first.
    pub async fn issue(
        &self,
        id: InvoiceId,
        new: bool,
        order_id: OrderId,
        metadata: EventMeta,
    ) -> Result<Committed<InvoiceEvent>, InvoicingError> {
        let seller = self
            .seller
            .clone()
            .ok_or(InvoicingError::SellerNotConfigured)?;
        let (order, _) = self
            .orders
            .load(order_id)
            .await
            .map_err(InvoicingError::Order)?;
        let order = order.state().ok_or(InvoicingError::UnknownOrder)?;
        let customer_id = order.customer_id.ok_or(InvoicingError::NoCustomer)?;
        let (customer, _) = self
            .customers
            .load(customer_id)
            .await
            .map_err(InvoicingError::Customer)?;
        let customer = customer.state().ok_or(InvoicingError::NoCustomer)?;
        let fulfilled_at = self.fulfilled_at(order_id).await?;
        let issue_date = self.local_day(metadata.occurred_at).await?;
        let fulfilled_on = match fulfilled_at {
            Some(at) => Some(self.local_day(at).await?),
            None => None,
        };
        let details = &customer.details;
        let command = InvoiceCommand::Issue(Box::new(Issue {
            id,
            order: OrderToInvoice {
                order_id,
                number: order.number.clone(),
                status: order.status,
                customer_id: order.customer_id,
                lines: order.lines.clone(),
                fulfilled_on,
            },
            buyer: Buyer {
                code: customer.code.clone(),
                legal_name: details.legal_name.clone(),
                siren: details.siren.clone(),
                siret: details.siret.clone(),
                vat_number: details.vat_number.clone(),
                email: details.email.clone(),
                billing_address: details.billing_address.clone(),
                shipping_address: details.shipping_address.clone(),
            },
            payment_terms: details.payment_terms,
            seller,
            issue_date,
        }));
        let issued = if new {
            self.invoices
                .execute_new_detached(id, command, metadata)
                .await
        } else {
            self.invoices
                .execute_detached(id, command, None, metadata)
                .await
        };
        match issued {
            Err(CommandError::Rejected { sqlstate: code, .. })
                if code == sqlstate::ORDER_ALREADY_INVOICED =>
            {
                let invoice_id: String = sqlx::query_scalar(
                    "SELECT invoice_id FROM invoiced_orders WHERE order_id = $1",
                )
                .bind(order_id.to_string())
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default();
                if invoice_id == id.to_string() {
                    // The same invoice, sent twice at once: the other attempt issued it.
                    let (_, version) = self.invoices.load(id).await?;
                    return Ok(Committed {
                        version,
                        events: Vec::new(),
                    });
                }
                Err(InvoicingError::AlreadyInvoiced { invoice_id })
            }
            other => Ok(other?),
        }
    }

    /// A credit note `credit_note_id` on invoice `id`, dated today.
    pub async fn credit(
        &self,
        id: InvoiceId,
        credit_note_id: CreditNoteId,
        reason: String,
        scope: CreditScope,
        expected: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<InvoiceEvent>, InvoicingError> {
        let issue_date = self.local_day(metadata.occurred_at).await?;
        let command = InvoiceCommand::IssueCreditNote {
            credit_note_id,
            issue_date,
            reason,
            scope,
        };
        Ok(self
            .invoices
            .execute_detached(id, command, expected, metadata)
            .await?)
    }

    /// Records a payment on invoice `id`.
    pub async fn pay(
        &self,
        id: InvoiceId,
        payment: NewPayment,
        expected: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<InvoiceEvent>, InvoicingError> {
        let today = self.local_day(metadata.occurred_at).await?;
        let command = InvoiceCommand::RecordPayment {
            payment_id: payment.id,
            paid_on: payment.paid_on,
            amount: payment.amount,
            method: payment.method,
            reference: payment.reference,
            today,
        };
        Ok(self
            .invoices
            .execute_detached(id, command, expected, metadata)
            .await?)
    }

    /// When the order was fulfilled: the time of its `OrderFulfilled` event.
    async fn fulfilled_at(
        &self,
        order_id: OrderId,
    ) -> Result<Option<DateTime<Utc>>, InvoicingError> {
        let metadata: Option<sqlx::types::Json<HashMap<String, String>>> = sqlx::query_scalar(
            "SELECT metadata::jsonb FROM events
              WHERE aggregate_type = 'Order' AND aggregate_id = $1
                AND event_type = 'OrderFulfilled'
              ORDER BY sequence LIMIT 1",
        )
        .bind(order_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        metadata
            .map(|sqlx::types::Json(map)| {
                EventMeta::from_map(&map)
                    .map(|meta| meta.occurred_at)
                    .map_err(|e| InvoicingError::Metadata(e.to_string()))
            })
            .transpose()
    }

    /// The calendar day of `at` in the company's time zone.
    async fn local_day(&self, at: DateTime<Utc>) -> Result<NaiveDate, sqlx::Error> {
        sqlx::query_scalar("SELECT ($1::timestamptz AT TIME ZONE $2)::date")
            .bind(at)
            .bind(SALES_TIME_ZONE)
            .fetch_one(&self.pool)
            .await
    }
}
