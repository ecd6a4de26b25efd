//! CSV import of products and customers: each row becomes a command (create, or update
//! when the SKU or code exists), decided against the current state; then either every
//! row's events are stored in one transaction, or, if any row is invalid, none is.
//!
//! The file is read as spreadsheets save it (see [`table`]: encodings, separators, line
//! numbers); decimals with a comma or a point; the columns are the ones the export writes.
//! A line break inside a quoted cell (Alt+Enter in Excel) is kept only in an address's
//! street lines, where it separates line 1 from line 2; anywhere else the row is refused
//! with the column named, since no other field of gescom is multi-line.

mod table;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use shared::customer::{Address, CustomerCode, PaymentTerms, Phone, Siren, Siret, VatNumber};
use shared::events::{CustomerDetails, ProductDetails};
use shared::ids::{CustomerId, ProductId};
use shared::money::Money;
use shared::problem::FieldError;
use shared::product::{
    bounded_text, Barcode, Category, ProductName, Quantity, Sku, Unit, VatRates,
};
use shared::Invalid;
use sqlx::PgPool;

use crate::domain::customer::{Customer, CustomerCommand, CustomerError, CustomerPatch};
use crate::domain::product::{Product, ProductCommand, ProductError, ProductPatch};
use crate::es::{CommandBus, CommandError, Pending};
pub use table::{Dialect, EncodingSource, Table};

/// The columns of a product CSV, in export order.
pub const PRODUCT_COLUMNS: [&str; shared::csv_columns::PRODUCT.len()] =
    shared::csv_columns::PRODUCT;

/// `active` (or empty) or `archived`.
fn archived(f: &mut RowFields<'_>) -> Option<bool> {
    match f.text("status").ok()? {
        None | Some("active") => Some(false),
        Some("archived") => Some(true),
        Some(_) => {
            f.push(
                "status",
                Invalid::new("unknown_status", "active or archived"),
            );
            None
        }
    }
}

/// The columns of a customer CSV, in export order.
pub const CUSTOMER_COLUMNS: [&str; shared::csv_columns::CUSTOMER.len()] =
    shared::csv_columns::CUSTOMER;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Encoding(String),
    #[error("{0}")]
    Header(String),
    #[error("the file is not CSV as expected: {0}")]
    Malformed(String),
    #[error("the header lacks the column(s) {0}")]
    MissingColumns(String),
    #[error("the header has unknown column(s) {0}")]
    UnknownColumns(String),
    #[error("the header names the column(s) {0} twice")]
    DuplicateColumns(String),
    #[error("the file is empty: its first line must be the header")]
    Empty,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Store(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl ImportError {
    /// What is wrong with the file as a whole, for a client to branch on: `encoding`,
    /// `header`, `malformed`; `None` for what is not the file's fault.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            ImportError::Encoding(_) => Some("encoding"),
            ImportError::Header(_)
            | ImportError::MissingColumns(_)
            | ImportError::UnknownColumns(_)
            | ImportError::DuplicateColumns(_)
            | ImportError::Empty => Some("header"),
            ImportError::Malformed(_) => Some("malformed"),
            ImportError::Database(_) | ImportError::Store(_) | ImportError::Unavailable(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Created,
    Updated,
    Unchanged,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The row's SKU or code, as written.
    pub key: String,
    pub status: RowStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub error: usize,
}

/// What an import did (or, on a dry run or with errors, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the rows' changes are stored: false on a dry run and when a row is invalid.
    pub applied: bool,
    /// How the file was read: encoding, separator, line endings.
    pub file: Dialect,
    pub counts: Counts,
    pub rows: Vec<RowReport>,
}

/// The rows' reports and the events to store.
pub struct Plan {
    pub file: Dialect,
    pub rows: Vec<RowReport>,
    pub pending: Vec<Pending>,
}

impl Plan {
    /// The report, taking the rows' reports along (an import of 100,000 rows has as
    /// many).
    pub fn into_report(self, dry_run: bool, applied: bool) -> ImportReport {
        let mut counts = Counts::default();
        for row in &self.rows {
            match row.status {
                RowStatus::Created => counts.created += 1,
                RowStatus::Updated => counts.updated += 1,
                RowStatus::Unchanged => counts.unchanged += 1,
                RowStatus::Error => counts.error += 1,
            }
        }
        ImportReport {
            dry_run,
            applied,
            file: self.file,
            counts,
            rows: self.rows,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| r.status == RowStatus::Error)
    }
}

/// A decimal as French spreadsheets write it (`1 234,50`) or with a point.
fn decimal(raw: &str) -> Result<rust_decimal::Decimal, Invalid> {
    let mut text: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}')
        .collect();
    if text.contains(',') && !text.contains('.') {
        text = text.replace(',', ".");
    }
    rust_decimal::Decimal::from_str_exact(&text)
        .map_err(|_| Invalid::new("invalid_decimal", "a decimal number such as 12.50 or 12,50"))
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

/// Collects one row's broken rules.
struct RowFields<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    errors: Vec<FieldError>,
}

