//! Money: decimal, never a float, in JSON as a string (`"12.50"`), EUR unless stated.

use crate::FieldCode;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// How a decimal is written where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// As a client of the API writes it (`"12.50"`, `"-3"`): digits with at most one point
    /// and a sign, nothing else (no exponent, no float), spaces around it aside.
    Plain,
    /// As spreadsheets save it, French ones included (`1 234,50`): spaces anywhere (the
    /// no-break ones that group digits included) are dropped, and a comma is the decimal
    /// mark when there is no point.
    Spreadsheet,
}

impl Notation {
    /// The one decimal parser: every decimal value type's `parse` and the CSV import
    /// start here, each with its notation.
    pub fn parse(self, raw: &str) -> Result<Decimal, Invalid> {
        let (text, example) = match self {
            Notation::Plain => (raw.trim().to_owned(), "a decimal number such as \"12.50\""),
            Notation::Spreadsheet => {
                let mut text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                if text.contains(',') && !text.contains('.') {
                    text = text.replace(',', ".");
                }
                (text, "a decimal number such as 12.50 or 12,50")
            }
        };
        Decimal::from_str_exact(&text).map_err(|_| Invalid::new(FieldCode::InvalidDecimal, example))
    }
}

/// A decimal as a client writes it: [`Notation::Plain`].
pub fn parse_decimal(raw: &str) -> Result<Decimal, Invalid> {
    Notation::Plain.parse(raw)
}

/// A non-negative amount of euros with at most [`Money::MAX_SCALE`] decimals.
///
/// Unit prices may carry sub-cent precision (trading often quotes 4 decimals); amounts
/// that are charged are rounded to the cent with [`Money::round_to_cents`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(#[serde(with = "rust_decimal::serde::str")] Decimal);

impl Money {
    pub const MAX_SCALE: u32 = 4;
    /// One billion euros: beyond this an amount is a typing error, not a price.
    pub const MAX: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Result<Self, Invalid> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Invalid::new(FieldCode::Negative, "must not be negative"));
        }
        if amount.normalize().scale() > Self::MAX_SCALE {
            return Err(Invalid::new(
                FieldCode::TooPrecise,
                format!("at most {} decimals", Self::MAX_SCALE),
            ));
        }
        if amount > Self::MAX {
            return Err(Invalid::new(
                FieldCode::TooLarge,
                format!("at most {}", Self::MAX),
            ));
        }
        // Keep at least cents so that "12.5" is shown as "12.50".
        let mut amount = amount.normalize();
        if amount.scale() < 2 {
            amount.rescale(2);
        }
        Ok(Self(amount))
    }

    /// [`Money::new`] from its text (`"12.50"`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_decimal(raw).and_then(Self::new)
    }

    pub fn amount(&self) -> Decimal {
        self.0
    }

    /// An amount computed from valid amounts (a line net, a total): not re-validated
    /// against [`Money::MAX`], which bounds what a user types, not what sums reach.
    pub(crate) fn computed(amount: Decimal) -> Self {
        Self(amount.max(Decimal::ZERO))
    }

    /// An amount read back from the database, or summed there. It was checked when it was
    /// written, so it is taken as it is (a sum may pass [`Money::MAX`]; a read list must
    /// not fail on one hand-edited row), and shown with at least cents like every amount:
    /// Postgres gives a zero sum no scale.
    pub fn from_store(amount: Decimal) -> Self {
        let mut amount = amount;
        if amount.scale() < 2 {
            amount.rescale(2);
        }
        Self(amount)
    }

    /// `self − other`, if that is not negative (what remains of an amount).
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        let mut difference = self.0 - other.0;
        if difference.is_zero() {
            difference = Decimal::ZERO;
        }
        (!difference.is_sign_negative()).then(|| {
            if difference.scale() < 2 {
                difference.rescale(2);
            }
            Self(difference)
        })
    }

    /// Round half up (away from zero) to the cent, the commercial rule.
    pub fn round_to_cents(self) -> Self {
        Self(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }
}

