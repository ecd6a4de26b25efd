//! Invoices, credit notes (*avoirs*) and payments: the value types their events carry.
//!
//! An invoice is issued from a fulfilled order and never changes afterwards: its lines,
//! totals and the two parties are **snapshots** taken at issue time ([`Seller`],
//! [`Buyer`], [`InvoiceLine`]), so that a later change of the seller's settings, the
//! customer's file or the catalogue never alters an issued document. It is corrected only
//! by credit notes, and settled by payments; both are events of the invoice's own stream,
//! since what may still be credited or paid is the invoice's to decide.
//!
//! Amounts follow the order's money rules (`crate::pricing`): a line's net is
//! `pricing::line_net`, VAT is once per rate on the summed nets (`pricing::totals`, or
//! `pricing::credit_totals` for a credit note). The currency is EUR.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::Email;
use crate::customer::{Address, CustomerCode, Siren, Siret, VatNumber};
use crate::events::OrderLine;
use crate::ids::ProductId;
use crate::money::Money;
use crate::pricing::{self, Discount};
use crate::product::{ProductName, Quantity, Sku, Unit, VatRate};
use crate::{FieldCode, Invalid};

/// The currency of every invoice, credit note and payment.
pub const CURRENCY: &str = "EUR";

/// The seller as its settings named it when the invoice was issued: a snapshot
/// (`GESCOM_SELLER_*`), printed on the document whatever the settings say later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seller {
    pub name: String,
    /// Postal address, one line each.
    pub address: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub siret: Siret,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub vat_number: VatNumber,
    /// `SAS`, `SARL`, …
    pub legal_form: Option<String>,
    /// Share capital in euros.
    #[serde(with = "rust_decimal::serde::str_option", default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal"))]
    pub capital: Option<Decimal>,
    /// `RCS Lyon 552 081 317`.
    pub rcs: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Seller {
    /// The SIREN: the SIRET's first nine digits.
    pub fn siren(&self) -> &str {
        self.siret.siren()
    }
}

/// The customer as its file stood when the invoice was issued: a snapshot, so that a
/// later rename or move never rewrites an issued invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Buyer {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: CustomerCode,
    pub legal_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub siren: Option<Siren>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub siret: Option<Siret>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub vat_number: Option<VatNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Email>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
}

/// One line of an invoice: what was delivered of one order line, priced as the order
/// line was (a snapshot of it). `order_line_no` and `quantity` keep the model open to
/// invoicing deliveries one by one: today an invoice takes every order line whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// 1, 2, 3… within the invoice.
    pub line_no: u32,
    /// The order line it invoices.
    pub order_line_no: u32,
    pub product_id: ProductId,
    pub sku: Sku,
    pub label: ProductName,
    pub unit: Unit,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Discount,
    pub vat_rate: VatRate,
    /// `pricing::line_net(quantity, unit_price, discount)`, stored as computed.
    pub net: Money,
}

impl InvoiceLine {
    /// Invoices `quantity` of an order line, at the order line's price and discount.
    pub fn of_order_line(line_no: u32, order_line: &OrderLine, quantity: Quantity) -> Self {
        Self {
            line_no,
            order_line_no: order_line.line_no,
            product_id: order_line.product_id,
            sku: order_line.sku.clone(),
            label: order_line.label.clone(),
            unit: order_line.unit,
            quantity,
            unit_price: order_line.unit_price,
            discount: order_line.discount,
            vat_rate: order_line.vat_rate,
            net: pricing::line_net(quantity, order_line.unit_price, order_line.discount),
        }
    }
}

