//! What a proforma shows, and what rendering one gives.

use chrono::NaiveDate;
use contracts::customer::PaymentTerms;
use contracts::pricing::VatLine;
use rust_decimal::Decimal;

/// Changes whenever the same data would render differently, so that a client holding a
/// document laid out by an earlier version gets the new one rather than a 304. 2: no
/// text dropped for being long, rows whole on each page.
pub const LAYOUT_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("fonts: {0}")]
    Fonts(String),
    #[error("layout: {0}")]
    Layout(#[from] genpdf::error::Error),
}

/// The seller, from configuration: who issues the document.
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

/// The customer as the read model knows it now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Customer {
    pub code: String,
    pub legal_name: String,
    pub address: Vec<String>,
    pub siret: Option<String>,
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    pub payment_terms: Option<PaymentTerms>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub label: String,
    pub quantity: Decimal,
    /// As the order line holds it: a unit's code (`kg`, printed short), or any text.
    pub unit: String,
    pub unit_price: Decimal,
    pub discount: Decimal,
    pub vat_rate: Decimal,
    pub net: Decimal,
}

/// Everything one proforma shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proforma {
    pub number: String,
    pub date: NaiveDate,
    pub valid_until: NaiveDate,
    pub customer: Option<Customer>,
    pub lines: Vec<Line>,
    /// Per rate, highest first.
    pub vat: Vec<VatLine>,
    pub total_net: Decimal,
    pub total_vat: Decimal,
    pub total_gross: Decimal,
    pub notes: Option<String>,
}

#[derive(Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}
