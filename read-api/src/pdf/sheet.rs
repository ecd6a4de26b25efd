//! What a commercial document shows, already worded in its language: the one input of
//! [`super::layout`]. A proforma, an invoice and a credit note each say what they are
//! through one of these.

use rust_decimal::Decimal;

/// The seller, as printed in the heading and on every page's footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub name: String,
    /// Postal address, one line each.
    pub address: Vec<String>,
    pub siret: String,
    pub vat_number: String,
    /// Legal form and share capital, as written after the name: `SAS au capital de 50 000 €`.
    pub legal_form: Option<String>,
    pub capital: Option<Decimal>,
    /// `RCS Lyon 123 456 789`.
    pub rcs: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One line of the document's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub label: String,
    /// None for an amount without units (a credit note's price reduction).
    pub quantity: Option<Decimal>,
    /// A unit's code (`kg`, printed short), or any text.
    pub unit: String,
    pub unit_price: Option<Decimal>,
    pub discount: Decimal,
    pub vat_rate: Decimal,
    pub net: Decimal,
}

/// A framed block naming a party: the customer, or where the goods were delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Small and grey above the block: `Client`.
    pub caption: String,
    /// In bold.
    pub name: Option<String>,
    pub lines: Vec<String>,
}

/// A paragraph under the totals, its label in bold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub label: Option<String>,
    pub text: String,
}

/// VAT at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatRow {
    pub rate: Decimal,
    pub base: Decimal,
    pub amount: Decimal,
}

/// Everything one document shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// `FACTURE PROFORMA`, `FACTURE`, `AVOIR`.
    pub title: String,
    pub number: String,
    /// Right-aligned under the number: dates and references, `(label, value)`.
    pub facts: Vec<(String, String)>,
    pub seller: Seller,
    /// Lines under the seller's address and contacts (legal ids).
    pub seller_lines: Vec<String>,
    /// Framed on the left half, beside the customer (a delivery address).
    pub left: Option<Party>,
    /// Framed on the right half: the customer.
    pub right: Party,
    pub lines: Vec<Line>,
    /// Per rate, highest first.
    pub vat: Vec<VatRow>,
    pub total_net: Decimal,
    pub total_vat: Decimal,
    pub total_gross: Decimal,
    pub paragraphs: Vec<Paragraph>,
    /// Small print at the end: penalties and fees.
    pub small_print: String,
}
