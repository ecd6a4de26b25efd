//! Why one field was refused: the `code` of a problem's `errors[]` entry. A closed list, so
//! the OpenAPI documents are exact and a client's type check fails until it handles a new
//! code (the web frontend translates each one).

crate::wire_codes! {
    /// Every `code` a field error can carry. A code is never renamed or reused.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    // utoipa reads `rename_all`, not a variant's `rename`; the test below holds each text
    // equal to its variant's snake_case name.
    #[serde(rename_all = "snake_case")]
    pub enum FieldCode {
        ControlCharacter = "control_character",
        CustomerArchived = "customer_archived",
        DuplicateInFile = "duplicate_in_file",
        DuplicateLine = "duplicate_line",
        Exclusive = "exclusive",
        Immutable = "immutable",
        InFuture = "in_future",
        InvalidCheckDigit = "invalid_check_digit",
        InvalidCode = "invalid_code",
        InvalidDate = "invalid_date",
        InvalidDecimal = "invalid_decimal",
        InvalidEmail = "invalid_email",
        InvalidFormat = "invalid_format",
        InvalidId = "invalid_id",
        InvalidPhone = "invalid_phone",
        InvalidSiren = "invalid_siren",
        InvalidSiret = "invalid_siret",
        InvalidVatCheckDigit = "invalid_vat_check_digit",
        InvalidVatKey = "invalid_vat_key",
        InvalidVatNumber = "invalid_vat_number",
        LineBreak = "line_break",
        Negative = "negative",
        NoRole = "no_role",
        OutOfRange = "out_of_range",
        PasswordTooCommon = "password_too_common",
        PasswordTooLong = "password_too_long",
        PasswordTooShort = "password_too_short",
        PasswordTooWeak = "password_too_weak",
        PasswordUnchanged = "password_unchanged",
        ProductArchived = "product_archived",
        Rejected = "rejected",
        Required = "required",
        SiretSirenMismatch = "siret_siren_mismatch",
        TooLarge = "too_large",
        TooLong = "too_long",
        TooManyValues = "too_many_values",
        TooPrecise = "too_precise",
        UnknownCountry = "unknown_country",
        UnknownCustomer = "unknown_customer",
        UnknownLine = "unknown_line",
        UnknownOrder = "unknown_order",
        UnknownPaymentMethod = "unknown_payment_method",
        UnknownPaymentTerms = "unknown_payment_terms",
        UnknownProduct = "unknown_product",
        UnknownReason = "unknown_reason",
        UnknownRole = "unknown_role",
        UnknownStatus = "unknown_status",
        UnknownUnit = "unknown_unit",
        UnknownVatCountry = "unknown_vat_country",
        UnknownVatRate = "unknown_vat_rate",
        VatSirenMismatch = "vat_siren_mismatch",
        Zero = "zero",
    }
}

/// Compares with the wire text, as a client sees it.
impl PartialEq<&str> for FieldCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::FieldCode;

    #[test]
    fn the_wire_text_is_the_serde_name_and_the_list_is_sorted_and_unique() {
        let texts: Vec<&str> = FieldCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = texts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(texts, sorted);
        for code in FieldCode::ALL {
            let json = serde_json::to_value(code).expect("a code serializes");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
