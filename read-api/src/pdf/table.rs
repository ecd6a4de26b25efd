//! A framed table laid out here rather than by genpdf's `TableLayout`, which sizes
//! columns by fixed weights, holds `Paragraph`s that drop a word wider than their cell,
//! and continues a cell that reaches the bottom of a page on the next one, splitting
//! the row.
//!
//! Column widths come from the measured content ([`Column`]); every cell is wrapped
//! with [`text::wrap`] before anything is drawn, so each row's height is known. A page
//! takes as many whole rows as fit under the heading row, which is drawn again at the
//! top of every page the table runs onto. Only a row taller than a whole page (which
//! the domain's bounds make impossible: a SKU has at most 64 characters and a label
//! 200) is cut, between two of its lines, rather than lost.

use genpdf::error::{Error, ErrorKind};
use genpdf::fonts::FontCache;
use genpdf::render::Area;
use genpdf::style::{Color, Style};
use genpdf::{Alignment, Context, Element, Position, RenderResult, Size};

use super::text::{self, Line, Run};

/// Slack (mm) when comparing heights, for rounding.
const SLACK: f64 = 0.01;
const RULE: Color = Color::Greyscale(110);

/// How a column takes its width from the table's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Column {
    /// A figure: as wide as its widest value, so that it is cut only when the figures
    /// together are wider than the table; `ideal` mm (padding included) when the text
    /// column keeps its least width beside it.
    Figure { ideal: f64 },
    /// A code (a SKU): as wide as its widest value from `min` to `max` mm (content),
    /// a longer one wraps; `ideal` mm as a figure's.
    Code { min: f64, ideal: f64, max: f64 },
    /// Text (a designation): at least `min` mm, and whatever the other columns leave.
    Text { min: f64 },
}

#[derive(Debug, Clone)]
pub(super) struct Cell {
    runs: Vec<Run>,
    alignment: Alignment,
}

impl Cell {
    pub fn new(text: impl Into<String>, alignment: Alignment) -> Self {
        Self::styled(text, alignment, Style::new())
    }

    pub fn styled(text: impl Into<String>, alignment: Alignment, style: Style) -> Self {
        Self {
            runs: vec![Run::new(text, style)],
            alignment,
        }
    }
}

/// Cell padding in mm: top, right, bottom, left.
const PADDING: [f64; 4] = [0.8, 1.2, 0.8, 1.2];

pub(super) struct Table {
    columns: Vec<Column>,
    heading: Option<Vec<Cell>>,
    rows: Vec<Vec<Cell>>,
    /// Under the parent's style, over each cell's.
    style: Style,
    laid: Option<Laid>,
    /// The next row to draw, and its first line not drawn yet (not 0 only for a row
    /// taller than a page).
    next_row: usize,
    next_line: usize,
    /// Whether the next render is at the top of a new page.
    fresh_page: bool,
}

struct Laid {
    widths: Vec<f64>,
    line_height: f64,
    heading: Option<LaidRow>,
    rows: Vec<LaidRow>,
}

struct LaidRow {
    cells: Vec<(Vec<Line>, Alignment)>,
    /// Lines of its tallest cell, at least one.
    lines: usize,
}

impl LaidRow {
    fn height(&self, from_line: usize, line_height: f64) -> f64 {
        PADDING[0] + PADDING[2] + (self.lines - from_line) as f64 * line_height
    }
}

impl Table {
    pub fn new(columns: Vec<Column>, style: Style) -> Self {
        Self {
            columns,
            heading: None,
            rows: Vec::new(),
            style,
            laid: None,
            next_row: 0,
            next_line: 0,
            fresh_page: false,
        }
    }

    /// A heading row, drawn again at the top of every page the table runs onto.
    pub fn with_heading(mut self, cells: Vec<Cell>) -> Self {
        self.heading = Some(self.fill(cells));
        self
    }

    pub fn push(&mut self, cells: Vec<Cell>) {
        let row = self.fill(cells);
        self.rows.push(row);
    }

