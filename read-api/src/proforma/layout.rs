//! The page: seller and document blocks, customer, lines (their heading repeated on
//! every page), VAT by rate, totals, terms and the legal mentions; a footer on every
//! page with the page number.

use std::cell::Cell;
use std::rc::Rc;

use genpdf::elements::{
    Break, FrameCellDecorator, LinearLayout, PaddedElement, Paragraph, TableLayout,
};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::render::Area;
use genpdf::style::{Color, Style};
use genpdf::{Alignment, Context, Element, Margins, Mm, PageDecorator, Position, RenderResult};
use shared::customer::PaymentTerms;

use super::format::Lang;
use super::{Proforma, RenderError, Rendered, Seller};

const BODY_SIZE: u8 = 9;
const SMALL_SIZE: u8 = 7;
const TABLE_SIZE: u8 = 8;
const TITLE_SIZE: u8 = 15;
/// SKU, label, quantity, unit price, discount, VAT, net.
const LINE_COLUMNS: [usize; 7] = [4, 10, 4, 4, 3, 3, 4];
const FOOTER_HEIGHT: f32 = 12.0;
const GREY: Color = Color::Greyscale(90);

struct Labels {
    title: &'static str,
    number: &'static str,
    date: &'static str,
    valid_until: &'static str,
    customer: &'static str,
    customer_code: &'static str,
    vat_number: &'static str,
    columns: [&'static str; 7],
    vat_rate: &'static str,
    vat_base: &'static str,
    vat_amount: &'static str,
    total_net: &'static str,
    total_vat: &'static str,
    total_gross: &'static str,
    payment_terms: &'static str,
    notes: &'static str,
    continued: &'static str,
    page: &'static str,
    legal: &'static str,
    /// After a label: French puts a no-break space before the colon, English none.
    colon: &'static str,
}

const FR: Labels = Labels {
    title: "FACTURE PROFORMA",
    number: "Numéro",
    date: "Date",
    valid_until: "Offre valable jusqu’au",
    customer: "Client",
    customer_code: "Code client",
    vat_number: "N° TVA intracommunautaire",
    columns: [
        "Référence",
        "Désignation",
        "Quantité",
        "P.U. HT",
        "Remise",
        "TVA",
        "Montant HT",
    ],
    vat_rate: "Taux de TVA",
    vat_base: "Base HT",
    vat_amount: "Montant TVA",
    total_net: "Total HT",
    total_vat: "Total TVA",
    total_gross: "Total TTC",
    payment_terms: "Conditions de paiement",
    notes: "Remarques",
    continued: "suite",
    page: "Page",
    colon: "\u{A0}: ",
    legal: "Document sans valeur comptable : la facture sera émise à la livraison. \
            En cas de retard de paiement, des pénalités au taux égal à trois fois le taux \
            d’intérêt légal sont exigibles (article L441-10 du Code de commerce), ainsi \
            qu’une indemnité forfaitaire pour frais de recouvrement de 40\u{A0}€ \
            (article D441-5 du Code de commerce). Pas d’escompte pour paiement anticipé.",
};

const EN: Labels = Labels {
    title: "PROFORMA INVOICE",
    number: "Number",
    date: "Date",
    valid_until: "Offer valid until",
    customer: "Customer",
    customer_code: "Customer code",
    vat_number: "EU VAT number",
    columns: [
        "SKU",
        "Description",
        "Quantity",
        "Unit price",
        "Discount",
        "VAT",
        "Net amount",
    ],
    vat_rate: "VAT rate",
    vat_base: "Net base",
    vat_amount: "VAT amount",
    total_net: "Total excl. VAT",
    total_vat: "Total VAT",
    total_gross: "Total incl. VAT",
    payment_terms: "Payment terms",
    notes: "Notes",
    continued: "continued",
    page: "Page",
    colon: ": ",
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

pub(super) fn render(
    fonts: FontFamily<FontData>,
    seller: &Seller,
    proforma: &Proforma,
    lang: Lang,
    total_pages: usize,
) -> Result<Rendered, RenderError> {
    let text = labels(lang);
    let mut doc = genpdf::Document::new(fonts);
    doc.set_title(format!("{} {}", text.title, proforma.number));
    doc.set_font_size(BODY_SIZE);
    doc.set_line_spacing(1.15);
    doc.set_paper_size(genpdf::PaperSize::A4);
    // No ICC profile nor XMP metadata: they would weigh more than the document.
    doc.set_minimal_conformance();
    let pages = Rc::new(Cell::new(0));
    doc.set_page_decorator(Pages {
        counted: Rc::clone(&pages),
        total: total_pages,
        footer: footer_line(seller, lang),
        continued: format!("{} {} ({})", text.title, proforma.number, text.continued),
        page_word: text.page,
    });

    doc.push(heading(seller, proforma, lang));
    doc.push(Break::new(1.5));
    doc.push(customer_block(proforma, lang));
    doc.push(Break::new(1.5));
    doc.push(LinesTable::new(proforma, lang));
    doc.push(Break::new(1));
    doc.push(totals(proforma, lang));
    doc.push(Break::new(1));
    let terms = proforma
        .customer
        .as_ref()
        .and_then(|c| c.payment_terms.as_deref())
        .and_then(|t| PaymentTerms::parse(t).ok())
        .unwrap_or_default();
    let terms = match lang {
        Lang::Fr => terms.label_fr(),
        Lang::En => terms.label_en(),
    };
    doc.push(
        Paragraph::default()
            .styled_string(
                format!("{}{}", text.payment_terms, text.colon),
                Style::new().bold(),
            )
            .string(terms),
    );
    if let Some(notes) = proforma.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        doc.push(Break::new(0.5));
        doc.push(
            Paragraph::default()
                .styled_string(format!("{}{}", text.notes, text.colon), Style::new().bold())
                .string(notes),
        );
    }
    doc.push(Break::new(1));
    doc.push(Paragraph::new(text.legal).styled(Style::new().with_font_size(SMALL_SIZE)));

    let mut pdf = Vec::with_capacity(64 * 1024);
    doc.render(&mut pdf)?;
    Ok(Rendered {
        pdf,
        pages: pages.get(),
    })
}

/// Seller on the left, the document's title, number and dates on the right.
fn heading(seller: &Seller, proforma: &Proforma, lang: Lang) -> TableLayout {
    let text = labels(lang);
    let mut left = LinearLayout::vertical().element(
        Paragraph::new(seller.name.as_str()).styled(Style::new().bold().with_font_size(11)),
    );
    for line in &seller.address {
        left.push(Paragraph::new(line.as_str()));
    }
    for contact in [&seller.phone, &seller.email].into_iter().flatten() {
        left.push(Paragraph::new(contact.as_str()));
    }
    let right = LinearLayout::vertical()
        .element(
            Paragraph::new(text.title)
                .aligned(Alignment::Right)
                .styled(Style::new().bold().with_font_size(TITLE_SIZE)),
        )
        .element(Break::new(0.5))
        .element(right_pair(text.number, text.colon, &proforma.number, true))
        .element(right_pair(
            text.date,
            text.colon,
            &lang.date(proforma.date),
            false,
        ))
        .element(right_pair(
            text.valid_until,
            text.colon,
            &lang.date(proforma.valid_until),
            false,
        ));
    let mut table = TableLayout::new(vec![1, 1]);
    push_row(&mut table, vec![Box::new(left), Box::new(right)]);
    table
}

fn right_pair(label: &str, colon: &str, value: &str, bold: bool) -> Paragraph {
    let value_style = if bold {
        Style::new().bold()
    } else {
        Style::new()
    };
    Paragraph::default()
        .aligned(Alignment::Right)
        .string(format!("{label}{colon}"))
        .styled_string(value, value_style)
}

/// The customer's block, on the right half, framed.
fn customer_block(proforma: &Proforma, lang: Lang) -> TableLayout {
    let text = labels(lang);
    let mut block = LinearLayout::vertical().element(
        Paragraph::new(text.customer)
            .styled(Style::new().with_font_size(SMALL_SIZE).with_color(GREY)),
    );
    match &proforma.customer {
        Some(customer) => {
            block.push(Paragraph::new(customer.legal_name.as_str()).styled(Style::new().bold()));
            for line in &customer.address {
                block.push(Paragraph::new(line.as_str()));
            }
            let colon = text.colon;
            block.push(Paragraph::new(format!(
                "{}{colon}{}",
                text.customer_code, customer.code
            )));
            if let Some(siret) = &customer.siret {
                block.push(Paragraph::new(format!("SIRET{colon}{siret}")));
            } else if let Some(siren) = &customer.siren {
                block.push(Paragraph::new(format!("SIREN{colon}{siren}")));
            }
            if let Some(vat) = &customer.vat_number {
                block.push(Paragraph::new(format!("{}{colon}{vat}", text.vat_number)));
            }
        }
        None => block.push(Paragraph::new("—")),
    }
    let mut table = TableLayout::new(vec![1, 1]);
    push_row(
        &mut table,
        vec![
            Box::new(Paragraph::new("")),
            Box::new(block.padded(Margins::all(2)).framed()),
        ],
    );
    table
}

/// The order lines, whose heading row is drawn again at the top of every page they
/// run onto.
struct LinesTable {
    heading: [&'static str; 7],
    body: TableLayout,
}

impl LinesTable {
    fn new(proforma: &Proforma, lang: Lang) -> Self {
        let mut body = TableLayout::new(LINE_COLUMNS.to_vec());
        body.set_cell_decorator(FrameCellDecorator::new(true, true, false));
        for line in &proforma.lines {
            let cells: Vec<Box<dyn Element>> = vec![
                cell(&line.sku, Alignment::Left),
                cell(&line.label, Alignment::Left),
                cell(
                    &format!("{} {}", lang.quantity(line.quantity), lang.unit(&line.unit)),
                    Alignment::Right,
                ),
                cell(&lang.money(line.unit_price), Alignment::Right),
                cell(
                    &if line.discount.is_zero() {
                        String::new()
                    } else {
                        lang.percent(line.discount)
                    },
                    Alignment::Right,
                ),
                cell(&lang.percent(line.vat_rate), Alignment::Right),
                cell(&lang.money(line.net), Alignment::Right),
            ];
            push_row(&mut body, cells);
        }
        Self {
            heading: labels(lang).columns,
            body,
        }
    }

