//! Account value types: email and display name. Passwords never live here: command-api
//! hashes them and only the hash is stored.

use crate::FieldCode;
use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::product::bounded_text;
use crate::Invalid;

/// An email address in its one normal form ([`Email::normalize`]): unique ignoring case
/// and Unicode spelling, so stored in one form. Checked for shape only (one `@`, a dotted
/// domain); whether it receives mail is not this type's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    /// The one normalisation of an email, used wherever two addresses are compared (the
    /// unique key, the login lookup, the login throttle): trimmed, Unicode NFKC, then
    /// lower-cased, then NFKC again since lower-casing can leave a composable sequence.
    /// SQL never re-normalises (no `lower()`): a database collation would fold some
    /// characters differently and let two spellings of one address diverge.
    pub fn normalize(raw: &str) -> String {
        let folded: String = raw.trim().nfkc().collect::<String>().to_lowercase();
        folded.nfkc().collect()
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        // Normalising can lengthen an address (NFKC expands ligatures and the like) or
        // shorten it: the bound holds for the normal form, the one that is stored and
        // parsed again. The raw text is bounded first so that normalising stays cheap.
        let raw = bounded_text(raw, Self::MAX_CHARS * 4)?;
        let text = bounded_text(&Self::normalize(&raw), Self::MAX_CHARS)?;
        let bad = || {
            Invalid::new(
                FieldCode::InvalidEmail,
                "an address such as name@example.com",
            )
        };
        let (local, domain) = text.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty()
            || local.len() > 64
            || !domain_ok
            || text.chars().any(char::is_whitespace)
        {
            return Err(bad());
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown in lists and the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded_text(raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub const ALL: [UserStatus; 2] = [UserStatus::Active, UserStatus::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_one_address_has_one_normal_form() {
        let canonical = Email::parse("kevin.andre@example.com").unwrap();
        for spelling in [
            "KEVIN.ANDRE@EXAMPLE.COM",
            "\u{212A}evin.andre@example.com",    // KELVIN SIGN
            "\u{FF4B}evin.andre@example.com",    // FULLWIDTH k
            "kevin.andre@\u{FF45}xample.com",    // FULLWIDTH e
            "  kevin.andre@example.com\u{2003}", // EM SPACE around
        ] {
            assert_eq!(Email::parse(spelling).unwrap(), canonical, "{spelling:?}");
            assert_eq!(
                Email::normalize(spelling),
                canonical.as_str(),
                "{spelling:?}"
            );
        }
        let composed = Email::parse("andr\u{e9}@example.com").unwrap();
        let decomposed = Email::parse("ANDRE\u{301}@example.com").unwrap();
        assert_eq!(composed, decomposed);
    }

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Jeanne.Dupont@Example.FR ")
                .unwrap()
                .as_str(),
            "jeanne.dupont@example.fr"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@localhost",
            "a@.example.com",
            "a@example..com",
            "a b@example.com",
            "a@exa_mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_address_too_long_once_normalised_is_refused() {
        // U+FDFA is one character that NFKC spells in 18.
        let long = format!("{}@example.com", "\u{fdfa}".repeat(20));
        assert_eq!(Email::parse(&long).unwrap_err().code, "too_long");
    }

    mod properties {
        use super::super::*;
        use crate::prop::{accepted_round_trips, config, hostile};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn an_email_never_panics_round_trips_and_is_its_own_normal_form(
                raw in hostile(prop_oneof![
                    "[ ]?[A-Za-z0-9._%+-]{1,30}@[A-Za-z0-9-]{1,20}\\.[A-Za-z]{2,6}[ ]?"
                        .prop_map(String::from),
                    "\\PC{1,12}@\\PC{1,8}\\.\\PC{2,4}".prop_map(String::from),
                ])
            ) {
                if let Some(email) = accepted_round_trips(&raw, Email::parse)? {
                    prop_assert_eq!(Email::normalize(email.as_str()), email.as_str());
                    prop_assert!(email.as_str().chars().count() <= Email::MAX_CHARS);
                }
            }

            #[test]
            fn a_display_name_never_panics_and_round_trips(
                raw in hostile("\\PC{0,130}".prop_map(String::from))
            ) {
                accepted_round_trips(&raw, DisplayName::parse)?;
            }
        }
    }
}
