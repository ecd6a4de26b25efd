//! Who issues proformas: the seller and the validity of offers, from configuration.

use crate::pdf::{Seller, LAYOUT_VERSION};

/// What a proforma needs besides the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProformaSettings {
    pub seller: Seller,
    /// Validity of an offer whose order sets no `valid_until`.
    pub validity_days: u32,
}

/// The settings, with a digest of them and of the layout's version for the `ETag` (a new
/// identity, validity or layout makes new documents), computed once at start-up.
#[derive(Debug)]
pub struct Issuer {
    pub settings: ProformaSettings,
    pub digest: u64,
}

impl Issuer {
    pub fn new(settings: ProformaSettings) -> Self {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        format!("{settings:?}").hash(&mut hasher);
        LAYOUT_VERSION.hash(&mut hasher);
        Self {
            settings,
            digest: hasher.finish(),
        }
    }
}