/// A sum of amounts (a dashboard's totals): not checked against [`Money::MAX`], like
/// [`Money::from_store`].
impl std::ops::Add for Money {
    type Output = Money;

    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

/// Read-model columns are `numeric`: decoded through [`Money::from_store`].
#[cfg(feature = "sqlx")]
impl sqlx::Type<sqlx::Postgres> for Money {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <Decimal as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <Decimal as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

#[cfg(feature = "sqlx")]
impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Money {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        <Decimal as sqlx::Decode<'r, sqlx::Postgres>>::decode(value).map(Self::from_store)
    }
}

#[cfg(feature = "sqlx")]
impl sqlx::Encode<'_, sqlx::Postgres> for Money {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <Decimal as sqlx::Encode<'_, sqlx::Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_is_shown_with_at_least_cents() {
        assert_eq!(Money::new(d("12.5")).unwrap().to_string(), "12.50");
        assert_eq!(Money::new(d("12")).unwrap().to_string(), "12.00");
        assert_eq!(Money::new(d("0.1234")).unwrap().to_string(), "0.1234");
        assert_eq!(Money::new(d("3.1000")).unwrap().to_string(), "3.10");
    }

    #[test]
    fn money_serialises_as_a_json_string() {
        let m = Money::new(d("12.5")).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"12.50\"");
        let back: Money = serde_json::from_str("\"12.50\"").unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn negative_too_precise_and_huge_amounts_are_refused() {
        assert_eq!(Money::new(d("-0.01")).unwrap_err().code, "negative");
        assert_eq!(Money::new(d("0.00001")).unwrap_err().code, "too_precise");
        assert_eq!(
            Money::new(d("1000000000.01")).unwrap_err().code,
            "too_large"
        );
    }

    #[test]
    fn a_stored_amount_is_taken_as_it_is_with_at_least_cents() {
        assert_eq!(Money::from_store(d("0")).to_string(), "0.00");
        assert_eq!(Money::from_store(d("12.5")).to_string(), "12.50");
        assert_eq!(Money::from_store(d("0.0850")).to_string(), "0.0850");
        assert_eq!(Money::from_store(d("-250.00")).to_string(), "-250.00");
        let sum = Money::from_store(d("999999999.99")) + Money::from_store(d("0.01"));
        assert_eq!(sum.to_string(), "1000000000.00");
    }

    #[test]
    fn a_plain_decimal_has_a_point_and_nothing_else() {
        assert_eq!(parse_decimal(" -12.50 "), Ok(d("-12.50")));
        for bad in ["12,50", "1 234.50", "1e3", "12.5.0", "", "NaN"] {
            assert_eq!(
                parse_decimal(bad).unwrap_err().code,
                "invalid_decimal",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_spreadsheet_decimal_may_group_digits_and_use_a_comma() {
        let parse = |raw| Notation::Spreadsheet.parse(raw);
        assert_eq!(parse("1 234,50"), Ok(d("1234.50")));
        assert_eq!(parse("1\u{a0}234,5"), Ok(d("1234.5")));
        assert_eq!(parse("1\u{202f}234,5"), Ok(d("1234.5")));
        assert_eq!(parse("12.50"), Ok(d("12.50")));
        assert_eq!(parse("-3"), Ok(d("-3")));
        // A comma beside a point is a thousands separator nobody can read for sure.
        for bad in ["1,234.50", "12,5,0", "1e3", ""] {
            assert_eq!(parse(bad).unwrap_err().code, "invalid_decimal", "{bad}");
        }
    }

    #[test]
    fn what_remains_of_an_amount_is_never_negative() {
        let m = |s| Money::new(d(s)).unwrap();
        assert_eq!(m("10").checked_sub(m("2.5")).unwrap().to_string(), "7.50");
        assert_eq!(m("10").checked_sub(m("10")).unwrap().to_string(), "0.00");
        assert_eq!(m("10").checked_sub(m("10.01")), None);
    }

    #[test]
    fn rounding_to_cents_is_half_up() {
        assert_eq!(
            Money::new(d("0.005")).unwrap().round_to_cents().to_string(),
            "0.01"
        );
        assert_eq!(
            Money::new(d("0.0049"))
                .unwrap()
                .round_to_cents()
                .to_string(),
            "0.00"
        );
        assert_eq!(
            Money::new(d("2.675")).unwrap().round_to_cents().to_string(),
            "2.68"
        );
    }

    mod properties {
        use super::super::*;
        use crate::prop::{
            accepted_round_trips, any_decimal, config, decimal_text, json_round_trip,
            text_round_trip,
        };
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn money_never_panics_and_round_trips(raw in decimal_text()) {
                if let Some(money) = accepted_round_trips(&raw, Money::parse)? {
                    prop_assert!(money.amount().scale() >= 2);
                    let _ = money.round_to_cents();
                }
            }

            #[test]
            fn money_takes_any_decimal(value in any_decimal()) {
                if let Ok(money) = Money::new(value) {
                    json_round_trip(&money)?;
                    text_round_trip(&money, Money::parse)?;
                }
            }
        }
    }
}