impl<'a> RowFields<'a> {
    fn new(table: &'a Table, record: &'a csv::StringRecord) -> Self {
        let mut fields = Self {
            table,
            record,
            errors: Vec::new(),
        };
        let extra = table.values_past_header(record);
        if extra > 0 {
            fields.push(
                "row",
                Invalid::new(
                    "too_many_values",
                    format!(
                        "{extra} value(s) past the header's {} columns, which would be lost: \
                         a value holding the separator `{}` must be in double quotes",
                        table.width(),
                        table.dialect.separator
                    ),
                ),
            );
        }
        fields
    }

    fn push(&mut self, field: &str, e: Invalid) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: e.code.to_owned(),
            message: e.message,
        });
    }

    /// The cell as written, line breaks included (the row's key, and address lines).
    fn raw(&self, column: &str) -> Option<&'a str> {
        self.table.get(self.record, column)
    }

    /// A single-line cell: one holding a line break is refused, naming its column.
    fn text(&mut self, column: &str) -> Result<Option<&'a str>, ()> {
        match self.raw(column) {
            Some(value) if value.contains(['\r', '\n']) => {
                self.push(column, line_break());
                Err(())
            }
            value => Ok(value),
        }
    }

    fn required<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.text(column) {
            Err(()) => None,
            Ok(None) => {
                self.push(column, Invalid::new("required", "must not be empty"));
                None
            }
            Ok(Some(raw)) => parse(raw).map_err(|e| self.push(column, e)).ok(),
        }
    }

    /// `Some(None)` when empty, `None` when invalid.
    fn optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match self.text(column) {
            Err(()) => None,
            Ok(None) => Some(None),
            Ok(Some(raw)) => parse(raw).map(Some).map_err(|e| self.push(column, e)).ok(),
        }
    }

    /// An address from its five columns (`columns`: `billing_…` or `shipping_…`, in the
    /// order line1, line2, postal_code, city, country). The street lines may hold line
    /// breaks: the first line is line 1, the others make line 2, joined by `, `.
    fn address(&mut self, columns: &[&str; 5]) -> Option<Option<Address>> {
        let street = [columns[0], columns[1]].map(|c| self.raw(c));
        let rest = [columns[2], columns[3], columns[4]].map(|c| self.text(c));
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
                self.push(&column, e);
            }
        })
        .ok()
    }
}

