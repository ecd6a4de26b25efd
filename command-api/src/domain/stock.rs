//! The Stock aggregate: one stream per product, holding on-hand and reserved quantities
//! and the reservation of each order.
//!
//! Invariants: reserved ≥ 0, on_hand ≥ reserved, a reservation never exceeds what is
//! available. Reservations are keyed by order, so a repeated reserve, release or consume
//! is a no-op. The product's low-stock threshold comes with each command (it belongs to
//! the product); `StockLow` is recorded when available crosses from above it to at or
//! below it, not on every change while below.

use std::collections::{BTreeMap, BTreeSet};

use super::decide::{pure_aggregate, Decide};
use contracts::events::{aggregate_types, StockEvent};
use contracts::ids::{OrderId, ProductId};
use contracts::product::Quantity;
use contracts::stock::{AdjustmentReason, StockDelta};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct StockCommand {
    pub product_id: ProductId,
    /// The product's threshold now: `None` no alert, `Some(0)` alert when out of stock.
    pub threshold: Option<Quantity>,
    pub action: StockAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StockAction {
    Adjust {
        delta: StockDelta,
        reason: AdjustmentReason,
        comment: Option<String>,
    },
    Reserve {
        order_id: OrderId,
        quantity: Quantity,
    },
    Release {
        order_id: OrderId,
    },
    Consume {
        order_id: OrderId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("only {available} available, {requested} requested")]
    Insufficient {
        requested: Decimal,
        available: Decimal,
    },
    #[error("on hand would be {on_hand}, below the {reserved} reserved")]
    BelowReserved { on_hand: Decimal, reserved: Decimal },
    #[error("this order holds no reservation of this product")]
    NoReservation,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Stock {
    on_hand: Decimal,
    reserved: Decimal,
    reservations: BTreeMap<OrderId, Decimal>,
    consumed: BTreeSet<OrderId>,
}

impl Stock {
    pub fn on_hand(&self) -> Decimal {
        self.on_hand
    }

    pub fn reserved(&self) -> Decimal {
        self.reserved
    }

    pub fn available(&self) -> Decimal {
        self.on_hand - self.reserved
    }

    pub fn reservation(&self, order: OrderId) -> Option<Decimal> {
        self.reservations.get(&order).copied()
    }
}

fn quantity(value: Decimal) -> Quantity {
    // Every value passed here is a sum or difference of valid quantities kept ≥ 0 by the
    // invariants; a failure would be a bug in this module, shown as zero in the event.
    Quantity::new(value.max(Decimal::ZERO)).unwrap_or(Quantity::ZERO)
}

pure_aggregate!(Stock, aggregate_types::STOCK);

impl Decide for Stock {
    type Command = StockCommand;
    type Event = StockEvent;
    type Error = StockError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let before = self.available();
        let event = match command.action {
            StockAction::Adjust {
                delta,
                reason,
                comment,
            } => {
                let on_hand = self.on_hand + delta.value();
                if on_hand < self.reserved {
                    return Err(StockError::BelowReserved {
                        on_hand,
                        reserved: self.reserved,
                    });
                }
                StockEvent::StockAdjusted {
                    product_id: command.product_id,
                    delta,
                    reason,
                    comment,
                    on_hand: quantity(on_hand),
                }
            }
            StockAction::Reserve { order_id, quantity } => {
                if self.reservations.contains_key(&order_id) {
                    return Ok(vec![]);
                }
                if quantity.value() > self.available() {
                    return Err(StockError::Insufficient {
                        requested: quantity.value(),
                        available: self.available(),
                    });
                }
                StockEvent::StockReserved { order_id, quantity }
            }
            StockAction::Release { order_id } => match self.reservations.get(&order_id) {
                None => return Ok(vec![]),
                Some(&held) => StockEvent::StockReleased {
                    order_id,
                    quantity: quantity(held),
                },
            },
            StockAction::Consume { order_id } => match self.reservations.get(&order_id) {
                Some(&held) => StockEvent::StockConsumed {
                    order_id,
                    quantity: quantity(held),
                },
                None if self.consumed.contains(&order_id) => return Ok(vec![]),
                None => return Err(StockError::NoReservation),
            },
        };
        let mut after = self.clone();
        after.evolve(event.clone());
        let mut events = vec![event];
        if let Some(threshold) = command.threshold {
            let now = after.available();
            if before > threshold.value() && now <= threshold.value() {
                events.push(StockEvent::StockLow {
                    product_id: command.product_id,
                    available: quantity(now),
                    threshold,
                });
            }
        }
        Ok(events)
    }

    fn evolve(&mut self, event: Self::Event) {
        match event {
            StockEvent::StockAdjusted { on_hand, .. } => self.on_hand = on_hand.value(),
            StockEvent::StockReserved { order_id, quantity } => {
                self.reserved += quantity.value();
                self.reservations.insert(order_id, quantity.value());
            }
            StockEvent::StockReleased { order_id, quantity } => {
                self.reserved -= quantity.value();
                self.reservations.remove(&order_id);
            }
            StockEvent::StockConsumed { order_id, quantity } => {
                self.reserved -= quantity.value();
                self.on_hand -= quantity.value();
                self.reservations.remove(&order_id);
                self.consumed.insert(order_id);
            }
            StockEvent::StockLow { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type StockTest = TestFramework<Stock>;

    fn product() -> ProductId {
        "0190a3c4-0000-7000-8000-000000000001".parse().unwrap()
    }
    fn order(n: u8) -> OrderId {
        format!("0190a3c4-0000-7000-8000-0000000000{n:02}")
            .parse()
            .unwrap()
    }
    fn q(n: i64) -> Quantity {
        Quantity::new(Decimal::from(n)).unwrap()
    }
    fn cmd(action: StockAction) -> StockCommand {
        StockCommand {
            product_id: product(),
            threshold: None,
            action,
        }
    }
    fn received(n: i64) -> StockEvent {
        StockEvent::StockAdjusted {
            product_id: product(),
            delta: StockDelta::new(Decimal::from(n)).unwrap(),
            reason: AdjustmentReason::Receipt,
            comment: None,
            on_hand: q(n),
        }
    }
    fn reserved(o: u8, n: i64) -> StockEvent {
        StockEvent::StockReserved {
            order_id: order(o),
            quantity: q(n),
        }
    }

    #[test]
    fn a_reservation_that_fits_is_recorded() {
        StockTest::with(())
            .given(vec![received(10)])
            .when(cmd(StockAction::Reserve {
                order_id: order(1),
                quantity: q(4),
            }))
            .then_expect_events(vec![reserved(1, 4)]);
    }

    #[test]
    fn a_reservation_beyond_available_is_refused_with_the_quantities() {
        StockTest::with(())
            .given(vec![received(10), reserved(1, 8)])
            .when(cmd(StockAction::Reserve {
                order_id: order(2),
                quantity: q(3),
            }))
            .then_expect_error(StockError::Insufficient {
                requested: Decimal::from(3),
                available: Decimal::from(2),
            });
    }

    #[test]
    fn reserving_twice_for_one_order_is_a_no_op() {
        StockTest::with(())
            .given(vec![received(10), reserved(1, 4)])
            .when(cmd(StockAction::Reserve {
                order_id: order(1),
                quantity: q(4),
            }))
            .then_expect_events(vec![]);
    }

    #[test]
    fn release_frees_exactly_what_the_order_held_and_only_once() {
        StockTest::with(())
            .given(vec![received(10), reserved(1, 4)])
            .when(cmd(StockAction::Release { order_id: order(1) }))
            .then_expect_events(vec![StockEvent::StockReleased {
                order_id: order(1),
                quantity: q(4),
            }]);
        StockTest::with(())
            .given(vec![received(10)])
            .when(cmd(StockAction::Release { order_id: order(1) }))
            .then_expect_events(vec![]);
    }

    #[test]
    fn an_adjustment_cannot_take_on_hand_below_reserved() {
        StockTest::with(())
            .given(vec![received(10), reserved(1, 8)])
            .when(cmd(StockAction::Adjust {
                delta: StockDelta::new(Decimal::from(-3)).unwrap(),
                reason: AdjustmentReason::Loss,
                comment: None,
            }))
            .then_expect_error(StockError::BelowReserved {
                on_hand: Decimal::from(7),
                reserved: Decimal::from(8),
            });
    }

    #[test]
    fn consuming_takes_the_reservation_out_of_on_hand_once() {
        let consumed = StockEvent::StockConsumed {
            order_id: order(1),
            quantity: q(4),
        };
        StockTest::with(())
            .given(vec![received(10), reserved(1, 4)])
            .when(cmd(StockAction::Consume { order_id: order(1) }))
            .then_expect_events(vec![consumed.clone()]);
        StockTest::with(())
            .given(vec![received(10), reserved(1, 4), consumed])
            .when(cmd(StockAction::Consume { order_id: order(1) }))
            .then_expect_events(vec![]);
        StockTest::with(())
            .given(vec![received(10)])
            .when(cmd(StockAction::Consume { order_id: order(2) }))
            .then_expect_error(StockError::NoReservation);
    }

    #[test]
    fn stock_low_is_recorded_when_available_crosses_the_threshold_only() {
        let with_threshold = |action| StockCommand {
            product_id: product(),
            threshold: Some(q(5)),
            action,
        };
        StockTest::with(())
            .given(vec![received(10)])
            .when(with_threshold(StockAction::Reserve {
                order_id: order(1),
                quantity: q(6),
            }))
            .then_expect_events(vec![
                reserved(1, 6),
                StockEvent::StockLow {
                    product_id: product(),
                    available: q(4),
                    threshold: q(5),
                },
            ]);
        // Already below: no second alert.
        StockTest::with(())
            .given(vec![received(10), reserved(1, 6)])
            .when(with_threshold(StockAction::Reserve {
                order_id: order(2),
                quantity: q(1),
            }))
            .then_expect_events(vec![reserved(2, 1)]);
    }
}
