//! The page: seller and document blocks, customer, lines (their heading repeated on
//! every page), VAT by rate, totals, terms and the legal mentions; a footer on every
//! page with the page number.
//!
//! Every text goes through [`text::wrap`] and every table through [`Table`]: nothing
//! is dropped for being long, and a line of the order is never split across pages.

use std::cell::Cell as Counter;
use std::rc::Rc;

use genpdf::elements::{Break, LinearLayout, TableLayout};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::render::Area;
use genpdf::style::{Color, Style};
use genpdf::{Alignment, Context, Element, Margins, Mm, PageDecorator, Position, RenderResult};

use super::document::{Proforma, RenderError, Rendered, Seller};
use super::format::Lang;
use super::table::{Cell, Column, Table};
use super::text::{self, Run, Wrapped};

const BODY_SIZE: u8 = 9;
const SMALL_SIZE: u8 = 7;
const TABLE_SIZE: u8 = 8;
const TITLE_SIZE: u8 = 15;
/// The widest a SKU column gets (mm): about 16 characters; a longer SKU wraps in it.
const SKU_MAX_WIDTH: f64 = 32.0;
/// What a SKU column keeps (mm, about 9 characters) before the figures give way.
const SKU_MIN_WIDTH: f64 = 17.0;
/// The narrowest the designation gets (mm) while the figures beside it need room.
const LABEL_MIN_WIDTH: f64 = 45.0;
/// Space (mm) between the footer and the bottom margin.
const FOOTER_BOTTOM: f64 = 5.4;
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
    let pages = Rc::new(Counter::new(0));
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
    doc.push(lines_table(proforma, lang));
    doc.push(Break::new(1));
    doc.push(Totals::new(proforma, lang));
    doc.push(Break::new(1));
    let terms = proforma
        .customer
        .as_ref()
        .and_then(|c| c.payment_terms)
        .unwrap_or_default();
    let terms = match lang {
        Lang::Fr => terms.label_fr(),
        Lang::En => terms.label_en(),
    };
    doc.push(Wrapped::runs(vec![
        Run::new(
            format!("{}{}", text.payment_terms, text.colon),
            Style::new().bold(),
        ),
        Run::plain(terms),
    ]));
    if let Some(notes) = proforma.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        doc.push(Break::new(0.5));
        doc.push(Wrapped::runs(vec![
            Run::new(format!("{}{}", text.notes, text.colon), Style::new().bold()),
            Run::plain(notes),
        ]));
    }
    doc.push(Break::new(1));
    doc.push(Wrapped::new(text.legal).styled(Style::new().with_font_size(SMALL_SIZE)));

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
    let mut left = LinearLayout::vertical()
        .element(Wrapped::new(seller.name.as_str()).styled(Style::new().bold().with_font_size(11)));
    for line in &seller.address {
        left.push(Wrapped::new(line.as_str()));
    }
    for contact in [&seller.phone, &seller.email].into_iter().flatten() {
        left.push(Wrapped::new(contact.as_str()));
    }
    let right = LinearLayout::vertical()
        .element(
            Wrapped::new(text.title)
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

fn right_pair(label: &str, colon: &str, value: &str, bold: bool) -> Wrapped {
    let value_style = if bold {
        Style::new().bold()
    } else {
        Style::new()
    };
    Wrapped::runs(vec![
        Run::plain(format!("{label}{colon}")),
        Run::new(value, value_style),
    ])
    .aligned(Alignment::Right)
}

/// The customer's block, on the right half, framed.
fn customer_block(proforma: &Proforma, lang: Lang) -> TableLayout {
    let text = labels(lang);
    let mut block = LinearLayout::vertical().element(
        Wrapped::new(text.customer)
            .styled(Style::new().with_font_size(SMALL_SIZE).with_color(GREY)),
    );
    match &proforma.customer {
        Some(customer) => {
            block.push(Wrapped::new(customer.legal_name.as_str()).styled(Style::new().bold()));
            for line in &customer.address {
                block.push(Wrapped::new(line.as_str()));
            }
            let colon = text.colon;
            block.push(Wrapped::new(format!(
                "{}{colon}{}",
                text.customer_code, customer.code
            )));
            if let Some(siret) = &customer.siret {
                block.push(Wrapped::new(format!("SIRET{colon}{siret}")));
            } else if let Some(siren) = &customer.siren {
                block.push(Wrapped::new(format!("SIREN{colon}{siren}")));
            }
            if let Some(vat) = &customer.vat_number {
                block.push(Wrapped::new(format!("{}{colon}{vat}", text.vat_number)));
            }
        }
        None => block.push(Wrapped::new("—")),
    }
    let mut table = TableLayout::new(vec![1, 1]);
    push_row(
        &mut table,
        vec![
            Box::new(Wrapped::new("")),
            Box::new(block.padded(Margins::all(2)).framed()),
        ],
    );
    table
}

/// The order lines: columns sized from what they hold, whole rows on each page under
/// the heading row.
fn lines_table(proforma: &Proforma, lang: Lang) -> Table {
    let heading = labels(lang)
        .columns
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let align = if i < 2 {
                Alignment::Left
            } else {
                Alignment::Right
            };
            Cell::styled(*title, align, Style::new().bold())
        })
        .collect();
    let mut table = Table::new(
        vec![
            Column::Code {
                min: SKU_MIN_WIDTH,
                ideal: 22.0,
                max: SKU_MAX_WIDTH,
            },
            Column::Text {
                min: LABEL_MIN_WIDTH,
            },
            // Quantity, unit price, discount, VAT, net: the widths of earlier documents
            // when the figures need no more.
            Column::Figure { ideal: 20.0 },
            Column::Figure { ideal: 22.0 },
            Column::Figure { ideal: 14.0 },
            Column::Figure { ideal: 12.0 },
            Column::Figure { ideal: 24.0 },
        ],
        Style::new().with_font_size(TABLE_SIZE),
    )
    .with_heading(heading);
    for line in &proforma.lines {
        table.push(vec![
            Cell::new(line.sku.as_str(), Alignment::Left),
            Cell::new(line.label.as_str(), Alignment::Left),
            Cell::new(
                format!("{} {}", lang.quantity(line.quantity), lang.unit(&line.unit)),
                Alignment::Right,
            ),
            Cell::new(lang.money(line.unit_price), Alignment::Right),
            Cell::new(
                if line.discount.is_zero() {
                    String::new()
                } else {
                    lang.percent(line.discount)
                },
                Alignment::Right,
            ),
            Cell::new(lang.percent(line.vat_rate), Alignment::Right),
            Cell::new(lang.money(line.net), Alignment::Right),
        ]);
    }
    table
}

