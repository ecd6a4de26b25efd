//! The order process manager: the steps of an order that touch several Stock streams.
//!
//! - **submit**: `OrderSubmissionStarted` (the order is SUBMITTING and frozen), then one
//!   reservation per product in product-id order; at the first refusal the remaining
//!   products are only checked (to name every short line), what was taken is released,
//!   and `OrderSubmissionRejected` puts the order back in DRAFT. Otherwise
//!   `OrderSubmitted`.
//! - **release** after a submitted order is cancelled, **consume** after it is fulfilled:
//!   the final status is recorded first, then each product's reservation is released or
//!   consumed, then `OrderStockReleased` / `OrderStockConsumed`.
//!
//! The progress is the events themselves: the order's (what is started, what is done)
//! and the stock's (reservations keyed by order, so every stock step is idempotent). A
//! trigger keeps `order_processes` in step with them, in the same transactions. A process
//! cut off anywhere (crash, deploy, lost database connection) is driven again from the
//! start by [`OrderProcesses::resume_all`], which command-api runs at start-up and every
//! second: it completes or compensates, and no stock stays reserved for an order
//! that is not SUBMITTED. One driver per order at a time: it holds a lease on the
//! process's row (not a lock on a connection, which 64 concurrent submits would take
//! from the pool that their own stock commands need). The lease is short and renewed
//! while its driver lives, so a crashed driver's process is taken over within seconds.

use std::sync::Arc;
use std::time::Duration;

use contracts::events::{Need, OrderEvent, OrderStatus, Shortage};
use contracts::ids::{OrderId, ProductId};
use contracts::metadata::EventMeta;
use contracts::product::Quantity;
use sqlx::PgPool;

use super::catalogue::StoreCatalogue;
use crate::domain::customer::Customer;
use crate::domain::order::{Order, OrderCommand, OrderError};
use crate::domain::product::{Product, ProductError};
use crate::domain::stock::{Stock, StockAction, StockCommand, StockError};
use crate::es::{CommandBus, CommandError};

/// Attempts for a stock command that loses a race: reservations are retried, never
/// reported as conflicts.
const STOCK_ATTEMPTS: u32 = 40;

/// How long a lease lasts unless renewed: how long a crashed driver's process waits
/// before another driver takes it over.
const LEASE: Duration = Duration::from_secs(4);
/// How often a live driver renews its lease.
const RENEW_EVERY: Duration = Duration::from_secs(1);

/// How long a submit waits for another driver of the same order to decide.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Order(#[from] CommandError<OrderError>),
    #[error("stock: {0}")]
    Stock(CommandError<StockError>),
    #[error("product: {0}")]
    Product(CommandError<ProductError>),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Another driver holds the order's process and did not decide in time.
    #[error("the order is being processed; retry shortly")]
    Busy,
}

/// What a driver found.
enum Drive {
    /// It drove the process (with the submit's outcome, if it was a submit), or there
    /// was nothing left to drive.
    Done(Option<SubmitOutcome>),
    /// Another driver holds the process.
    Busy,
}

/// How a submit ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    Submitted {
        version: u64,
    },
    Rejected {
        version: u64,
        shortages: Vec<Shortage>,
    },
}

pub struct OrderProcesses {
    pool: PgPool,
    pub orders: Arc<CommandBus<Order>>,
    pub stock: Arc<CommandBus<Stock>>,
    pub products: Arc<CommandBus<Product>>,
}

impl OrderProcesses {
    pub fn new(
        pool: PgPool,
        products: Arc<CommandBus<Product>>,
        customers: Arc<CommandBus<Customer>>,
    ) -> Self {
        let catalogue = StoreCatalogue {
            products: Arc::clone(&products),
            customers,
        };
        Self {
            orders: Arc::new(CommandBus::new(pool.clone(), Arc::new(catalogue) as _)),
            stock: Arc::new(CommandBus::new(pool.clone(), ()).with_max_attempts(STOCK_ATTEMPTS)),
            products,
            pool,
        }
    }

    pub async fn submit(
        &self,
        id: OrderId,
        expected_version: Option<u64>,
        metadata: EventMeta,
    ) -> Result<SubmitOutcome, ProcessError> {
        self.orders
            .execute_detached(
                id,
                OrderCommand::BeginSubmit,
                expected_version,
                metadata.clone(),
            )
            .await?;
        match self.drive(id, metadata).await? {
            Drive::Done(Some(outcome)) => Ok(outcome),
            // Another driver has it (a double click): report what it decides.
            Drive::Done(None) | Drive::Busy => self.outcome(id).await,
        }
    }

    /// The decided outcome of a submit, waiting (bounded) while another driver decides.
    async fn outcome(&self, id: OrderId) -> Result<SubmitOutcome, ProcessError> {
        let deadline = tokio::time::Instant::now() + WAIT_FOR_OTHER;
        loop {
            let (order, version) = self.orders.load(id).await?;
            let Some(state) = order.state() else {
                return Err(CommandError::Domain(OrderError::NotFound).into());
            };
            match state.status {
                OrderStatus::Submitting if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                OrderStatus::Submitting => return Err(ProcessError::Busy),
                OrderStatus::Draft => {
                    return Ok(SubmitOutcome::Rejected {
                        version,
                        shortages: Vec::new(),
                    })
                }
                _ => return Ok(SubmitOutcome::Submitted { version }),
            }
        }
    }

