//! Invoices and credit notes as documents: the PDF a person reads, which is also a
//! Factur-X document (a PDF/A-3b carrying its CII XML), and the bare XML for platforms
//! that want only that.
//!
//! Pure: no HTTP and no SQL. The HTTP edge builds an [`InvoiceDocument`] from the read
//! models (the parties and lines are what the invoice snapshotted when it was issued)
//! and runs [`pdf`] on the blocking pool.
//!
//! - `sheet`: what the page says, in French or English, laid out by [`crate::pdf`] (the
//!   proforma's page, fonts and wrapping);
//! - `vat`: the VAT category of each rate and the exemption mention it needs;
//! - `cii`: the UN/CEFACT CII XML (Factur-X, EN 16931 profile);
//! - `ubl`: the same as OASIS UBL 2.1 (the EN 16931 UBL binding);
//! - `pdfa`: the rendered PDF made PDF/A-3b with the XML embedded (lopdf);
//! - `xml`: quick-xml's writer, for both XML documents.

mod cii;
mod document;
mod pdfa;
mod sheet;
mod ubl;
mod vat;
mod xml;

pub use cii::{GUIDELINE, NOTES};
pub use document::{Corrected, DocumentLine, InvoiceDocument, Kind, VatTotal};
pub use pdfa::{FX_FILE_NAME, FX_NAMESPACE};
pub use vat::Category;

use crate::pdf::{self, Lang, RenderError, Rendered};

/// Seconds one invoice or credit note takes to render (on the blocking pool), by `lang`:
/// a histogram recorded by the HTTP handler.
pub const RENDER_DURATION: &str = "gescom_invoice_render_duration_seconds";

/// Changes whenever the same invoice would give other bytes (its XML, its PDF/A
/// dressing), so that a client holding an earlier document gets the new one rather
/// than a 304 (with [`crate::pdf::LAYOUT_VERSION`] for the page).
pub const DOCUMENT_VERSION: u32 = 1;

