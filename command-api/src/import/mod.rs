//! CSV import of products and customers: each row becomes a command (create, or update
//! when the SKU or code exists), decided against the current state; then either every
//! row's events are stored in one transaction, or, if any row is invalid, none is.
//!
//! The file is read as spreadsheets save it (see [`table`]: encodings, separators, line
//! numbers); decimals with a comma or a point; the columns are the ones the export writes.
//! A line break inside a quoted cell (Alt+Enter in Excel) is kept only in an address's
//! street lines, where it separates line 1 from line 2; anywhere else the row is refused
//! with the column named, since no other field of gescom is multi-line.
//!
//! One planner ([`plan`]) serves every resource; what differs (columns, key, how a row
//! reads, which commands it becomes) is the resource's [`RowMapper`]: [`ProductRows`],
//! [`CustomerRows`].

mod customers;
mod products;
mod table;

use std::collections::{HashMap, HashSet};

use contracts::Invalid;
use cqrs_es::Aggregate;

use crate::domain::Keyed;
use platform::problem::FieldError;
use serde::Serialize;
use sqlx::PgPool;

use crate::es::{CommandBus, CommandError, Pending};
pub use customers::CustomerRows;
pub use products::ProductRows;
pub use table::{Dialect, EncodingSource, Table};

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

/// One row's cells by column, and its broken rules as they are found.
pub struct RowFields<'a> {
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
}

fn line_break() -> Invalid {
    Invalid::new(
        "line_break",
        "a line break (Alt+Enter in Excel, or a double quote left open) is allowed only in \
         an address's street lines; put this value on one line",
    )
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
) -> Result<(HashMap<String, A::Id>, HashMap<A::Id, (A, u64)>), ImportError>
where
    A: Keyed + 'static,
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
    let ids = rows
        .into_iter()
        .map(|(key, id)| {
            id.parse()
                .map(|id| (key, id))
                .map_err(|_| ImportError::Store(format!("`{id}` is not a {} id", A::TYPE)))
        })
        .collect::<Result<HashMap<String, A::Id>, _>>()?;
    let states = bus
        .load_many(pool, &ids.values().copied().collect::<Vec<_>>())
        .await
        .map_err(|e| match e {
            CommandError::Unavailable(cause) => ImportError::Unavailable(cause),
            other => ImportError::Store(other.to_string()),
        })?;
    Ok((ids, states))
}

type Command<M> = <<M as RowMapper>::Aggregate as Aggregate>::Command;
type DomainError<M> = <<M as RowMapper>::Aggregate as Aggregate>::Error;

/// One resource's side of an import: its columns, the column that names a row's record,
/// how a row reads, and which commands it becomes. [`plan`] does the rest, the same way
/// for every resource.
pub trait RowMapper {
    type Aggregate: Keyed<Command: Clone + Send + 'static, Error: Send + 'static, Services: Send + Sync>
        + 'static;
    /// A valid row's values.
    type Row;
    /// The columns, in export order; a header must hold the first [`Self::REQUIRED`].
    const COLUMNS: &'static [&'static str];
    const REQUIRED: usize;
    /// The column naming a row's record (`sku`, `code`), unique ignoring case.
    const KEY: &'static str;
    /// Reads `(lower-cased key, aggregate id)` rows for the lower-cased keys bound as `$1`.
    const KEYS_SQL: &'static str;
    /// Why a key already seen on an earlier row is refused.
    const DUPLICATE: &'static str;

    /// The row's values, every broken rule pushed to `f`; `None` when one is broken.
    fn read(&self, f: &mut RowFields<'_>) -> Option<Self::Row>;

    /// A new record's id and the command that creates it.
    fn create(row: Self::Row) -> (<Self::Aggregate as Keyed>::Id, Command<Self>);

    /// The command that sets an existing record's fields to the row's.
    fn update(row: Self::Row) -> Command<Self>;

    /// The status column's command: archiving an archived record, or reactivating an
    /// active one, records nothing.
    fn status(archived: bool) -> Command<Self>;

    /// A refused command as the row's error.
    fn describe(e: &CommandError<DomainError<Self>>) -> FieldError {
        command_error(e)
    }
}

/// Decides every row of `table` against the records that exist (created, updated or
/// unchanged, by key), or reports each row's broken rules.
pub async fn plan<M: RowMapper>(
    pool: &PgPool,
    bus: &CommandBus<M::Aggregate>,
    rows: &M,
    table: &Table,
) -> Result<Plan, ImportError> {
    let (existing, mut current) = load_existing(pool, bus, table, M::KEY, M::KEYS_SQL).await?;
    let mut seen = HashSet::new();
    let mut plan = Plan {
        file: table.dialect.clone(),
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for table::Row { line, record } in &table.rows {
        let mut f = RowFields::new(table, record);
        let key = f.raw(M::KEY).unwrap_or_default().to_owned();
        let row = rows.read(&mut f);
        let archived = archived(&mut f);
        if !key.is_empty() && !seen.insert(key.to_lowercase()) {
            f.push(M::KEY, Invalid::new("duplicate_in_file", M::DUPLICATE));
        }
        let (Some(row), Some(archived), true) = (row, archived, f.errors.is_empty()) else {
            plan.rows.push(row_error(*line, &key, f.errors));
            continue;
        };
        let status = M::status(archived);
        let decided = match existing.get(&key.to_lowercase()) {
            Some(id) => {
                let (aggregate, version) = current.remove(id).unwrap_or_default();
                bus.decide_on(aggregate, version, *id, [M::update(row), status])
                    .await
                    .map(|p| (p, RowStatus::Updated))
            }
            None => {
                let (id, create) = M::create(row);
                bus.decide_new(id, [create, status])
                    .await
                    .map(|p| (p, RowStatus::Created))
            }
        };
        push_decided(&mut plan, *line, key, decided, M::describe);
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

/// A row's values, or its broken rules as `(field, code)`.
#[cfg(test)]
type Read<M> = Result<<M as RowMapper>::Row, Vec<(String, String)>>;

/// Reads every row of `csv` with `rows`, as [`plan`] does before deciding anything.
#[cfg(test)]
fn read_all<M: RowMapper>(rows: &M, csv: &str) -> Vec<Read<M>> {
    let table = Table::read(csv.as_bytes(), None, M::COLUMNS, &M::COLUMNS[..M::REQUIRED])
        .expect("a readable file");
    table
        .rows
        .iter()
        .map(|row| {
            let mut f = RowFields::new(&table, &row.record);
            match rows.read(&mut f) {
                Some(values) if f.errors.is_empty() => Ok(values),
                _ => Err(f.errors.into_iter().map(|e| (e.field, e.code)).collect()),
            }
        })
        .collect()
}
