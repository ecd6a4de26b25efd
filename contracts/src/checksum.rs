//! Check-digit arithmetic shared by the identifiers (SIREN, SIRET, VAT numbers, barcodes).
//!
//! Every function takes untrusted text and answers `None` or `false` for anything that is
//! not ASCII digits: no index can fall outside the text and no subtraction can underflow.
//! The algorithms are those of python-stdnum (`luhn.py`, `iso7064/mod_11_10.py`,
//! `iso7064/mod_97_10.py`, `ean.py`), which the test vectors come from.

/// The value of each character, if every one is an ASCII digit (`char::to_digit(10)`
/// refuses other scripts' digits and full-width ones).
pub(crate) fn digits(number: &str) -> Option<Vec<u32>> {
    number.chars().map(|c| c.to_digit(10)).collect()
}

/// The number the digits spell, if there are some, all ASCII digits, and it fits in a
/// `u64`.
pub(crate) fn value(number: &str) -> Option<u64> {
    digits(number)
        .filter(|d| !d.is_empty())?
        .into_iter()
        .try_fold(0_u64, |acc, d| {
            acc.checked_mul(10)?.checked_add(u64::from(d))
        })
}

/// `Σ weight × digit`, the weights taken from the left; extra digits or weights are
/// ignored, as Python's `zip` does.
pub(crate) fn weighted(digits: &[u32], weights: &[i64]) -> i64 {
    digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| i64::from(d) * w)
        .sum()
}

/// Luhn's checksum: 0 for a valid number.
pub(crate) fn luhn_checksum(digits: &[u32]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum::<u32>()
        % 10
}

/// Luhn's check over ASCII digits; anything else, or nothing, fails it.
pub(crate) fn luhn(number: &str) -> bool {
    digits(number).is_some_and(|d| !d.is_empty() && luhn_checksum(&d) == 0)
}

/// The digit that, appended, makes `digits` pass Luhn's check.
pub(crate) fn luhn_check_digit(digits: &[u32]) -> u32 {
    let mut with_zero = digits.to_vec();
    with_zero.push(0);
    (10 - luhn_checksum(&with_zero)) % 10
}

/// ISO 7064 Mod 11,10 (German VAT numbers, Croatian OIB): a valid number leaves 1.
pub(crate) fn mod_11_10(digits: &[u32]) -> bool {
    let check = digits.iter().fold(5, |check, &d| {
        let check = if check == 0 { 10 } else { check };
        ((check * 2) % 11 + d) % 10
    });
    check == 1
}

/// ISO 7064 Mod 97-10 over digits and capital letters (a letter counts as its base-36
/// value, `A` = 10): a valid number leaves 1. `None` for any other character.
pub(crate) fn mod_97_10(number: &str) -> Option<u32> {
    number.chars().try_fold(0_u32, |acc, c| {
        let v = c
            .to_digit(36)
            .filter(|_| c.is_ascii_digit() || c.is_ascii_uppercase())?;
        Some(if v < 10 {
            (acc * 10 + v) % 97
        } else {
            (acc * 100 + v) % 97
        })
    })
}

/// GS1's check (EAN-8, UPC-A, EAN-13, GTIN-14): weights 3, 1, 3, 1… from the right of
/// the body, the check digit makes the sum a multiple of 10.
pub(crate) fn gs1(digits: &[u32]) -> bool {
    let Some((check, body)) = digits.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == *check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_on_a_known_number() {
        assert!(luhn("552081317"));
        assert!(!luhn("552081318"));
        assert!(!luhn(""));
        assert!(!luhn("55208131a"));
        assert_eq!(luhn_check_digit(&digits("55208131").unwrap()), 7);
        assert!(mod_11_10(&digits("136695976").unwrap()));
        assert!(!mod_11_10(&digits("136695978").unwrap()));
        assert_eq!(mod_97_10("NL000099998B57"), Some(1));
        assert_eq!(mod_97_10("NL000099998B58").map(|r| r == 1), Some(false));
        assert_eq!(mod_97_10("nl"), None);
        assert!(gs1(&digits("4006381333931").unwrap()));
        assert!(gs1(&digits("98412345678908").unwrap()));
        assert!(!gs1(&[]));
        assert_eq!(value("18446744073709551616"), None);
        assert_eq!(value("０"), None);
        assert_eq!(weighted(&[1, 2, 3], &[2, -1]), 0);
    }
}