fn line_break() -> Invalid {
    Invalid::new(
        "line_break",
        "a line break (Alt+Enter in Excel, or a double quote left open) is allowed only in \
         an address's street lines; put this value on one line",
    )
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

fn row_error(line: u64, key: &str, errors: Vec<FieldError>) -> RowReport {
    RowReport {
        line,
        key: key.to_owned(),
        status: RowStatus::Error,
        errors,
    }
}

fn command_error<E: std::error::Error>(e: &CommandError<E>) -> FieldError {
    FieldError {
        field: "row".to_owned(),
        code: "rejected".to_owned(),
        message: e.to_string(),
    }
}

/// The aggregates the rows name by `key_column` that exist already: their ids by
/// lower-cased key (from the `*_keys` table `keys_sql` reads), and their states, loaded in
/// one query.
async fn load_existing<A>(
    pool: &PgPool,
    bus: &CommandBus<A>,
    table: &Table,
    key_column: &str,
    keys_sql: &str,
) -> Result<(HashMap<String, String>, HashMap<String, (A, u64)>), ImportError>
where
    A: cqrs_es::Aggregate + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
{
    let keys: Vec<String> = table
        .rows
        .iter()
        .filter_map(|r| table.get(&r.record, key_column).map(str::to_lowercase))
        .collect();
    let rows: Vec<(String, String)> = sqlx::query_as(keys_sql).bind(keys).fetch_all(pool).await?;
    let ids: HashMap<String, String> = rows.into_iter().collect();
    let states = bus
        .load_many(pool, &ids.values().cloned().collect::<Vec<_>>())
        .await
        .map_err(|e| match e {
            CommandError::Unavailable(cause) => ImportError::Unavailable(cause),
            other => ImportError::Store(other.to_string()),
        })?;
    Ok((ids, states))
}

pub async fn plan_products(
    pool: &PgPool,
    products: &CommandBus<Product>,
    vat_rates: &VatRates,
    table: &Table,
) -> Result<Plan, ImportError> {
    let (existing, mut current) = load_existing(
        pool,
        products,
        table,
        "sku",
        "SELECT sku_key, product_id FROM product_sku_keys WHERE sku_key = ANY($1)",
    )
    .await?;
    let mut seen = HashSet::new();
    let mut plan = Plan {
        file: table.dialect.clone(),
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for table::Row { line, record } in &table.rows {
        let mut f = RowFields::new(table, record);
        let key = f.raw("sku").unwrap_or_default().to_owned();
        let sku = f.required("sku", Sku::parse);
        let name = f.required("name", ProductName::parse);
        let price = f.required("price", |r| decimal(r).and_then(Money::new));
        let vat_rate = f.required("vat_rate", |r| decimal(r).and_then(|d| vat_rates.check(d)));
        let unit = f.required("unit", Unit::parse);
        let category = f.required("category", Category::parse);
        let barcode = f.optional("barcode", Barcode::parse);
        let threshold = f.optional("low_stock_threshold", |r| {
            decimal(r).and_then(Quantity::new)
        });
        let archived = archived(&mut f);
        if !key.is_empty() && !seen.insert(key.to_lowercase()) {
            f.push(
                "sku",
                Invalid::new("duplicate_in_file", "this SKU is on an earlier row"),
            );
        }
        let (
            Some(sku),
            Some(name),
            Some(price),
            Some(vat_rate),
            Some(unit),
            Some(category),
            Some(barcode),
            Some(low_stock_threshold),
            Some(archived),
            true,
        ) = (
            sku,
            name,
            price,
            vat_rate,
            unit,
            category,
            barcode,
            threshold,
            archived,
            f.errors.is_empty(),
        )
        else {
            plan.rows.push(row_error(*line, &key, f.errors));
            continue;
        };
        let details = ProductDetails {
            name,
            price,
            vat_rate,
            unit,
            category,
            barcode,
            low_stock_threshold,
        };
        // The status column is one more command: archiving an archived product, or
        // reactivating an active one, records nothing.
        let status = if archived {
            ProductCommand::Archive
        } else {
            ProductCommand::Reactivate
        };
        let decided = match existing.get(&key.to_lowercase()) {
            Some(id) => {
                let (aggregate, version) = current.remove(id).unwrap_or_default();
                let update = ProductCommand::Update(ProductPatch {
                    name: Some(details.name),
                    price: Some(details.price),
                    vat_rate: Some(details.vat_rate),
                    unit: Some(details.unit),
                    category: Some(details.category),
                    barcode: Some(details.barcode),
                    low_stock_threshold: Some(details.low_stock_threshold),
                });
                products
                    .decide_on(aggregate, version, id, [update, status])
                    .await
                    .map(|p| (p, RowStatus::Updated))
            }
            None => {
                let id = ProductId::generate();
                let create = ProductCommand::Create { id, sku, details };
                products
                    .decide_new(&id.to_string(), [create, status])
                    .await
                    .map(|p| (p, RowStatus::Created))
            }
        };
        push_decided(
            &mut plan,
            *line,
            key,
            decided,
            |e: &CommandError<ProductError>| command_error(e),
        );
    }
    Ok(plan)
}

fn push_decided<E>(
    plan: &mut Plan,
    line: u64,
    key: String,
    decided: Result<(Pending, RowStatus), E>,
    describe: impl Fn(&E) -> FieldError,
) {
    match decided {
        Ok((pending, status)) => {
            let status = if pending.events.is_empty() {
                RowStatus::Unchanged
            } else {
                plan.pending.push(pending);
                status
            };
            plan.rows.push(RowReport {
                line,
                key,
                status,
                errors: Vec::new(),
            });
        }
        Err(e) => plan.rows.push(row_error(line, &key, vec![describe(&e)])),
    }
}

pub async fn plan_customers(
    pool: &PgPool,
    customers: &CommandBus<Customer>,
    table: &Table,
) -> Result<Plan, ImportError> {
    let (existing, mut current) = load_existing(
        pool,
        customers,
        table,
        "code",
        "SELECT code, customer_id FROM customer_code_keys WHERE code = ANY($1)",
    )
    .await?;
    let mut seen = HashSet::new();
    let mut plan = Plan {
        file: table.dialect.clone(),
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for table::Row { line, record } in &table.rows {
        let mut f = RowFields::new(table, record);
        let key = f.raw("code").unwrap_or_default().to_owned();
        let code = f.required("code", CustomerCode::parse);
        let legal_name = f.required("legal_name", |r| bounded_text(r, 200));
        let siren = f.optional("siren", Siren::parse);
        let siret = f.optional("siret", Siret::parse);
        let vat_number = f.optional("vat_number", VatNumber::parse);
        let email = f.optional("email", shared::account::Email::parse);
        let phone = f.optional("phone", Phone::parse);
        let billing = f.address(&BILLING);
        let shipping = f.address(&SHIPPING);
        let terms = f
            .optional("payment_terms", PaymentTerms::parse)
            .map(Option::unwrap_or_default);
        let credit_limit = f.optional("credit_limit", |r| decimal(r).and_then(Money::new));
        let archived = archived(&mut f);
        if !key.is_empty() && !seen.insert(key.to_lowercase()) {
            f.push(
                "code",
                Invalid::new("duplicate_in_file", "this code is on an earlier row"),
            );
        }
        let (
            Some(code),
            Some(legal_name),
            Some(siren),
            Some(siret),
            Some(vat_number),
            Some(email),
            Some(phone),
            Some(billing_address),
            Some(shipping_address),
            Some(payment_terms),
            Some(credit_limit),
            Some(archived),
            true,
        ) = (
            code,
            legal_name,
            siren,
            siret,
            vat_number,
            email,
            phone,
            billing,
            shipping,
            terms,
            credit_limit,
            archived,
            f.errors.is_empty(),
        )
        else {
            plan.rows.push(row_error(*line, &key, f.errors));
            continue;
        };
        let details = CustomerDetails {
            legal_name,
            siren,
            siret,
            vat_number,
            email,
            phone,
            billing_address,
            shipping_address,
            payment_terms,
            credit_limit,
        };
        let status = if archived {
            CustomerCommand::Archive
        } else {
            CustomerCommand::Reactivate
        };
        let decided = match existing.get(&key.to_lowercase()) {
            Some(id) => {
                let (aggregate, version) = current.remove(id).unwrap_or_default();
                let update = CustomerCommand::Update(CustomerPatch {
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
                });
                customers
                    .decide_on(aggregate, version, id, [update, status])
                    .await
                    .map(|p| (p, RowStatus::Updated))
            }
            None => {
                let id = CustomerId::generate();
                let create = CustomerCommand::Create { id, code, details };
                customers
                    .decide_new(&id.to_string(), [create, status])
                    .await
                    .map(|p| (p, RowStatus::Created))
            }
        };
        push_decided(&mut plan, *line, key, decided, describe_customer_error);
    }
    Ok(plan)
}

fn describe_customer_error(e: &CommandError<CustomerError>) -> FieldError {
    match e {
        CommandError::Domain(CustomerError::Inconsistent(found)) => found
            .first()
            .map(|(field, invalid)| FieldError {
                field: (*field).to_owned(),
                code: invalid.code.to_owned(),
                message: invalid.message.clone(),
            })
            .unwrap_or_else(|| command_error(e)),
        other => command_error(other),
    }
}
