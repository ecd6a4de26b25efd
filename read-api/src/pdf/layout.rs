//! The page of every commercial document: seller and document blocks, customer (and
//! delivery address), lines (their heading repeated on every page), VAT by rate,
//! totals, terms and the legal mentions; a footer on every page with the seller's legal
//! identity and the page number.
//!
//! Every text goes through [`text::wrap`] and every table through [`Table`]: nothing
//! is dropped for being long, and a line of the table is never split across pages.

use std::cell::Cell as Counter;
use std::rc::Rc;

use genpdf::elements::{Break, LinearLayout, TableLayout};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::render::Area;
use genpdf::style::{Color, Style};
use genpdf::{Alignment, Context, Element, Margins, Mm, PageDecorator, Position, RenderResult};

use super::format::Lang;
use super::sheet::{Party, Seller, Sheet};
use super::table::{Cell, Column, Table};
use super::text::{self, Run, Wrapped};
use super::{RenderError, Rendered};

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

/// The words every document shares: its table's headings, totals and page furniture.
struct Words {
    columns: [&'static str; 7],
    vat_rate: &'static str,
    vat_base: &'static str,
    vat_amount: &'static str,
    total_net: &'static str,
    total_vat: &'static str,
    total_gross: &'static str,
    continued: &'static str,
    page: &'static str,
}

const FR: Words = Words {
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
    continued: "suite",
    page: "Page",
};

const EN: Words = Words {
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
    continued: "continued",
    page: "Page",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

pub(super) fn render(
    fonts: FontFamily<FontData>,
    sheet: &Sheet,
    lang: Lang,
    total_pages: usize,
) -> Result<Rendered, RenderError> {
    let text = words(lang);
    let mut doc = genpdf::Document::new(fonts);
    doc.set_title(format!("{} {}", sheet.title, sheet.number));
    doc.set_font_size(BODY_SIZE);
    doc.set_line_spacing(1.15);
    doc.set_paper_size(genpdf::PaperSize::A4);
    // No ICC profile nor XMP metadata here: a proforma does without (they would weigh
    // more than the document), an invoice gets its own (`facturx::pdfa`).
    doc.set_minimal_conformance();
    let pages = Rc::new(Counter::new(0));
    doc.set_page_decorator(Pages {
        counted: Rc::clone(&pages),
        total: total_pages,
        footer: footer_line(&sheet.seller, lang),
        continued: format!("{} {} ({})", sheet.title, sheet.number, text.continued),
        page_word: text.page,
    });

    doc.push(heading(sheet, lang));
    doc.push(Break::new(1.5));
    doc.push(parties(sheet));
    doc.push(Break::new(1.5));
    doc.push(lines_table(sheet, lang));
    doc.push(Break::new(1));
    doc.push(Totals::new(sheet, lang));
    for (i, paragraph) in sheet.paragraphs.iter().enumerate() {
        doc.push(Break::new(if i == 0 { 1.0 } else { 0.5 }));
        let mut runs = Vec::with_capacity(2);
        if let Some(label) = &paragraph.label {
            runs.push(Run::new(
                format!("{label}{}", lang.colon()),
                Style::new().bold(),
            ));
        }
        runs.push(Run::plain(paragraph.text.as_str()));
        doc.push(Wrapped::runs(runs));
    }
    doc.push(Break::new(1));
    doc.push(
        Wrapped::new(sheet.small_print.as_str()).styled(Style::new().with_font_size(SMALL_SIZE)),
    );

    let mut pdf = Vec::with_capacity(64 * 1024);
    doc.render(&mut pdf)?;
    Ok(Rendered {
        pdf,
        pages: pages.get(),
    })
}

/// Seller on the left, the document's title, number and facts on the right.
fn heading(sheet: &Sheet, lang: Lang) -> TableLayout {
    let seller = &sheet.seller;
    let mut left = LinearLayout::vertical()
        .element(Wrapped::new(seller.name.as_str()).styled(Style::new().bold().with_font_size(11)));
    for line in &seller.address {
        left.push(Wrapped::new(line.as_str()));
    }
    for contact in [&seller.phone, &seller.email].into_iter().flatten() {
        left.push(Wrapped::new(contact.as_str()));
    }
    for line in &sheet.seller_lines {
        left.push(Wrapped::new(line.as_str()));
    }
    let mut right = LinearLayout::vertical()
        .element(
            Wrapped::new(sheet.title.as_str())
                .aligned(Alignment::Right)
                .styled(Style::new().bold().with_font_size(TITLE_SIZE)),
        )
        .element(Break::new(0.5))
        .element(right_pair(
            number_label(lang),
            lang.colon(),
            &sheet.number,
            true,
        ));
    for (label, value) in &sheet.facts {
        right.push(right_pair(label, lang.colon(), value, false));
    }
    let mut table = TableLayout::new(vec![1, 1]);
    push_row(&mut table, vec![Box::new(left), Box::new(right)]);
    table
}

fn number_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Numéro",
        Lang::En => "Number",
    }
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

/// The customer's block on the right half, framed, and beside it on the left another
/// party's (where the goods went), if any.
fn parties(sheet: &Sheet) -> TableLayout {
    let left: Box<dyn Element> = match &sheet.left {
        Some(party) => Box::new(party_block(party).padded(Margins::all(2)).framed()),
        None => Box::new(Wrapped::new("")),
    };
    let mut table = TableLayout::new(vec![1, 1]);
    push_row(
        &mut table,
        vec![
            left,
            Box::new(party_block(&sheet.right).padded(Margins::all(2)).framed()),
        ],
    );
    table
}

fn party_block(party: &Party) -> LinearLayout {
    let mut block = LinearLayout::vertical().element(
        Wrapped::new(party.caption.as_str())
            .styled(Style::new().with_font_size(SMALL_SIZE).with_color(GREY)),
    );
    if let Some(name) = &party.name {
        block.push(Wrapped::new(name.as_str()).styled(Style::new().bold()));
    }
    for line in &party.lines {
        block.push(Wrapped::new(line.as_str()));
    }
    block
}

/// The lines: columns sized from what they hold, whole rows on each page under the
/// heading row.
fn lines_table(sheet: &Sheet, lang: Lang) -> Table {
    let heading = words(lang)
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
    for line in &sheet.lines {
        table.push(vec![
            Cell::new(line.sku.as_str(), Alignment::Left),
            Cell::new(line.label.as_str(), Alignment::Left),
            Cell::new(
                line.quantity
                    .map(|q| format!("{} {}", lang.quantity(q), lang.unit(&line.unit)))
                    .unwrap_or_default(),
                Alignment::Right,
            ),
            Cell::new(
                line.unit_price.map(|p| lang.money(p)).unwrap_or_default(),
                Alignment::Right,
            ),
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
    fn new(sheet: &Sheet, lang: Lang) -> Self {
        let text = words(lang);
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
        for line in &sheet.vat {
            vat.push(vec![
                Cell::new(lang.percent(line.rate), Alignment::Right),
                Cell::new(lang.money(line.base), Alignment::Right),
                Cell::new(lang.money(line.amount), Alignment::Right),
            ]);
        }
        let mut sums = Table::new(
            vec![Column::Text { min: 0.0 }, Column::Figure { ideal: 0.0 }],
            Style::new(),
        );
        for (label, amount, bold) in [
            (text.total_net, sheet.total_net, false),
            (text.total_vat, sheet.total_vat, false),
            (text.total_gross, sheet.total_gross, true),
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
        tracing::error!(%error, "document table row");
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