/// The Factur-X profile the documents follow (`fx:ConformanceLevel`).
pub const CONFORMANCE_LEVEL: &str = "EN 16931";

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("xml: {0}")]
    Xml(#[from] std::io::Error),
    #[error("pdf/a: {0}")]
    Pdfa(#[from] pdfa::PdfaError),
}

/// The Factur-X PDF of `document` in `lang`, with its page count.
pub fn pdf(document: &InvoiceDocument, lang: Lang) -> Result<Rendered, DocumentError> {
    let rendered = pdf::render(&sheet::sheet(document, lang), lang)?;
    let xml = cii::write(document)?;
    let title = title(document, lang);
    let subject = match lang {
        Lang::Fr => format!(
            "{title}, {} (commande {})",
            document.buyer.legal_name, document.order_number
        ),
        Lang::En => format!(
            "{title}, {} (order {})",
            document.buyer.legal_name, document.order_number
        ),
    };
    let pdf = pdfa::archive(
        &rendered.pdf,
        &xml,
        &pdfa::Description {
            id: document.id,
            title: &title,
            author: &document.seller.name,
            subject: &subject,
            lang: lang.code(),
            date: document.issued_at,
            conformance_level: CONFORMANCE_LEVEL,
        },
    )?;
    Ok(Rendered {
        pdf,
        pages: rendered.pages,
    })
}

/// The CII XML of `document`: what its PDF embeds as `factur-x.xml`.
pub fn cii(document: &InvoiceDocument) -> Result<Vec<u8>, DocumentError> {
    Ok(cii::write(document)?)
}

/// The UBL 2.1 XML of `document` (`Invoice` or `CreditNote`).
pub fn ubl(document: &InvoiceDocument) -> Result<Vec<u8>, DocumentError> {
    Ok(ubl::write(document)?)
}

/// `Facture FAC-2026-000001`, `Credit note AV-2026-000001`.
pub fn title(document: &InvoiceDocument, lang: Lang) -> String {
    let kind = match (document.kind, lang) {
        (Kind::Invoice, Lang::Fr) => "Facture",
        (Kind::Invoice, Lang::En) => "Invoice",
        (Kind::CreditNote, Lang::Fr) => "Avoir",
        (Kind::CreditNote, Lang::En) => "Credit note",
    };
    format!("{kind} {}", document.number)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use contracts::customer::{Address, CustomerCode, PaymentTerms, Siret, VatNumber};
    use contracts::invoice::{Buyer, Seller};
    use rust_decimal::Decimal;

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default()
    }

    pub fn seller() -> Seller {
        Seller {
            name: "Négoce Dupont SAS".into(),
            address: vec!["12 rue des Halles".into(), "69002 Lyon".into()],
            siret: Siret::parse("35600000000048").unwrap_or_else(|e| panic!("{e:?}")),
            vat_number: VatNumber::parse("FR39356000000").unwrap_or_else(|e| panic!("{e:?}")),
            legal_form: Some("SAS".into()),
            capital: Some(d("50000")),
            rcs: Some("RCS Lyon 356 000 000".into()),
            email: Some("ventes@dupont.example".into()),
            phone: Some("04 72 00 00 00".into()),
        }
    }

    fn address(line1: &str, postal_code: &str, city: &str, country: &str) -> Address {
        Address::parse(line1, None, postal_code, city, country).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// A French business buyer: two lines at 20 % and 5.5 %, one discounted.
    pub fn french_invoice() -> InvoiceDocument {
        InvoiceDocument {
            kind: Kind::Invoice,
            id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            number: "FAC-2026-000001".into(),
            issue_date: day(2026, 12, 3),
            issued_at: Utc
                .with_ymd_and_hms(2026, 12, 3, 9, 30, 0)
                .single()
                .unwrap_or_default(),
            order_number: "PRO-2026-000042".into(),
            delivery_date: day(2026, 12, 2),
            due_date: Some(day(2027, 1, 2)),
            payment_terms: PaymentTerms::Net30,
            seller: seller(),
            buyer: Buyer {
                code: CustomerCode::parse("ACME").unwrap_or_else(|e| panic!("{e:?}")),
                legal_name: "Acme Industrie SARL".into(),
                siren: None,
                siret: Some(Siret::parse("73282932000074").unwrap_or_else(|e| panic!("{e:?}"))),
                vat_number: Some(
                    VatNumber::parse("FR44732829320").unwrap_or_else(|e| panic!("{e:?}")),
                ),
                email: None,
                billing_address: Some(address("3 avenue de la Gare", "31000", "Toulouse", "FR")),
                shipping_address: Some(address("ZI des Ponts", "31200", "Toulouse", "FR")),
            },
            lines: vec![
                DocumentLine {
                    line_no: 1,
                    sku: "DRILL-18V".into(),
                    label: "Perceuse visseuse 18 V".into(),
                    unit: "piece".into(),
                    quantity: Some(d("2")),
                    unit_price: d("89.90"),
                    discount: d("10"),
                    vat_rate: d("20"),
                    net: d("161.82"),
                },
                DocumentLine {
                    line_no: 2,
                    sku: "CAFE-1KG".into(),
                    label: "Café en grains « Moka » & co <bio>".into(),
                    unit: "kg".into(),
                    quantity: Some(d("2.5")),
                    unit_price: d("18.40"),
                    discount: Decimal::ZERO,
                    vat_rate: d("5.5"),
                    net: d("46.00"),
                },
            ],
            vat: vec![
                VatTotal {
                    rate: d("20"),
                    base: d("161.82"),
                    amount: d("32.36"),
                },
                VatTotal {
                    rate: d("5.5"),
                    base: d("46.00"),
                    amount: d("2.53"),
                },
            ],
            total_net: d("207.82"),
            total_vat: d("34.89"),
            total_gross: d("242.71"),
            corrects: None,
            reason: None,
        }
    }

    fn text(pdf: &[u8]) -> String {
        let Ok(text) = pdf_extract::extract_text_from_mem(pdf) else {
            panic!("unreadable PDF");
        };
        text.replace(['\u{202F}', '\u{A0}'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Writes `bytes` under `$GESCOM_SAMPLES/<name>` when that variable is set, to look
    /// at what the tests render.
    fn keep(name: &str, bytes: &[u8]) {
        if let Ok(dir) = std::env::var("GESCOM_SAMPLES") {
            let _ = std::fs::write(std::path::Path::new(&dir).join(name), bytes);
        }
    }

    /// One book of the French invoice given back, and a price reduction on the drill.
    pub fn credit_note() -> InvoiceDocument {
        let invoice = french_invoice();
        InvoiceDocument {
            kind: Kind::CreditNote,
            id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002),
            number: "AV-2026-000001".into(),
            issue_date: day(2026, 12, 10),
            due_date: None,
            lines: vec![
                DocumentLine {
                    line_no: 1,
                    quantity: Some(d("1")),
                    net: d("18.40"),
                    ..invoice.lines[1].clone()
                },
                DocumentLine {
                    line_no: 2,
                    quantity: None,
                    net: d("10.00"),
                    ..invoice.lines[0].clone()
                },
            ],
            vat: vec![
                VatTotal {
                    rate: d("20"),
                    base: d("10.00"),
                    amount: d("2.00"),
                },
                VatTotal {
                    rate: d("5.5"),
                    base: d("18.40"),
                    amount: d("1.01"),
                },
            ],
            total_net: d("28.40"),
            total_vat: d("3.01"),
            total_gross: d("31.41"),
            corrects: Some(Corrected {
                number: invoice.number.clone(),
                issue_date: invoice.issue_date,
            }),
            reason: Some("Un paquet abîmé ; geste commercial sur la perceuse".into()),
            ..invoice
        }
    }

    /// Goods at 0 % to a German business: an intra-Community supply.
    pub fn intra_community_invoice() -> InvoiceDocument {
        let mut invoice = french_invoice();
        invoice.buyer.legal_name = "Berliner Werkzeug GmbH".into();
        invoice.buyer.siret = None;
        invoice.buyer.vat_number =
            Some(VatNumber::parse("DE136695976").unwrap_or_else(|e| panic!("{e:?}")));
        invoice.buyer.billing_address = Some(address("Invalidenstraße 1", "10115", "Berlin", "DE"));
        invoice.buyer.shipping_address = None;
        for line in &mut invoice.lines {
            line.vat_rate = Decimal::ZERO;
        }
        invoice.vat = vec![VatTotal {
            rate: Decimal::ZERO,
            base: d("207.82"),
            amount: Decimal::ZERO,
        }];
        invoice.total_vat = Decimal::ZERO;
        invoice.total_gross = d("207.82");
        invoice
    }

    #[test]
    fn a_credit_note_and_an_intra_community_supply_render() {
        for (name, document) in [
            ("credit-note", credit_note()),
            ("intra-community", intra_community_invoice()),
        ] {
            for lang in [Lang::Fr, Lang::En] {
                let rendered = pdf(&document, lang).unwrap_or_else(|e| panic!("{e}"));
                keep(&format!("{name}-{}.pdf", lang.code()), &rendered.pdf);
            }
            keep(&format!("{name}.xml"), &cii(&document).unwrap_or_default());
            keep(
                &format!("{name}.ubl.xml"),
                &ubl(&document).unwrap_or_default(),
            );
        }
        let note = text(
            &pdf(&credit_note(), Lang::Fr)
                .unwrap_or_else(|e| panic!("{e}"))
                .pdf,
        );
        // A price reduction has no units and no unit price.
        assert!(
            note.contains("DRILL-18V Perceuse visseuse 18 V 20 % 10,00 €"),
            "{note}"
        );
        assert!(
            note.contains("Facture d’origine : FAC-2026-000001 du 03/12/2026"),
            "{note}"
        );
    }

    #[test]
    fn an_invoice_renders_as_a_pdf_with_its_xml() {
        let document = french_invoice();
        for lang in [Lang::Fr, Lang::En] {
            let rendered = pdf(&document, lang).unwrap_or_else(|e| panic!("{e}"));
            keep(&format!("invoice-{}.pdf", lang.code()), &rendered.pdf);
            assert!(rendered.pdf.starts_with(b"%PDF-1.7"));
            let text = text(&rendered.pdf);
            assert!(text.contains("FAC-2026-000001"), "{text}");
        }
        let xml = cii(&document).unwrap_or_else(|e| panic!("{e}"));
        keep("invoice.xml", &xml);
        keep("invoice.ubl.xml", &ubl(&document).unwrap_or_default());
        let xml = String::from_utf8(xml).unwrap_or_default();
        assert!(
            xml.contains("Café en grains « Moka » &amp; co &lt;bio&gt;"),
            "{xml}"
        );
    }
}
