//! The Product aggregate: a catalogue entry with its SKU, price, VAT rate and status.

use super::decide::{pure_aggregate, Decide};
use contracts::events::{aggregate_types, ProductDetails, ProductEvent};
use contracts::ids::ProductId;
use contracts::money::Money;
use contracts::product::{
    Barcode, Category, ProductName, ProductStatus, Quantity, Sku, Unit, VatRate,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum ProductCommand {
    Create {
        id: ProductId,
        sku: Sku,
        details: ProductDetails,
    },
    Update(ProductPatch),
    Archive,
    Reactivate,
}

/// The fields a caller wants to change; `None` leaves a field as it is. For the optional
/// fields, `Some(None)` clears them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductPatch {
    pub name: Option<ProductName>,
    pub price: Option<Money>,
    pub vat_rate: Option<VatRate>,
    pub unit: Option<Unit>,
    pub category: Option<Category>,
    pub barcode: Option<Option<Barcode>>,
    pub low_stock_threshold: Option<Option<Quantity>>,
}

impl ProductPatch {
    /// The details after the patch, and the names of the fields it really changed.
    fn apply_to(self, current: &ProductDetails) -> (ProductDetails, Vec<String>) {
        let mut next = current.clone();
        let mut changed = Vec::new();
        macro_rules! set {
            ($field:ident) => {
                if let Some(value) = self.$field {
                    if value != next.$field {
                        next.$field = value;
                        changed.push(stringify!($field).to_owned());
                    }
                }
            };
        }
        set!(name);
        set!(price);
        set!(vat_rate);
        set!(unit);
        set!(category);
        set!(barcode);
        set!(low_stock_threshold);
        (next, changed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("no such product")]
    NotFound,
    #[error("a product with this id already exists")]
    AlreadyExists,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Product {
    state: Option<State>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    pub sku: Sku,
    pub details: ProductDetails,
    pub status: ProductStatus,
}

impl Product {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

pure_aggregate!(Product, aggregate_types::PRODUCT);

impl Decide for Product {
    type Command = ProductCommand;
    type Event = ProductEvent;
    type Error = ProductError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let event = match (command, &self.state) {
            (ProductCommand::Create { id, sku, details }, None) => ProductEvent::ProductCreated {
                product_id: id,
                sku,
                details,
            },
            (ProductCommand::Create { .. }, Some(_)) => return Err(ProductError::AlreadyExists),
            (_, None) => return Err(ProductError::NotFound),
            (ProductCommand::Update(patch), Some(state)) => {
                let (details, changed) = patch.apply_to(&state.details);
                if changed.is_empty() {
                    return Ok(vec![]);
                }
                ProductEvent::ProductUpdated { details, changed }
            }
            // Archiving twice, or reactivating an active product, changes nothing: a
            // retried request gets the same answer.
            (ProductCommand::Archive, Some(state)) => match state.status {
                ProductStatus::Active => ProductEvent::ProductArchived {},
                ProductStatus::Archived => return Ok(vec![]),
            },
            (ProductCommand::Reactivate, Some(state)) => match state.status {
                ProductStatus::Archived => ProductEvent::ProductReactivated {},
                ProductStatus::Active => return Ok(vec![]),
            },
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: Self::Event) {
        match event {
            ProductEvent::ProductCreated { sku, details, .. } => {
                self.state = Some(State {
                    sku,
                    details,
                    status: ProductStatus::Active,
                });
            }
            ProductEvent::ProductUpdated { details, .. } => {
                if let Some(state) = &mut self.state {
                    state.details = details;
                }
            }
            ProductEvent::ProductArchived {} => {
                if let Some(state) = &mut self.state {
                    state.status = ProductStatus::Archived;
                }
            }
            ProductEvent::ProductReactivated {} => {
                if let Some(state) = &mut self.state {
                    state.status = ProductStatus::Active;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use rust_decimal::Decimal;

    type ProductTest = TestFramework<Product>;

    fn details() -> ProductDetails {
        ProductDetails {
            name: ProductName::parse("Vis M6").unwrap(),
            price: Money::new(Decimal::new(1250, 2)).unwrap(),
            vat_rate: VatRate::new(Decimal::new(20, 0)).unwrap(),
            unit: Unit::Piece,
            category: Category::parse("Quincaillerie").unwrap(),
            barcode: None,
            low_stock_threshold: None,
        }
    }

    fn created() -> ProductEvent {
        ProductEvent::ProductCreated {
            product_id: "0190a3c4-0000-7000-8000-000000000001".parse().unwrap(),
            sku: Sku::parse("VIS-M6").unwrap(),
            details: details(),
        }
    }

    #[test]
    fn creating_a_new_product_records_it() {
        let id = "0190a3c4-0000-7000-8000-000000000001".parse().unwrap();
        ProductTest::with(())
            .given_no_previous_events()
            .when(ProductCommand::Create {
                id,
                sku: Sku::parse("VIS-M6").unwrap(),
                details: details(),
            })
            .then_expect_events(vec![created()]);
    }

    #[test]
    fn creating_an_existing_product_is_refused() {
        ProductTest::with(())
            .given(vec![created()])
            .when(ProductCommand::Create {
                id: ProductId::generate(),
                sku: Sku::parse("OTHER").unwrap(),
                details: details(),
            })
            .then_expect_error(ProductError::AlreadyExists);
    }

    #[test]
    fn updating_a_missing_product_is_refused() {
        ProductTest::with(())
            .given_no_previous_events()
            .when(ProductCommand::Update(ProductPatch::default()))
            .then_expect_error(ProductError::NotFound);
    }

    #[test]
    fn an_update_records_the_new_details_and_names_what_changed() {
        let price = Money::new(Decimal::new(990, 2)).unwrap();
        let barcode = Barcode::parse("4006381333931").unwrap();
        let mut expected = details();
        expected.price = price;
        expected.barcode = Some(barcode.clone());
        ProductTest::with(())
            .given(vec![created()])
            .when(ProductCommand::Update(ProductPatch {
                price: Some(price),
                // Same name as before: not a change.
                name: Some(ProductName::parse("Vis M6").unwrap()),
                barcode: Some(Some(barcode)),
                ..ProductPatch::default()
            }))
            .then_expect_events(vec![ProductEvent::ProductUpdated {
                details: expected,
                changed: vec!["price".to_owned(), "barcode".to_owned()],
            }]);
    }

    #[test]
    fn an_update_that_changes_nothing_records_nothing() {
        ProductTest::with(())
            .given(vec![created()])
            .when(ProductCommand::Update(ProductPatch {
                unit: Some(Unit::Piece),
                ..ProductPatch::default()
            }))
            .then_expect_events(vec![]);
    }

    #[test]
    fn clearing_the_threshold_is_a_change() {
        let mut with_threshold = details();
        with_threshold.low_stock_threshold = Some(Quantity::new(Decimal::ZERO).unwrap());
        let mut expected = with_threshold.clone();
        expected.low_stock_threshold = None;
        ProductTest::with(())
            .given(vec![
                created(),
                ProductEvent::ProductUpdated {
                    details: with_threshold,
                    changed: vec!["low_stock_threshold".to_owned()],
                },
            ])
            .when(ProductCommand::Update(ProductPatch {
                low_stock_threshold: Some(None),
                ..ProductPatch::default()
            }))
            .then_expect_events(vec![ProductEvent::ProductUpdated {
                details: expected,
                changed: vec!["low_stock_threshold".to_owned()],
            }]);
    }

    #[test]
    fn archiving_an_active_product_archives_it() {
        ProductTest::with(())
            .given(vec![created()])
            .when(ProductCommand::Archive)
            .then_expect_events(vec![ProductEvent::ProductArchived {}]);
    }

    #[test]
    fn archiving_twice_records_nothing_the_second_time() {
        ProductTest::with(())
            .given(vec![created(), ProductEvent::ProductArchived {}])
            .when(ProductCommand::Archive)
            .then_expect_events(vec![]);
    }

    #[test]
    fn reactivating_an_archived_product_reactivates_it() {
        ProductTest::with(())
            .given(vec![created(), ProductEvent::ProductArchived {}])
            .when(ProductCommand::Reactivate)
            .then_expect_events(vec![ProductEvent::ProductReactivated {}]);
    }

    #[test]
    fn reactivating_an_active_product_records_nothing() {
        ProductTest::with(())
            .given(vec![created()])
            .when(ProductCommand::Reactivate)
            .then_expect_events(vec![]);
    }
}
