//! The Order aggregate: a sales order from draft to fulfilment.
//!
//! DRAFT → SUBMITTING → SUBMITTED → FULFILLED; DRAFT or SUBMITTED → CANCELLED (final).
//! SUBMITTING lasts while the submit process (`crate::app::order_process`) reserves stock on the
//! Stock streams; it ends in SUBMITTED, or back in DRAFT with the shortages. Cancelling a
//! submitted order and fulfilling one are final at once; the stock step that follows
//! (release, consume) is marked done by its own event.

use std::collections::BTreeMap;
use std::sync::Arc;

use contracts::events::{aggregate_types, Need, OrderEvent, OrderLine, OrderStatus, Shortage};
use contracts::ids::{CustomerId, OrderId, ProductId};
use contracts::money::Money;
use contracts::pricing::{self, Discount, Totals};
use contracts::product::{ProductName, Quantity, Sku, Unit, VatRate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use futures::future::BoxFuture;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most lines on one order.
pub const MAX_LINES: usize = 500;

/// The product as a new line copies it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSnapshot {
    pub product_id: ProductId,
    pub sku: Sku,
    pub label: ProductName,
    pub unit: Unit,
    pub price: Money,
    pub vat_rate: VatRate,
}

/// A product as the catalogue holds it now.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueProduct {
    pub snapshot: ProductSnapshot,
    pub archived: bool,
}

/// What an order needs to know of other aggregates: the products and customers it names,
/// as they are when the command runs. command-api reads them from the event store
/// (`app::catalogue`); tests give them as plain values.
pub trait Catalogue: Send + Sync {
    fn product(
        &self,
        id: ProductId,
    ) -> BoxFuture<'_, Result<Option<CatalogueProduct>, LookupError>>;

    /// `Some(archived)` for a customer that exists.
    fn customer(&self, id: CustomerId) -> BoxFuture<'_, Result<Option<bool>, LookupError>>;
}

/// The order's services (cqrs-es `Aggregate::Services`).
pub type OrderServices = Arc<dyn Catalogue>;

