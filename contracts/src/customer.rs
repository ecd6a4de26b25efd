//! Customer value types: code, French legal ids (SIREN, SIRET), intra-EU VAT number,
//! phone, postal address, payment terms. Each constructor is the only way in.

use crate::FieldCode;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::checksum::luhn;
use crate::product::bounded_text;
use crate::Invalid;

mod vat_rules;
use vat_rules::Fault;

/// A customer's code: 1 to 32 letters, digits or `-_.`, unique ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerCode(String);

impl CustomerCode {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = bounded_text(raw, Self::MAX_CHARS)?;
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(Invalid::new(
                FieldCode::InvalidCode,
                "letters, digits and -_. only",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerCode {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CustomerCode> for String {
    fn from(value: CustomerCode) -> Self {
        value.0
    }
}

impl fmt::Display for CustomerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Digits only, spaces and dots allowed between them (`732 829 320`).
fn digits(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    kept.chars().all(|c| c.is_ascii_digit()).then_some(kept)
}

/// A SIREN: 9 digits with a Luhn check digit, identifying a French company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let number = digits(raw)
            .filter(|d| d.len() == 9)
            .ok_or_else(|| Invalid::new(FieldCode::InvalidSiren, "a SIREN has 9 digits"))?;
        if !luhn(&number) {
            return Err(Invalid::new(
                FieldCode::InvalidSiren,
                "this SIREN's check digit is wrong",
            ));
        }
        Ok(Self(number))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Siren {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Siren> for String {
    fn from(value: Siren) -> Self {
        value.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// La Poste's SIREN: its establishments' SIRETs follow their own rule.
const LA_POSTE: &str = "356000000";

/// La Poste's head office, whose SIRET has a Luhn check digit like any other.
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// A SIRET: 14 digits, a valid SIREN (its own Luhn check digit) then the establishment
/// number, with a Luhn check digit over the whole. La Poste's establishments (SIREN
/// 356000000, but for the head office) instead have digits summing to a multiple of 5,
/// as python-stdnum's `fr/siret.py` has it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Siret(String);

impl Siret {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let number = Self::fourteen_digits(raw)?;
        let la_poste = number.starts_with(LA_POSTE) && number != LA_POSTE_HEAD_OFFICE;
        if la_poste {
            if !Self::digit_sum_is_multiple_of_5(&number) {
                return Err(Invalid::new(
                    FieldCode::InvalidSiret,
                    "a La Poste establishment's SIRET has digits summing to a multiple of 5",
                ));
            }
        } else if !luhn(&number) {
            return Err(Invalid::new(
                FieldCode::InvalidSiret,
                "this SIRET's check digit is wrong",
            ));
        }
        if !number.get(..9).is_some_and(luhn) {
            return Err(Invalid::new(
                FieldCode::InvalidSiret,
                "the SIREN in this SIRET (its first 9 digits) fails its check digit",
            ));
        }
        Ok(Self(number))
    }

    fn fourteen_digits(raw: &str) -> Result<String, Invalid> {
        digits(raw)
            .filter(|d| d.len() == 14)
            .ok_or_else(|| Invalid::new(FieldCode::InvalidSiret, "a SIRET has 14 digits"))
    }

    fn digit_sum_is_multiple_of_5(number: &str) -> bool {
        number
            .chars()
            .filter_map(|c| c.to_digit(10))
            .sum::<u32>()
            .is_multiple_of(5)
    }

    /// A SIRET as an event stored it. Before the SIREN inside was checked, a SIRET passed
    /// with a Luhn check digit over the 14 digits, or La Poste's rule: those still replay
    /// as they were written. Only stored events are deserialized into this type.
    fn recorded(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw).or_else(|refused| {
            let number = Self::fourteen_digits(raw)?;
            let earlier_rule = luhn(&number)
                || number.starts_with(LA_POSTE) && Self::digit_sum_is_multiple_of_5(&number);
            if earlier_rule {
                Ok(Self(number))
            } else {
                Err(refused)
            }
        })
    }

    /// Its first 9 digits.
    pub fn siren(&self) -> &str {
        // 14 ASCII digits by construction; never a panic even so.
        self.0.get(..9).unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Siret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::recorded(&raw).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<String> for Siret {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Siret> for String {
    fn from(value: Siret) -> Self {
        value.0
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The shapes of intra-EU VAT numbers after the 2-letter prefix: `9` a digit, `A` a
/// letter, `X` a letter or digit, anything else itself. A number of none of its state's
/// shapes is refused before that state's own rule (`vat_rules`) is applied.
const VAT_FORMATS: &[(&str, &[&str])] = &[
    ("AT", &["U99999999"]),
    ("BE", &["0999999999", "1999999999"]),
    ("BG", &["999999999", "9999999999"]),
    ("CY", &["99999999A"]),
    ("CZ", &["99999999", "999999999", "9999999999"]),
    ("DE", &["999999999"]),
    ("DK", &["99999999"]),
    ("EE", &["999999999"]),
    ("EL", &["999999999"]),
    ("ES", &["X9999999X"]),
    ("FI", &["99999999"]),
    ("FR", &["XX999999999"]),
    ("HR", &["99999999999"]),
    ("HU", &["99999999"]),
    (
        "IE",
        &["9999999A", "9999999AA", "9A99999A", "9+99999A", "9*99999A"],
    ),
    ("IT", &["99999999999"]),
    ("LT", &["999999999", "999999999999"]),
    ("LU", &["99999999"]),
    ("LV", &["99999999999"]),
    ("MT", &["99999999"]),
    ("NL", &["999999999B99"]),
    ("PL", &["9999999999"]),
    ("PT", &["999999999"]),
    (
        "RO",
        &[
            "99",
            "999",
            "9999",
            "99999",
            "999999",
            "9999999",
            "99999999",
            "999999999",
            "9999999999",
            // A person's CNP.
            "9999999999999",
        ],
    ),
    ("SE", &["999999999901"]),
    ("SI", &["99999999"]),
    ("SK", &["9999999999"]),
    (
        "XI",
        &[
            "999999999",
            "999999999999",
            "GD999",
            "HA999",
            "GD888899999",
            "HA888899999",
        ],
    ),
];

/// Compares character by character: `body` is untrusted and may hold multibyte text of
/// the format's byte length.
fn matches_format(body: &str, format: &str) -> bool {
    body.chars().count() == format.chars().count()
        && body.chars().zip(format.chars()).all(|(c, f)| match f {
            '9' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
            literal => c == literal,
        })
}

/// `body` with leading zeros up to `len` characters, if it is all ASCII digits and
/// shorter.
fn zero_padded(body: &str, len: usize) -> Option<String> {
    (body.len() < len && !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{body:0>len$}"))
}

/// An intra-EU VAT number, **valid in form**: upper-cased, without the spaces, dots and
/// hyphens people type, a member state's prefix (`EL` for Greece, `GR` accepted and
/// written `EL`; `XI` for Northern Ireland) and a number of that state's shape whose
/// check digits are right, by each state's rule as python-stdnum 2.2 implements them
/// (`vat_rules`; for France, the key against the SIREN). Older forms are written as
/// today's: a 9-digit Belgian number gets its leading 0, an 8-digit Greek one its
/// leading 0, a Dutch one its leading zeros before `B`.
///
/// Valid in form is not registered: a well-formed number may never have been issued, or
/// may be closed. Whether it exists is VIES's answer, behind [`VatRegistry`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct VatNumber(String);

impl VatNumber {
    /// The only way in. Refusals: `unknown_vat_country` (no member state's prefix),
    /// `invalid_vat_number` (not that state's shape, or a part that cannot be: a date, a
    /// tax office, a reserved first digit; for France, a SIREN that fails its Luhn
    /// check), `invalid_vat_check_digit` (the check digits do not match), and for France
    /// `invalid_vat_key` (the key does not match the SIREN).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let (prefix, body) = Self::shape(raw)?;
        vat_rules::check(prefix, &body).map_err(|fault| match fault {
            Fault::Format(why) => Invalid::new(FieldCode::InvalidVatNumber, why),
            Fault::CheckDigit => Invalid::new(
                FieldCode::InvalidVatCheckDigit,
                format!("the check digits of this {prefix} VAT number are wrong"),
            ),
            Fault::FrenchSiren => Invalid::new(
                FieldCode::InvalidVatNumber,
                "the SIREN in this VAT number is not valid",
            ),
            Fault::FrenchKey(Some(expected)) => Invalid::new(
                FieldCode::InvalidVatKey,
                format!("the key of this SIREN is {expected:02}"),
            ),
            Fault::FrenchKey(None) => Invalid::new(
                FieldCode::InvalidVatKey,
                "this VAT number's key does not match its SIREN",
            ),
        })?;
        Ok(Self(format!("{prefix}{body}")))
    }

    /// The prefix and the body in their written form, if the prefix is a member state's
    /// and the body one of its shapes.
    fn shape(raw: &str) -> Result<(&'static str, String), Invalid> {
        let number: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect::<String>()
            .to_uppercase();
        let unknown_country = || {
            Invalid::new(
                FieldCode::UnknownVatCountry,
                "starts with an EU member state's code (FR, DE, IT, ES…; EL for Greece; XI for Northern Ireland)",
            )
        };
        // The prefix is two ASCII letters; anything else (an emoji, a combining accent)
        // is no country, and splitting there would cut a character in two.
        let (prefix, body) = number
            .get(..2)
            .zip(number.get(2..))
            .filter(|(prefix, _)| prefix.bytes().all(|b| b.is_ascii_uppercase()))
            .ok_or_else(unknown_country)?;
        let prefix = if prefix == "GR" { "EL" } else { prefix };
        let (prefix, formats) = VAT_FORMATS
            .iter()
            .find(|(country, _)| *country == prefix)
            .copied()
            .ok_or_else(unknown_country)?;
        let body = match prefix {
            // Belgium's old 9-digit numbers, Greece's old 8-digit ones.
            "BE" if body.len() == 9 => zero_padded(body, 10),
            "EL" if body.len() == 8 => zero_padded(body, 9),
            "NL" => body
                .split_once('B')
                .and_then(|(digits, rest)| Some(format!("{}B{rest}", zero_padded(digits, 9)?))),
            _ => None,
        }
        .unwrap_or_else(|| body.to_owned());
        if !formats.iter().any(|f| matches_format(&body, f)) {
            return Err(Invalid::new(
                FieldCode::InvalidVatNumber,
                format!("not a {prefix} VAT number's format"),
            ));
        }
        Ok((prefix, body))
    }

    /// A VAT number as an event stored it. Before check digits were checked (but
    /// France's), a number of its state's shape passed: those still replay as they were
    /// written, so a customer created then loads, projects and can be corrected. Only
    /// stored events are deserialized into this type; requests and imports go through
    /// [`VatNumber::parse`].
    fn recorded(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw).or_else(|refused| match Self::shape(raw) {
            Ok((prefix, body)) => Ok(Self(format!("{prefix}{body}"))),
            Err(_) => Err(refused),
        })
    }

    /// The SIREN inside a French VAT number; none in Monaco's (digits starting with 000).
    pub fn french_siren(&self) -> Option<&str> {
        self.0
            .strip_prefix("FR")
            .and_then(|rest| rest.get(2..))
            .filter(|digits| !digits.starts_with("000"))
    }

    /// The member state's prefix (`EL` for Greece, `XI` for Northern Ireland).
    pub fn country(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The number after the prefix, as VIES asks for it.
    pub fn number(&self) -> &str {
        self.0.get(2..).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for VatNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::recorded(&raw).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<String> for VatNumber {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<VatNumber> for String {
    fn from(value: VatNumber) -> Self {
        value.0
    }
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a VAT registry (VIES, the EU's VAT Information Exchange System) says of a number
/// that is valid in form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VatRegistration {
    /// Registered and active, with the name and address the registry gives, if any.
    Registered {
        name: Option<String>,
        address: Option<String>,
    },
    /// Valid in form, but not (or no longer) registered.
    NotRegistered,
}

/// The registry could not answer (down, busy, that member state's system unavailable):
/// the number is neither confirmed nor refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the VAT registry could not answer: {0}")]
pub struct RegistryUnavailable(pub String);

/// The seam for checking that a VAT number exists, which [`VatNumber::parse`] cannot
/// tell. gescom ships no implementation: one that asks VIES belongs in a service, at its
/// edge (an aggregate does no I/O), and its answer goes into the command. Tests use an
/// in-memory one; no test calls the network.
pub trait VatRegistry: Send + Sync {
    fn lookup(
        &self,
        number: &VatNumber,
    ) -> impl std::future::Future<Output = Result<VatRegistration, RegistryUnavailable>> + Send;
}

/// A phone number as written (`+33 1 23 45 67 89`): 6 to 15 digits, with spaces, dots,
/// dashes, parentheses and a leading `+`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = bounded_text(raw, 30)?;
        let body = text.strip_prefix('+').unwrap_or(&text);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !body
            .chars()
            .all(|c| c.is_ascii_digit() || " .-()".contains(c))
            || !(6..=15).contains(&digits)
        {
            return Err(Invalid::new(
                FieldCode::InvalidPhone,
                "6 to 15 digits, with spaces, dots, dashes, parentheses and a leading +",
            ));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY \
CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP \
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM \
KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS \
PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD \
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA \
ZM ZW";

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_uppercase();
        if code.len() == 2 && COUNTRIES.split_whitespace().any(|c| c == code) {
            Ok(Self(code))
        } else {
            Err(Invalid::new(
                FieldCode::UnknownCountry,
                "an ISO 3166-1 alpha-2 code such as FR, BE, DE",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Country {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: Country,
}

impl Address {
    /// Validates each part; errors name the part (`line1`, `postal_code`, …).
    pub fn parse(
        line1: &str,
        line2: Option<&str>,
        postal_code: &str,
        city: &str,
        country: &str,
    ) -> Result<Self, Vec<(&'static str, Invalid)>> {
        let mut errors = Vec::new();
        let mut part = |name: &'static str, r: Result<String, Invalid>| {
            r.map_err(|e| errors.push((name, e))).ok()
        };
        let line1 = part("line1", bounded_text(line1, 200));
        let line2 = match line2.map(str::trim).filter(|l| !l.is_empty()) {
            None => Some(None),
            Some(l) => part("line2", bounded_text(l, 200)).map(Some),
        };
        let postal_code = part("postal_code", bounded_text(postal_code, 16));
        let city = part("city", bounded_text(city, 100));
        let country = Country::parse(country)
            .map_err(|e| errors.push(("country", e)))
            .ok();
        match (line1, line2, postal_code, city, country) {
            (Some(line1), Some(line2), Some(postal_code), Some(city), Some(country))
                if errors.is_empty() =>
            {
                Ok(Self {
                    line1,
                    line2,
                    postal_code,
                    city,
                    country,
                })
            }
            _ => Err(errors),
        }
    }
}

/// When an invoice falls due, as French commercial practice words it (the law caps terms
/// at 60 days net or 45 days end of month).
///
/// Two spellings: events carry serde's (`net30`), read models and the API [`Self::as_str`]'s
/// (`net_30`), which the `sqlx` names follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum PaymentTerms {
    #[default]
    Immediate,
    #[cfg_attr(feature = "sqlx", sqlx(rename = "net_30"))]
    Net30,
    #[cfg_attr(feature = "sqlx", sqlx(rename = "end_of_month_30"))]
    EndOfMonth30,
    #[cfg_attr(feature = "sqlx", sqlx(rename = "end_of_month_45"))]
    EndOfMonth45,
    #[cfg_attr(feature = "sqlx", sqlx(rename = "net_45"))]
    Net45,
    #[cfg_attr(feature = "sqlx", sqlx(rename = "net_60"))]
    Net60,
}

impl PaymentTerms {
    pub const ALL: [PaymentTerms; 6] = [
        PaymentTerms::Immediate,
        PaymentTerms::Net30,
        PaymentTerms::EndOfMonth30,
        PaymentTerms::EndOfMonth45,
        PaymentTerms::Net45,
        PaymentTerms::Net60,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentTerms::Immediate => "immediate",
            PaymentTerms::Net30 => "net_30",
            PaymentTerms::EndOfMonth30 => "end_of_month_30",
            PaymentTerms::EndOfMonth45 => "end_of_month_45",
            PaymentTerms::Net45 => "net_45",
            PaymentTerms::Net60 => "net_60",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|t| t.as_str()).collect();
                Invalid::new(
                    FieldCode::UnknownPaymentTerms,
                    format!("one of {}", names.join(", ")),
                )
            })
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            PaymentTerms::Immediate => "Paiement comptant à réception",
            PaymentTerms::Net30 => "30 jours net",
            PaymentTerms::EndOfMonth30 => "30 jours fin de mois",
            PaymentTerms::EndOfMonth45 => "45 jours fin de mois",
            PaymentTerms::Net45 => "45 jours net",
            PaymentTerms::Net60 => "60 jours net",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PaymentTerms::Immediate => "Due on receipt",
            PaymentTerms::Net30 => "30 days net",
            PaymentTerms::EndOfMonth30 => "30 days end of month",
            PaymentTerms::EndOfMonth45 => "45 days end of month",
            PaymentTerms::Net45 => "45 days net",
            PaymentTerms::Net60 => "60 days net",
        }
    }
}

impl fmt::Display for PaymentTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sirens_pass_and_a_wrong_check_digit_fails() {
        // EDF, Renault, Google France, La Poste.
        for ok in ["552081317", "732 829 320", "443061841", "356000000"] {
            assert!(Siren::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["552081318", "12345678", "ABCDEFGHI", "5520813170"] {
            assert!(Siren::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn real_sirets_pass_la_poste_included() {
        for ok in [
            "73282932000074",    // Renault
            "552 100 554 00013", // Peugeot
            "44306184100047",    // Google France
            "35600000000048",    // La Poste, head office: Luhn
            "35600000049837",    // a La Poste establishment: not Luhn, digits sum to 5k
        ] {
            assert!(Siret::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["73282932000075", "35600000012345", "7328293200007"] {
            assert!(Siret::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Siret::parse("73282932000074").unwrap().siren(), "732829320");
    }

    #[test]
    fn a_siret_holds_a_valid_siren_and_la_poste_sums_to_5k_only() {
        // Luhn passes over the 14 digits, but 123456789 fails it as a SIREN.
        let message = |raw: &str| Siret::parse(raw).unwrap_err().message;
        assert!(luhn("12345678900007"));
        assert!(message("12345678900007").contains("SIREN"));
        // A La Poste establishment with a Luhn check digit but digits summing to 19.
        assert!(luhn("35600000000014"));
        assert!(message("35600000000014").contains("multiple of 5"));
        // Events written under the earlier rule replay as written.
        for stored in ["12345678900007", "35600000000014"] {
            let json = format!("\"{stored}\"");
            let siret: Siret = serde_json::from_str(&json).unwrap();
            assert_eq!(siret.as_str(), stored);
        }
        assert!(serde_json::from_str::<Siret>("\"12345678900008\"").is_err());
    }

    #[test]
    fn vat_numbers_follow_their_country_and_the_french_key() {
        for (raw, stored) in [
            ("FR40303265045", "FR40303265045"),
            ("fr 03 552081317", "FR03552081317"),
            ("FR64443061841", "FR64443061841"),
            ("DE 136 695 976", "DE136695976"),
            ("ATU13585627", "ATU13585627"),
            ("BE0428759497", "BE0428759497"),
            ("BE 428.759.497", "BE0428759497"),
            ("NL004495445B01", "NL004495445B01"),
            ("NL002455799B11", "NL002455799B11"),
            ("ESX-5253868-R", "ESX5253868R"),
            ("IE6433435OA", "IE6433435OA"),
            ("IE8D79739I", "IE8D79739I"),
            ("IT00743110157", "IT00743110157"),
            ("EL094259216", "EL094259216"),
            ("GR094259216", "EL094259216"),
            ("EL94259216", "EL094259216"),
            ("SE123456789701", "SE123456789701"),
            ("RO18547290", "RO18547290"),
            ("XI980780684", "XI980780684"),
            ("FRK7399859412", "FRK7399859412"),
        ] {
            assert_eq!(
                VatNumber::parse(raw).map(String::from).as_deref(),
                Ok(stored),
                "{raw}"
            );
        }
        let code = |raw: &str| VatNumber::parse(raw).unwrap_err().code;
        assert_eq!(code("FR41303265045"), "invalid_vat_key");
        assert_eq!(code("FRK8399859412"), "invalid_vat_key");
        assert_eq!(code("FR40303265046"), "invalid_vat_number"); // SIREN's Luhn
        assert_eq!(code("GB123456789"), "unknown_vat_country");
        assert_eq!(code("DE12345678"), "invalid_vat_number");
        assert_eq!(code("DE036695976"), "invalid_vat_number"); // never starts with 0
        assert_eq!(code("DE136695978"), "invalid_vat_check_digit");
        assert_eq!(code("DE123456789"), "invalid_vat_check_digit");
        assert_eq!(code("NL123456789A01"), "invalid_vat_number");
        assert_eq!(code("ATX12345678"), "invalid_vat_number");
        let refused = VatNumber::parse("IT00743110158").unwrap_err();
        assert_eq!(
            refused.message,
            "the check digits of this IT VAT number are wrong"
        );
        assert_eq!(
            VatNumber::parse("FR40303265045").unwrap().french_siren(),
            Some("303265045")
        );
        // Monaco's numbers hold no SIREN.
        let monaco = VatNumber::parse("FR30000470650").unwrap();
        assert_eq!(monaco.french_siren(), None);
        assert_eq!((monaco.country(), monaco.number()), ("FR", "30000470650"));
    }

    #[test]
    fn stored_vat_numbers_replay_as_written_when_only_the_check_digit_was_not_checked() {
        // Accepted before check digits were checked: an event may hold it.
        let stored: VatNumber = serde_json::from_str("\"DE123456789\"").unwrap();
        assert_eq!(stored.as_str(), "DE123456789");
        assert!(VatNumber::parse(stored.as_str()).is_err());
        // What was never accepted is not either.
        for never in ["\"DE12345678\"", "\"GB123456789\"", "\"\""] {
            assert!(serde_json::from_str::<VatNumber>(never).is_err(), "{never}");
        }
    }

    /// A registry in memory: the seam's shape, and that nothing here needs the network.
    struct KnownNumbers(Vec<&'static str>);

    impl VatRegistry for KnownNumbers {
        async fn lookup(&self, number: &VatNumber) -> Result<VatRegistration, RegistryUnavailable> {
            if number.country() == "MT" {
                return Err(RegistryUnavailable("MT is down".to_owned()));
            }
            Ok(if self.0.contains(&number.as_str()) {
                VatRegistration::Registered {
                    name: Some("Renault".to_owned()),
                    address: None,
                }
            } else {
                VatRegistration::NotRegistered
            })
        }
    }

    #[tokio::test]
    async fn valid_in_form_is_not_registered_the_registry_says_that() {
        let registry = KnownNumbers(vec!["FR44732829320"]);
        let known = VatNumber::parse("FR44732829320").unwrap();
        let unknown = VatNumber::parse("DE136695976").unwrap();
        let down = VatNumber::parse("MT11679112").unwrap();
        assert!(matches!(
            registry.lookup(&known).await,
            Ok(VatRegistration::Registered { .. })
        ));
        assert_eq!(
            registry.lookup(&unknown).await,
            Ok(VatRegistration::NotRegistered)
        );
        assert!(registry.lookup(&down).await.is_err());
    }

    #[test]
    fn phones_countries_and_terms() {
        assert!(Phone::parse("+33 1 23 45 67 89").is_ok());
        assert!(Phone::parse("01.23.45.67.89").is_ok());
        assert!(Phone::parse("call me").is_err());
        assert!(Phone::parse("123").is_err());
        assert_eq!(Country::parse("fr").unwrap().as_str(), "FR");
        assert!(Country::parse("XX").is_err());
        assert_eq!(
            PaymentTerms::parse("end_of_month_45").unwrap().label_fr(),
            "45 jours fin de mois"
        );
        assert!(PaymentTerms::parse("net_90").is_err());
        let errors = Address::parse(" ", None, "75001", "Paris", "FRA").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["line1", "country"]);
    }

    #[test]
    fn multibyte_text_in_a_vat_number_is_refused_not_a_panic() {
        for raw in [
            "F😀12345678901",
            "😀",
            "é",
            "Fé",
            "\u{301}FR40303265045",
            "FR4\u{301}0303265045",
            "FRé0303265045",
            "DE12345678é",
            "ß",
        ] {
            assert!(VatNumber::parse(raw).is_err(), "{raw:?}");
        }
        // Upper-casing `ß` gives `SS`, `ﬁ` gives `FI`: a prefix of two letters after all.
        assert_eq!(
            VatNumber::parse("ﬁ20774740").unwrap().as_str(),
            "FI20774740"
        );
    }

    mod properties {
        use super::super::*;
        use crate::prop::{accepted_round_trips, config, hostile, json_round_trip, one_of_words};
        use proptest::prelude::*;

        /// `body` followed by the digit that makes it pass Luhn's check.
        fn with_check_digit(body: String) -> String {
            (0..10)
                .map(|d| format!("{body}{d}"))
                .find(|n| luhn(n))
                .unwrap_or(body)
        }

        fn siren() -> impl Strategy<Value = String> + Clone {
            "[0-9]{8}".prop_map(with_check_digit)
        }

        fn siret() -> impl Strategy<Value = String> + Clone {
            (siren(), "[0-9]{4}").prop_map(|(siren, nic)| with_check_digit(siren + &nic))
        }

        /// `number` itself if it passes, else with its last character (or last two)
        /// replaced by the first that makes it pass, if any: most bodies of a state's
        /// shape have a check digit that fits them.
        fn with_check_characters(number: String) -> String {
            if VatNumber::parse(&number).is_ok() {
                return number;
            }
            let alphabet: Vec<char> = ('0'..='9').chain('A'..='Z').collect();
            let chars: Vec<char> = number.chars().collect();
            let one = alphabet.iter().map(|&c| {
                let mut n = chars.clone();
                if let Some(last) = n.last_mut() {
                    *last = c;
                }
                n.into_iter().collect::<String>()
            });
            let two = (0..100).map(|d| {
                let head: String = chars.iter().take(chars.len().saturating_sub(2)).collect();
                format!("{head}{d:02}")
            });
            one.chain(two)
                .find(|n| VatNumber::parse(n).is_ok())
                .unwrap_or(number)
        }

        /// A number of a member state's format, mostly with the right check characters
        /// (for FR, with the right key).
        fn vat_number() -> impl Strategy<Value = String> + Clone {
            (
                0..VAT_FORMATS.len(),
                any::<prop::sample::Index>(),
                proptest::collection::vec(any::<u8>(), 12),
                siren(),
                any::<bool>(),
            )
                .prop_map(|(country, format, fill, siren, spaced)| {
                    let (prefix, formats) = VAT_FORMATS[country];
                    let number = if prefix == "FR" {
                        let value: u64 = siren.parse().unwrap_or_default();
                        format!("FR{:02}{siren}", (12 + 3 * (value % 97)) % 97)
                    } else {
                        let format = formats[format.index(formats.len())];
                        let body: String = format
                            .chars()
                            .zip(fill)
                            .map(|(f, b)| match f {
                                '9' => char::from(b'0' + b % 10),
                                'A' => char::from(b'A' + b % 26),
                                'X' if b % 2 == 0 => char::from(b'0' + b % 10),
                                'X' => char::from(b'A' + b % 26),
                                literal => literal,
                            })
                            .collect();
                        with_check_characters(format!("{prefix}{body}"))
                    };
                    if spaced {
                        number.to_lowercase().replace("", " ").trim().to_owned()
                    } else {
                        number
                    }
                })
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn a_siren_never_panics_and_round_trips(
                raw in hostile(prop_oneof![siren(), "[0-9 .]{0,16}".prop_map(String::from)])
            ) {
                accepted_round_trips(&raw, Siren::parse)?;
            }

            #[test]
            fn a_siret_never_panics_round_trips_and_holds_its_siren(
                raw in hostile(prop_oneof![siret(), "[0-9 .]{0,20}".prop_map(String::from)])
            ) {
                if let Some(siret) = accepted_round_trips(&raw, Siret::parse)? {
                    prop_assert_eq!(siret.siren().len(), 9);
                }
            }

            #[test]
            fn a_vat_number_never_panics_and_round_trips(raw in hostile(vat_number())) {
                if let Some(vat) = accepted_round_trips(&raw, VatNumber::parse)? {
                    if let Some(siren) = vat.french_siren() {
                        prop_assert!(Siren::parse(siren).is_ok(), "{}", siren);
                    }
                    prop_assert_eq!(format!("{}{}", vat.country(), vat.number()), vat.as_str());
                }
                // What a stored event may hold: never a panic, and what it accepts
                // survives JSON too.
                if let Ok(stored) = VatNumber::recorded(&raw) {
                    json_round_trip(&stored)?;
                }
            }

            #[test]
            fn a_state_rule_never_panics_whatever_the_body(
                country in 0..VAT_FORMATS.len(),
                body in hostile("[0-9A-Z+*]{0,16}".prop_map(String::from)),
            ) {
                let _ = vat_rules::check(VAT_FORMATS[country].0, &body);
            }

            #[test]
            fn a_recorded_siret_never_panics_and_round_trips(
                raw in hostile(prop_oneof![siret(), "[0-9 .]{0,20}".prop_map(String::from)])
            ) {
                if let Ok(stored) = Siret::recorded(&raw) {
                    json_round_trip(&stored)?;
                }
            }

            #[test]
            fn a_customer_code_never_panics_and_round_trips(
                raw in hostile("[ ]?[A-Za-z0-9._-]{0,34}[ ]?".prop_map(String::from))
            ) {
                accepted_round_trips(&raw, CustomerCode::parse)?;
            }

            #[test]
            fn a_phone_never_panics_and_round_trips(
                raw in hostile("[+]?[0-9 .()-]{4,32}".prop_map(String::from))
            ) {
                accepted_round_trips(&raw, Phone::parse)?;
            }

            #[test]
            fn a_country_never_panics_and_round_trips(
                raw in hostile(prop_oneof![
                    "[A-Za-z]{1,3}".prop_map(String::from),
                    proptest::sample::select(COUNTRIES.split_whitespace().collect::<Vec<_>>())
                        .prop_map(str::to_lowercase),
                ])
            ) {
                accepted_round_trips(&raw, Country::parse)?;
            }

            #[test]
            fn payment_terms_never_panic_and_round_trip(raw in hostile(one_of_words(&[
                "immediate", "net_30", "end_of_month_30", "end_of_month_45", "net_45", "net_60",
            ]))) {
                accepted_round_trips(&raw, PaymentTerms::parse)?;
            }

            #[test]
            fn an_address_never_panics_and_round_trips(
                parts in proptest::collection::vec(hostile("\\PC{0,40}".prop_map(String::from)), 3),
                line2 in proptest::option::of(hostile("\\PC{0,40}".prop_map(String::from))),
                country in hostile("[A-Za-z]{2}".prop_map(String::from)),
            ) {
                let parsed = Address::parse(&parts[0], line2.as_deref(), &parts[1], &parts[2], &country);
                if let Ok(address) = parsed {
                    json_round_trip(&address)?;
                    let again = Address::parse(
                        &address.line1,
                        address.line2.as_deref(),
                        &address.postal_code,
                        &address.city,
                        address.country.as_str(),
                    );
                    prop_assert_eq!(again, Ok(address));
                }
            }
        }
    }
}
