//! What a proforma shows.

use chrono::NaiveDate;
use contracts::customer::PaymentTerms;
use contracts::pricing::VatLine;
use rust_decimal::Decimal;

use crate::pdf::Line;

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
