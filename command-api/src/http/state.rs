//! What every command handler is given.

use std::sync::Arc;

use contracts::product::VatRates;

use crate::app::invoicing::Invoicing;
use crate::app::order_process::OrderProcesses;
use crate::auth::Auth;
use crate::domain::customer::Customer;
use crate::domain::product::Product;
use crate::es::CommandBus;

#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::PgPool,
    pub products: Arc<CommandBus<Product>>,
    pub customers: Arc<CommandBus<Customer>>,
    /// Orders, and the stock they reserve.
    pub orders: Arc<OrderProcesses>,
    /// Invoices, their credit notes and payments.
    pub invoicing: Arc<Invoicing>,
    pub auth: Arc<Auth>,
    /// The VAT rates a price may use.
    pub vat_rates: Arc<VatRates>,
    /// The browser origins allowed by CORS: a cookie-mode `/auth` call from any other
    /// origin is refused (CSRF).
    pub browser_origins: Arc<[axum::http::HeaderValue]>,
}

impl AppState {
    pub fn with_vat_rates(mut self, rates: VatRates) -> Self {
        self.vat_rates = Arc::new(rates);
        self
    }

    /// Who issues invoices (a snapshot of it goes into each); none: invoices are refused
    /// with 503 `seller_not_configured`.
    pub fn with_seller(mut self, seller: Option<contracts::invoice::Seller>) -> Self {
        self.invoicing = Arc::new(Invoicing::new(
            self.pool.clone(),
            Arc::clone(&self.orders.orders),
            Arc::clone(&self.customers),
            seller,
        ));
        self
    }

    pub fn new(pool: sqlx::PgPool, auth: Arc<Auth>) -> Self {
        let products = Arc::new(CommandBus::new(pool.clone(), ()));
        let customers = Arc::new(CommandBus::new(pool.clone(), ()));
        let orders = Arc::new(OrderProcesses::new(
            pool.clone(),
            Arc::clone(&products),
            Arc::clone(&customers),
        ));
        Self {
            invoicing: Arc::new(Invoicing::new(
                pool.clone(),
                Arc::clone(&orders.orders),
                Arc::clone(&customers),
                None,
            )),
            orders,
            customers,
            pool,
            products,
            auth,
            vat_rates: Arc::new(VatRates::default()),
            browser_origins: Arc::from(Vec::new()),
        }
    }
}
