//! Commercial documents as PDF, laid out with genpdf: the proforma, invoices and credit
//! notes share this page ([`Sheet`] says what one shows).
//!
//! Pure: no HTTP and no SQL. [`render`] gives the PDF's bytes; it is CPU-bound, so the
//! HTTP edge runs it on the blocking pool.
//!
//! Nothing is lost for being long: every text is wrapped by `text` with the fonts'
//! metrics (by characters when a word is wider than its line), and the tables are laid
//! out by `table`, whole rows on each page under a repeated heading row.
//!
//! Fonts: DejaVu Sans, regular and bold, subset by `read-api/fonts/subset.sh` and
//! compiled into the binary. The italic slots genpdf insists on point at a built-in PDF
//! font, which costs no bytes, since no document sets italic (`facturx::pdfa` drops it
//! from a PDF/A's resources).

mod format;
mod layout;
mod pack;
mod sheet;
mod table;
mod text;

use std::sync::LazyLock;

use flate2::Compression;
use genpdf::fonts::{FontData, FontFamily};
use printpdf::BuiltinFont;

pub use format::Lang;
pub use sheet::{Line, Paragraph, Party, Seller, Sheet, VatRow};

/// Changes whenever the same data would render differently, so that a client holding a
/// document laid out by an earlier version gets the new one rather than a 304. 2: no
/// text dropped for being long, rows whole on each page.
pub const LAYOUT_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("fonts: {0}")]
    Fonts(String),
    #[error("layout: {0}")]
    Layout(#[from] genpdf::error::Error),
}

#[derive(Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

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

/// The PDF of `sheet` in `lang`, with its page count.
pub fn render(sheet: &Sheet, lang: Lang) -> Result<Rendered, RenderError> {
    let fonts = FONTS.as_ref().map_err(|e| RenderError::Fonts(e.clone()))?;
    // The footer says "page n / N": a first pass counts the pages, and only a document
    // longer than one page is laid out again with its real count.
    let mut rendered = layout::render(fonts.clone(), sheet, lang, 1)?;
    if rendered.pages > 1 {
        rendered = layout::render(fonts.clone(), sheet, lang, rendered.pages)?;
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
