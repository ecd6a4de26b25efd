//! Each EU member state's check on its VAT numbers (and Northern Ireland's, which is the
//! United Kingdom's), as python-stdnum 2.2 implements them: the module named beside each
//! rule is where to read it. What passes is valid in form only; whether the number is
//! registered is for VIES to say (`super::VatRegistry`).
//!
//! [`check`] is given the prefix and the body that matched one of the prefix's shapes in
//! `super::VAT_FORMATS` (the right length, digits and letters where they belong), but
//! reads it defensively all the same: any text gets an answer, never a panic.

use chrono::NaiveDate;

use crate::checksum::{digits, luhn, luhn_check_digit, luhn_checksum, mod_11_10, mod_97_10};
use crate::checksum::{value, weighted};

/// Why a number of the right shape is still not a VAT number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fault {
    /// A part that cannot be: a reserved first digit, a date that does not exist, an
    /// unknown tax office. The message says which.
    Format(&'static str),
    /// The check digit (or letter, or pair) does not match the rest.
    CheckDigit,
    /// France: the SIREN after the key fails its Luhn check.
    FrenchSiren,
    /// France: the key does not match the SIREN; the right one when the key is numeric.
    FrenchKey(Option<u64>),
}

type Rule = Result<(), Fault>;

fn ok_if(pass: bool) -> Rule {
    if pass {
        Ok(())
    } else {
        Err(Fault::CheckDigit)
    }
}

/// The body's digits; the shape has already made sure of them.
fn all_digits(body: &str) -> Result<Vec<u32>, Fault> {
    digits(body).ok_or(Fault::Format("digits only here"))
}

/// The number `d[range]` spells (at most 18 digits, so it fits).
fn number(d: &[u32], from: usize, to: usize) -> u64 {
    d.get(from..to)
        .unwrap_or_default()
        .iter()
        .fold(0, |acc, &x| acc * 10 + u64::from(x))
}

/// The digit at `i`, 0 past the end (the shape has made sure there is one).
fn at(d: &[u32], i: usize) -> u32 {
    d.get(i).copied().unwrap_or(0)
}

fn is_date(year: i64, month: u32, day: u32) -> bool {
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .is_some()
}

/// The check of `prefix`'s numbers (`GR` is written `EL` by then).
pub(super) fn check(prefix: &str, body: &str) -> Rule {
    match prefix {
        "AT" => austria(body),
        "BE" => belgium(body),
        "BG" => bulgaria(body),
        "CY" => cyprus(body),
        "CZ" => czechia(body),
        "DE" => germany(body),
        "DK" => denmark(body),
        "EE" => estonia(body),
        "EL" => greece(body),
        "ES" => spain(body),
        "FI" => finland(body),
        "FR" => france(body),
        "HR" => croatia(body),
        "HU" => hungary(body),
        "IE" => ireland(body),
        "IT" => italy(body),
        "LT" => lithuania(body),
        "LU" => luxembourg(body),
        "LV" => latvia(body),
        "MT" => malta(body),
        "NL" => netherlands(body),
        "PL" => poland(body),
        "PT" => portugal(body),
        "RO" => romania(body),
        "SE" => sweden(body),
        "SI" => slovenia(body),
        "SK" => slovakia(body),
        "XI" => northern_ireland(body),
        _ => Err(Fault::Format("no rule for this prefix")),
    }
}

/// `at/uid.py`: `U` and 8 digits; the last is `(6 − Luhn checksum of digits 2 to 8) mod 10`.
fn austria(body: &str) -> Rule {
    let d = all_digits(body.strip_prefix('U').unwrap_or(body))?;
    let (check, rest) = d.split_last().ok_or(Fault::CheckDigit)?;
    ok_if((16 - luhn_checksum(rest)) % 10 == *check)
}

/// `be/vat.py`: 10 digits (an old 9-digit number gets a leading 0 first), starting with 0
/// or 1, not all zero; the first 8 plus the last 2 are a multiple of 97.
fn belgium(body: &str) -> Rule {
    let d = all_digits(body)?;
    if d.iter().all(|&x| x == 0) {
        return Err(Fault::Format("a BE VAT number is not all zeros"));
    }
    ok_if((number(&d, 0, 8) + number(&d, 8, 10)).is_multiple_of(97))
}