    fn heading_row(&self) -> TableLayout {
        let mut row = TableLayout::new(LINE_COLUMNS.to_vec());
        row.set_cell_decorator(FrameCellDecorator::new(true, true, false));
        let cells = self
            .heading
            .iter()
            .enumerate()
            .map(|(i, title)| {
                let align = if i < 2 {
                    Alignment::Left
                } else {
                    Alignment::Right
                };
                styled_cell(title, align, Style::new().bold())
            })
            .collect();
        push_row(&mut row, cells);
        row
    }
}

impl Element for LinesTable {
    fn render(
        &mut self,
        context: &Context,
        mut area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        // Too little room for the heading and a row: start on the next page instead of
        // leaving a heading alone at the bottom.
        if area.size().height < Mm::from(20) {
            return Ok(RenderResult {
                size: genpdf::Size::new(0, 0),
                has_more: true,
            });
        }
        let style = style.with_font_size(TABLE_SIZE);
        let heading = self.heading_row().render(context, area.clone(), style)?;
        area.add_offset(Position::new(0, heading.size.height));
        let body = self.body.render(context, area, style)?;
        Ok(RenderResult {
            size: heading.size.stack_vertical(body.size),
            has_more: body.has_more,
        })
    }
}

/// VAT by rate on the left, the three totals on the right.
fn totals(proforma: &Proforma, lang: Lang) -> TableLayout {
    let text = labels(lang);
    let mut vat = TableLayout::new(vec![1, 1, 1]);
    vat.set_cell_decorator(FrameCellDecorator::new(true, true, false));
    push_row(
        &mut vat,
        [text.vat_rate, text.vat_base, text.vat_amount]
            .iter()
            .map(|t| styled_cell(t, Alignment::Right, Style::new().bold()))
            .collect(),
    );
    for line in &proforma.vat {
        push_row(
            &mut vat,
            vec![
                cell(&lang.percent(line.rate.percent()), Alignment::Right),
                cell(&lang.money(line.base.amount()), Alignment::Right),
                cell(&lang.money(line.amount.amount()), Alignment::Right),
            ],
        );
    }
    let mut sums = TableLayout::new(vec![3, 2]);
    sums.set_cell_decorator(FrameCellDecorator::new(true, true, false));
    for (label, amount, bold) in [
        (text.total_net, proforma.total_net, false),
        (text.total_vat, proforma.total_vat, false),
        (text.total_gross, proforma.total_gross, true),
    ] {
        let style = if bold {
            Style::new().bold()
        } else {
            Style::new()
        };
        push_row(
            &mut sums,
            vec![
                styled_cell(label, Alignment::Left, style),
                styled_cell(&lang.money(amount), Alignment::Right, style),
            ],
        );
    }
    let mut table = TableLayout::new(vec![10, 1, 8]);
    push_row(
        &mut table,
        vec![
            Box::new(vat.styled(Style::new().with_font_size(TABLE_SIZE))),
            Box::new(Paragraph::new("")),
            Box::new(sums),
        ],
    );
    table
}

fn cell(text: &str, alignment: Alignment) -> Box<dyn Element> {
    styled_cell(text, alignment, Style::new())
}

fn styled_cell(text: &str, alignment: Alignment, style: Style) -> Box<dyn Element> {
    Box::new(PaddedElement::new(
        Paragraph::new(text).aligned(alignment).styled(style),
        Margins::trbl(0.8, 1.2, 0.8, 1.2),
    ))
}

fn push_row(table: &mut TableLayout, cells: Vec<Box<dyn Element>>) {
    // A row with as many cells as columns cannot fail to push.
    if let Err(error) = table.push_row(cells) {
        tracing::error!(%error, "proforma table row");
    }
}

/// The seller's legal identity, as French law wants it on every page.
fn footer_line(seller: &Seller, lang: Lang) -> String {
    let mut parts = vec![seller.name.clone()];
    match (&seller.legal_form, seller.capital) {
        (Some(form), Some(capital)) => parts.push(match lang {
            Lang::Fr => format!("{form} au capital de {}", lang.money(capital)),
            Lang::En => format!("{form} with a share capital of {}", lang.money(capital)),
        }),
        (Some(form), None) => parts.push(form.clone()),
        _ => {}
    }
    parts.push(format!("SIRET {}", seller.siret));
    if let Some(rcs) = &seller.rcs {
        parts.push(rcs.clone());
    }
    parts.push(match lang {
        Lang::Fr => format!("TVA {}", seller.vat_number),
        Lang::En => format!("VAT {}", seller.vat_number),
    });
    parts.join(" · ")
}

/// Margins, the footer (legal line and "Page n / N") and, after the first page, a
/// reminder of which document this is.
struct Pages {
    counted: Rc<Cell<usize>>,
    total: usize,
    footer: String,
    continued: String,
    page_word: &'static str,
}

impl PageDecorator for Pages {
    fn decorate_page<'a>(
        &mut self,
        context: &Context,
        mut area: Area<'a>,
        style: Style,
    ) -> Result<Area<'a>, genpdf::error::Error> {
        let page = self.counted.get() + 1;
        self.counted.set(page);
        area.add_margins(Margins::trbl(12, 15, 10, 15));
        let small = style.with_font_size(SMALL_SIZE).with_color(GREY);

        let height = area.size().height;
        let mut footer = area.clone();
        footer.add_offset(Position::new(0, height - Mm::from(FOOTER_HEIGHT)));
        LinearLayout::vertical()
            .element(Paragraph::new(self.footer.as_str()).aligned(Alignment::Center))
            .element(
                Paragraph::new(format!(
                    "{} {page} / {}",
                    self.page_word,
                    self.total.max(page)
                ))
                .aligned(Alignment::Right),
            )
            .render(context, footer, small)?;
        area.set_height(height - Mm::from(FOOTER_HEIGHT + 2.0));

        if page > 1 {
            let header = Paragraph::new(self.continued.as_str())
                .aligned(Alignment::Right)
                .render(context, area.clone(), small)?;
            area.add_offset(Position::new(0, header.size.height + Mm::from(3)));
        }
        Ok(area)
    }
}
