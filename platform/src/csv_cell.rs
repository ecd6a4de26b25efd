//! Cells of the CSV files gescom writes, and how its importer reads them back.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
//! a carriage return before one) as a formula: a product named `=HYPERLINK(…)` or a
//! User-Agent in the audit trail would run on the machine of whoever opens the export
//! (CSV formula injection). So every export writes its cells through [`Cell`]: a text cell
//! that starts with one of [`TRIGGERS`] is written with a single quote in front, which
//! spreadsheets take as "this is text" (OWASP's advice). Numbers are a type of their own,
//! [`Cell::number`], built only from numeric types and written as they are: `-5.00` in a
//! price column stays a number.
//!
//! The importer undoes exactly that with [`unneutralise`], so that export → import →
//! export gives the same bytes and the same values. A text that already starts with
//! quotes before a trigger (`'=x`, stored through the JSON API) gets one more on export
//! (`''=x`) and loses one on import: every value survives the round trip, and a
//! spreadsheet shows it as it is stored.

use std::borrow::Cow;
use std::fmt::Display;

use rust_decimal::Decimal;

/// First characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`)
/// or that hide one behind them (tab, carriage return, line feed, NUL).
pub const TRIGGERS: [char; 8] = ['=', '+', '-', '@', '\t', '\r', '\n', '\0'];

/// The prefix that marks a cell as text.
pub const TEXT_PREFIX: char = '\'';

/// Whether `text`, written as it is, would be read as a formula, or is quotes before one
/// (and so would lose a quote on import).
fn needs_prefix(text: &str) -> bool {
    text.trim_start_matches(TEXT_PREFIX).starts_with(TRIGGERS)
}

/// `text` as an export writes it: with a quote in front if it starts with a trigger (or
/// with quotes before one), else unchanged.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if needs_prefix(text) {
        let mut written = String::with_capacity(text.len() + 1);
        written.push(TEXT_PREFIX);
        written.push_str(text);
        Cow::Owned(written)
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell as the importer reads it: one leading quote removed when what follows starts
/// with a trigger (or with quotes before one), which is what [`neutralise`] added; any
/// other cell unchanged.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_PREFIX) {
        Some(rest) if needs_prefix(rest) => rest,
        _ => cell,
    }
}

/// Numeric types a [`Cell::number`] is made from: their text is a number, never a formula.
pub trait Numeric: Display + private::Sealed {}

mod private {
    pub trait Sealed {}
}

macro_rules! numeric {
    ($($t:ty),*) => {$(
        impl private::Sealed for $t {}
        impl Numeric for $t {}
    )*};
}
numeric!(Decimal, i16, i32, i64, u16, u32, u64, usize);

/// One cell of an exported row: text (neutralised when written) or a number (written as
/// it is). Which one is decided by the type of the value, never guessed from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self(Kind::Text(text.into()))
    }

    /// Empty when `None`.
    pub fn optional_text(text: Option<impl Into<String>>) -> Self {
        Self::text(text.map(Into::into).unwrap_or_default())
    }

    pub fn number(n: impl Numeric) -> Self {
        Self(Kind::Number(n.to_string()))
    }

    /// Empty when `None`.
    pub fn optional_number(n: Option<impl Numeric>) -> Self {
        n.map_or_else(|| Self::text(""), Self::number)
    }

    /// What the CSV writer writes for this cell (before CSV quoting).
    pub fn written(&self) -> Cow<'_, str> {
        match &self.0 {
            Kind::Text(text) => neutralise(text),
            Kind::Number(n) => Cow::Borrowed(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_starting_with_a_trigger_gets_a_quote() {
        for (stored, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\n=1", "'\n=1"),
            ("\0=1", "'\0=1"),
            ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ] {
            assert_eq!(Cell::text(stored).written(), written, "{stored:?}");
        }
    }

    #[test]
    fn ordinary_text_is_written_as_it_is() {
        for text in [
            "",
            "Vis à bois 4x40",
            "a=b",
            "1+1",
            "x-y",
            "jean@example.fr",
            "'quoted",
            "'",
            " =not first",
            "{\"ProductCreated\":{}}",
        ] {
            assert_eq!(Cell::text(text).written(), text);
        }
    }

    #[test]
    fn quotes_before_a_trigger_get_one_more() {
        assert_eq!(Cell::text("'=x").written(), "''=x");
        assert_eq!(Cell::text("''-1").written(), "'''-1");
    }

    #[test]
    fn numbers_are_never_neutralised() {
        assert_eq!(Cell::number(Decimal::new(-500, 2)).written(), "-5.00");
        assert_eq!(Cell::number(-3_i64).written(), "-3");
        assert_eq!(
            Cell::optional_number(Some(Decimal::new(125, 1))).written(),
            "12.5"
        );
        assert_eq!(Cell::optional_number(None::<Decimal>).written(), "");
    }

    #[test]
    fn the_importer_removes_exactly_what_the_export_added() {
        assert_eq!(unneutralise("'=x"), "=x");
        assert_eq!(unneutralise("''=x"), "'=x");
        assert_eq!(unneutralise("'+33 1"), "+33 1");
        assert_eq!(unneutralise("'-5.00"), "-5.00");
        // Not what an export writes: left alone.
        assert_eq!(unneutralise("'quoted"), "'quoted");
        assert_eq!(unneutralise("'"), "'");
        assert_eq!(unneutralise("=x"), "=x");
        assert_eq!(unneutralise("-5.00"), "-5.00");
    }

    #[test]
    fn every_text_survives_the_round_trip() {
        let samples = [
            "", "'", "''", "=", "'=", "''=", "a", "'a", "=a", "'=a", "''=a", "-", "+1", "@", "\t",
            "'\t", "x'=", "'x=", "é=", "''", "'''",
        ];
        for text in samples {
            let written = Cell::text(text).written().into_owned();
            assert_eq!(
                unneutralise(&written),
                text,
                "{text:?} written as {written:?}"
            );
            // And what the importer reads is written again the same way.
            assert_eq!(Cell::text(unneutralise(&written)).written(), written);
        }
    }
}
