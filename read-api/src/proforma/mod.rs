//! The proforma invoice as a PDF, from read-model rows: what it says, in French or
//! English, laid out by [`crate::pdf`] (shared with invoices and credit notes).
//!
//! Pure: no HTTP and no SQL. [`render`] takes everything the document shows and gives
//! the PDF's bytes; it is CPU-bound, so the HTTP edge runs it on the blocking pool.

mod document;
mod issuer;

/// Seconds one proforma takes to render (on the blocking pool), by `lang`: a histogram
/// recorded by the HTTP handler.
pub const RENDER_DURATION: &str = "gescom_proforma_render_duration_seconds";

pub use crate::pdf::{Lang, Line, RenderError, Rendered, Seller, LAYOUT_VERSION};
pub use document::{Customer, Proforma};
pub use issuer::{Issuer, ProformaSettings};

use crate::pdf::{self, Paragraph, Party, Sheet, VatRow};

/// What a proforma says that other documents do not.
struct Labels {
    title: &'static str,
    date: &'static str,
    valid_until: &'static str,
    customer: &'static str,
    customer_code: &'static str,
    vat_number: &'static str,
    payment_terms: &'static str,
    notes: &'static str,
    legal: &'static str,
}

const FR: Labels = Labels {
    title: "FACTURE PROFORMA",
    date: "Date",
    valid_until: "Offre valable jusqu’au",
    customer: "Client",
    customer_code: "Code client",
    vat_number: "N° TVA intracommunautaire",
    payment_terms: "Conditions de paiement",
    notes: "Remarques",
    legal: "Document sans valeur comptable : la facture sera émise à la livraison. \
            En cas de retard de paiement, des pénalités au taux égal à trois fois le taux \
            d’intérêt légal sont exigibles (article L441-10 du Code de commerce), ainsi \
            qu’une indemnité forfaitaire pour frais de recouvrement de 40\u{A0}€ \
            (article D441-5 du Code de commerce). Pas d’escompte pour paiement anticipé.",
};

const EN: Labels = Labels {
    title: "PROFORMA INVOICE",
    date: "Date",
    valid_until: "Offer valid until",
    customer: "Customer",
    customer_code: "Customer code",
    vat_number: "EU VAT number",
    payment_terms: "Payment terms",
    notes: "Notes",
    legal: "This proforma is not a tax invoice: the invoice is issued on delivery. \
            Late payment incurs penalties at three times the French statutory interest \
            rate (article L441-10 of the French Commercial Code) and a fixed recovery \
            fee of €40 (article D441-5 of the French Commercial Code). No discount for \
            early payment.",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// The PDF of `proforma` in `lang`, with its page count.
pub fn render(seller: &Seller, proforma: &Proforma, lang: Lang) -> Result<Rendered, RenderError> {
    pdf::render(&sheet(seller, proforma, lang), lang)
}

/// What the proforma shows, in `lang`.
fn sheet(seller: &Seller, proforma: &Proforma, lang: Lang) -> Sheet {
    let text = labels(lang);
    let colon = lang.colon();
    let customer = match &proforma.customer {
        Some(customer) => {
            let mut lines = customer.address.clone();
            lines.push(format!("{}{colon}{}", text.customer_code, customer.code));
            if let Some(siret) = &customer.siret {
                lines.push(format!("SIRET{colon}{siret}"));
            } else if let Some(siren) = &customer.siren {
                lines.push(format!("SIREN{colon}{siren}"));
            }
            if let Some(vat) = &customer.vat_number {
                lines.push(format!("{}{colon}{vat}", text.vat_number));
            }
            Party {
                caption: text.customer.to_owned(),
                name: Some(customer.legal_name.clone()),
                lines,
            }
        }
        None => Party {
            caption: text.customer.to_owned(),
            name: None,
            lines: vec!["—".to_owned()],
        },
    };
    let terms = proforma
        .customer
        .as_ref()
        .and_then(|c| c.payment_terms)
        .unwrap_or_default();
    let terms = match lang {
        Lang::Fr => terms.label_fr(),
        Lang::En => terms.label_en(),
    };
    let mut paragraphs = vec![Paragraph {
        label: Some(text.payment_terms.to_owned()),
        text: terms.to_owned(),
    }];
    if let Some(notes) = proforma.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        paragraphs.push(Paragraph {
            label: Some(text.notes.to_owned()),
            text: notes.to_owned(),
        });
    }
    Sheet {
        title: text.title.to_owned(),
        number: proforma.number.clone(),
        facts: vec![
            (text.date.to_owned(), lang.date(proforma.date)),
            (text.valid_until.to_owned(), lang.date(proforma.valid_until)),
        ],
        seller: seller.clone(),
        seller_lines: Vec::new(),
        left: None,
        right: customer,
        lines: proforma.lines.clone(),
        vat: proforma
            .vat
            .iter()
            .map(|v| VatRow {
                rate: v.rate.percent(),
                base: v.base.amount(),
                amount: v.amount.amount(),
            })
            .collect(),
        total_net: proforma.total_net,
        total_vat: proforma.total_vat,
        total_gross: proforma.total_gross,
        paragraphs,
        small_print: text.legal.to_owned(),
    }
}

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
            quantity: Some(Decimal::ONE),
            unit: "piece".into(),
            unit_price: Some(net),
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
            quantity: Some(Decimal::ONE),
            unit: "box".into(),
            unit_price: Some(Decimal::ONE),
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
