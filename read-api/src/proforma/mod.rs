//! The proforma invoice as a PDF, laid out with genpdf from read-model rows.
//!
//! Pure: no HTTP and no SQL. [`render`] takes everything the document shows and gives
//! the PDF's bytes; it is CPU-bound, so the HTTP edge runs it on the blocking pool.
//!
//! Nothing is lost for being long: every text is wrapped by `text` with the fonts'
//! metrics (by characters when a word is wider than its line), and the tables are laid
//! out by `table`, whole rows on each page under a repeated heading row.
//!
//! Fonts: DejaVu Sans, regular and bold, subset by `read-api/fonts/subset.sh` and
//! compiled into the binary. The italic slots genpdf insists on point at a built-in PDF
//! font, which costs no bytes, since the document never sets italic.

mod document;
mod format;
mod issuer;
mod layout;
mod pack;
mod table;
mod text;

use std::sync::LazyLock;

/// Seconds one proforma takes to render (on the blocking pool), by `lang`: a histogram
/// recorded by the HTTP handler.
pub const RENDER_DURATION: &str = "gescom_proforma_render_duration_seconds";

use flate2::Compression;
use genpdf::fonts::{FontData, FontFamily};
use printpdf::BuiltinFont;

pub use document::{Customer, Line, Proforma, RenderError, Rendered, Seller, LAYOUT_VERSION};
pub use format::Lang;
pub use issuer::{Issuer, ProformaSettings};

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.subset.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.subset.ttf");

static FONTS: LazyLock<Result<FontFamily<FontData>, String>> = LazyLock::new(|| {
    let load = |bytes: &[u8], builtin| {
        FontData::new(bytes.to_vec(), builtin).map_err(|e| format!("embedded font: {e}"))
    };
    Ok(FontFamily {
        regular: load(REGULAR, None)?,
        bold: load(BOLD, None)?,
        italic: load(REGULAR, Some(BuiltinFont::HelveticaOblique))?,
        bold_italic: load(BOLD, Some(BuiltinFont::HelveticaBoldOblique))?,
    })
});

/// The PDF of `proforma` in `lang`, with its page count.
pub fn render(seller: &Seller, proforma: &Proforma, lang: Lang) -> Result<Rendered, RenderError> {
    let fonts = FONTS.as_ref().map_err(|e| RenderError::Fonts(e.clone()))?;
    // The footer says "page n / N": a first pass counts the pages, and only a document
    // longer than one page is laid out again with its real count.
    let mut rendered = layout::render(fonts.clone(), seller, proforma, lang, 1)?;
    if rendered.pages > 1 {
        rendered = layout::render(fonts.clone(), seller, proforma, lang, rendered.pages)?;
    }
    rendered.pdf = pack::pack(&rendered.pdf, &PACKED_FONTS);
    Ok(rendered)
}

/// The embedded fonts, deflated once: they are most of every document's bytes.
static PACKED_FONTS: LazyLock<Vec<(&'static [u8], Vec<u8>)>> = LazyLock::new(|| {
    [REGULAR, BOLD]
        .into_iter()
        .filter_map(|raw| {
            pack::deflate(raw, Compression::best())
                .ok()
                .map(|z| (raw, z))
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;

    fn seller() -> Seller {
        Seller {
            name: "Négoce SAS".into(),
            address: vec!["1 rue A".into()],
            siret: "35600000000048".into(),
            vat_number: "FR39356000000".into(),
            legal_form: None,
            capital: None,
            rcs: None,
            email: None,
            phone: None,
        }
    }

    fn proforma(lines: Vec<Line>, customer: Option<Customer>) -> Proforma {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        Proforma {
            number: "PRO-2026-000001".into(),
            date: day,
            valid_until: day,
            customer,
            lines,
            vat: Vec::new(),
            total_net: Decimal::ZERO,
            total_vat: Decimal::ZERO,
            total_gross: Decimal::ZERO,
            notes: None,
        }
    }

    #[test]
    fn an_empty_draft_without_customer_renders_on_one_page() {
        let rendered = render(&seller(), &proforma(Vec::new(), None), Lang::Fr);
        let Ok(rendered) = rendered else {
            panic!("{rendered:?}");
        };
        assert_eq!(rendered.pages, 1);
        assert!(rendered.pdf.starts_with(b"%PDF-"));
    }

    fn line(sku: &str, label: &str, net: Decimal) -> Line {
        Line {
            sku: sku.into(),
            label: label.into(),
            quantity: Decimal::ONE,
            unit: "piece".into(),
            unit_price: net,
            discount: Decimal::ZERO,
            vat_rate: Decimal::from(20),
            net,
        }
    }

    fn squeezed(pdf: &[u8]) -> String {
        let Ok(text) = pdf_extract::extract_text_from_mem(pdf) else {
            panic!("unreadable PDF");
        };
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_between_two_of_its_lines_rather_than_lost() {
        // Beyond what the domain allows (200 characters), as a read model could hold.
        let label = "ABCDEFGHIJ".repeat(800);
        let lines = vec![
            line("SHORT-1", "Avant", Decimal::ONE),
            line("LONG-2", &label, Decimal::TWO),
            line("SHORT-3", "Après", Decimal::TEN),
        ];
        let rendered = render(&seller(), &proforma(lines, None), Lang::Fr);
        let Ok(rendered) = rendered else {
            panic!("{rendered:?}");
        };
        assert!(rendered.pages >= 2, "{} pages", rendered.pages);
        let text = squeezed(&rendered.pdf);
        assert_eq!(text.matches('J').count(), 800);
        for sku in ["SHORT-1", "LONG-2", "SHORT-3"] {
            assert_eq!(text.matches(sku).count(), 1, "{sku}");
        }
    }

    #[test]
    fn a_figure_wider_than_its_column_is_cut_after_a_thousands_separator_not_dropped() {
        let huge: Decimal = "12345678901234567890123456.78".parse().unwrap_or_default();
        let lines = vec![line("ABC", "Démesuré", huge)];
        for lang in [Lang::Fr, Lang::En] {
            let rendered = render(&seller(), &proforma(lines.clone(), None), lang);
            let Ok(rendered) = rendered else {
                panic!("{rendered:?}");
            };
            let printed: String = lang
                .money(huge)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            // As unit price and as net.
            assert_eq!(
                squeezed(&rendered.pdf).matches(&printed).count(),
                2,
                "{printed}"
            );
        }
    }

    #[test]
    fn text_beyond_the_embedded_characters_does_not_fail_the_document() {
        let line = Line {
            sku: "THÉ-🍵".into(),
            label: "Thé vert 绿茶, Łódź, Ștefan, Œuvre « spéciale » — 10 %".repeat(4),
            quantity: Decimal::ONE,
            unit: "box".into(),
            unit_price: Decimal::ONE,
            discount: Decimal::ZERO,
            vat_rate: Decimal::new(55, 1),
            net: Decimal::ONE,
        };
        let customer = Customer {
            code: "Ω".into(),
            legal_name: "Zakład Łódź Sp. z o.o.".into(),
            address: vec![
                "ul. Piotrkowska 1".into(),
                "90-001 Łódź".into(),
                "PL".into(),
            ],
            vat_number: Some("PL1234567890".into()),
            ..Customer::default()
        };
        let rendered = render(&seller(), &proforma(vec![line], Some(customer)), Lang::En);
        assert!(rendered.is_ok(), "{rendered:?}");
    }
}
