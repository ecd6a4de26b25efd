//! Value types of the catalogue. Each constructor is the only way in: a `Sku` in hand
//! is trimmed, bounded and well-formed.

use crate::FieldCode;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Trim, refuse empty, bound the length in characters and refuse control characters.
pub fn bounded_text(raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(FieldCode::Required, "must not be empty"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(Invalid::new(
            FieldCode::TooLong,
            format!("at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Invalid::new(
            FieldCode::ControlCharacter,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                bounded_text(raw, Self::MAX_CHARS).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A product's label, as printed on documents.
    ProductName,
    200
);
text_newtype!(
    /// A free-form grouping used for filters and the dashboard.
    Category,
    100
);

/// Stock-keeping unit: letters, digits and `-_./`, unique ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sku(String);

impl Sku {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = bounded_text(raw, Self::MAX_CHARS)?;
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            return Err(Invalid::new(
                FieldCode::InvalidFormat,
                "only letters, digits and - _ . / are allowed",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form under which uniqueness is enforced.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Unit a product is counted and sold in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Unit {
    Piece,
    Kg,
    G,
    M,
    M2,
    M3,
    L,
    Hour,
    Day,
    Box,
    Pack,
}

impl Unit {
    pub const ALL: [Unit; 11] = [
        Unit::Piece,
        Unit::Kg,
        Unit::G,
        Unit::M,
        Unit::M2,
        Unit::M3,
        Unit::L,
        Unit::Hour,
        Unit::Day,
        Unit::Box,
        Unit::Pack,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Kg => "kg",
            Unit::G => "g",
            Unit::M => "m",
            Unit::M2 => "m2",
            Unit::M3 => "m3",
            Unit::L => "l",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Box => "box",
            Unit::Pack => "pack",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let wanted = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|u| u.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(Unit::as_str).collect();
                Invalid::new(
                    FieldCode::UnknownUnit,
                    format!("one of {}", names.join(", ")),
                )
            })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A VAT rate in percent: from 0 to below 100, at most 2 decimals. Which rates may be
/// used is [`VatRates`]' business: the set in force is configuration, and stored events
/// keep whatever rate was in force when they were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(#[serde(with = "rust_decimal::serde::str")] Decimal);

impl VatRate {
    pub fn new(percent: Decimal) -> Result<Self, Invalid> {
        let percent = percent.normalize();
        if percent.is_sign_negative() && !percent.is_zero() || percent >= Decimal::ONE_HUNDRED {
            return Err(Invalid::new(
                FieldCode::UnknownVatRate,
                "a percentage from 0 to 100",
            ));
        }
        if percent.scale() > 2 {
            return Err(Invalid::new(
                FieldCode::UnknownVatRate,
                "at most 2 decimals",
            ));
        }
        Ok(Self(percent))
    }

    /// [`VatRate::new`] from its text (`"5.5"`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::money::parse_decimal(raw).and_then(Self::new)
    }

    pub fn percent(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The VAT rates a new price may use. By default the rates of metropolitan France: 20 %
/// normal, 10 % intermediate, 5.5 % reduced, 2.1 % special, 0 % exempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatRates(Vec<VatRate>);

impl Default for VatRates {
    fn default() -> Self {
        Self::french()
    }
}

impl VatRates {
    pub const FRENCH: &'static str = "20,10,5.5,2.1,0";

    pub fn french() -> Self {
        Self(
            [
                Decimal::from_parts(20, 0, 0, false, 0),
                Decimal::from_parts(10, 0, 0, false, 0),
                Decimal::from_parts(55, 0, 0, false, 1),
                Decimal::from_parts(21, 0, 0, false, 1),
                Decimal::ZERO,
            ]
            .into_iter()
            .map(VatRate)
            .collect(),
        )
    }

    /// `20,10,5.5,2.1,0`: the rates in force, comma-separated.
    pub fn parse(list: &str) -> Result<Self, Invalid> {
        let rates = list
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| {
                crate::money::parse_decimal(r)
                    .map_err(|_| {
                        Invalid::new(
                            FieldCode::InvalidDecimal,
                            format!("`{}` is not a rate", crate::input::excerpt(r, 32)),
                        )
                    })
                    .and_then(VatRate::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rates.is_empty() {
            return Err(Invalid::new(FieldCode::Required, "at least one VAT rate"));
        }
        Ok(Self(rates))
    }

    /// The rate, if it is one in force.
    pub fn check(&self, percent: Decimal) -> Result<VatRate, Invalid> {
        let rate = VatRate::new(percent)?;
        if self.0.contains(&rate) {
            return Ok(rate);
        }
        let names: Vec<String> = self.0.iter().map(|r| r.0.to_string()).collect();
        Err(Invalid::new(
            FieldCode::UnknownVatRate,
            format!("one of {}", names.join(", ")),
        ))
    }
}

/// A quantity of a product, in its unit: non-negative, at most 3 decimals (grams of a kg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(#[serde(with = "rust_decimal::serde::str")] Decimal);

impl Quantity {
    pub const MAX_SCALE: u32 = 3;
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    pub fn new(value: Decimal) -> Result<Self, Invalid> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Invalid::new(FieldCode::Negative, "must not be negative"));
        }
        let value = value.normalize();
        if value.scale() > Self::MAX_SCALE {
            return Err(Invalid::new(
                FieldCode::TooPrecise,
                format!("at most {} decimals", Self::MAX_SCALE),
            ));
        }
        if value > Decimal::from(1_000_000_000_u64) {
            return Err(Invalid::new(FieldCode::TooLarge, "at most 1000000000"));
        }
        Ok(Self(value))
    }

    /// [`Quantity::new`] from its text (`"1.250"`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::money::parse_decimal(raw).and_then(Self::new)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A barcode: EAN-8, UPC-A (12 digits), EAN-13 or GTIN-14, with a correct GS1 check
/// digit. The spaces and hyphens people type (`978-0-471-11709-4`) are dropped: the
/// digits alone are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Barcode(String);

impl Barcode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let digits = crate::checksum::digits(&s)
            .filter(|d| matches!(d.len(), 8 | 12 | 13 | 14))
            .ok_or_else(|| {
                Invalid::new(
                    FieldCode::InvalidFormat,
                    "8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)",
                )
            })?;
        if !crate::checksum::gs1(&digits) {
            return Err(Invalid::new(
                FieldCode::InvalidCheckDigit,
                "check digit is wrong",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a product can be put on new orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum ProductStatus {
    #[default]
    Active,
    Archived,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 2] = [ProductStatus::Active, ProductStatus::Archived];

    pub fn as_str(&self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(ProductName::parse("  Vis M6  ").unwrap().as_str(), "Vis M6");
        assert_eq!(ProductName::parse("   ").unwrap_err().code, "required");
        assert_eq!(
            ProductName::parse(&"é".repeat(201)).unwrap_err().code,
            "too_long"
        );
        assert!(ProductName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            ProductName::parse("a\u{7}b").unwrap_err().code,
            "control_character"
        );
    }

    #[test]
    fn sku_keeps_its_case_but_is_keyed_in_lower_case() {
        let sku = Sku::parse(" Ab-12/x ").unwrap();
        assert_eq!(sku.as_str(), "Ab-12/x");
        assert_eq!(sku.key(), "ab-12/x");
        assert_eq!(Sku::parse("a b").unwrap_err().code, "invalid_format");
        assert_eq!(Sku::parse("é").unwrap_err().code, "invalid_format");
    }

    #[test]
    fn units_come_from_a_fixed_list() {
        assert_eq!(Unit::parse("KG").unwrap(), Unit::Kg);
        assert_eq!(Unit::parse("bucket").unwrap_err().code, "unknown_unit");
        assert_eq!(serde_json::to_string(&Unit::M2).unwrap(), "\"m2\"");
    }

    #[test]
    fn only_the_rates_in_force_are_accepted() {
        let french = VatRates::french();
        for ok in ["20", "20.00", "10", "5.5", "5.50", "2.1", "0"] {
            assert!(french.check(Decimal::from_str(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in ["19.6", "7", "-20", "100"] {
            assert_eq!(
                french
                    .check(Decimal::from_str(bad).unwrap())
                    .unwrap_err()
                    .code,
                "unknown_vat_rate"
            );
        }
        // Corsica and the overseas departments use other rates: configuration.
        let dom = VatRates::parse("8.5, 2.1, 0").unwrap();
        assert!(dom.check(Decimal::from_str("8.5").unwrap()).is_ok());
        assert!(dom.check(Decimal::from_str("20").unwrap()).is_err());
        assert!(VatRates::parse("20,abc").is_err());
        assert_eq!(VatRates::parse(VatRates::FRENCH).unwrap(), french);
        let rate = VatRate::new(Decimal::from_str("5.50").unwrap()).unwrap();
        assert_eq!(serde_json::to_string(&rate).unwrap(), "\"5.5\"");
    }

    #[test]
    fn real_barcodes_pass_and_a_wrong_check_digit_fails() {
        for ok in ["4006381333931", "96385074", "036000291452", "3017620422003"] {
            assert!(Barcode::parse(ok).is_ok(), "{ok}");
        }
        // GTIN-14, and what people type: spaces, hyphens.
        assert_eq!(
            Barcode::parse("98412345678908").unwrap().as_str(),
            "98412345678908"
        );
        assert_eq!(
            Barcode::parse(" 978-0-471-11709-4 ").unwrap().as_str(),
            "9780471117094"
        );
        assert_eq!(
            Barcode::parse("98412345678909").unwrap_err().code,
            "invalid_check_digit"
        );
        assert_eq!(
            Barcode::parse("984123456789080").unwrap_err().code,
            "invalid_format"
        );
        assert_eq!(
            Barcode::parse("4006381333932").unwrap_err().code,
            "invalid_check_digit"
        );
        assert_eq!(
            Barcode::parse("40063813339").unwrap_err().code,
            "invalid_format"
        );
        assert_eq!(
            Barcode::parse("40063813339a3").unwrap_err().code,
            "invalid_format"
        );
    }

    #[test]
    fn quantities_are_non_negative_with_three_decimals_at_most() {
        assert!(Quantity::new(Decimal::from_str("0").unwrap()).is_ok());
        assert!(Quantity::new(Decimal::from_str("1.250").unwrap()).is_ok());
        assert_eq!(
            Quantity::new(Decimal::from_str("-1").unwrap())
                .unwrap_err()
                .code,
            "negative"
        );
        assert_eq!(
            Quantity::new(Decimal::from_str("0.0001").unwrap())
                .unwrap_err()
                .code,
            "too_precise"
        );
    }

    mod properties {
        use super::super::*;
        use crate::prop::{
            accepted_round_trips, any_decimal, config, decimal_text, hostile, json_round_trip,
            one_of_words, text_round_trip,
        };
        use proptest::prelude::*;

        /// Digits of `len` with the right GS1 check digit, or (when `wrong`) another one,
        /// sometimes grouped with spaces or hyphens as people type them.
        fn barcode() -> impl Strategy<Value = String> + Clone {
            (
                proptest::sample::select(&[7_usize, 11, 12, 13][..]),
                any::<u64>(),
                any::<bool>(),
                proptest::sample::select(&["", " ", "-"][..]),
            )
                .prop_map(|(len, seed, wrong, separator)| {
                    let body: String = format!("{seed:020}").chars().take(len).collect();
                    let sum: u32 = body
                        .chars()
                        .rev()
                        .filter_map(|c| c.to_digit(10))
                        .enumerate()
                        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { d })
                        .sum();
                    let check = (10 - sum % 10) % 10 + u32::from(wrong);
                    let number = format!("{body}{}", check % 10);
                    let groups: Vec<String> = number
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    groups.join(separator)
                })
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn text_newtypes_never_panic_and_round_trip(
                raw in hostile("\\PC{0,210}".prop_map(String::from))
            ) {
                accepted_round_trips(&raw, ProductName::parse)?;
                accepted_round_trips(&raw, Category::parse)?;
            }

            #[test]
            fn a_sku_never_panics_and_round_trips(
                raw in hostile("[ ]?[A-Za-z0-9._/-]{0,66}[ ]?".prop_map(String::from))
            ) {
                if let Some(sku) = accepted_round_trips(&raw, Sku::parse)? {
                    prop_assert_eq!(Sku::parse(&sku.key()).map(|k| k.key()), Ok(sku.key()));
                }
            }

            #[test]
            fn a_unit_never_panics_and_round_trips(raw in hostile(one_of_words(&[
                "piece", "kg", "g", "m", "m2", "m3", "l", "hour", "day", "box", "pack",
            ]))) {
                accepted_round_trips(&raw, Unit::parse)?;
            }

            #[test]
            fn a_barcode_never_panics_and_round_trips(raw in hostile(barcode())) {
                if let Some(barcode) = accepted_round_trips(&raw, Barcode::parse)? {
                    prop_assert!(barcode.as_str().bytes().all(|b| b.is_ascii_digit()));
                }
            }

            #[test]
            fn decimal_value_types_never_panic_and_round_trip(raw in decimal_text()) {
                accepted_round_trips(&raw, VatRate::parse)?;
                accepted_round_trips(&raw, Quantity::parse)?;
            }

            #[test]
            fn decimal_value_types_take_any_decimal(value in any_decimal()) {
                if let Ok(rate) = VatRate::new(value) {
                    json_round_trip(&rate)?;
                    text_round_trip(&rate, VatRate::parse)?;
                }
                if let Ok(quantity) = Quantity::new(value) {
                    json_round_trip(&quantity)?;
                    text_round_trip(&quantity, Quantity::parse)?;
                }
            }

            #[test]
            fn a_list_of_rates_never_panics_and_parses_back(
                raw in hostile("([0-9]{1,2}(\\.[0-9]{1,3})?,){0,4}[0-9]{0,2}".prop_map(String::from))
            ) {
                if let Ok(rates) = VatRates::parse(&raw) {
                    let text: Vec<String> = rates.0.iter().map(ToString::to_string).collect();
                    prop_assert_eq!(VatRates::parse(&text.join(",")), Ok(rates));
                }
            }
        }
    }
}