/// One line of a credit note: a net amount (HT) taken off one invoice line, with the
/// quantity it gives back when it credits units (none for a price reduction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteLine {
    pub invoice_line_no: u32,
    pub quantity: Option<Quantity>,
    /// The invoice line's rate.
    pub vat_rate: VatRate,
    pub net: Money,
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum PaymentMethod {
    BankTransfer,
    Card,
    Cheque,
    Cash,
    DirectDebit,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::BankTransfer,
        PaymentMethod::Card,
        PaymentMethod::Cheque,
        PaymentMethod::Cash,
        PaymentMethod::DirectDebit,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Cash => "cash",
            PaymentMethod::DirectDebit => "direct_debit",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == raw.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|m| m.as_str()).collect();
                Invalid::new(
                    FieldCode::UnknownPaymentMethod,
                    format!("one of {}", names.join(", ")),
                )
            })
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an invoice stands. The first four follow from its amounts ([`Self::settled`]);
/// `overdue` is read-time only: an invoice still owing something after its due date, as
/// of the day it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum InvoiceStatus {
    /// Nothing paid or credited yet (or less than all of it credited).
    Issued,
    PartlyPaid,
    /// Nothing left to pay: paid, or paid and credited together.
    Paid,
    /// Credited in full by credit notes.
    Credited,
    /// Issued or partly paid, past its due date.
    Overdue,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 5] = [
        InvoiceStatus::Issued,
        InvoiceStatus::PartlyPaid,
        InvoiceStatus::Paid,
        InvoiceStatus::Credited,
        InvoiceStatus::Overdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::PartlyPaid => "partly_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Credited => "credited",
            InvoiceStatus::Overdue => "overdue",
        }
    }

    /// The status an invoice's amounts give (TTC): `credited` once credit notes cover it
    /// whole, `paid` once nothing is left to pay, `partly_paid` after a payment, else
    /// `issued`. Never `overdue`, which depends on the day it is read.
    pub fn settled(gross: Money, credited: Money, paid: Money) -> Self {
        let (gross, credited, paid) = (gross.amount(), credited.amount(), paid.amount());
        if gross > Decimal::ZERO && credited >= gross {
            InvoiceStatus::Credited
        } else if credited + paid >= gross {
            InvoiceStatus::Paid
        } else if paid > Decimal::ZERO {
            InvoiceStatus::PartlyPaid
        } else {
            InvoiceStatus::Issued
        }
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn a_delivery_status_only_moves_forward_and_rejected_or_paid_end_it() {
        use DeliveryStatus::*;
        // Rows: where the document stands; columns: deposited, rejected, accepted, paid.
        let table = [
            (None, [true, true, true, true]),
            (Some(Deposited), [false, true, true, true]),
            (Some(Accepted), [false, false, false, true]),
            (Some(Rejected), [false, false, false, false]),
            (Some(Paid), [false, false, false, false]),
        ];
        for (current, expected) in table {
            let got = [Deposited, Rejected, Accepted, Paid].map(|s| s.advances(current));
            assert_eq!(got, expected, "from {current:?}");
        }
    }

    #[test]
    fn the_status_follows_from_the_amounts() {
        use InvoiceStatus as S;
        assert_eq!(InvoiceStatus::settled(m("100"), m("0"), m("0")), S::Issued);
        assert_eq!(
            InvoiceStatus::settled(m("100"), m("0"), m("40")),
            S::PartlyPaid
        );
        assert_eq!(InvoiceStatus::settled(m("100"), m("0"), m("100")), S::Paid);
        assert_eq!(InvoiceStatus::settled(m("100"), m("30"), m("70")), S::Paid);
        assert_eq!(InvoiceStatus::settled(m("100"), m("30"), m("0")), S::Issued);
        assert_eq!(
            InvoiceStatus::settled(m("100"), m("100"), m("0")),
            S::Credited
        );
        // Paid, then credited whole: a refund is owed, the invoice is credited.
        assert_eq!(
            InvoiceStatus::settled(m("100"), m("100"), m("100")),
            S::Credited
        );
        // Nothing to pay at all.
        assert_eq!(InvoiceStatus::settled(m("0"), m("0"), m("0")), S::Paid);
    }

    #[test]
    fn payment_methods_parse_by_name() {
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.as_str()), Ok(method));
            assert_eq!(
                serde_json::to_value(method).unwrap(),
                serde_json::Value::from(method.as_str())
            );
        }
        assert_eq!(
            PaymentMethod::parse("wire").unwrap_err().code,
            "unknown_payment_method"
        );
    }
}

/// Which of an invoice's documents a platform was handed: the invoice itself or one of
/// its credit notes (both live in the invoice's stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentRef {
    Invoice,
    CreditNote {
        credit_note_id: crate::ids::CreditNoteId,
    },
}

impl DocumentRef {
    pub fn kind(self) -> DocumentKind {
        match self {
            DocumentRef::Invoice => DocumentKind::Invoice,
            DocumentRef::CreditNote { .. } => DocumentKind::CreditNote,
        }
    }
}

/// An invoice or a credit note, as a read model's column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 2] = [DocumentKind::Invoice, DocumentKind::CreditNote];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
        }
    }
}

/// Where an issued document stands at the approved platform (*plateforme agréée*), as
/// the platform reports it: deposited (received and checked in form), then accepted by
/// the buyer and paid, or rejected (by the platform or the buyer, with a reason).
/// These are the French e-invoicing life-cycle's main statuses ("déposée", "rejetée" or
/// "refusée", "approuvée", "encaissée").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum DeliveryStatus {
    Deposited,
    Rejected,
    Accepted,
    Paid,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Deposited,
        DeliveryStatus::Rejected,
        DeliveryStatus::Accepted,
        DeliveryStatus::Paid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Deposited => "deposited",
            DeliveryStatus::Rejected => "rejected",
            DeliveryStatus::Accepted => "accepted",
            DeliveryStatus::Paid => "paid",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether a report of `self` moves a document that stands at `current` forward.
    /// The life cycle only goes forward (deposited, accepted, paid); the platform
    /// rejects a document before the buyer accepts it; `rejected` and `paid` end it.
    /// A report that does not move it (a repeat, a late or out-of-order one) is no news.
    pub fn advances(self, current: Option<DeliveryStatus>) -> bool {
        use DeliveryStatus::*;
        let rank = |s: DeliveryStatus| match s {
            Deposited | Rejected => 1,
            Accepted => 2,
            Paid => 3,
        };
        match (current, self) {
            (None, _) => true,
            (Some(current), _) if current.is_final() => false,
            (Some(Deposited), Rejected) => true,
            (Some(_), Rejected) => false,
            (Some(current), next) => rank(next) > rank(current),
        }
    }

    /// Whether nothing more is expected from the platform.
    pub fn is_final(self) -> bool {
        matches!(self, DeliveryStatus::Rejected | DeliveryStatus::Paid)
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