    /// Cancels; a submitted order's reservations are then released.
    pub async fn cancel(
        &self,
        id: OrderId,
        expected_version: Option<u64>,
        reason: Option<String>,
        metadata: EventMeta,
    ) -> Result<u64, ProcessError> {
        let committed = self
            .orders
            .execute_detached(
                id,
                OrderCommand::Cancel { reason },
                expected_version,
                metadata.clone(),
            )
            .await?;
        self.finish_stock_step(id, committed.version, &committed.events, metadata)
            .await
    }

    /// Fulfils; the reservations then leave on-hand stock.
    pub async fn fulfil(
        &self,
        id: OrderId,
        expected_version: Option<u64>,
        metadata: EventMeta,
    ) -> Result<u64, ProcessError> {
        let committed = self
            .orders
            .execute_detached(id, OrderCommand::Fulfil, expected_version, metadata.clone())
            .await?;
        self.finish_stock_step(id, committed.version, &committed.events, metadata)
            .await
    }

    async fn finish_stock_step(
        &self,
        id: OrderId,
        version: u64,
        events: &[OrderEvent],
        metadata: EventMeta,
    ) -> Result<u64, ProcessError> {
        let owes = events.iter().any(|e| {
            matches!(
                e,
                OrderEvent::OrderCancelled { release: true, .. }
                    | OrderEvent::OrderFulfilled { .. }
            )
        });
        if owes {
            self.drive(id, metadata).await?;
            let (_, version) = self.orders.load(id).await?;
            return Ok(version);
        }
        Ok(version)
    }

