//! Text that is never lost: lines wrapped here, with the fonts' own metrics, before
//! anything is drawn.
//!
//! genpdf's `Paragraph` drops a word wider than its area, and everything after it
//! (`wrap::Wrapper` gives up on it). So every text of a document goes through
//! [`wrap`], which breaks lines at spaces, then after the hyphen of a hyphenated word,
//! and breaks a word that is wider than a whole line by characters (preferring the
//! place after a `-_./` or a thousands separator), so that every character is drawn.
//! No-break spaces (`1 234,50 €`) never break a line; a figure is split only when it
//! is wider than its whole column.

use genpdf::fonts::FontCache;
use genpdf::render::Area;
use genpdf::style::Style;
use genpdf::{Alignment, Context, Element, Position, RenderResult, Size};

/// Widths are compared with this much slack (mm), for rounding.
const SLACK: f64 = 0.01;

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Run {
    pub text: String,
    pub style: Style,
}

impl Run {
    pub fn new(text: impl Into<String>, style: Style) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }

    pub fn plain(text: impl Into<String>) -> Self {
        Self::new(text, Style::new())
    }
}

/// One wrapped line: its pieces, one per style, and its width in mm.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Line {
    pub pieces: Vec<(String, Style)>,
    pub width: f64,
}

impl Line {
    fn push(&mut self, text: &str, style: Style, space: bool, width: f64) {
        match self.pieces.last_mut() {
            Some((last, last_style)) if *last_style == style => {
                if space {
                    last.push(' ');
                }
                last.push_str(text);
            }
            _ => {
                let mut piece = String::with_capacity(text.len() + 1);
                if space && !self.pieces.is_empty() {
                    // A space between two styles belongs to the second.
                    piece.push(' ');
                }
                piece.push_str(text);
                self.pieces.push((piece, style));
            }
        }
        self.width += width;
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The line's text, for tests.
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.pieces.iter().map(|(s, _)| s.as_str()).collect()
    }
}

/// A space that may end a line: every white space but the no-break ones.
fn breaks_line(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{202F}' | '\u{2007}' | '\u{2060}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}')
}

/// A character after which a word cut by characters reads best.
fn soft_break_after(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '_' | '.' | '/' | '\u{A0}' | '\u{202F}'
    )
}

/// Combining marks stay with the character before them.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The parts of a word a line may end after: `Perceuse-visseuse` gives `Perceuse-` and
/// `visseuse`. A hyphen breaks only between two letters or digits, so that `-12` and
/// `a--b` stay whole.
fn hyphen_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = word.char_indices().peekable();
    let mut before: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        let after = chars.peek().map(|&(_, n)| n);
        if is_hyphen(c)
            && before.is_some_and(char::is_alphanumeric)
            && after.is_some_and(char::is_alphanumeric)
        {
            let end = i + c.len_utf8();
            parts.push(&word[start..end]);
            start = end;
        }
        before = Some(c);
    }
    if start < word.len() {
        parts.push(&word[start..]);
    }
    parts
}

/// Width in mm of `text` in `style`.
pub(super) fn width(fonts: &FontCache, style: Style, text: &str) -> f64 {
    f64::from(style.str_width(fonts, text))
}

/// The widest part of `runs` that no line break can divide (a word, a figure, the part
/// of a hyphenated word): the narrowest a column can be without cutting words.
pub(super) fn widest_word(fonts: &FontCache, runs: &[Run]) -> f64 {
    runs.iter()
        .flat_map(|run| {
            run.text
                .split(breaks_line)
                .flat_map(hyphen_parts)
                .map(move |part| width(fonts, run.style, part))
        })
        .fold(0.0, f64::max)
}

/// Width in mm of `runs` on one line, spaces collapsed as [`wrap`] does.
pub(super) fn natural_width(fonts: &FontCache, runs: &[Run]) -> f64 {
    wrap(fonts, runs, f64::INFINITY)
        .iter()
        .map(|l| l.width)
        .fold(0.0, f64::max)
}

