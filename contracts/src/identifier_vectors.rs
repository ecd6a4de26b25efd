//! The identifier vectors (`contracts/tests/vectors/identifiers.csv`, verdicts from
//! python-stdnum, written by `generate.py` beside it): every VAT number, SIREN, SIRET and
//! barcode there gets the verdict the file gives, and what is accepted is stored in the
//! form it gives and survives JSON and its text form.

use std::collections::BTreeMap;
use std::fmt::{Debug, Display};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::customer::{Siren, Siret, VatNumber};
use crate::product::Barcode;
use crate::Invalid;

const VECTORS: &str = include_str!("../tests/vectors/identifiers.csv");

/// What `parse` makes of `input`, against `expected`; a description of the difference.
fn verdict<T>(
    input: &str,
    expected: &str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Option<String>
where
    T: Display + Debug + PartialEq + Serialize + DeserializeOwned,
{
    match (parse(input), expected.strip_prefix("ok:")) {
        (Ok(value), Some(stored)) => {
            let text = value.to_string();
            if text != stored {
                return Some(format!("stored as {text}, expected {stored}"));
            }
            if parse(&text).as_ref() != Ok(&value) {
                return Some("does not parse back from its text".to_owned());
            }
            let json = serde_json::to_string(&value).ok()?;
            match serde_json::from_str::<T>(&json) {
                Ok(back) if back == value => None,
                other => Some(format!("through JSON: {other:?}")),
            }
        }
        (Ok(value), None) => Some(format!("accepted as {value}, expected {expected}")),
        (Err(e), Some(_)) => Some(format!(
            "refused ({}: {}), expected {expected}",
            e.code, e.message
        )),
        (Err(e), None) if e.code != expected => Some(format!(
            "refused with {} ({}), expected {expected}",
            e.code, e.message
        )),
        (Err(_), None) => None,
    }
}

#[test]
fn every_identifier_vector_gets_its_verdict() {
    let mut failures = Vec::new();
    let mut counts: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    let mut prefixes = std::collections::BTreeSet::new();
    for (number, line) in VECTORS.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(4, ',');
        let (Some(kind), Some(input), Some(expected)) =
            (fields.next(), fields.next(), fields.next())
        else {
            failures.push(format!("line {}: not kind,input,expected,note", number + 1));
            continue;
        };
        *counts
            .entry((kind, expected.starts_with("ok:")))
            .or_default() += 1;
        let wrong = match kind {
            "vat" => {
                if let Some(stored) = expected.strip_prefix("ok:") {
                    prefixes.insert(stored.get(..2).unwrap_or_default().to_owned());
                }
                verdict(input, expected, VatNumber::parse)
            }
            "siren" => verdict(input, expected, Siren::parse),
            "siret" => verdict(input, expected, Siret::parse),
            "barcode" => verdict(input, expected, Barcode::parse),
            other => Some(format!("unknown kind {other}")),
        };
        if let Some(wrong) = wrong {
            failures.push(format!("line {}: {kind} {input:?}: {wrong}", number + 1));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let total: usize = counts.values().sum();
    assert!(total >= 300, "{total} vectors");
    for kind in ["vat", "siren", "siret", "barcode"] {
        for valid in [true, false] {
            assert!(
                counts.get(&(kind, valid)).is_some_and(|&n| n >= 10),
                "{kind} {valid}: {counts:?}"
            );
        }
    }
    let member_states =
        "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI";
    for state in member_states.split(' ') {
        assert!(prefixes.contains(state), "no valid vector for {state}");
    }
}
