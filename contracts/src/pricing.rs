//! The money rules of an order (DESIGN §5), in one place, locked by golden tests:
//! - line net = round_half_up(qty × unit price × (1 − discount %), 0.01);
//! - VAT once per rate, on the sum of the line nets at that rate, then rounded;
//! - totals: net (HT), VAT per rate (TVA), gross (TTC = HT + TVA).

use crate::FieldCode;
use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::product::{Quantity, VatRate};
use crate::Invalid;

/// A discount in percent, 0 to 100, at most 2 decimals (`33.33`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Discount(#[serde(with = "rust_decimal::serde::str")] Decimal);

impl Discount {
    pub const NONE: Discount = Discount(Decimal::ZERO);

    pub fn new(percent: Decimal) -> Result<Self, Invalid> {
        let percent = percent.normalize();
        if percent.is_sign_negative() && !percent.is_zero() || percent > Decimal::ONE_HUNDRED {
            return Err(Invalid::new(
                FieldCode::OutOfRange,
                "a percentage from 0 to 100",
            ));
        }
        if percent.scale() > 2 {
            return Err(Invalid::new(FieldCode::TooPrecise, "at most 2 decimals"));
        }
        Ok(Self(percent))
    }

    /// [`Discount::new`] from its text (`"33.33"`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::money::parse_decimal(raw).and_then(Self::new)
    }

    pub fn percent(&self) -> Decimal {
        self.0
    }
}

impl std::fmt::Display for Discount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// The net amount of one line, rounded half up to the cent.
pub fn line_net(quantity: Quantity, unit_price: Money, discount: Discount) -> Money {
    let gross = quantity.value() * unit_price.amount();
    let net = gross * (Decimal::ONE_HUNDRED - discount.percent()) / Decimal::ONE_HUNDRED;
    Money::computed(cents(net))
}

/// The VAT of one rate: the base is the sum of the line nets at that rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VatLine {
    pub rate: VatRate,
    pub base: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Total HT.
    pub net: Money,
    /// One line per rate used, highest rate first.
    pub vat: Vec<VatLine>,
    /// Total TVA.
    pub vat_total: Money,
    /// Total TTC.
    pub gross: Money,
}

/// The totals of lines given as (VAT rate, line net).
pub fn totals(lines: impl IntoIterator<Item = (VatRate, Money)>) -> Totals {
    let mut bases: BTreeMap<Decimal, (VatRate, Decimal)> = BTreeMap::new();
    for (rate, net) in lines {
        bases
            .entry(rate.percent())
            .or_insert((rate, Decimal::ZERO))
            .1 += net.amount();
    }
    let vat: Vec<VatLine> = bases
        .into_values()
        .rev()
        .map(|(rate, base)| VatLine {
            rate,
            base: Money::computed(cents(base)),
            amount: Money::computed(cents(base * rate.percent() / Decimal::ONE_HUNDRED)),
        })
        .collect();
    let net: Decimal = vat.iter().map(|l| l.base.amount()).sum();
    let vat_total: Decimal = vat.iter().map(|l| l.amount.amount()).sum();
    Totals {
        net: Money::computed(cents(net)),
        vat_total: Money::computed(cents(vat_total)),
        gross: Money::computed(cents(net + vat_total)),
        vat,
    }
}

/// Per rate, what `invoiced` holds that the `credited` VAT lines (of earlier credit notes)
/// have not taken yet: base and VAT, never below zero.
pub fn vat_left<'a>(
    invoiced: &[VatLine],
    credited: impl IntoIterator<Item = &'a VatLine>,
) -> Vec<VatLine> {
    let mut left: Vec<(VatRate, Decimal, Decimal)> = invoiced
        .iter()
        .map(|l| (l.rate, l.base.amount(), l.amount.amount()))
        .collect();
    for taken in credited {
        if let Some(line) = left
            .iter_mut()
            .find(|(rate, ..)| rate.percent() == taken.rate.percent())
        {
            line.1 -= taken.base.amount();
            line.2 -= taken.amount.amount();
        }
    }
    left.into_iter()
        .map(|(rate, base, amount)| VatLine {
            rate,
            base: Money::computed(cents(base)),
            amount: Money::computed(cents(amount)),
        })
        .collect()
}

