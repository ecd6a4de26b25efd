//! Domain events: the facts stored in `events` and carried over NATS.
//!
//! These types are contracts. Their serialized names (`event_type`) and versions are stored
//! forever; changing a field is a versioning decision (new version plus upcaster), not a
//! refactor. The JSON is serde's externally tagged form: `{"ProductCreated": {...}}`.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::ids::ProductId;
use crate::money::Money;
use crate::product::{Barcode, Category, ProductName, Quantity, Sku, Unit, VatRate};

/// Aggregate type names, as stored in `events.aggregate_type` and used in NATS subjects.
pub mod aggregate_types {
    pub const PRODUCT: &str = "Product";
}

/// The details of a product that can change after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetails {
    pub name: ProductName,
    pub price: Money,
    pub vat_rate: VatRate,
    pub unit: Unit,
    pub category: Category,
    pub barcode: Option<Barcode>,
    /// `None`: no alert; `Some(0)`: alert only when out of stock.
    pub low_stock_threshold: Option<Quantity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ProductEvent {
    ProductCreated {
        product_id: ProductId,
        sku: Sku,
        #[serde(flatten)]
        details: ProductDetails,
    },
    /// Carries the full new details, and which of them changed, so that the projection
    /// is a plain overwrite and the audit trail can say what was touched.
    ProductUpdated {
        #[serde(flatten)]
        details: ProductDetails,
        changed: Vec<String>,
    },
    ProductArchived {},
    ProductReactivated {},
}

impl DomainEvent for ProductEvent {
    fn event_type(&self) -> String {
        match self {
            ProductEvent::ProductCreated { .. } => "ProductCreated",
            ProductEvent::ProductUpdated { .. } => "ProductUpdated",
            ProductEvent::ProductArchived {} => "ProductArchived",
            ProductEvent::ProductReactivated {} => "ProductReactivated",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn product_created_keeps_its_stored_shape() {
        let id: ProductId = "0190a3c4-0000-7000-8000-000000000001".parse().unwrap();
        let event = ProductEvent::ProductCreated {
            product_id: id,
            sku: Sku::parse("AB-1").unwrap(),
            details: ProductDetails {
                name: ProductName::parse("Vis").unwrap(),
                price: Money::new(Decimal::new(1250, 2)).unwrap(),
                vat_rate: VatRate::new(Decimal::new(20, 0)).unwrap(),
                unit: Unit::Piece,
                category: Category::parse("Quincaillerie").unwrap(),
                barcode: None,
                low_stock_threshold: Some(Quantity::new(Decimal::ZERO).unwrap()),
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ProductCreated": {
                "product_id": "0190a3c4-0000-7000-8000-000000000001",
                "sku": "AB-1", "name": "Vis", "price": "12.50", "vat_rate": "20",
                "unit": "piece", "category": "Quincaillerie", "barcode": null,
                "low_stock_threshold": "0"
            }})
        );
        let back: ProductEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