/// `runs` (styles already merged with the parent's) in lines no wider than `max_width`
/// mm. Runs of white space collapse into one space; nothing else is dropped. A single
/// character wider than the line still gets a line of its own.
pub(super) fn wrap(fonts: &FontCache, runs: &[Run], max_width: f64) -> Vec<Line> {
    let limit = max_width + SLACK;
    let mut lines = Vec::new();
    let mut line = Line::default();
    // Whether a space comes before the next part.
    let mut space = false;
    for run in runs {
        let style = run.style;
        let space_width = width(fonts, style, " ");
        // A run that ends with a space leaves `space` set for the next run's first word.
        let words = run.text.split(breaks_line);
        let mut first = true;
        for word in words {
            if !first {
                space = true;
            }
            first = false;
            if word.is_empty() {
                continue;
            }
            for part in hyphen_parts(word) {
                let part_width = width(fonts, style, part);
                let gap = if space && !line.is_empty() {
                    space_width
                } else {
                    0.0
                };
                if line.width + gap + part_width <= limit {
                    line.push(part, style, gap > 0.0, gap + part_width);
                } else {
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    if part_width <= limit {
                        line.push(part, style, false, part_width);
                    } else {
                        // Wider than a whole line: by characters, each line full.
                        let mut rest = part;
                        loop {
                            let (head, tail) = split_to_fit(fonts, style, rest, max_width);
                            let head_width = width(fonts, style, head);
                            line.push(head, style, false, head_width);
                            if tail.is_empty() {
                                break;
                            }
                            lines.push(std::mem::take(&mut line));
                            rest = tail;
                        }
                    }
                }
                space = false;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The longest start of `text` no wider than `max_width` (at least one character with
/// its combining marks), cut after a soft break if one falls in its second half, and
/// the rest.
fn split_to_fit<'t>(
    fonts: &FontCache,
    style: Style,
    text: &'t str,
    max_width: f64,
) -> (&'t str, &'t str) {
    let mut used = 0.0;
    let mut end = 0;
    let mut soft: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // The character with the combining marks that follow it.
        let mut next = i + c.len_utf8();
        let mut cluster_width = f64::from(style.char_width(fonts, c));
        while let Some(&(j, m)) = chars.peek() {
            if !is_combining(m) {
                break;
            }
            next = j + m.len_utf8();
            cluster_width += f64::from(style.char_width(fonts, m));
            chars.next();
        }
        if end > 0 && used + cluster_width > max_width + SLACK {
            break;
        }
        used += cluster_width;
        end = next;
        if soft_break_after(c) && chars.peek().is_some() {
            soft = Some(end);
        }
    }
    let count = text[..end].chars().count();
    match soft {
        Some(at) if end < text.len() && text[..at].chars().count() * 2 >= count => {
            (&text[..at], &text[at..])
        }
        _ => (&text[..end], &text[end..]),
    }
}

/// Height in mm of one line in `style`.
pub(super) fn line_height(fonts: &FontCache, style: Style) -> f64 {
    f64::from(style.line_height(fonts))
}

/// Draws `line` at `position` (its top left corner) of `area`, aligned in `width` mm.
/// False if the area is too short for it.
pub(super) fn draw_line(
    context: &Context,
    area: &Area<'_>,
    line: &Line,
    x: f64,
    y: f64,
    width: f64,
    alignment: Alignment,
) -> Result<bool, genpdf::error::Error> {
    let x = x + match alignment {
        Alignment::Left => 0.0,
        Alignment::Center => ((width - line.width) / 2.0).max(0.0),
        Alignment::Right => (width - line.width).max(0.0),
    };
    let Some((_, first_style)) = line.pieces.first() else {
        return Ok(true);
    };
    let Some(mut section) =
        area.text_section(&context.font_cache, Position::new(x, y), *first_style)
    else {
        return Ok(false);
    };
    for (text, style) in &line.pieces {
        section.print_str(text, *style)?;
    }
    Ok(true)
}

/// A paragraph that wraps with [`wrap`]: every character is printed. Long enough to
/// reach the bottom of a page, it goes on at the top of the next, line by line.
pub(super) struct Wrapped {
    runs: Vec<Run>,
    alignment: Alignment,
    lines: Option<Vec<Line>>,
    /// The first line not drawn yet.
    next: usize,
}

impl Wrapped {
    pub fn new(text: impl Into<String>) -> Self {
        Self::runs(vec![Run::plain(text)])
    }

    pub fn runs(runs: Vec<Run>) -> Self {
        Self {
            runs,
            alignment: Alignment::Left,
            lines: None,
            next: 0,
        }
    }

    pub fn aligned(mut self, alignment: Alignment) -> Self {
        self.alignment = alignment;
        self
    }

    /// `style` under each run's own.
    pub fn styled(mut self, style: Style) -> Self {
        for run in &mut self.runs {
            run.style = style.and(run.style);
        }
        self
    }
}

impl Element for Wrapped {
    fn render(
        &mut self,
        context: &Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let available = f64::from(area.size().width);
        let lines = self.lines.get_or_insert_with(|| {
            let runs: Vec<Run> = self
                .runs
                .iter()
                .map(|r| Run::new(r.text.as_str(), style.and(r.style)))
                .collect();
            wrap(&context.font_cache, &runs, available)
        });
        let mut result = RenderResult::default();
        let mut y = 0.0;
        let mut widest: f64 = 0.0;
        while let Some(line) = lines.get(self.next) {
            let height = line
                .pieces
                .iter()
                .map(|(_, s)| line_height(&context.font_cache, *s))
                .fold(0.0, f64::max);
            if !draw_line(context, &area, line, 0.0, y, available, self.alignment)? {
                result.has_more = true;
                break;
            }
            widest = widest.max(line.width);
            y += height;
            self.next += 1;
        }
        result.size = Size::new(widest, y);
        Ok(result)
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

    fn style() -> Style {
        Style::new().with_font_size(8)
    }

    fn lines(text: &str, max: f64) -> Vec<String> {
        let fonts = fonts();
        wrap(&fonts, &[Run::new(text, style())], max)
            .iter()
            .map(Line::text)
            .collect()
    }

    #[test]
    fn words_that_fit_stay_on_one_line() {
        assert_eq!(
            lines("Perceuse visseuse 18 V", 100.0),
            ["Perceuse visseuse 18 V"]
        );
        assert_eq!(lines("  a   b  ", 100.0), ["a b"]);
        assert!(lines("", 100.0).is_empty());
    }

    #[test]
    fn a_line_breaks_at_spaces_then_after_a_hyphen() {
        let fonts = fonts();
        let w = width(&fonts, style(), "Perceuse-visseuse");
        assert_eq!(
            lines("Perceuse-visseuse sans fil", w + 0.5),
            ["Perceuse-visseuse", "sans fil"]
        );
        let w = width(&fonts, style(), "Perceuse-");
        assert_eq!(
            lines("Perceuse-visseuse", w + 0.5),
            ["Perceuse-", "visseuse"]
        );
        // A leading minus is not a hyphen.
        assert_eq!(hyphen_parts("-12"), ["-12"]);
        assert_eq!(hyphen_parts("a--b"), ["a--b"]);
        assert_eq!(hyphen_parts("x-y-z"), ["x-", "y-", "z"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_by_characters_and_loses_nothing() {
        let fonts = fonts();
        let word = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".repeat(5);
        let max = 20.0;
        let got = wrap(&fonts, &[Run::new(word.as_str(), style())], max);
        assert!(got.len() > 5, "{got:?}");
        assert_eq!(got.iter().map(Line::text).collect::<String>(), word);
        for line in &got {
            assert!(line.width <= max + SLACK, "{line:?}");
            assert!(width(&fonts, style(), &line.text()) <= max + SLACK);
        }
        // Words before and after keep their place.
        let text = format!("avant {word} après");
        let got = lines(&text, max);
        assert_eq!(got.first().map(String::as_str), Some("avant"));
        assert_eq!(
            got.last().map(String::as_str).map(|l| l.ends_with("après")),
            Some(true)
        );
        assert_eq!(got.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn a_cut_prefers_the_place_after_a_separator() {
        let fonts = fonts();
        let max = width(&fonts, style(), "ACME_CABLE_") + 1.0;
        assert_eq!(lines("ACME_CABLE_0123", max), ["ACME_CABLE_", "0123"]);
        // Figures break after a thousands separator, and only when they must.
        let amount = "1\u{202F}000\u{202F}000\u{202F}000,00\u{A0}€";
        assert_eq!(lines(amount, 100.0), [amount]);
        let max = width(&fonts, style(), "1\u{202F}000\u{202F}000\u{202F}") + 0.5;
        assert_eq!(
            lines(amount, max),
            ["1\u{202F}000\u{202F}000\u{202F}", "000,00\u{A0}€"]
        );
    }

    #[test]
    fn a_combining_mark_stays_with_its_letter_and_a_tiny_line_still_gets_a_character() {
        let text = "e\u{301}e\u{301}e\u{301}";
        let got = lines(text, 0.1);
        assert_eq!(got, ["e\u{301}", "e\u{301}", "e\u{301}"]);
    }

    #[test]
    fn styles_stay_with_their_text_across_lines() {
        let fonts = fonts();
        let bold = style().bold();
        let runs = [
            Run::new("Remarques : ", bold),
            Run::new("livrer au quai 4", style()),
        ];
        let got = wrap(&fonts, &runs, 200.0);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].pieces,
            vec![
                ("Remarques :".to_owned(), bold),
                (" livrer au quai 4".to_owned(), style())
            ]
        );
        let narrow = wrap(&fonts, &runs, width(&fonts, bold, "Remarques :") + 0.5);
        let text: Vec<String> = narrow.iter().map(Line::text).collect();
        assert_eq!(text, ["Remarques :", "livrer au quai", "4"]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

            /// Whatever the text and the width, the lines hold every character that is
            /// not a breaking space, in order, and none is wider than the line (but for a
            /// single character that is).
            #[test]
            fn wrapping_keeps_every_character(
                text in "[a-zA-Z0-9éÉ€ \u{A0}\u{202F}_./-]{0,300}",
                max in 0.5f64..120.0,
            ) {
                let fonts = fonts();
                let got = wrap(&fonts, &[Run::new(text.as_str(), style())], max);
                let kept: String = got.iter().map(Line::text).collect::<String>().replace(' ', "");
                prop_assert_eq!(kept, text.replace(' ', ""));
                for line in &got {
                    let fits = line.width <= max + SLACK;
                    prop_assert!(fits || line.text().chars().count() == 1, "{:?} in {}", line, max);
                }
            }
        }
    }
}
