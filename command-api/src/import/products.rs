//! Product rows: created or updated by SKU.

use contracts::events::ProductDetails;
use contracts::ids::ProductId;
use contracts::money::{Money, Notation::Spreadsheet};
use contracts::product::{Barcode, Category, ProductName, Quantity, Sku, Unit, VatRates};

use super::row::{RowFields, RowMapper};
use crate::domain::product::{Product, ProductCommand, ProductPatch};

/// Product rows, priced at the VAT rates in force.
pub struct ProductRows<'a> {
    pub vat_rates: &'a VatRates,
}

/// A valid product row.
pub struct ProductRow {
    sku: Sku,
    details: ProductDetails,
}

impl RowMapper for ProductRows<'_> {
    type Aggregate = Product;
    type Row = ProductRow;
    const COLUMNS: &'static [&'static str] = &contracts::csv_columns::PRODUCT;
    /// sku, name, price, vat_rate, unit, category.
    const REQUIRED: usize = 6;
    const KEY: &'static str = "sku";
    const KEYS_SQL: &'static str =
        "SELECT sku_key, product_id FROM product_sku_keys WHERE sku_key = ANY($1)";
    const DUPLICATE: &'static str = "this SKU is on an earlier row";

    fn read(&self, f: &mut RowFields<'_>) -> Option<ProductRow> {
        let sku = f.required("sku", Sku::parse);
        let name = f.required("name", ProductName::parse);
        let price = f.required("price", |r| Spreadsheet.parse(r).and_then(Money::new));
        let vat_rate = f.required("vat_rate", |r| {
            Spreadsheet.parse(r).and_then(|d| self.vat_rates.check(d))
        });
        let unit = f.required("unit", Unit::parse);
        let category = f.required("category", Category::parse);
        let barcode = f.optional("barcode", Barcode::parse);
        let threshold = f.optional("low_stock_threshold", |r| {
            Spreadsheet.parse(r).and_then(Quantity::new)
        });
        Some(ProductRow {
            sku: sku?,
            details: ProductDetails {
                name: name?,
                price: price?,
                vat_rate: vat_rate?,
                unit: unit?,
                category: category?,
                barcode: barcode?,
                low_stock_threshold: threshold?,
            },
        })
    }

    fn create(ProductRow { sku, details }: ProductRow) -> (ProductId, ProductCommand) {
        let id = ProductId::generate();
        (id, ProductCommand::Create { id, sku, details })
    }

    fn update(ProductRow { details, .. }: ProductRow) -> ProductCommand {
        ProductCommand::Update(ProductPatch {
            name: Some(details.name),
            price: Some(details.price),
            vat_rate: Some(details.vat_rate),
            unit: Some(details.unit),
            category: Some(details.category),
            barcode: Some(details.barcode),
            low_stock_threshold: Some(details.low_stock_threshold),
        })
    }

    fn status(archived: bool) -> ProductCommand {
        if archived {
            ProductCommand::Archive
        } else {
            ProductCommand::Reactivate
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{read_all, Read};

    fn rows(csv: &str) -> Vec<Read<ProductRows<'static>>> {
        read_all(
            &ProductRows {
                vat_rates: &VatRates::french(),
            },
            csv,
        )
    }

    #[test]
    fn a_row_reads_decimals_as_french_spreadsheets_write_them() {
        let [Ok(row)] = &rows(
            "sku;name;price;vat_rate;unit;category;barcode;low_stock_threshold\n\
             CAF-1;Café;1 234,50;5,5;kg;Épicerie;;2,5\n",
        )[..] else {
            panic!("one valid row")
        };
        assert_eq!(row.sku.as_str(), "CAF-1");
        assert_eq!(row.details.price.to_string(), "1234.50");
        assert_eq!(row.details.vat_rate.percent().to_string(), "5.5");
        assert_eq!(row.details.unit, Unit::Kg);
        assert_eq!(row.details.barcode, None);
        assert_eq!(
            row.details
                .low_stock_threshold
                .map(|q| q.value().to_string()),
            Some("2.5".to_owned())
        );
    }

    #[test]
    fn every_broken_cell_is_named_by_its_column() {
        let [Err(errors)] = &rows(
            "sku;name;price;vat_rate;unit;category;barcode;low_stock_threshold\n\
             ;Café;12.5.0;7;parsec;Épicerie;123;-1\n",
        )[..] else {
            panic!("one invalid row")
        };
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|(field, code)| (field.as_str(), code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("sku", "required"),
                ("price", "invalid_decimal"),
                ("vat_rate", "unknown_vat_rate"),
                ("unit", "unknown_unit"),
                ("barcode", "invalid_format"),
                ("low_stock_threshold", "negative"),
            ]
        );
    }
}