    /// As many cells as columns: a missing one is empty, an extra one joins the last.
    fn fill(&self, mut cells: Vec<Cell>) -> Vec<Cell> {
        let n = self.columns.len();
        while cells.len() > n && n > 0 {
            if let Some(extra) = cells.pop() {
                if let Some(last) = cells.last_mut() {
                    last.runs.push(Run::plain(" "));
                    last.runs.extend(extra.runs);
                }
            }
        }
        cells.resize_with(n, || Cell::new("", Alignment::Left));
        cells
    }

    /// The next render is at the top of a page: rows that do not fit are cut, not moved.
    pub fn on_fresh_page(&mut self) {
        self.fresh_page = true;
    }

    fn cell_runs(&self, parent: Style, cell: &Cell) -> Vec<Run> {
        let base = parent.and(self.style);
        cell.runs
            .iter()
            .map(|r| Run::new(r.text.as_str(), base.and(r.style)))
            .collect()
    }

    /// The width (mm) the table takes when nothing wraps but the heading between words.
    pub fn natural_width(&self, fonts: &FontCache, parent: Style) -> f64 {
        (0..self.columns.len())
            .map(|i| {
                let heading = self.heading.as_ref().map_or(0.0, |h| {
                    text::widest_word(fonts, &self.cell_runs(parent, &h[i]))
                });
                self.rows
                    .iter()
                    .map(|r| text::natural_width(fonts, &self.cell_runs(parent, &r[i])))
                    .fold(heading, f64::max)
                    + PADDING[1]
                    + PADDING[3]
            })
            .sum()
    }

