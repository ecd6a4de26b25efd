//! Customer rows: created or updated by code.

use contracts::account::Email;
use contracts::customer::{Address, CustomerCode, PaymentTerms, Phone, Siren, Siret, VatNumber};
use contracts::events::CustomerDetails;
use contracts::ids::CustomerId;
use contracts::money::{Money, Notation::Spreadsheet};
use contracts::product::bounded_text;
use platform::problem::FieldError;

use super::row::{command_error, RowFields, RowMapper};
use crate::domain::customer::{Customer, CustomerCommand, CustomerError, CustomerPatch};
use crate::es::CommandError;

/// Customer rows.
pub struct CustomerRows;

/// A valid customer row.
pub struct CustomerRow {
    code: CustomerCode,
    details: CustomerDetails,
}

/// The parts of an address, as `Address::parse` names them.
const ADDRESS_PARTS: [&str; 5] = ["line1", "line2", "postal_code", "city", "country"];
const BILLING: [&str; 5] = [
    "billing_line1",
    "billing_line2",
    "billing_postal_code",
    "billing_city",
    "billing_country",
];
const SHIPPING: [&str; 5] = [
    "shipping_line1",
    "shipping_line2",
    "shipping_postal_code",
    "shipping_city",
    "shipping_country",
];

impl RowMapper for CustomerRows {
    type Aggregate = Customer;
    type Row = CustomerRow;
    const COLUMNS: &'static [&'static str] = &contracts::csv_columns::CUSTOMER;
    /// code, legal_name.
    const REQUIRED: usize = 2;
    const KEY: &'static str = "code";
    const KEYS_SQL: &'static str =
        "SELECT code, customer_id FROM customer_code_keys WHERE code = ANY($1)";
    const DUPLICATE: &'static str = "this code is on an earlier row";

    fn read(&self, f: &mut RowFields<'_>) -> Option<CustomerRow> {
        let code = f.required("code", CustomerCode::parse);
        let legal_name = f.required("legal_name", |r| bounded_text(r, 200));
        let siren = f.optional("siren", Siren::parse);
        let siret = f.optional("siret", Siret::parse);
        let vat_number = f.optional("vat_number", VatNumber::parse);
        let email = f.optional("email", Email::parse);
        let phone = f.optional("phone", Phone::parse);
        let billing = address(f, &BILLING);
        let shipping = address(f, &SHIPPING);
        let terms = f
            .optional("payment_terms", PaymentTerms::parse)
            .map(Option::unwrap_or_default);
        let credit_limit = f.optional("credit_limit", |r| {
            Spreadsheet.parse(r).and_then(Money::new)
        });
        Some(CustomerRow {
            code: code?,
            details: CustomerDetails {
                legal_name: legal_name?,
                siren: siren?,
                siret: siret?,
                vat_number: vat_number?,
                email: email?,
                phone: phone?,
                billing_address: billing?,
                shipping_address: shipping?,
                payment_terms: terms?,
                credit_limit: credit_limit?,
            },
        })
    }

    fn create(CustomerRow { code, details }: CustomerRow) -> (CustomerId, CustomerCommand) {
        let id = CustomerId::generate();
        (id, CustomerCommand::Create { id, code, details })
    }

    fn update(CustomerRow { details, .. }: CustomerRow) -> CustomerCommand {
        CustomerCommand::Update(CustomerPatch {
            legal_name: Some(details.legal_name),
            siren: Some(details.siren),
            siret: Some(details.siret),
            vat_number: Some(details.vat_number),
            email: Some(details.email),
            phone: Some(details.phone),
            billing_address: Some(details.billing_address),
            shipping_address: Some(details.shipping_address),
            payment_terms: Some(details.payment_terms),
            credit_limit: Some(details.credit_limit),
        })
    }

    fn status(archived: bool) -> CustomerCommand {
        if archived {
            CustomerCommand::Archive
        } else {
            CustomerCommand::Reactivate
        }
    }

    /// Fields that contradict each other (a SIRET of another SIREN) name the first one.
    fn describe(e: &CommandError<CustomerError>) -> FieldError {
        match e {
            CommandError::Domain(CustomerError::Inconsistent(found)) => found
                .first()
                .map(|(field, invalid)| FieldError {
                    field: (*field).to_owned(),
                    code: invalid.code,
                    message: invalid.message.clone(),
                })
                .unwrap_or_else(|| command_error(e)),
            other => command_error(other),
        }
    }
}

