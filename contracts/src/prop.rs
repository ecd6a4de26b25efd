//! Property-test helpers for the value types (tests only): text as an attacker writes it,
//! and the round trips every accepted value must survive. Each value type's own test
//! module states its properties with these:
//! - its constructor never panics, whatever Unicode it is given;
//! - what it accepts has no control character in its text form, and comes back equal
//!   through JSON (`serde`) and through its text form (`Display`, then `parse`).

use std::fmt::{Debug, Display};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Cases per property: enough to find a byte-index slip, few enough for a fast suite.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 192,
        // A failing case is printed by the failed test; no regression files in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Characters that break naive parsers: multibyte ones whose bytes are not characters,
/// combining marks, characters that NFKC or case mapping change in length, controls (C0,
/// DEL, C1), invisible and odd spaces.
const NASTY: &[char] = &[
    '\0', '\t', '\n', '\r', '\u{7f}', '\u{85}', '\u{9f}', 'é', '\u{301}', '\u{20dd}', '😀', '👩',
    '\u{200d}', '\u{fe0f}', 'ß', 'ﬁ', 'ﬀ', 'İ', 'ǅ', 'Σ', '\u{a0}', '\u{2003}', '\u{200b}',
    '\u{feff}', '\u{fffd}', 'Ⅻ', '½', '٣', '０', 'Ａ', '\u{fdfa}', '\u{e000}',
];

pub fn nasty_char() -> impl Strategy<Value = char> {
    proptest::sample::select(NASTY)
}

/// `valid` text, arbitrary Unicode, and `valid` text with nasty characters put in at
/// random character positions (or around it).
pub fn hostile<S>(valid: S) -> BoxedStrategy<String>
where
    S: Strategy<Value = String> + Clone + 'static,
{
    let spliced = (
        valid.clone(),
        proptest::collection::vec((nasty_char(), any::<prop::sample::Index>()), 1..4),
    )
        .prop_map(|(text, inserts)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (c, at) in inserts {
                let at = at.index(chars.len() + 1);
                chars.insert(at, c);
            }
            chars.into_iter().collect::<String>()
        });
    let nasty_only = proptest::collection::vec(nasty_char(), 0..12)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    prop_oneof![
        3 => valid,
        2 => any::<String>(),
        3 => spliced,
        1 => nasty_only,
    ]
    .boxed()
}

/// One of `words`, in any case, maybe padded with spaces: an enum's names as typed.
pub fn one_of_words(words: &'static [&'static str]) -> BoxedStrategy<String> {
    (
        proptest::sample::select(words),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(word, upper, padded)| {
            let word = if upper {
                word.to_uppercase()
            } else {
                word.to_owned()
            };
            if padded {
                format!("  {word} ")
            } else {
                word
            }
        })
        .boxed()
}

/// Any decimal `rust_decimal` can hold, every scale included.
pub fn any_decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        0..=28_u32,
    )
        .prop_map(|(lo, mid, hi, negative, scale)| {
            Decimal::from_parts(lo, mid, hi, negative, scale)
        })
}

/// Decimal text: plausible amounts, any decimal's text, and hostile text.
pub fn decimal_text() -> BoxedStrategy<String> {
    let plausible = "[ ]?-?[0-9]{0,12}(\\.[0-9]{0,6})?[ ]?".prop_map(String::from);
    let any = any_decimal().prop_map(|d| d.to_string());
    hostile(prop_oneof![plausible, any])
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// `value` comes back equal from its JSON.
pub fn json_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).map_err(|e| fail(format!("{value:?}: {e}")))?;
    let back: T = serde_json::from_str(&json).map_err(|e| fail(format!("{json}: {e}")))?;
    prop_assert_eq!(&back, value, "through JSON {}", json);
    Ok(())
}

/// `value`'s text has no control character and parses back to `value`.
pub fn text_round_trip<T, E>(
    value: &T,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<(), TestCaseError>
where
    T: Display + PartialEq + Debug,
    E: Debug,
{
    let text = value.to_string();
    prop_assert!(
        !crate::input::contains_control(&text),
        "accepted text holds a control character: {:?}",
        text
    );
    match parse(&text) {
        Ok(back) => prop_assert_eq!(&back, value, "through its text {:?}", text),
        Err(e) => {
            return Err(fail(format!(
                "{text:?} was accepted once, then refused: {e:?}"
            )))
        }
    }
    Ok(())
}

/// What `parse` makes of `raw` (never a panic: the test fails on one); if it accepts it,
/// the value survives JSON and its text form.
pub fn accepted_round_trips<T, E>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, TestCaseError>
where
    T: Serialize + DeserializeOwned + Display + PartialEq + Debug,
    E: Debug,
{
    let Ok(value) = parse(raw) else {
        return Ok(None);
    };
    json_round_trip(&value)?;
    text_round_trip(&value, &parse)?;
    Ok(Some(value))
}
