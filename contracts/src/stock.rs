//! Stock value types: why stock moved, and by how much.

use crate::FieldCode;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::product::Quantity;
use crate::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum AdjustmentReason {
    Receipt,
    InventoryCount,
    Loss,
    Return,
    Correction,
}

impl AdjustmentReason {
    pub const ALL: [AdjustmentReason; 5] = [
        AdjustmentReason::Receipt,
        AdjustmentReason::InventoryCount,
        AdjustmentReason::Loss,
        AdjustmentReason::Return,
        AdjustmentReason::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentReason::Receipt => "receipt",
            AdjustmentReason::InventoryCount => "inventory_count",
            AdjustmentReason::Loss => "loss",
            AdjustmentReason::Return => "return",
            AdjustmentReason::Correction => "correction",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                Invalid::new(
                    FieldCode::UnknownReason,
                    "one of receipt, inventory_count, loss, return, correction",
                )
            })
    }
}

/// A signed change of on-hand stock: non-zero, at most 3 decimals, bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StockDelta(#[serde(with = "rust_decimal::serde::str")] Decimal);

impl StockDelta {
    pub fn new(value: Decimal) -> Result<Self, Invalid> {
        let value = value.normalize();
        if value.is_zero() {
            return Err(Invalid::new(
                FieldCode::Zero,
                "a change of zero moves nothing",
            ));
        }
        if value.scale() > Quantity::MAX_SCALE {
            return Err(Invalid::new(
                FieldCode::TooPrecise,
                format!("at most {} decimals", Quantity::MAX_SCALE),
            ));
        }
        if value.abs() > Decimal::from(1_000_000_000_u64) {
            return Err(Invalid::new(
                FieldCode::TooLarge,
                "at most 1000000000 either way",
            ));
        }
        Ok(Self(value))
    }

    /// [`StockDelta::new`] from its text (`"-2.5"`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::money::parse_decimal(raw).and_then(Self::new)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for StockDelta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for AdjustmentReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_is_signed_non_zero_and_bounded() {
        assert!(StockDelta::new(Decimal::new(-25, 1)).is_ok());
        assert_eq!(StockDelta::new(Decimal::ZERO).unwrap_err().code, "zero");
        assert_eq!(
            StockDelta::new(Decimal::new(1, 4)).unwrap_err().code,
            "too_precise"
        );
        assert_eq!(
            AdjustmentReason::parse("loss").unwrap(),
            AdjustmentReason::Loss
        );
        assert!(AdjustmentReason::parse("theft").is_err());
    }

    mod properties {
        use super::super::*;
        use crate::prop::{
            accepted_round_trips, any_decimal, config, decimal_text, hostile, json_round_trip,
            one_of_words, text_round_trip,
        };
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn a_delta_never_panics_and_round_trips(raw in decimal_text()) {
                accepted_round_trips(&raw, StockDelta::parse)?;
            }

            #[test]
            fn a_delta_takes_any_decimal(value in any_decimal()) {
                if let Ok(delta) = StockDelta::new(value) {
                    json_round_trip(&delta)?;
                    text_round_trip(&delta, StockDelta::parse)?;
                }
            }

            #[test]
            fn a_reason_never_panics_and_round_trips(raw in hostile(one_of_words(&[
                "receipt", "inventory_count", "loss", "return", "correction",
            ]))) {
                accepted_round_trips(&raw, AdjustmentReason::parse)?;
            }
        }
    }
}
