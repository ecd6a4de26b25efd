//! One row of an import: its cells by column ([`RowFields`]) and what a resource makes of
//! it ([`RowMapper`]).

use contracts::FieldCode;
use contracts::Invalid;
use cqrs_es::Aggregate;
use platform::problem::FieldError;

use super::table::Table;
use crate::domain::Keyed;
use crate::es::CommandError;

/// One row's cells by column, and its broken rules as they are found.
pub struct RowFields<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    pub(super) errors: Vec<FieldError>,
}

impl<'a> RowFields<'a> {
    pub(super) fn new(table: &'a Table, record: &'a csv::StringRecord) -> Self {
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
                    FieldCode::TooManyValues,
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

    pub(super) fn push(&mut self, field: &str, e: Invalid) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: e.code.to_owned(),
            message: e.message,
        });
    }

    /// The cell as written, line breaks included (the row's key, and address lines).
    pub(super) fn raw(&self, column: &str) -> Option<&'a str> {
        self.table.get(self.record, column)
    }

    /// A single-line cell: one holding a line break is refused, naming its column.
    pub(super) fn text(&mut self, column: &str) -> Result<Option<&'a str>, ()> {
        match self.raw(column) {
            Some(value) if value.contains(['\r', '\n']) => {
                self.push(column, line_break());
                Err(())
            }
            value => Ok(value),
        }
    }

    pub(super) fn required<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.text(column) {
            Err(()) => None,
            Ok(None) => {
                self.push(
                    column,
                    Invalid::new(FieldCode::Required, "must not be empty"),
                );
                None
            }
            Ok(Some(raw)) => parse(raw).map_err(|e| self.push(column, e)).ok(),
        }
    }

    /// `Some(None)` when empty, `None` when invalid.
    pub(super) fn optional<T>(
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

pub(super) fn command_error<E: std::error::Error>(e: &CommandError<E>) -> FieldError {
    FieldError {
        field: "row".to_owned(),
        code: FieldCode::Rejected,
        message: e.to_string(),
    }
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

fn line_break() -> Invalid {
    Invalid::new(
        FieldCode::LineBreak,
        "a line break (Alt+Enter in Excel, or a double quote left open) is allowed only in \
         an address's street lines; put this value on one line",
    )
}