/// The totals of a credit note whose lines are (VAT rate, net taken off): [`totals`], but
/// a rate's VAT never exceeds what is `left` of it on the invoice ([`vat_left`]), and a
/// credit note that takes all that is left of a rate's base takes all that is left of its
/// VAT. Rounded once per document, VAT would otherwise drift: three credit notes of 0.03
/// at 20 % give 3 × 0.01, where the invoice of 0.09 charged 0.02. So credit notes that
/// together cover an invoice always sum to its totals exactly.
pub fn credit_totals(
    lines: impl IntoIterator<Item = (VatRate, Money)>,
    left: &[VatLine],
) -> Totals {
    let mut credit = totals(lines);
    for line in &mut credit.vat {
        let Some(rest) = left
            .iter()
            .find(|l| l.rate.percent() == line.rate.percent())
        else {
            continue;
        };
        if line.base >= rest.base || line.amount > rest.amount {
            line.amount = rest.amount;
        }
    }
    let net: Decimal = credit.vat.iter().map(|l| l.base.amount()).sum();
    let vat_total: Decimal = credit.vat.iter().map(|l| l.amount.amount()).sum();
    credit.vat_total = Money::computed(cents(vat_total));
    credit.gross = Money::computed(cents(net + vat_total));
    credit
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn qty(s: &str) -> Quantity {
        Quantity::new(d(s)).unwrap()
    }
    fn money(s: &str) -> Money {
        Money::new(d(s)).unwrap()
    }
    fn rate(s: &str) -> VatRate {
        VatRate::new(d(s)).unwrap()
    }

    /// (quantity, unit price, discount %, expected net): each row is a trap for a wrong
    /// rounding, a float, or a discount applied in the wrong place.
    const LINES: &[(&str, &str, &str, &str)] = &[
        ("1", "10", "0", "10.00"),
        ("3", "0.335", "0", "1.01"),      // 1.005: half up, not banker's
        ("1", "0.005", "0", "0.01"),      // the 0.005 boundary
        ("1", "0.0049", "0", "0.00"),     // just below it
        ("1", "2.675", "0", "2.68"),      // 2.67 in binary floating point
        ("1", "1.005", "0", "1.01"),      // 1.00 in binary floating point
        ("3", "19.99", "33.33", "39.98"), // 59.97 × 0.6667 = 39.981999
        ("1", "100", "33.33", "66.67"),
        ("2", "0.125", "0", "0.25"),
        ("1.5", "3.33", "0", "5.00"), // 4.995, a kilogram price
        ("0.333", "3", "0", "1.00"),  // 0.999
        ("1000000", "0.0001", "0", "100.00"),
        ("999999.999", "999.9999", "0", "999999899.00"), // large: no overflow, exact
        ("10", "9.99", "100", "0.00"),                   // a free line
        ("7", "1.15", "15", "6.84"),                     // 6.8425
        ("1", "0.01", "50", "0.01"),                     // 0.005 after discount
        ("3", "3.3333", "10", "9.00"),                   // 8.99991
        ("0", "12.50", "0", "0.00"),
        ("12", "0.0833", "0", "1.00"), // 0.9996: sub-cent unit price
    ];

    #[test]
    fn line_nets_follow_the_golden_table() {
        for (q, p, disc, expected) in LINES {
            let net = line_net(qty(q), money(p), Discount::new(d(disc)).unwrap());
            assert_eq!(net.to_string(), *expected, "{q} × {p} − {disc} %");
        }
    }

    /// (lines as (rate, net), expected HT, expected VAT lines as (rate, base, vat),
    /// expected TVA, expected TTC).
    type TotalsCase = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static [(&'static str, &'static str, &'static str)],
        &'static str,
        &'static str,
    );

    const TOTALS: &[TotalsCase] = &[
        // VAT on the summed nets: 0.09 × 20 % = 0.018 → 0.02, where per-line VAT would
        // give 3 × 0.01 = 0.03.
        (
            &[("20", "0.03"), ("20", "0.03"), ("20", "0.03")],
            "0.09",
            &[("20", "0.09", "0.02")],
            "0.02",
            "0.11",
        ),
        (
            &[("5.5", "10.10")],
            "10.10",
            &[("5.5", "10.10", "0.56")],
            "0.56",
            "10.66",
        ),
        (
            &[("2.1", "100.00")],
            "100.00",
            &[("2.1", "100.00", "2.10")],
            "2.10",
            "102.10",
        ),
        (
            &[("2.1", "0.24")],
            "0.24",
            &[("2.1", "0.24", "0.01")],
            "0.01",
            "0.25",
        ),
        (
            &[("5.5", "0.09")],
            "0.09",
            &[("5.5", "0.09", "0.00")],
            "0.00",
            "0.09",
        ),
        (
            &[
                ("20", "19.99"),
                ("10", "5.05"),
                ("5.5", "3.03"),
                ("0", "7.00"),
            ],
            "35.07",
            &[
                ("20", "19.99", "4.00"),
                ("10", "5.05", "0.51"),
                ("5.5", "3.03", "0.17"),
                ("0", "7.00", "0.00"),
            ],
            "4.68",
            "39.75",
        ),
        (
            &[("20", "1234.56")],
            "1234.56",
            &[("20", "1234.56", "246.91")],
            "246.91",
            "1481.47",
        ),
        (&[], "0.00", &[], "0.00", "0.00"),
    ];

    #[test]
    fn totals_follow_the_golden_table() {
        for (lines, net, vat, vat_total, gross) in TOTALS {
            let t = totals(lines.iter().map(|(r, n)| (rate(r), money(n))));
            assert_eq!(t.net.to_string(), *net, "{lines:?}");
            let got: Vec<(String, String, String)> = t
                .vat
                .iter()
                .map(|l| {
                    (
                        l.rate.percent().to_string(),
                        l.base.to_string(),
                        l.amount.to_string(),
                    )
                })
                .collect();
            let want: Vec<(String, String, String)> = vat
                .iter()
                .map(|(r, b, a)| (r.to_string(), b.to_string(), a.to_string()))
                .collect();
            assert_eq!(got, want, "{lines:?}");
            assert_eq!(t.vat_total.to_string(), *vat_total, "{lines:?}");
            assert_eq!(t.gross.to_string(), *gross, "{lines:?}");
        }
    }

    /// Credit notes of one line each cover an invoice to the cent, where VAT rounded per
    /// credit note would add up to more than the invoice charged.
    #[test]
    fn credit_notes_that_cover_an_invoice_sum_to_its_totals() {
        let lines = [
            ("20", "0.03"),
            ("20", "0.03"),
            ("20", "0.03"),
            ("5.5", "10.10"),
        ];
        let invoiced = totals(lines.iter().map(|(r, n)| (rate(r), money(n))));
        assert_eq!(invoiced.vat_total.to_string(), "0.58");
        let mut credited: Vec<Totals> = Vec::new();
        for (r, n) in lines {
            let left = vat_left(&invoiced.vat, credited.iter().flat_map(|t| &t.vat));
            credited.push(credit_totals([(rate(r), money(n))], &left));
        }
        let sum =
            |f: fn(&Totals) -> Money| -> Decimal { credited.iter().map(|t| f(t).amount()).sum() };
        assert_eq!(sum(|t| t.net), invoiced.net.amount());
        assert_eq!(sum(|t| t.vat_total), invoiced.vat_total.amount());
        assert_eq!(sum(|t| t.gross), invoiced.gross.amount());
        let vat: Vec<String> = credited.iter().map(|t| t.vat_total.to_string()).collect();
        assert_eq!(vat, ["0.01", "0.01", "0.00", "0.56"]);
        // Nothing is left to credit: every rate's base and VAT are zero.
        let left = vat_left(&invoiced.vat, credited.iter().flat_map(|t| &t.vat));
        assert!(left
            .iter()
            .all(|l| l.base.amount().is_zero() && l.amount.amount().is_zero()));
    }

    #[test]
    fn a_partial_credit_note_rounds_its_vat_like_an_invoice() {
        let invoiced = totals([(rate("20"), money("100.00")), (rate("10"), money("19.99"))]);
        let left = vat_left(&invoiced.vat, []);
        let credit = credit_totals([(rate("20"), money("33.33"))], &left);
        assert_eq!(credit.net.to_string(), "33.33");
        assert_eq!(credit.vat_total.to_string(), "6.67");
        assert_eq!(credit.gross.to_string(), "40.00");
    }

    #[test]
    fn totals_serialise_as_strings() {
        let t = totals([(rate("5.5"), money("10.10"))]);
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({"net": "10.10", "vat": [{"rate": "5.5", "base": "10.10", "amount": "0.56"}],
                               "vat_total": "0.56", "gross": "10.66"})
        );
    }

    #[test]
    fn discounts_are_bounded_percentages() {
        assert!(Discount::new(d("33.33")).is_ok());
        assert_eq!(Discount::new(d("100.01")).unwrap_err().code, "out_of_range");
        assert_eq!(Discount::new(d("-1")).unwrap_err().code, "out_of_range");
        assert_eq!(Discount::new(d("1.234")).unwrap_err().code, "too_precise");
    }

    mod properties {
        use super::super::*;
        use super::rate;
        use crate::prop::{
            accepted_round_trips, any_decimal, config, decimal_text, json_round_trip,
            text_round_trip,
        };
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn a_discount_never_panics_and_round_trips(raw in decimal_text()) {
                accepted_round_trips(&raw, Discount::parse)?;
            }

            #[test]
            fn a_discount_takes_any_decimal(value in any_decimal()) {
                if let Ok(discount) = Discount::new(value) {
                    json_round_trip(&discount)?;
                    text_round_trip(&discount, Discount::parse)?;
                }
            }

            /// The money rules never overflow on what the value types accept, at their
            /// bounds included.
            #[test]
            fn lines_and_totals_never_panic(
                lines in proptest::collection::vec(
                    (any_decimal(), any_decimal(), any_decimal(), 0..5_usize),
                    0..20,
                ),
                at_bounds in any::<bool>(),
            ) {
                let rates = ["20", "10", "5.5", "2.1", "0"];
                let mut priced = Vec::new();
                for (q, p, d, r) in lines {
                    let (q, p, d) = if at_bounds {
                        (Decimal::from(1_000_000_000_u64), Money::MAX, Decimal::ZERO)
                    } else {
                        (q, p, d)
                    };
                    let (Ok(q), Ok(p), Ok(d)) = (Quantity::new(q), Money::new(p), Discount::new(d)) else {
                        continue;
                    };
                    let net = line_net(q, p, d);
                    prop_assert!(!net.amount().is_sign_negative() || net.amount().is_zero());
                    priced.push((rate(rates[r]), net));
                }
                let totals = totals(priced);
                prop_assert_eq!(
                    totals.gross.amount(),
                    totals.net.amount() + totals.vat_total.amount()
                );
            }
        }
    }
}