    /// Column widths (mm, padding included) for a table `width` mm wide.
    fn widths(&self, fonts: &FontCache, parent: Style, width: f64) -> Vec<f64> {
        let pad = PADDING[1] + PADDING[3];
        struct Measure {
            /// Its heading's widest word: below that, even the heading is cut.
            floor: f64,
            /// No figure cut, the text column at its least.
            min: f64,
            /// The widest value on one line.
            want: f64,
            /// The heading on one line too.
            heading: f64,
            ideal: f64,
        }
        let measures: Vec<Measure> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let (head_word, head_line) = self.heading.as_ref().map_or((0.0, 0.0), |h| {
                    let runs = self.cell_runs(parent, &h[i]);
                    (
                        text::widest_word(fonts, &runs),
                        text::natural_width(fonts, &runs),
                    )
                });
                let (body_word, body_line) =
                    self.rows.iter().fold((0.0_f64, 0.0_f64), |(w, l), row| {
                        let runs = self.cell_runs(parent, &row[i]);
                        (
                            w.max(text::widest_word(fonts, &runs)),
                            l.max(text::natural_width(fonts, &runs)),
                        )
                    });
                let (min, want) = match *column {
                    Column::Figure { .. } => (head_word.max(body_word), head_word.max(body_line)),
                    Column::Code { min, max, .. } => (
                        head_word.max(body_line.min(min)),
                        head_word.max(body_line.min(max)),
                    ),
                    Column::Text { min } => (head_word.max(min), f64::INFINITY),
                };
                Measure {
                    floor: head_word + pad,
                    min: min + pad,
                    want: want + pad,
                    heading: head_line + pad,
                    ideal: match *column {
                        Column::Figure { ideal } | Column::Code { ideal, .. } => ideal,
                        Column::Text { .. } => 0.0,
                    },
                }
            })
            .collect();
        let mut widths: Vec<f64> = measures.iter().map(|m| m.min).collect();
        let total: f64 = widths.iter().sum();
        if total > width {
            // Too narrow for what its words need. The text and code columns give first,
            // in proportion, down to their heading; then the figures, which then wrap
            // after a thousands separator; then every column, cut by characters.
            let mut excess = total - width;
            let wraps = |c: &Column| !matches!(c, Column::Figure { .. });
            for give_first in [true, false] {
                let giving: Vec<usize> = (0..self.columns.len())
                    .filter(|&i| wraps(&self.columns[i]) == give_first)
                    .collect();
                let room: f64 = giving
                    .iter()
                    .map(|&i| (widths[i] - measures[i].floor).max(0.0))
                    .sum();
                if room > 0.0 && excess > 0.0 {
                    let share = (excess / room).min(1.0);
                    for &i in &giving {
                        let give = (widths[i] - measures[i].floor).max(0.0) * share;
                        widths[i] -= give;
                        excess -= give;
                    }
                }
            }
            if excess > SLACK {
                let total: f64 = widths.iter().sum();
                let factor = if total > 0.0 { width / total } else { 0.0 };
                for w in &mut widths {
                    *w *= factor;
                }
            }
            return widths;
        }
        let mut surplus = width - total;
        let mut grow =
            |widths: &mut Vec<f64>, kind: fn(&Column) -> bool, target: &dyn Fn(&Measure) -> f64| {
                for (i, column) in self.columns.iter().enumerate() {
                    if surplus <= 0.0 || !kind(column) {
                        continue;
                    }
                    let more = (target(&measures[i]) - widths[i]).clamp(0.0, surplus);
                    widths[i] += more;
                    surplus -= more;
                }
            };
        let figure = |c: &Column| matches!(c, Column::Figure { .. });
        let code = |c: &Column| matches!(c, Column::Code { .. });
        let fixed = |c: &Column| !matches!(c, Column::Text { .. });
        grow(&mut widths, figure, &|m| m.want);
        grow(&mut widths, code, &|m| m.want);
        grow(&mut widths, fixed, &|m| m.heading);
        grow(&mut widths, fixed, &|m| m.ideal);
        // The rest to the text columns, or to all when there is none.
        let texts: Vec<usize> = (0..self.columns.len())
            .filter(|&i| matches!(self.columns[i], Column::Text { .. }))
            .collect();
        let takers: Vec<usize> = if texts.is_empty() {
            (0..self.columns.len()).collect()
        } else {
            texts
        };
        if !takers.is_empty() {
            let share = surplus / takers.len() as f64;
            for i in takers {
                widths[i] += share;
            }
        }
        widths
    }

    /// Sizes the columns for `width` mm and wraps every cell; once.
    pub fn lay_out(&mut self, fonts: &FontCache, parent: Style, width: f64) {
        if self.laid.is_some() {
            return;
        }
        let widths = self.widths(fonts, parent, width);
        let base = parent.and(self.style);
        let line_height = text::line_height(fonts, base).max(text::line_height(fonts, base.bold()));
        let lay = |cells: &Vec<Cell>| {
            let cells: Vec<(Vec<Line>, Alignment)> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    let inner = (w - PADDING[1] - PADDING[3]).max(0.0);
                    (
                        text::wrap(fonts, &self.cell_runs(parent, cell), inner),
                        cell.alignment,
                    )
                })
                .collect();
            let lines = cells.iter().map(|(l, _)| l.len()).max().unwrap_or(0).max(1);
            LaidRow { cells, lines }
        };
        let heading = self.heading.as_ref().map(lay);
        let rows = self.rows.iter().map(lay).collect();
        self.laid = Some(Laid {
            widths,
            line_height,
            heading,
            rows,
        });
    }

    /// Height (mm) of what is left to draw, with one heading row.
    pub fn remaining_height(&self) -> f64 {
        let Some(laid) = &self.laid else {
            return 0.0;
        };
        let heading = laid
            .heading
            .as_ref()
            .map_or(0.0, |h| h.height(0, laid.line_height));
        laid.rows
            .iter()
            .enumerate()
            .skip(self.next_row)
            .map(|(i, row)| {
                let from = if i == self.next_row {
                    self.next_line
                } else {
                    0
                };
                row.height(from, laid.line_height)
            })
            .sum::<f64>()
            + heading
    }
}