    /// Drives every process whose driver died (its lease ran out) or that no driver
    /// claimed for `older_than`; returns how many.
    pub async fn resume_all(&self, older_than: Duration) -> Result<usize, ProcessError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT order_id FROM order_processes
              WHERE lease_until < now()
                 OR (lease_until IS NULL AND started_at <= now() - make_interval(secs => $1))
              ORDER BY started_at",
        )
        .bind(older_than.as_secs_f64())
        .fetch_all(&self.pool)
        .await?;
        let mut resumed = 0;
        for id in ids {
            let Ok(id) = id.parse::<OrderId>() else {
                continue;
            };
            let metadata = EventMeta::system(format!("resume-{id}"));
            match self.drive(id, metadata).await {
                Ok(Drive::Done(_)) => resumed += 1,
                Ok(Drive::Busy) => {}
                Err(error) => {
                    tracing::warn!(%id, %error, "order process not resumed; retrying later")
                }
            }
        }
        Ok(resumed)
    }

    /// Resumes interrupted processes now and every `every` until `shutdown`.
    pub async fn run_recovery(
        self: Arc<Self>,
        every: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            // An unclaimed process younger than this is most likely about to be claimed
            // by its own request.
            match self.resume_all(Duration::from_secs(2)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(resumed = n, "order processes resumed"),
                Err(error) => tracing::warn!(%error, "order process recovery failed"),
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Runs whatever step the order owes, holding the lease on its process.
    async fn drive(&self, id: OrderId, metadata: EventMeta) -> Result<Drive, ProcessError> {
        let key = id.to_string();
        let claimed: Option<bool> = sqlx::query_scalar(
            "UPDATE order_processes SET lease_until = now() + make_interval(secs => $2)
              WHERE order_id = $1 AND (lease_until IS NULL OR lease_until < now())
          RETURNING true",
        )
        .bind(&key)
        .bind(LEASE.as_secs_f64())
        .fetch_optional(&self.pool)
        .await?;
        if claimed.is_none() {
            let in_flight: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM order_processes WHERE order_id = $1)",
            )
            .bind(&key)
            .fetch_one(&self.pool)
            .await?;
            return Ok(if in_flight {
                Drive::Busy
            } else {
                Drive::Done(None)
            });
        }
        let result = self.renewing(&key, self.drive_leased(id, metadata)).await;
        if result.is_err() {
            // Give it back at once: the next recovery round retries it.
            let _ =
                sqlx::query("UPDATE order_processes SET lease_until = NULL WHERE order_id = $1")
                    .bind(&key)
                    .execute(&self.pool)
                    .await;
        }
        result.map(Drive::Done)
    }

    /// Runs `work`, renewing the lease on `key`'s process while it runs. The renewals
    /// run beside the work, never pausing it (it may hold locks other drivers wait on),
    /// and stop with it, even if it is dropped.
    async fn renewing<T>(&self, key: &str, work: impl std::future::Future<Output = T>) -> T {
        let mut renewals = tokio::task::JoinSet::new();
        renewals.spawn(renew_lease(self.pool.clone(), key.to_owned()));
        let done = work.await;
        renewals.abort_all();
        done
    }

    async fn drive_leased(
        &self,
        id: OrderId,
        metadata: EventMeta,
    ) -> Result<Option<SubmitOutcome>, ProcessError> {
        let (order, _) = self.orders.load(id).await?;
        let Some(state) = order.state() else {
            return Ok(None);
        };
        let needs = state.needs.clone();
        if state.status == OrderStatus::Submitting {
            return self.reserve(id, &needs, metadata).await.map(Some);
        }
        // A cancelled order owes a release of what it holds, a fulfilled one a consume.
        let owed = if state.owes_release() {
            Some((
                StockAction::Release { order_id: id },
                OrderCommand::MarkStockReleased,
            ))
        } else if state.owes_consume() {
            Some((
                StockAction::Consume { order_id: id },
                OrderCommand::MarkStockConsumed,
            ))
        } else {
            None
        };
        if let Some((action, done)) = owed {
            for need in &needs {
                self.stock_step(need.product_id, action.clone(), &metadata)
                    .await?;
            }
            self.order_step(id, done, metadata).await?;
        }
        Ok(None)
    }

    async fn reserve(
        &self,
        id: OrderId,
        needs: &[Need],
        metadata: EventMeta,
    ) -> Result<SubmitOutcome, ProcessError> {
        let mut shortages = Vec::new();
        for need in needs {
            if !shortages.is_empty() {
                // Refused already: only look, so as to name every short line.
                let (stock, _) = self
                    .stock
                    .load(need.product_id)
                    .await
                    .map_err(ProcessError::Stock)?;
                if stock.available() < need.quantity.value() {
                    shortages.push(shortage(need, stock.available()));
                }
                continue;
            }
            let action = StockAction::Reserve {
                order_id: id,
                quantity: need.quantity,
            };
            match self.stock_step(need.product_id, action, &metadata).await {
                Ok(()) => {}
                Err(ProcessError::Stock(CommandError::Domain(StockError::Insufficient {
                    available,
                    ..
                }))) => {
                    shortages.push(shortage(need, available));
                }
                Err(other) => return Err(other),
            }
        }
        if shortages.is_empty() {
            let version = self
                .order_step(id, OrderCommand::CompleteSubmit, metadata)
                .await?;
            return Ok(SubmitOutcome::Submitted { version });
        }
        for need in needs {
            self.stock_step(
                need.product_id,
                StockAction::Release { order_id: id },
                &metadata,
            )
            .await?;
        }
        let version = self
            .order_step(
                id,
                OrderCommand::RejectSubmit {
                    shortages: shortages.clone(),
                },
                metadata,
            )
            .await?;
        Ok(SubmitOutcome::Rejected { version, shortages })
    }

    async fn order_step(
        &self,
        id: OrderId,
        command: OrderCommand,
        metadata: EventMeta,
    ) -> Result<u64, ProcessError> {
        Ok(self
            .orders
            .execute_detached(id, command, None, metadata)
            .await?
            .version)
    }

    /// One stock command, with the product's current low-stock threshold.
    async fn stock_step(
        &self,
        product_id: ProductId,
        action: StockAction,
        metadata: &EventMeta,
    ) -> Result<(), ProcessError> {
        let command = stock_command(&self.products, product_id, action).await?;
        self.stock
            .execute_detached(product_id, command, None, metadata.clone())
            .await
            .map(drop)
            .map_err(ProcessError::Stock)
    }
}

/// A stock command for `product_id`, carrying the product's threshold as it is now.
pub async fn stock_command(
    products: &CommandBus<Product>,
    product_id: ProductId,
    action: StockAction,
) -> Result<StockCommand, ProcessError> {
    let (product, _) = products
        .load(product_id)
        .await
        .map_err(ProcessError::Product)?;
    Ok(StockCommand {
        product_id,
        threshold: product.state().and_then(|p| p.details.low_stock_threshold),
        action,
    })
}

fn shortage(need: &Need, available: rust_decimal::Decimal) -> Shortage {
    Shortage {
        product_id: need.product_id,
        sku: need.sku.clone(),
        requested: need.quantity,
        available: Quantity::new(available.max(rust_decimal::Decimal::ZERO))
            .unwrap_or(Quantity::ZERO),
    }
}

/// Renews a process's lease every [`RENEW_EVERY`], until aborted.
async fn renew_lease(pool: PgPool, key: String) {
    let mut renew =
        tokio::time::interval_at(tokio::time::Instant::now() + RENEW_EVERY, RENEW_EVERY);
    loop {
        renew.tick().await;
        let renewed = sqlx::query(
            "UPDATE order_processes SET lease_until = now() + make_interval(secs => $2)
              WHERE order_id = $1",
        )
        .bind(&key)
        .bind(LEASE.as_secs_f64())
        .execute(&pool)
        .await;
        if let Err(error) = renewed {
            tracing::warn!(%key, %error, "order process lease not renewed");
        }
    }
}