/// A catalogue lookup that could not be made (not a rule: the store failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("event store failure: {0}")]
    Store(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderCommand {
    Create {
        id: OrderId,
        customer_id: Option<CustomerId>,
    },
    AddLine {
        product_id: ProductId,
        quantity: Quantity,
        /// Replaces the catalogue price when given.
        unit_price: Option<Money>,
        discount: Discount,
    },
    ChangeLine {
        line_no: u32,
        quantity: Option<Quantity>,
        unit_price: Option<Money>,
        discount: Option<Discount>,
    },
    RemoveLine {
        line_no: u32,
    },
    SetCustomer {
        customer_id: CustomerId,
    },
    SetTerms {
        notes: Option<String>,
        valid_until: Option<chrono::NaiveDate>,
    },
    BeginSubmit,
    CompleteSubmit,
    RejectSubmit {
        shortages: Vec<Shortage>,
    },
    Cancel {
        reason: Option<String>,
    },
    MarkStockReleased,
    Fulfil,
    MarkStockConsumed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("no such order")]
    NotFound,
    #[error("an order with this id already exists")]
    AlreadyExists,
    #[error("the order is {}, not a draft", .0.as_str())]
    NotDraft(OrderStatus),
    #[error("the order is {}: this is not possible now", .0.as_str())]
    WrongStatus(OrderStatus),
    #[error("the order has no line {0}")]
    NoSuchLine(u32),
    #[error("an order holds at most {MAX_LINES} lines")]
    TooManyLines,
    #[error("an order needs at least one line to be submitted")]
    NoLines,
    #[error("an order needs a customer to be submitted")]
    NoCustomer,
    #[error("no product has this id")]
    UnknownProduct,
    #[error("an archived product cannot be put on a new order")]
    ProductArchived,
    #[error("no customer has this id")]
    UnknownCustomer,
    #[error("this customer is archived")]
    CustomerArchived,
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// The customer an order may name: one that exists and is not archived.
async fn active_customer(catalogue: &dyn Catalogue, id: CustomerId) -> Result<(), OrderError> {
    match catalogue.customer(id).await? {
        None => Err(OrderError::UnknownCustomer),
        Some(true) => Err(OrderError::CustomerArchived),
        Some(false) => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Pending {
    Release,
    Consume,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Order {
    state: Option<State>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub number: String,
    pub status: OrderStatus,
    pub customer_id: Option<CustomerId>,
    pub lines: Vec<OrderLine>,
    next_line_no: u32,
    /// What the submit process reserves, product by product.
    pub needs: Vec<Need>,
    pending: Option<Pending>,
}

impl State {
    pub fn totals(&self) -> Totals {
        pricing::totals(self.lines.iter().map(|l| {
            (
                l.vat_rate,
                pricing::line_net(l.quantity, l.unit_price, l.discount),
            )
        }))
    }

    /// The stock step that a final status still owes: release or consume.
    pub fn owes_release(&self) -> bool {
        self.pending == Some(Pending::Release)
    }

    pub fn owes_consume(&self) -> bool {
        self.pending == Some(Pending::Consume)
    }
}

impl Order {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

/// The lines' quantities summed per product, in product-id order: the fixed order in
/// which stock is reserved, so that two submits never wait on each other in a cycle.
fn needs(lines: &[OrderLine]) -> Vec<Need> {
    let mut by_product: BTreeMap<ProductId, (Sku, Decimal)> = BTreeMap::new();
    for line in lines {
        by_product
            .entry(line.product_id)
            .or_insert((line.sku.clone(), Decimal::ZERO))
            .1 += line.quantity.value();
    }
    by_product
        .into_iter()
        .filter_map(|(product_id, (sku, total))| {
            Quantity::new(total).ok().map(|quantity| Need {
                product_id,
                sku,
                quantity,
            })
        })
        .collect()
}

impl Aggregate for Order {
    const TYPE: &'static str = aggregate_types::ORDER;
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;
    type Services = OrderServices;

    async fn handle(
        &mut self,
        command: Self::Command,
        catalogue: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let state = match (&command, &self.state) {
            (OrderCommand::Create { id, customer_id }, None) => {
                if let Some(customer) = customer_id {
                    active_customer(catalogue.as_ref(), *customer).await?;
                }
                sink.write(
                    OrderEvent::OrderCreated {
                        order_id: *id,
                        // Assigned by the database in the event's transaction.
                        number: String::new(),
                        customer_id: *customer_id,
                    },
                    self,
                )
                .await;
                return Ok(());
            }
            (OrderCommand::Create { .. }, Some(_)) => return Err(OrderError::AlreadyExists),
            (_, None) => return Err(OrderError::NotFound),
            (_, Some(state)) => state,
        };
        let draft = || {
            if state.status == OrderStatus::Draft {
                Ok(())
            } else {
                Err(OrderError::NotDraft(state.status))
            }
        };
        let wrong = || Err(OrderError::WrongStatus(state.status));
        let event = match command {
            OrderCommand::Create { .. } => return Err(OrderError::AlreadyExists),
            OrderCommand::AddLine {
                product_id,
                quantity,
                unit_price,
                discount,
            } => {
                draft()?;
                if state.lines.len() >= MAX_LINES {
                    return Err(OrderError::TooManyLines);
                }
                // The order's own rules first: no lookup for a command it refuses anyway.
                let product = match catalogue.product(product_id).await? {
                    None => return Err(OrderError::UnknownProduct),
                    Some(p) if p.archived => return Err(OrderError::ProductArchived),
                    Some(p) => p.snapshot,
                };
                OrderEvent::OrderLineAdded {
                    line: OrderLine {
                        line_no: state.next_line_no,
                        product_id: product.product_id,
                        sku: product.sku,
                        label: product.label,
                        unit: product.unit,
                        quantity,
                        unit_price: unit_price.unwrap_or(product.price),
                        discount,
                        vat_rate: product.vat_rate,
                    },
                }
            }
            OrderCommand::ChangeLine {
                line_no,
                quantity,
                unit_price,
                discount,
            } => {
                draft()?;
                let mut line = state
                    .lines
                    .iter()
                    .find(|l| l.line_no == line_no)
                    .cloned()
                    .ok_or(OrderError::NoSuchLine(line_no))?;
                let before = line.clone();
                line.quantity = quantity.unwrap_or(line.quantity);
                line.unit_price = unit_price.unwrap_or(line.unit_price);
                line.discount = discount.unwrap_or(line.discount);
                if line == before {
                    return Ok(());
                }
                OrderEvent::OrderLineChanged { line }
            }
            OrderCommand::RemoveLine { line_no } => {
                draft()?;
                if !state.lines.iter().any(|l| l.line_no == line_no) {
                    return Err(OrderError::NoSuchLine(line_no));
                }
                OrderEvent::OrderLineRemoved { line_no }
            }
            OrderCommand::SetCustomer { customer_id } => {
                draft()?;
                if state.customer_id == Some(customer_id) {
                    return Ok(());
                }
                active_customer(catalogue.as_ref(), customer_id).await?;
                OrderEvent::OrderCustomerSet { customer_id }
            }
            OrderCommand::SetTerms { notes, valid_until } => {
                draft()?;
                OrderEvent::OrderTermsSet { notes, valid_until }
            }
            OrderCommand::BeginSubmit => match state.status {
                // A process that was cut off resumes; nothing to record.
                OrderStatus::Submitting => return Ok(()),
                OrderStatus::Draft => {
                    if state.lines.is_empty() {
                        return Err(OrderError::NoLines);
                    }
                    if state.customer_id.is_none() {
                        return Err(OrderError::NoCustomer);
                    }
                    OrderEvent::OrderSubmissionStarted {
                        needs: needs(&state.lines),
                    }
                }
                _ => return wrong(),
            },
            OrderCommand::CompleteSubmit => match (state.status, state.customer_id) {
                (OrderStatus::Submitting, Some(customer_id)) => OrderEvent::OrderSubmitted {
                    number: state.number.clone(),
                    customer_id,
                    totals: state.totals(),
                    lines: state.needs.clone(),
                },
                (OrderStatus::Submitted, _) => return Ok(()),
                _ => return wrong(),
            },
            OrderCommand::RejectSubmit { shortages } => match state.status {
                OrderStatus::Submitting => OrderEvent::OrderSubmissionRejected { shortages },
                _ => return wrong(),
            },
            OrderCommand::Cancel { reason } => match state.status {
                OrderStatus::Draft | OrderStatus::Submitted => OrderEvent::OrderCancelled {
                    number: state.number.clone(),
                    customer_id: state.customer_id,
                    reason,
                    release: state.status == OrderStatus::Submitted,
                },
                OrderStatus::Cancelled => return Ok(()),
                OrderStatus::Submitting | OrderStatus::Fulfilled => return wrong(),
            },
            OrderCommand::MarkStockReleased => match state.pending {
                Some(Pending::Release) => OrderEvent::OrderStockReleased {},
                _ => return Ok(()),
            },
            OrderCommand::Fulfil => match (state.status, state.customer_id) {
                (OrderStatus::Submitted, Some(customer_id)) => OrderEvent::OrderFulfilled {
                    number: state.number.clone(),
                    customer_id,
                },
                (OrderStatus::Fulfilled, _) => return Ok(()),
                _ => return wrong(),
            },
            OrderCommand::MarkStockConsumed => match state.pending {
                Some(Pending::Consume) => OrderEvent::OrderStockConsumed {},
                _ => return Ok(()),
            },
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        if let OrderEvent::OrderCreated {
            number,
            customer_id,
            ..
        } = event
        {
            self.state = Some(State {
                number,
                status: OrderStatus::Draft,
                customer_id,
                lines: Vec::new(),
                next_line_no: 1,
                needs: Vec::new(),
                pending: None,
            });
            return;
        }
        let Some(state) = &mut self.state else {
            return;
        };
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::OrderLineAdded { line } => {
                state.next_line_no = state.next_line_no.max(line.line_no + 1);
                state.lines.push(line);
            }
            OrderEvent::OrderLineChanged { line } => {
                if let Some(l) = state.lines.iter_mut().find(|l| l.line_no == line.line_no) {
                    *l = line;
                }
            }
            OrderEvent::OrderLineRemoved { line_no } => {
                state.lines.retain(|l| l.line_no != line_no)
            }
            OrderEvent::OrderCustomerSet { customer_id } => state.customer_id = Some(customer_id),
            OrderEvent::OrderTermsSet { .. } => {}
            OrderEvent::OrderSubmissionStarted { needs } => {
                state.status = OrderStatus::Submitting;
                state.needs = needs;
            }
            OrderEvent::OrderSubmitted { .. } => state.status = OrderStatus::Submitted,
            OrderEvent::OrderSubmissionRejected { .. } => state.status = OrderStatus::Draft,
            OrderEvent::OrderCancelled { release, .. } => {
                state.status = OrderStatus::Cancelled;
                state.pending = release.then_some(Pending::Release);
            }
            OrderEvent::OrderFulfilled { .. } => {
                state.status = OrderStatus::Fulfilled;
                state.pending = Some(Pending::Consume);
            }
            OrderEvent::OrderStockReleased {} | OrderEvent::OrderStockConsumed {} => {
                state.pending = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type OrderTest = TestFramework<Order>;

    /// The catalogue as plain values: product 1 (`SKU-1`, 12.00, 20 %), product 9
    /// archived; the customer, and an archived one.
    struct Fixed;

    fn archived_customer() -> CustomerId {
        "0190a3c4-0000-7000-8000-0000000000d9".parse().unwrap()
    }

    impl Catalogue for Fixed {
        fn product(
            &self,
            id: ProductId,
        ) -> BoxFuture<'_, Result<Option<CatalogueProduct>, LookupError>> {
            let found = [(product(1), false), (product(9), true)]
                .into_iter()
                .find(|(p, _)| *p == id)
                .map(|(p, archived)| CatalogueProduct {
                    snapshot: ProductSnapshot {
                        product_id: p,
                        sku: Sku::parse("SKU-1").unwrap(),
                        label: ProductName::parse("Vis").unwrap(),
                        unit: Unit::Piece,
                        price: Money::new(dec("12")).unwrap(),
                        vat_rate: VatRate::new(dec("20")).unwrap(),
                    },
                    archived,
                });
            Box::pin(async move { Ok(found) })
        }

        fn customer(&self, id: CustomerId) -> BoxFuture<'_, Result<Option<bool>, LookupError>> {
            let found = if id == customer() {
                Some(false)
            } else if id == archived_customer() {
                Some(true)
            } else {
                None
            };
            Box::pin(async move { Ok(found) })
        }
    }

    fn catalogue() -> OrderServices {
        Arc::new(Fixed)
    }

    #[test]
    fn a_line_names_a_product_the_catalogue_holds_and_has_not_archived() {
        let add = |p| OrderCommand::AddLine {
            product_id: product(p),
            quantity: Quantity::new(dec("1")).unwrap(),
            unit_price: None,
            discount: Discount::NONE,
        };
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(add(9))
            .then_expect_error(OrderError::ProductArchived);
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(add(7))
            .then_expect_error(OrderError::UnknownProduct);
    }

    #[test]
    fn a_frozen_order_refuses_a_line_before_looking_the_product_up() {
        OrderTest::with(catalogue())
            .given(vec![
                created(),
                OrderEvent::OrderLineAdded {
                    line: line(1, 1, "2"),
                },
                OrderEvent::OrderSubmissionStarted { needs: Vec::new() },
            ])
            .when(OrderCommand::AddLine {
                product_id: product(7),
                quantity: Quantity::new(dec("1")).unwrap(),
                unit_price: None,
                discount: Discount::NONE,
            })
            .then_expect_error(OrderError::NotDraft(OrderStatus::Submitting));
    }

    #[test]
    fn an_order_names_a_customer_that_exists_and_is_not_archived() {
        OrderTest::with(catalogue())
            .given_no_previous_events()
            .when(OrderCommand::Create {
                id: id(),
                customer_id: Some(archived_customer()),
            })
            .then_expect_error(OrderError::CustomerArchived);
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(OrderCommand::SetCustomer {
                customer_id: archived_customer(),
            })
            .then_expect_error(OrderError::CustomerArchived);
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(OrderCommand::SetCustomer {
                customer_id: "0190a3c4-0000-7000-8000-0000000000d5".parse().unwrap(),
            })
            .then_expect_error(OrderError::UnknownCustomer);
        OrderTest::with(catalogue())
            .given(vec![OrderEvent::OrderCreated {
                order_id: id(),
                number: "PRO-2026-000001".to_owned(),
                customer_id: None,
            }])
            .when(OrderCommand::SetCustomer {
                customer_id: customer(),
            })
            .then_expect_events(vec![OrderEvent::OrderCustomerSet {
                customer_id: customer(),
            }]);
    }

    fn id() -> OrderId {
        "0190a3c4-0000-7000-8000-0000000000c1".parse().unwrap()
    }
    fn customer() -> CustomerId {
        "0190a3c4-0000-7000-8000-0000000000d1".parse().unwrap()
    }
    fn product(n: u8) -> ProductId {
        format!("0190a3c4-0000-7000-8000-0000000000{n:02}")
            .parse()
            .unwrap()
    }
    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn line(no: u32, p: u8, qty: &str) -> OrderLine {
        OrderLine {
            line_no: no,
            product_id: product(p),
            sku: Sku::parse(&format!("SKU-{p}")).unwrap(),
            label: ProductName::parse("Vis").unwrap(),
            unit: Unit::Piece,
            quantity: Quantity::new(dec(qty)).unwrap(),
            unit_price: Money::new(dec("10")).unwrap(),
            discount: Discount::NONE,
            vat_rate: VatRate::new(dec("20")).unwrap(),
        }
    }
    fn created() -> OrderEvent {
        OrderEvent::OrderCreated {
            order_id: id(),
            number: "PRO-2026-000001".to_owned(),
            customer_id: Some(customer()),
        }
    }

    #[test]
    fn a_line_copies_the_product_and_may_override_the_price() {
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(OrderCommand::AddLine {
                product_id: product(1),
                quantity: Quantity::new(dec("2")).unwrap(),
                unit_price: Some(Money::new(dec("10")).unwrap()),
                discount: Discount::NONE,
            })
            .then_expect_events(vec![OrderEvent::OrderLineAdded {
                line: line(1, 1, "2"),
            }]);
    }

    #[test]
    fn submitting_sums_needs_per_product_in_product_order() {
        OrderTest::with(catalogue())
            .given(vec![
                created(),
                OrderEvent::OrderLineAdded {
                    line: line(1, 2, "1"),
                },
                OrderEvent::OrderLineAdded {
                    line: line(2, 1, "3"),
                },
                OrderEvent::OrderLineAdded {
                    line: line(3, 2, "4"),
                },
            ])
            .when(OrderCommand::BeginSubmit)
            .then_expect_events(vec![OrderEvent::OrderSubmissionStarted {
                needs: vec![
                    Need {
                        product_id: product(1),
                        sku: Sku::parse("SKU-1").unwrap(),
                        quantity: Quantity::new(dec("3")).unwrap(),
                    },
                    Need {
                        product_id: product(2),
                        sku: Sku::parse("SKU-2").unwrap(),
                        quantity: Quantity::new(dec("5")).unwrap(),
                    },
                ],
            }]);
    }

    #[test]
    fn an_empty_order_or_one_without_customer_is_not_submitted() {
        OrderTest::with(catalogue())
            .given(vec![created()])
            .when(OrderCommand::BeginSubmit)
            .then_expect_error(OrderError::NoLines);
        OrderTest::with(catalogue())
            .given(vec![
                OrderEvent::OrderCreated {
                    order_id: id(),
                    number: "PRO-2026-000001".to_owned(),
                    customer_id: None,
                },
                OrderEvent::OrderLineAdded {
                    line: line(1, 1, "1"),
                },
            ])
            .when(OrderCommand::BeginSubmit)
            .then_expect_error(OrderError::NoCustomer);
    }

    #[test]
    fn a_submitting_order_is_frozen() {
        OrderTest::with(catalogue())
            .given(vec![
                created(),
                OrderEvent::OrderLineAdded {
                    line: line(1, 1, "1"),
                },
                OrderEvent::OrderSubmissionStarted { needs: vec![] },
            ])
            .when(OrderCommand::RemoveLine { line_no: 1 })
            .then_expect_error(OrderError::NotDraft(OrderStatus::Submitting));
    }

    #[test]
    fn completing_the_submit_records_the_totals() {
        let mut expected = line(1, 1, "3");
        expected.discount = Discount::new(dec("10")).unwrap();
        OrderTest::with(catalogue())
            .given(vec![
                created(),
                OrderEvent::OrderLineAdded {
                    line: expected.clone(),
                },
                OrderEvent::OrderSubmissionStarted { needs: vec![] },
            ])
            .when(OrderCommand::CompleteSubmit)
            .then_expect_events(vec![OrderEvent::OrderSubmitted {
                number: "PRO-2026-000001".to_owned(),
                customer_id: customer(),
                totals: pricing::totals([(expected.vat_rate, Money::new(dec("27")).unwrap())]),
                lines: vec![],
            }]);
    }

    #[test]
    fn cancelling_a_submitted_order_owes_a_release_and_is_final() {
        let submitted = vec![
            created(),
            OrderEvent::OrderLineAdded {
                line: line(1, 1, "1"),
            },
            OrderEvent::OrderSubmissionStarted { needs: vec![] },
            OrderEvent::OrderSubmitted {
                number: "PRO-2026-000001".to_owned(),
                customer_id: customer(),
                totals: pricing::totals([]),
                lines: vec![],
            },
        ];
        OrderTest::with(catalogue())
            .given(submitted.clone())
            .when(OrderCommand::Cancel { reason: None })
            .then_expect_events(vec![OrderEvent::OrderCancelled {
                number: "PRO-2026-000001".to_owned(),
                customer_id: Some(customer()),
                reason: None,
                release: true,
            }]);
        let mut cancelled = submitted;
        cancelled.push(OrderEvent::OrderCancelled {
            number: "PRO-2026-000001".to_owned(),
            customer_id: Some(customer()),
            reason: None,
            release: true,
        });
        OrderTest::with(catalogue())
            .given(cancelled)
            .when(OrderCommand::Fulfil)
            .then_expect_error(OrderError::WrongStatus(OrderStatus::Cancelled));
    }
}