impl Element for Table {
    fn render(
        &mut self,
        context: &Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, Error> {
        let width = f64::from(area.size().width);
        self.lay_out(&context.font_cache, style, width);
        let fresh_page = std::mem::replace(&mut self.fresh_page, true);
        let Some(laid) = &self.laid else {
            return Ok(RenderResult::default());
        };
        let lh = laid.line_height;
        let available = f64::from(area.size().height);
        let heading_height = laid.heading.as_ref().map_or(0.0, |h| h.height(0, lh));

        // Whole rows that fit under the heading.
        let mut y = heading_height;
        let mut end = self.next_row;
        while let Some(row) = laid.rows.get(end) {
            let from = if end == self.next_row {
                self.next_line
            } else {
                0
            };
            let height = row.height(from, lh);
            if y + height > available + SLACK {
                break;
            }
            y += height;
            end += 1;
        }
        // Not one: on a page already begun, the table moves to the next one (genpdf
        // starts it when an element answers "more" having drawn nothing); at the top of
        // a page, the row is taller than any page and is cut between two lines.
        let mut cut = None;
        let nothing_fits =
            end == self.next_row && (end < laid.rows.len() || heading_height > available + SLACK);
        if nothing_fits {
            if !fresh_page {
                return Ok(RenderResult {
                    size: Size::new(0, 0),
                    has_more: true,
                });
            }
            if end < laid.rows.len() {
                let room = available - heading_height - PADDING[0] - PADDING[2];
                let lines = ((room + SLACK) / lh).floor().max(1.0) as usize;
                cut = Some(lines);
            }
        }

        let mut rules = vec![0.0];
        let mut y = 0.0;
        if let Some(heading) = &laid.heading {
            draw_row(
                context,
                &area,
                &laid.widths,
                heading,
                0,
                heading.lines,
                y,
                lh,
            )?;
            y += heading_height;
            rules.push(y);
        }
        if let Some(lines) = cut {
            let row = &laid.rows[self.next_row];
            let lines = lines.min(row.lines - self.next_line);
            draw_row(
                context,
                &area,
                &laid.widths,
                row,
                self.next_line,
                lines,
                y,
                lh,
            )?;
            y += PADDING[0] + PADDING[2] + lines as f64 * lh;
            rules.push(y);
            self.next_line += lines;
            if self.next_line >= row.lines {
                self.next_row += 1;
                self.next_line = 0;
            }
        } else {
            for (i, row) in laid.rows.iter().enumerate().take(end).skip(self.next_row) {
                let from = if i == self.next_row {
                    self.next_line
                } else {
                    0
                };
                draw_row(
                    context,
                    &area,
                    &laid.widths,
                    row,
                    from,
                    row.lines - from,
                    y,
                    lh,
                )?;
                y += row.height(from, lh);
                rules.push(y);
            }
            self.next_row = end;
            self.next_line = 0;
        }
        draw_frame(&area, &laid.widths, &rules, style);
        Ok(RenderResult {
            size: Size::new(width, y),
            has_more: self.next_row < laid.rows.len(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    context: &Context,
    area: &Area<'_>,
    widths: &[f64],
    row: &LaidRow,
    from_line: usize,
    lines: usize,
    top: f64,
    line_height: f64,
) -> Result<(), Error> {
    let mut x = 0.0;
    for ((cell, alignment), width) in row.cells.iter().zip(widths) {
        let inner = width - PADDING[1] - PADDING[3];
        for (k, line) in cell.iter().skip(from_line).take(lines).enumerate() {
            let y = top + PADDING[0] + k as f64 * line_height;
            if !text::draw_line(context, area, line, x + PADDING[3], y, inner, *alignment)? {
                return Err(Error::new(
                    "a table row measured to fit its page did not",
                    ErrorKind::PageSizeExceeded,
                ));
            }
        }
        x += width;
    }
    Ok(())
}

/// Rules under each row at `rules` (mm from the top) and between columns.
fn draw_frame(area: &Area<'_>, widths: &[f64], rules: &[f64], style: Style) {
    let style = style.with_color(RULE);
    let (Some(&top), Some(&bottom)) = (rules.first(), rules.last()) else {
        return;
    };
    if bottom <= top {
        return;
    }
    let right: f64 = widths.iter().sum();
    for &y in rules {
        area.draw_line(vec![Position::new(0, y), Position::new(right, y)], style);
    }
    let mut x = 0.0;
    area.draw_line(vec![Position::new(0, top), Position::new(0, bottom)], style);
    for w in widths {
        x += w;
        area.draw_line(vec![Position::new(x, top), Position::new(x, bottom)], style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::FONTS;

    fn fonts() -> FontCache {
        let Ok(family) = FONTS.as_ref() else {
            panic!("fonts");
        };
        FontCache::new(family.clone())
    }

    fn lines_table(figures: &[&str]) -> Table {
        let bold = Style::new().bold();
        let mut table = Table::new(
            vec![
                Column::Code {
                    min: 24.0,
                    ideal: 0.0,
                    max: 30.0,
                },
                Column::Text { min: 45.0 },
                Column::Figure { ideal: 0.0 },
                Column::Figure { ideal: 0.0 },
            ],
            Style::new().with_font_size(8),
        )
        .with_heading(vec![
            Cell::styled("Référence", Alignment::Left, bold),
            Cell::styled("Désignation", Alignment::Left, bold),
            Cell::styled("P.U. HT", Alignment::Right, bold),
            Cell::styled("Montant HT", Alignment::Right, bold),
        ]);
        for figure in figures {
            table.push(vec![
                Cell::new("S".repeat(64), Alignment::Left),
                Cell::new("Désignation", Alignment::Left),
                Cell::new(*figure, Alignment::Right),
                Cell::new(*figure, Alignment::Right),
            ]);
        }
        table
    }

    fn figure_width(fonts: &FontCache, figure: &str) -> f64 {
        text::width(fonts, Style::new().with_font_size(8), figure) + PADDING[1] + PADDING[3]
    }

    #[test]
    fn figures_take_their_width_the_sku_its_cap_and_the_designation_the_rest() {
        let fonts = fonts();
        let figure = "1\u{202F}234,50\u{A0}€";
        let widths = lines_table(&[figure]).widths(&fonts, Style::new(), 180.0);
        assert!(
            (widths.iter().sum::<f64>() - 180.0).abs() < 0.01,
            "{widths:?}"
        );
        assert!(
            (widths[0] - 30.0 - PADDING[1] - PADDING[3]).abs() < 0.01,
            "{widths:?}"
        );
        assert!(widths[1] > 90.0, "{widths:?}");
        // "Montant HT" on one line rather than the figure's width.
        assert!(widths[3] > figure_width(&fonts, figure), "{widths:?}");
    }

    #[test]
    fn the_designation_and_the_sku_give_way_before_a_figure_is_cut() {
        let fonts = fonts();
        let figure = "100\u{202F}000\u{202F}000\u{202F}000\u{202F}001,7891\u{A0}€";
        let widths = lines_table(&[figure]).widths(&fonts, Style::new(), 125.0);
        assert!(
            (widths.iter().sum::<f64>() - 125.0).abs() < 0.01,
            "{widths:?}"
        );
        assert!(widths[1] < 45.0, "{widths:?}");
        assert!(widths[0] < 24.0 + PADDING[1] + PADDING[3], "{widths:?}");
        assert!(
            widths[2] + 0.01 >= figure_width(&fonts, figure),
            "{widths:?}"
        );
        assert!(
            widths[3] + 0.01 >= figure_width(&fonts, figure),
            "{widths:?}"
        );
    }

    #[test]
    fn a_table_too_narrow_for_its_figures_still_fills_its_width_exactly() {
        let fonts = fonts();
        let figure = "1\u{202F}000".repeat(20);
        let widths = lines_table(&[&figure]).widths(&fonts, Style::new(), 120.0);
        assert!(
            (widths.iter().sum::<f64>() - 120.0).abs() < 0.01,
            "{widths:?}"
        );
        assert!(widths.iter().all(|w| *w > 0.0), "{widths:?}");
    }
}