/// VAT by rate on the left, the three totals on the right, kept together: on a page
/// too short for both, they start the next.
struct Totals {
    vat: Table,
    sums: Table,
    started: bool,
}

/// Space (mm) between the VAT table and the totals.
const TOTALS_GAP: f64 = 6.0;

impl Totals {
    fn new(proforma: &Proforma, lang: Lang) -> Self {
        let text = labels(lang);
        let mut vat = Table::new(
            vec![Column::Figure { ideal: 0.0 }; 3],
            Style::new().with_font_size(TABLE_SIZE),
        )
        .with_heading(
            [text.vat_rate, text.vat_base, text.vat_amount]
                .iter()
                .map(|t| Cell::styled(*t, Alignment::Right, Style::new().bold()))
                .collect(),
        );
        for line in &proforma.vat {
            vat.push(vec![
                Cell::new(lang.percent(line.rate.percent()), Alignment::Right),
                Cell::new(lang.money(line.base.amount()), Alignment::Right),
                Cell::new(lang.money(line.amount.amount()), Alignment::Right),
            ]);
        }
        let mut sums = Table::new(
            vec![Column::Text { min: 0.0 }, Column::Figure { ideal: 0.0 }],
            Style::new(),
        );
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
            sums.push(vec![
                Cell::styled(label, Alignment::Left, style),
                Cell::styled(lang.money(amount), Alignment::Right, style),
            ]);
        }
        Self {
            vat,
            sums,
            started: false,
        }
    }
}

impl Element for Totals {
    fn render(
        &mut self,
        context: &Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let fonts = &context.font_cache;
        let width = f64::from(area.size().width);
        // The totals as wide as they need, within 40 to 55 % of the page.
        let sums_width = self
            .sums
            .natural_width(fonts, style)
            .clamp(0.40 * width, 0.55 * width);
        let vat_width = (width - sums_width - TOTALS_GAP).max(0.0);
        self.vat.lay_out(fonts, style, vat_width);
        self.sums.lay_out(fonts, style, sums_width);
        let needed = self
            .vat
            .remaining_height()
            .max(self.sums.remaining_height());
        if !self.started {
            self.started = true;
            if needed > f64::from(area.size().height) {
                return Ok(RenderResult {
                    size: genpdf::Size::new(0, 0),
                    has_more: true,
                });
            }
        } else {
            self.vat.on_fresh_page();
            self.sums.on_fresh_page();
        }
        let mut left = area.clone();
        left.set_width(Mm::from(vat_width));
        let mut right = area;
        right.add_offset(Position::new(width - sums_width, 0));
        let vat = self.vat.render(context, left, style)?;
        let sums = self.sums.render(context, right, style)?;
        Ok(RenderResult {
            size: genpdf::Size::new(width, f64::from(vat.size.height.max(sums.size.height))),
            has_more: vat.has_more || sums.has_more,
        })
    }
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
    counted: Rc<Counter<usize>>,
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
        let fonts = &context.font_cache;
        let page = self.counted.get() + 1;
        self.counted.set(page);
        area.add_margins(Margins::trbl(12, 15, 10, 15));
        let small = style.with_font_size(SMALL_SIZE).with_color(GREY);
        let width = f64::from(area.size().width);
        let height = f64::from(area.size().height);
        let line_height = text::line_height(fonts, small);

        // The legal line wraps, however long the seller's identity; the page number
        // goes under it, on the right.
        let mut lines = text::wrap(fonts, &[Run::new(self.footer.as_str(), small)], width);
        let number = format!("{} {page} / {}", self.page_word, self.total.max(page));
        let number = text::wrap(fonts, &[Run::new(number, small)], width);
        let top = height - FOOTER_BOTTOM - (lines.len() + number.len()) as f64 * line_height;
        let mut y = top;
        for line in &lines {
            text::draw_line(context, &area, line, 0.0, y, width, Alignment::Center)?;
            y += line_height;
        }
        for line in &number {
            text::draw_line(context, &area, line, 0.0, y, width, Alignment::Right)?;
            y += line_height;
        }
        area.set_height(Mm::from(top - 2.0));

        if page > 1 {
            lines = text::wrap(fonts, &[Run::new(self.continued.as_str(), small)], width);
            let mut y = 0.0;
            for line in &lines {
                text::draw_line(context, &area, line, 0.0, y, width, Alignment::Right)?;
                y += line_height;
            }
            area.add_offset(Position::new(0, y + 3.0));
        }
        Ok(area)
    }
}
