//! What an invoice or a credit note says, as issued: the one input of its PDF, its CII
//! and its UBL. Built by the HTTP edge from the read models (the parties and lines are
//! the snapshots taken when the invoice was issued).

use chrono::{DateTime, NaiveDate, Utc};
use contracts::customer::{Address, PaymentTerms};
use contracts::invoice::{Buyer, Seller};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::vat::Category;

/// Which document: UNTDID 1001 type code 380 or 381.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    CreditNote,
}

impl Kind {
    /// UNTDID 1001: 380 commercial invoice, 381 credit note.
    pub fn type_code(self) -> &'static str {
        match self {
            Kind::Invoice => "380",
            Kind::CreditNote => "381",
        }
    }
}

/// The invoice a credit note corrects (EN 16931 BT-25, BT-26).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub number: String,
    pub issue_date: NaiveDate,
}

/// One line as the document states it. A credit note's line names the invoice line it
/// credits (its item, price and discount) and the units it gives back, or none for an
/// amount taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub line_no: u32,
    pub sku: String,
    pub label: String,
    /// As stored: `piece`, `kg`, … (`Unit::as_str`).
    pub unit: String,
    pub quantity: Option<Decimal>,
    /// Before the discount.
    pub unit_price: Decimal,
    /// Percent.
    pub discount: Decimal,
    pub vat_rate: Decimal,
    pub net: Decimal,
}

impl DocumentLine {
    /// The price of one unit once discounted (EN 16931 BT-146), exact: `unit_price ×
    /// (100 − discount) / 100`, so that quantity × it, rounded to the cent, is the net
    /// (`pricing::line_net`).
    pub fn net_price(&self) -> Decimal {
        (self.unit_price * (Decimal::ONE_HUNDRED - self.discount) / Decimal::ONE_HUNDRED)
            .normalize()
    }
}

/// VAT at one rate, as the document totals it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatTotal {
    pub rate: Decimal,
    pub base: Decimal,
    pub amount: Decimal,
}

/// Everything an invoice or a credit note shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub kind: Kind,
    /// The invoice's id, or the credit note's.
    pub id: Uuid,
    /// `FAC-…` or `AV-…`.
    pub number: String,
    pub issue_date: NaiveDate,
    /// When it was recorded: the PDF's dates.
    pub issued_at: DateTime<Utc>,
    /// The sales order it invoices (BT-14).
    pub order_number: String,
    /// The day the goods were delivered (BT-72).
    pub delivery_date: NaiveDate,
    /// An invoice's due date; a credit note has none.
    pub due_date: Option<NaiveDate>,
    pub payment_terms: PaymentTerms,
    pub seller: Seller,
    pub buyer: Buyer,
    pub lines: Vec<DocumentLine>,
    /// Per rate, highest first.
    pub vat: Vec<VatTotal>,
    pub total_net: Decimal,
    pub total_vat: Decimal,
    pub total_gross: Decimal,
    /// A credit note's invoice.
    pub corrects: Option<Corrected>,
    /// Why a credit note was issued.
    pub reason: Option<String>,
}

impl InvoiceDocument {
    /// The VAT category of `rate` on this document (it depends on the buyer).
    pub fn category(&self, rate: Decimal) -> Category {
        Category::of(rate, &self.buyer)
    }

    /// Every category the document uses, in the order of its VAT totals, once.
    pub fn categories(&self) -> Vec<Category> {
        let mut seen = Vec::new();
        for vat in &self.vat {
            let category = self.category(vat.rate);
            if !seen.contains(&category) {
                seen.push(category);
            }
        }
        seen
    }

    /// Where the goods went: the shipping address when the buyer's file has one that
    /// differs from the billing address.
    pub fn delivery_address(&self) -> Option<&Address> {
        self.buyer
            .shipping_address
            .as_ref()
            .filter(|shipping| self.buyer.billing_address.as_ref() != Some(*shipping))
    }

    /// The buyer's SIREN: its own, or its SIRET's first nine digits.
    pub fn buyer_siren(&self) -> Option<&str> {
        self.buyer
            .siren
            .as_ref()
            .map(|s| s.as_str())
            .or_else(|| self.buyer.siret.as_ref().map(|s| s.siren()))
    }
}
