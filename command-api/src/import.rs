//! CSV import of products and customers: each row becomes a command (create, or update
//! when the SKU or code exists), decided against the current state; then either every
//! row's events are stored in one transaction, or, if any row is invalid, none is.
//!
//! Reads UTF-8 with or without a BOM, `;` or `,` separators (French Excel writes `;`),
//! decimal comma or point, quoted fields. The columns are the ones the export writes.

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

/// The columns of a product CSV, in export order.
pub const PRODUCT_COLUMNS: [&str; shared::csv_columns::PRODUCT.len()] =
    shared::csv_columns::PRODUCT;

/// `active` (or empty) or `archived`.
fn archived(f: &mut RowFields<'_>) -> Option<bool> {
    match f.text("status") {
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
    #[error("the file is not valid UTF-8 CSV: {0}")]
    Malformed(String),
    #[error("the header lacks the column(s) {0}")]
    MissingColumns(String),
    #[error("the header has unknown column(s) {0}")]
    UnknownColumns(String),
    #[error("the file has no header line")]
    Empty,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Store(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
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
    pub counts: Counts,
    pub rows: Vec<RowReport>,
}

/// The rows' reports and the events to store.
pub struct Plan {
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
            counts,
            rows: self.rows,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| r.status == RowStatus::Error)
    }
}

/// A parsed CSV: its columns and its records with their line numbers.
pub struct Table {
    columns: HashMap<String, usize>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub fn read(body: &[u8], known: &[&str], required: &[&str]) -> Result<Self, ImportError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let text = std::str::from_utf8(body).map_err(|e| ImportError::Malformed(e.to_string()))?;
        let header_line = text.lines().next().ok_or(ImportError::Empty)?;
        let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(body);
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Malformed(e.to_string()))?
            .clone();
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_lowercase(), i))
            .collect();
        let unknown: Vec<&str> = columns
            .keys()
            .map(String::as_str)
            .filter(|c| !known.contains(c))
            .collect();
        if !unknown.is_empty() {
            return Err(ImportError::UnknownColumns(unknown.join(", ")));
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns(missing.join(", ")));
        }
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ImportError::Malformed(e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(str::is_empty) {
                continue;
            }
            records.push((line, record));
        }
        Ok(Self { columns, records })
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// A cell's value: empty is `None`; a cell an export neutralised against formula
    /// injection (`'=…`, `'+…`, see `shared::csv_cell`) loses that one quote, so what was
    /// exported comes back as it was stored.
    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.columns
            .get(column)
            .and_then(|&i| record.get(i))
            .map(shared::csv_cell::unneutralise)
            .filter(|v| !v.is_empty())
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
        Self {
            table,
            record,
            errors: Vec::new(),
        }
    }

    fn push(&mut self, field: &str, e: Invalid) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: e.code.to_owned(),
            message: e.message,
        });
    }

    fn text(&self, column: &str) -> Option<&'a str> {
        self.table.get(self.record, column)
    }

    fn required<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.text(column) {
            None => {
                self.push(column, Invalid::new("required", "must not be empty"));
                None
            }
            Some(raw) => parse(raw).map_err(|e| self.push(column, e)).ok(),
        }
    }

    /// `Some(None)` when empty, `None` when invalid.
    fn optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match self.text(column) {
            None => Some(None),
            Some(raw) => parse(raw).map(Some).map_err(|e| self.push(column, e)).ok(),
        }
    }

    /// An address from its five columns (`columns`: `billing_…` or `shipping_…`, in the
    /// order line1, line2, postal_code, city, country).
    fn address(&mut self, columns: &[&str; 5]) -> Option<Option<Address>> {
        let parts = columns.map(|c| self.text(c));
        if parts.iter().all(Option::is_none) {
            return Some(None);
        }
        Address::parse(
            parts[0].unwrap_or_default(),
            parts[1],
            parts[2].unwrap_or_default(),
            parts[3].unwrap_or_default(),
            parts[4].unwrap_or_default(),
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
        .records
        .iter()
        .filter_map(|(_, r)| table.get(r, key_column).map(str::to_lowercase))
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
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for (line, record) in &table.records {
        let mut f = RowFields::new(table, record);
        let key = f.text("sku").unwrap_or_default().to_owned();
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
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for (line, record) in &table.records {
        let mut f = RowFields::new(table, record);
        let key = f.text("code").unwrap_or_default().to_owned();
        let code = f.required("code", CustomerCode::parse);
        let legal_name = f.required("legal_name", |r| bounded_text(r, 200));
        let siren = f.optional("siren", Siren::parse);
        let siret = f.optional("siret", Siret::parse);
        let vat_number = f.optional("vat_number", VatNumber::parse);
        let email = f.optional("email", shared::account::Email::parse);
        let phone = f.optional("phone", Phone::parse);
        let billing = f.address(&BILLING);
        let shipping = f.address(&SHIPPING);
        let terms = match f.text("payment_terms") {
            None => Some(PaymentTerms::default()),
            Some(raw) => PaymentTerms::parse(raw)
                .map_err(|e| f.push("payment_terms", e))
                .ok(),
        };
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
