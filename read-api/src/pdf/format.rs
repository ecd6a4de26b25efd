//! Numbers, money, dates and words as each language writes them on a commercial
//! document: `1 234,50 €` and `29/11/2026` in French, `€1,234.50` and `29 November 2026`
//! in English.
//!
//! Written here rather than with ICU: two languages, fixed patterns, and a dependency
//! of several MB of locale data would buy nothing the tests below do not pin.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// French groups thousands with a narrow no-break space and puts a no-break space
/// before `€` and `%`, so that a figure never breaks across lines.
const NARROW_NBSP: char = '\u{202F}';
const NBSP: char = '\u{A0}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// `fr` or `en` (case-insensitive, region ignored: `en-GB` is English).
    pub fn parse(raw: &str) -> Option<Self> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header this document speaks, by
    /// weight; none if it names neither.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut ranges: Vec<(f32, Lang)> = accept_language
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let lang = Lang::parse(parts.next()?)?;
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (weight > 0.0).then_some((weight, lang))
            })
            .collect();
        // Stable: equal weights keep the header's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.first().map(|(_, lang)| *lang)
    }

    /// `fr` or `en`, as `Content-Language` says it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// After a label: French puts a no-break space before the colon, English none.
    pub fn colon(self) -> &'static str {
        match self {
            Lang::Fr => "\u{A0}: ",
            Lang::En => ": ",
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Lang::Fr => (',', NARROW_NBSP),
            Lang::En => ('.', ','),
        }
    }

    /// A decimal with at least `min_dp` and at most `max_dp` decimals (trailing zeros
    /// beyond `min_dp` dropped), rounded half away from zero, thousands grouped.
    pub fn number(self, value: Decimal, min_dp: u32, max_dp: u32) -> String {
        let rounded = value
            .round_dp_with_strategy(max_dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        let mut digits = rounded.abs().to_string();
        let mut scale = rounded.scale();
        if scale < min_dp {
            if scale == 0 {
                digits.push('.');
            }
            digits.extend(std::iter::repeat_n('0', (min_dp - scale) as usize));
            scale = min_dp;
        }
        let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
        let (decimal_mark, group_mark) = self.separators();
        let mut out = String::with_capacity(digits.len() + 4);
        if rounded.is_sign_negative() && !rounded.is_zero() {
            out.push('-');
        }
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(group_mark);
            }
            out.push(c);
        }
        if scale > 0 {
            out.push(decimal_mark);
            out.push_str(frac);
        }
        out
    }

    /// An amount in euros: two decimals, up to four for a unit price that has them.
    pub fn money(self, value: Decimal) -> String {
        let number = self.number(value.abs(), 2, 4);
        let sign = if value.is_sign_negative() && !value.is_zero() {
            "-"
        } else {
            ""
        };
        match self {
            Lang::Fr => format!("{sign}{number}{NBSP}€"),
            Lang::En => format!("{sign}€{number}"),
        }
    }

    /// A quantity: up to three decimals, none when whole.
    pub fn quantity(self, value: Decimal) -> String {
        self.number(value, 0, 3)
    }

    pub fn percent(self, value: Decimal) -> String {
        let number = self.number(value, 0, 2);
        match self {
            Lang::Fr => format!("{number}{NBSP}%"),
            Lang::En => format!("{number}%"),
        }
    }

    pub fn date(self, day: NaiveDate) -> String {
        match self {
            Lang::Fr => day.format("%d/%m/%Y").to_string(),
            Lang::En => day.format("%-d %B %Y").to_string(),
        }
    }

    /// A unit of measure, short, after a quantity.
    pub fn unit(self, unit: &str) -> String {
        // Abbreviations, which need no plural.
        let word = match (self, unit) {
            (Lang::Fr, "piece") => "pce",
            (Lang::En, "piece") => "pc",
            (_, "hour") => "h",
            (Lang::Fr, "day") => "j",
            (Lang::En, "day") => "d",
            (Lang::Fr, "box") => "bte",
            (Lang::Fr, "pack") => "lot",
            (_, "m2") => "m²",
            (_, "m3") => "m³",
            (_, "l") => "L",
            (_, other) => other,
        };
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn money_is_written_the_french_and_the_english_way() {
        assert_eq!(Lang::Fr.money(dec("1234.5")), "1\u{202F}234,50\u{A0}€");
        assert_eq!(Lang::En.money(dec("1234.5")), "€1,234.50");
        assert_eq!(Lang::Fr.money(dec("0")), "0,00\u{A0}€");
        assert_eq!(Lang::En.money(dec("1234567.891")), "€1,234,567.891");
        assert_eq!(Lang::Fr.money(dec("-12")), "-12,00\u{A0}€");
        assert_eq!(Lang::En.money(dec("-12")), "-€12.00");
        assert_eq!(Lang::En.money(dec("999.99")), "€999.99");
        assert_eq!(Lang::En.money(dec("100000")), "€100,000.00");
        // Unit prices keep up to four decimals, no more.
        assert_eq!(Lang::Fr.money(dec("0.12345")), "0,1235\u{A0}€");
    }

    #[test]
    fn quantities_and_rates_drop_useless_zeros() {
        assert_eq!(Lang::Fr.quantity(dec("2.500")), "2,5");
        assert_eq!(Lang::En.quantity(dec("12000")), "12,000");
        assert_eq!(Lang::Fr.quantity(dec("3")), "3");
        assert_eq!(Lang::Fr.percent(dec("5.5")), "5,5\u{A0}%");
        assert_eq!(Lang::En.percent(dec("20.00")), "20%");
        assert_eq!(Lang::En.percent(dec("0")), "0%");
    }

    #[test]
    fn dates_follow_the_language() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default();
        assert_eq!(Lang::Fr.date(day), "05/03/2026");
        assert_eq!(Lang::En.date(day), "5 March 2026");
    }

    #[test]
    fn accept_language_picks_the_best_language_spoken() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::negotiate("de-DE, en;q=0.5, fr;q=0.8"), Some(Lang::Fr));
        assert_eq!(Lang::negotiate("de, it"), None);
        assert_eq!(Lang::negotiate("en;q=0, fr"), Some(Lang::Fr));
        assert_eq!(Lang::negotiate("*"), None);
        assert_eq!(Lang::parse("EN_us"), Some(Lang::En));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

            /// `?lang=` and `Accept-Language` are client text: never a panic.
            #[test]
            fn a_language_never_panics(
                raw in prop_oneof![
                    any::<String>(),
                    "([a-zé😀]{1,3}(-[A-Z]{2})?(;q=[0-9.é]{1,4})?, ?){0,4}".prop_map(String::from),
                ]
            ) {
                let _ = Lang::parse(&raw);
                let _ = Lang::negotiate(&raw);
            }
        }
    }
}
