//! The order aggregate's catalogue ([`Catalogue`]), read from the event store: a product
//! or a customer as its own stream says it is when the order's command runs.

use std::sync::Arc;

use contracts::ids::{CustomerId, ProductId};
use contracts::product::ProductStatus;
use futures::future::BoxFuture;

use crate::domain::customer::Customer;
use crate::domain::order::{Catalogue, CatalogueProduct, LookupError, ProductSnapshot};
use crate::domain::product::Product;
use crate::es::{CommandBus, CommandError};

pub struct StoreCatalogue {
    pub products: Arc<CommandBus<Product>>,
    pub customers: Arc<CommandBus<Customer>>,
}

fn lookup<E: std::error::Error>(error: CommandError<E>) -> LookupError {
    match error {
        CommandError::Unavailable(message) => LookupError::Unavailable(message),
        other => LookupError::Store(other.to_string()),
    }
}

impl Catalogue for StoreCatalogue {
    fn product(
        &self,
        id: ProductId,
    ) -> BoxFuture<'_, Result<Option<CatalogueProduct>, LookupError>> {
        Box::pin(async move {
            let (product, _) = self.products.load(id).await.map_err(lookup)?;
            Ok(product.state().map(|p| CatalogueProduct {
                snapshot: ProductSnapshot {
                    product_id: id,
                    sku: p.sku.clone(),
                    label: p.details.name.clone(),
                    unit: p.details.unit,
                    price: p.details.price,
                    vat_rate: p.details.vat_rate,
                },
                archived: p.status == ProductStatus::Archived,
            }))
        })
    }

    fn customer(&self, id: CustomerId) -> BoxFuture<'_, Result<Option<bool>, LookupError>> {
        Box::pin(async move {
            let (customer, _) = self.customers.load(id).await.map_err(lookup)?;
            Ok(customer.state().map(|c| c.archived))
        })
    }
}