/// An address from its five columns (`columns`: `billing_…` or `shipping_…`, in the
/// order line1, line2, postal_code, city, country). The street lines may hold line
/// breaks: the first line is line 1, the others make line 2, joined by `, `.
fn address(f: &mut RowFields<'_>, columns: &[&str; 5]) -> Option<Option<Address>> {
    let street = [columns[0], columns[1]].map(|c| f.raw(c));
    let rest = [columns[2], columns[3], columns[4]].map(|c| f.text(c));
    if street.iter().all(Option::is_none) && rest.iter().all(|r| matches!(r, Ok(None))) {
        return Some(None);
    }
    let [Ok(postal_code), Ok(city), Ok(country)] = rest else {
        return None;
    };
    let (line1, line2) = street_lines(street[0], street[1]);
    Address::parse(
        &line1,
        line2.as_deref(),
        postal_code.unwrap_or_default(),
        city.unwrap_or_default(),
        country.unwrap_or_default(),
    )
    .map(Some)
    .map_err(|errors| {
        for (name, e) in errors {
            let column = ADDRESS_PARTS
                .iter()
                .position(|p| *p == name)
                .map_or_else(|| name.to_owned(), |i| columns[i].to_owned());
            f.push(&column, e);
        }
    })
    .ok()
}

/// An address's two street lines from cells that may hold line breaks: the first
/// non-empty line is line 1, the others line 2, joined by `, `.
fn street_lines(line1: Option<&str>, line2: Option<&str>) -> (String, Option<String>) {
    let mut lines = [line1, line2]
        .into_iter()
        .flatten()
        .flat_map(|cell| cell.split(['\r', '\n']))
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default().to_owned();
    let rest: Vec<&str> = lines.collect();
    (first, (!rest.is_empty()).then(|| rest.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_all;

    const HEADER: &str = "code;legal_name;billing_line1;billing_line2;billing_postal_code;\
                          billing_city;billing_country;payment_terms;credit_limit\n";

    #[test]
    fn a_row_reads_its_address_lines_terms_and_credit_limit() {
        let csv = format!(
            "{HEADER}ACME;Acme SA;\"12 rue des Lilas\nBâtiment B\";Porte 3;75011;Paris;FR;;\
             1 500,00\n"
        );
        let [Ok(row)] = &read_all(&CustomerRows, &csv)[..] else {
            panic!("one valid row")
        };
        assert_eq!(row.code.as_str(), "ACME");
        let billing = row.details.billing_address.as_ref().expect("an address");
        assert_eq!(billing.line1, "12 rue des Lilas");
        assert_eq!(billing.line2.as_deref(), Some("Bâtiment B, Porte 3"));
        assert_eq!(row.details.shipping_address, None);
        assert_eq!(row.details.payment_terms, PaymentTerms::default());
        assert_eq!(
            row.details.credit_limit.map(|m| m.to_string()),
            Some("1500.00".to_owned())
        );
    }

    #[test]
    fn every_broken_cell_is_named_by_its_column() {
        let csv = format!("{HEADER}ACME;\"Acme\nSA\";1 rue A;;75011;Paris;;net_99;abc\n");
        let [Err(errors)] = &read_all(&CustomerRows, &csv)[..] else {
            panic!("one invalid row")
        };
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "legal_name",
                "billing_country",
                "payment_terms",
                "credit_limit"
            ]
        );
        assert_eq!(errors[0].1, "line_break");
        assert_eq!(errors[3].1, "invalid_decimal");
    }
}