/// `bg/vat.py`: 9 digits for a legal entity (weights 1…8, else 3…10, mod 11); 10 digits
/// for a person, valid as an EGN (a birth date and weights 2 4 8 5 10 9 7 3 6 mod 11), a
/// PNF (weights 21 19 17 13 11 9 7 3 1 mod 10) or another person's number (weights
/// 4 3 2 7 6 5 4 3 2, 11 − sum mod 11).
fn bulgaria(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    if d.len() == 9 {
        let mut sum = weighted(rest, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
        if sum == 10 {
            sum = weighted(rest, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11;
        }
        return ok_if(sum % 10 == i64::from(check));
    }
    let check = i64::from(check);
    let egn = {
        let (mut year, mut month, day) =
            (1900 + number(&d, 0, 2), number(&d, 2, 4), number(&d, 4, 6));
        if month > 40 {
            year += 100;
            month -= 40;
        } else if month > 20 {
            year -= 100;
            month -= 20;
        }
        is_date(year as i64, month as u32, day as u32)
            && weighted(rest, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10 == check
    };
    let pnf = weighted(rest, &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 == check;
    let other = (11 - weighted(rest, &[4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11 == check;
    ok_if(egn || pnf || other)
}

/// `cy/vat.py`: 8 digits, not starting with 12, and a check letter: digits in odd places
/// (from 1) count 1 0 5 7 9 13 15 17 19 21, the others themselves, the sum mod 26.
fn cyprus(body: &str) -> Rule {
    let (digits_part, letter) = body.split_at_checked(8).ok_or(Fault::CheckDigit)?;
    let d = all_digits(digits_part)?;
    if d.starts_with(&[1, 2]) {
        return Err(Fault::Format("a CY VAT number never starts with 12"));
    }
    const ODD: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| if i % 2 == 0 { ODD[x as usize % 10] } else { x })
        .sum();
    let expected = char::from(b'A' + (sum % 26) as u8);
    ok_if(letter.chars().eq([expected]))
}

/// `cz/rc.py`: a Czech or Slovak birth number (rodné číslo): a date (the month plus 20, 50
/// or 70 for some), 9 digits before 1954, 10 after with the first 9 mod 11 (mod 10) last.
fn birth_number(d: &[u32]) -> Rule {
    let mut year = 1900 + number(d, 0, 2) as i64;
    let month = (number(d, 2, 4) % 50 % 20) as u32;
    let day = number(d, 4, 6) as u32;
    if d.len() == 9 {
        if year >= 1980 {
            year -= 100;
        }
        if year > 1953 {
            return Err(Fault::Format("a 9-digit birth number is from before 1954"));
        }
    } else if year < 1954 {
        year += 100;
    }
    if !is_date(year, month, day) {
        return Err(Fault::Format(
            "the birth date in this number does not exist",
        ));
    }
    if d.len() == 10 {
        return ok_if(number(d, 0, 9) % 11 % 10 == u64::from(at(d, 9)));
    }
    Ok(())
}

/// `cz/dic.py`: 8 digits for a legal entity (not starting with 9; weights 8…2, 11 − sum
/// mod 11, 0 → 1, 10 → 0); 9 digits starting with 6 for special cases (weights 8…2 on
/// digits 2 to 8); otherwise 9 or 10 digits of a birth number.
fn czechia(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    let weights = [8, 7, 6, 5, 4, 3, 2];
    match d.len() {
        8 => {
            if at(&d, 0) == 9 {
                return Err(Fault::Format(
                    "an 8-digit CZ VAT number never starts with 9",
                ));
            }
            let mut c = (11 - weighted(rest, &weights) % 11) % 11;
            if c == 0 {
                c = 1;
            }
            ok_if(c % 10 == i64::from(check))
        }
        9 if at(&d, 0) == 6 => {
            let sum = weighted(rest.get(1..).unwrap_or_default(), &weights) % 11;
            ok_if((8 - (10 - sum) % 11).rem_euclid(10) == i64::from(check))
        }
        _ => birth_number(&d),
    }
}

/// `de/vat.py`: 9 digits, not starting with 0, ISO 7064 Mod 11,10.
fn germany(body: &str) -> Rule {
    let d = all_digits(body)?;
    if d.first() == Some(&0) {
        return Err(Fault::Format("a DE VAT number never starts with 0"));
    }
    ok_if(mod_11_10(&d))
}

/// `dk/cvr.py`: 8 digits, not starting with 0, weights 2 7 6 5 4 3 2 1 sum to a multiple
/// of 11.
fn denmark(body: &str) -> Rule {
    let d = all_digits(body)?;
    if d.first() == Some(&0) {
        return Err(Fault::Format("a DK VAT number never starts with 0"));
    }
    ok_if(weighted(&d, &[2, 7, 6, 5, 4, 3, 2, 1]) % 11 == 0)
}

/// `ee/kmkr.py`: 9 digits, weights 3 7 1 3 7 1 3 7 1 sum to a multiple of 10.
fn estonia(body: &str) -> Rule {
    let d = all_digits(body)?;
    ok_if(weighted(&d, &[3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 == 0)
}

/// `gr/vat.py`: 9 digits (an old 8-digit number gets a leading 0 first); the first 8 with
/// weights 256…2, mod 11, mod 10, give the last.
fn greece(body: &str) -> Rule {
    let d = all_digits(body)?;
    let (check, rest) = d.split_last().ok_or(Fault::CheckDigit)?;
    let sum = rest.iter().fold(0_u64, |acc, &x| acc * 2 + u64::from(x));
    ok_if(sum * 2 % 11 % 10 == u64::from(*check))
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn dni_letter(n: u64) -> char {
    char::from(DNI_LETTERS[(n % 23) as usize])
}

/// `es/nif.py`: 9 characters, 7 digits in the middle. A DNI (8 digits and a letter, the
/// number mod 23), a NIE (X, Y or Z for 0, 1, 2, then as a DNI), K, L or M and a DNI
/// letter over the 7 digits, or a CIF (a letter of ABCDEFGHJNPQRSUVW, 7 digits, and the
/// Luhn check digit or the letter of JABCDEFGHI for it).
fn spain(body: &str) -> Rule {
    let chars: Vec<char> = body.chars().collect();
    let [first, .., last] = chars[..] else {
        return Err(Fault::CheckDigit);
    };
    let middle: String = chars[1..chars.len() - 1].iter().collect();
    let middle_digits = all_digits(&middle)?;
    let middle_value = number(&middle_digits, 0, middle_digits.len());
    if let Some(first_digit) = first.to_digit(10) {
        // DNI: the letter of the 8-digit number.
        return ok_if(last == dni_letter(u64::from(first_digit) * 10_000_000 + middle_value));
    }
    if let Some(nie) = "XYZ".find(first) {
        return ok_if(last == dni_letter(nie as u64 * 10_000_000 + middle_value));
    }
    if "KLM".contains(first) {
        return ok_if(last == dni_letter(middle_value));
    }
    if "ABCDEFGHJNPQRSUVW".contains(first) {
        let check = luhn_check_digit(&middle_digits);
        let letter = char::from(b"JABCDEFGHI"[check as usize % 10]);
        return ok_if(last.to_digit(10) == Some(check) || last == letter);
    }
    Err(Fault::Format(
        "an ES VAT number starts with a digit or one of ABCDEFGHJKLMNPQRSUVWXYZ",
    ))
}

/// `fi/alv.py`: 8 digits, weights 7 9 10 5 8 4 2 1 sum to a multiple of 11.
fn finland(body: &str) -> Rule {
    let d = all_digits(body)?;
    ok_if(weighted(&d, &[7, 9, 10, 5, 8, 4, 2, 1]) % 11 == 0)
}

const FR_KEY_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// `fr/tva.py`: a 2-character key and 9 digits. The digits are a SIREN (Luhn), except in
/// Monaco's numbers where they start with 000. A numeric key is `(12 + 3 × (number mod
/// 97)) mod 97`; the older keys with letters (never I or O) follow their own formula.
fn france(body: &str) -> Rule {
    let (key, siren) = body.split_at_checked(2).ok_or(Fault::CheckDigit)?;
    let key_values: Vec<usize> = key
        .chars()
        .filter_map(|c| FR_KEY_ALPHABET.find(c))
        .collect();
    let [k0, k1] = key_values[..] else {
        return Err(Fault::Format("a French VAT key never uses I or O"));
    };
    let n = value(siren).ok_or(Fault::Format("digits only after the key"))?;
    if !siren.starts_with("000") && !luhn(siren) {
        return Err(Fault::FrenchSiren);
    }
    if k0 < 10 && k1 < 10 {
        let expected = (n * 100 + 12) % 97;
        return if (k0 * 10 + k1) as u64 == expected {
            Ok(())
        } else {
            Err(Fault::FrenchKey(Some(expected)))
        };
    }
    // Never negative: with a letter first k0 ≥ 10, with a digit first k1 ≥ 10.
    let check = if k0 < 10 {
        k0 * 24 + k1 - 10
    } else {
        k0 * 34 + k1 - 100
    } as u64;
    if (n + 1 + check / 11) % 11 == check % 11 {
        Ok(())
    } else {
        Err(Fault::FrenchKey(None))
    }
}

/// `hr/oib.py`: 11 digits, ISO 7064 Mod 11,10.
fn croatia(body: &str) -> Rule {
    ok_if(mod_11_10(&all_digits(body)?))
}

/// `hu/anum.py`: 8 digits, weights 9 7 3 1 9 7 3 1 sum to a multiple of 10.
fn hungary(body: &str) -> Rule {
    let d = all_digits(body)?;
    ok_if(weighted(&d, &[9, 7, 3, 1, 9, 7, 3, 1]) % 10 == 0)
}

const IE_LETTERS: &str = "WABCDEFGHIJKLMNOPQRSTUV";

/// `ie/vat.py`: 7 digits and a check letter, with a second letter (new numbers, 2013)
/// counted 9 × its value; or the old form, a digit, a letter or `+` or `*`, 5 digits and
/// the check letter over the 5 digits then the first. The check letter is
/// `WABCDEFGHIJKLMNOPQRSTUV[Σ weights 8…2 + 9 × second letter, mod 23]`.
fn ireland(body: &str) -> Rule {
    let chars: Vec<char> = body.chars().collect();
    let letters: Vec<usize> = chars
        .get(7..)
        .unwrap_or_default()
        .iter()
        .filter_map(|&c| IE_LETTERS.find(c))
        .collect();
    if letters.len() + 7 != chars.len() {
        return Err(Fault::Format(
            "an IE VAT number's letters at the end are A to W",
        ));
    }
    let check_letter = |seven: &[u32], second: usize| {
        let sum = weighted(seven, &[8, 7, 6, 5, 4, 3, 2]) + 9 * second as i64;
        IE_LETTERS.chars().nth((sum % 23) as usize)
    };
    let head: String = chars.iter().take(7).collect();
    let expected = match digits(&head) {
        Some(seven) => check_letter(&seven, letters.get(1).copied().unwrap_or(0)),
        None => {
            // The old form: the 5 digits after the letter, then the first digit, as 7
            // digits with a leading 0.
            let old: String = std::iter::once('0')
                .chain(chars.iter().skip(2).take(5).copied())
                .chain(chars.first().copied())
                .collect();
            check_letter(&all_digits(&old)?, 0)
        }
    };
    ok_if(expected == chars.get(7).copied())
}

/// `it/iva.py`: 11 digits: a company number (not 0000000), a tax office (001 to 100, 120,
/// 121, 888 or 999), a Luhn check digit.
fn italy(body: &str) -> Rule {
    let d = all_digits(body)?;
    if number(&d, 0, 7) == 0 {
        return Err(Fault::Format(
            "an IT VAT number's first 7 digits are not all 0",
        ));
    }
    let office = number(&d, 7, 10);
    if !((1..=100).contains(&office) || [120, 121, 888, 999].contains(&office)) {
        return Err(Fault::Format(
            "an IT VAT number's digits 8 to 10 are a tax office: 001 to 100, 120, 121, 888 or 999",
        ));
    }
    ok_if(luhn_checksum(&d) == 0)
}

/// `lt/pvm.py`: 9 digits (the 8th is 1) or 12 (the 11th is 1); weights 1…9, 1… mod 11,
/// and if that gives 10, weights 3…9, 1… mod 11; 10 counts 0.
fn lithuania(body: &str) -> Rule {
    let d = all_digits(body)?;
    let one_at = if d.len() == 9 { 7 } else { 10 };
    if d.get(one_at) != Some(&1) {
        return Err(Fault::Format(
            "an LT VAT number has 1 as its 8th digit (9 digits) or its 11th (12 digits)",
        ));
    }
    let (check, rest) = d.split_last().ok_or(Fault::CheckDigit)?;
    let sum_with = |shift: usize| -> i64 {
        rest.iter()
            .enumerate()
            .map(|(i, &x)| (1 + (i + shift) % 9) as i64 * i64::from(x))
            .sum()
    };
    let mut c = sum_with(0) % 11;
    if c == 10 {
        c = sum_with(2);
    }
    ok_if(c % 11 % 10 == i64::from(*check))
}

/// `lu/tva.py`: 8 digits, the first 6 mod 89 are the last 2.
fn luxembourg(body: &str) -> Rule {
    let d = all_digits(body)?;
    ok_if(number(&d, 0, 6) % 89 == number(&d, 6, 8))
}

/// `lv/pvn.py`: 11 digits. A legal entity's (first digit above 3): weights 9 1 4 8 3 10 2
/// 5 7 6 1 leave 3 mod 11. A person's: a birth date (day, month, year, century digit)
/// unless it starts with 32 (codes since 2017), and `(1 + Σ weights 10 5 8 4 2 1 6 3 7 9)
/// mod 11 mod 10` last.
fn latvia(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    if at(&d, 0) > 3 {
        return ok_if(weighted(&d, &[9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1]) % 11 == 3);
    }
    if !d.starts_with(&[3, 2]) {
        let year = 1800 + number(&d, 4, 6) as i64 + i64::from(at(&d, 6)) * 100;
        if !is_date(year, number(&d, 2, 4) as u32, number(&d, 0, 2) as u32) {
            return Err(Fault::Format(
                "the birth date in this LV VAT number does not exist",
            ));
        }
    }
    let c = (1 + weighted(rest, &[10, 5, 8, 4, 2, 1, 6, 3, 7, 9])) % 11 % 10;
    ok_if(c == i64::from(check))
}

/// `mt/vat.py`: 8 digits, not starting with 0, weights 3 4 6 7 8 9 10 1 sum to a
/// multiple of 37.
fn malta(body: &str) -> Rule {
    let d = all_digits(body)?;
    if d.first() == Some(&0) {
        return Err(Fault::Format("an MT VAT number never starts with 0"));
    }
    ok_if(weighted(&d, &[3, 4, 6, 7, 8, 9, 10, 1]) % 37 == 0)
}

/// `nl/btw.py`: 9 digits (fewer get leading zeros first), `B`, 2 digits (neither part all
/// zeros). A company's 9 digits are a BSN/RSIN (weights 9…2, minus the last, mod 11); a
/// sole proprietor's number since 2020 passes ISO 7064 Mod 97-10 as a whole, `NL`
/// included.
fn netherlands(body: &str) -> Rule {
    let (nine, suffix) = body.split_at_checked(9).ok_or(Fault::CheckDigit)?;
    let d = all_digits(nine)?;
    let suffix_value = value(suffix.get(1..).unwrap_or_default()).unwrap_or(0);
    if d.iter().all(|&x| x == 0) || suffix_value == 0 {
        return Err(Fault::Format(
            "an NL VAT number's digits before and after B are not all zeros",
        ));
    }
    let bsn = (weighted(&d, &[9, 8, 7, 6, 5, 4, 3, 2]) - i64::from(at(&d, 8))).rem_euclid(11) == 0;
    ok_if(bsn || mod_97_10(&format!("NL{body}")) == Some(1))
}

/// `pl/nip.py`: 10 digits, weights 6 5 7 2 3 4 5 6 7 −1 sum to a multiple of 11.
fn poland(body: &str) -> Rule {
    let d = all_digits(body)?;
    ok_if(weighted(&d, &[6, 5, 7, 2, 3, 4, 5, 6, 7, -1]).rem_euclid(11) == 0)
}

/// `pt/nif.py`: 9 digits, not starting with 0; `(11 − Σ weights 9…2) mod 11`, 10 → 0,
/// last.
fn portugal(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    if at(&d, 0) == 0 {
        return Err(Fault::Format("a PT VAT number never starts with 0"));
    }
    let c = (11 - weighted(rest, &[9, 8, 7, 6, 5, 4, 3, 2])).rem_euclid(11) % 10;
    ok_if(c == i64::from(check))
}

/// Counties a Romanian CNP may name (`ro/cnp.py`).
const RO_COUNTIES: &[u64] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 51, 52,
    70, 80, 81, 82, 83,
];

/// `ro/cf.py`: a CUI of 2 to 10 digits, not starting with 0 (the others padded to 9 with
/// leading zeros, weights 7 5 3 2 1 7 5 3 2, × 10 mod 11 mod 10 last), or a person's
/// 13-digit CNP (`ro/cnp.py`: sex and century, a birth date, a county, weights
/// 2 7 9 1 4 6 3 5 8 2 7 9 mod 11, 10 → 1).
fn romania(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    if d.len() == 13 {
        if at(&d, 0) == 0 {
            return Err(Fault::Format("a CNP never starts with 0"));
        }
        let century = match at(&d, 0) {
            3 | 4 => 1800,
            5 | 6 => 2000,
            _ => 1900,
        };
        let year = century + number(&d, 1, 3) as i64;
        if !is_date(year, number(&d, 3, 5) as u32, number(&d, 5, 7) as u32) {
            return Err(Fault::Format("the birth date in this CNP does not exist"));
        }
        if !RO_COUNTIES.contains(&number(&d, 7, 9)) {
            return Err(Fault::Format("the county in this CNP does not exist"));
        }
        let mut c = weighted(rest, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
        if c == 10 {
            c = 1;
        }
        return ok_if(c == i64::from(check));
    }
    if at(&d, 0) == 0 {
        return Err(Fault::Format("an RO VAT number never starts with 0"));
    }
    let mut padded = vec![0; 9_usize.saturating_sub(rest.len())];
    padded.extend_from_slice(rest);
    let c = 10 * weighted(&padded, &[7, 5, 3, 2, 1, 7, 5, 3, 2]) % 11 % 10;
    ok_if(c == i64::from(check))
}

/// `se/vat.py`: a 10-digit organisation number with a Luhn check digit, then `01`.
fn sweden(body: &str) -> Rule {
    ok_if(luhn(body.get(..10).unwrap_or_default()))
}

/// `si/ddv.py`: 8 digits, not starting with 0; `11 − (Σ weights 8…2 mod 11)`, 10 → 0,
/// last (11 never is).
fn slovenia(body: &str) -> Rule {
    let d = all_digits(body)?;
    let Some((&check, rest)) = d.split_last() else {
        return Err(Fault::CheckDigit);
    };
    if at(&d, 0) == 0 {
        return Err(Fault::Format("an SI VAT number never starts with 0"));
    }
    let c = match 11 - weighted(rest, &[8, 7, 6, 5, 4, 3, 2]) % 11 {
        10 => 0,
        c => c,
    };
    ok_if(c == i64::from(check))
}

/// `sk/dph.py`: 10 digits: a birth number (as Czech ones), or a number not starting with
/// 0, with 2, 3, 4, 7, 8 or 9 third, that is a multiple of 11.
fn slovakia(body: &str) -> Rule {
    let d = all_digits(body)?;
    if birth_number(&d).is_ok() {
        return Ok(());
    }
    if at(&d, 0) == 0 || ![2, 3, 4, 7, 8, 9].contains(&at(&d, 2)) {
        return Err(Fault::Format(
            "an SK VAT number does not start with 0 and has 2, 3, 4, 7, 8 or 9 as its third digit",
        ));
    }
    ok_if(number(&d, 0, 10).is_multiple_of(11))
}

/// `gb/vat.py`, as Northern Ireland's numbers (XI) are the United Kingdom's: 9 digits, or
/// 12 (a branch's 3 digits after), whose first 9 with weights 8 7 6 5 4 3 2 10 1 leave 0
/// mod 97 (or 42 or 55 when the first 3 are 100 or more); a government department's
/// `GD` + 3 digits below 500, a health authority's `HA` + 3 digits from 500, or either
/// as `GD8888`/`HA8888` + those 3 digits + their value mod 97.
fn northern_ireland(body: &str) -> Rule {
    let (letters, rest) = body.split_at_checked(2).ok_or(Fault::CheckDigit)?;
    if letters == "GD" || letters == "HA" {
        let department = match rest.len() {
            3 => value(rest),
            9 => rest
                .strip_prefix("8888")
                .and_then(|r| r.get(..3))
                .and_then(value),
            _ => None,
        }
        .ok_or(Fault::Format("GD or HA, then 3 digits"))?;
        if (letters == "GD") != (department < 500) {
            return Err(Fault::Format(
                "a GD number is below 500, an HA number 500 or above",
            ));
        }
        if rest.len() == 9 {
            let check = rest.get(7..).and_then(value);
            return ok_if(check == Some(department % 97));
        }
        return Ok(());
    }
    let d = all_digits(body)?;
    let first_nine = d.get(..9).ok_or(Fault::CheckDigit)?;
    let sum = weighted(first_nine, &[8, 7, 6, 5, 4, 3, 2, 10, 1]) % 97;
    if number(&d, 0, 3) >= 100 {
        ok_if([0, 42, 55].contains(&sum))
    } else {
        ok_if(sum == 0)
    }
}
