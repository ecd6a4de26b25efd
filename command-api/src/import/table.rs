//! A CSV file as spreadsheets save it, read into a table of rows that know their line.
//!
//! - **Encoding.** A byte order mark wins (UTF-8, UTF-16); then a `charset=` the client
//!   named; then UTF-8 if the bytes are UTF-8; otherwise Windows-1252, what French Excel's
//!   "CSV (séparateur: point-virgule)" writes. encoding_rs decodes (the WHATWG encodings
//!   browsers use, so `latin1` means Windows-1252 as everywhere on the web).
//! - **Separator.** Excel's `sep=` first line if there is one; otherwise whichever of `;`,
//!   `,` and tab splits the header into the most known column names.
//! - **Lines.** A row's line is the physical line it starts on (the header is line 1), for
//!   LF, CRLF and CR endings, with or without a BOM, counting the lines inside quoted
//!   multi-line cells.

use std::collections::HashMap;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use serde::Serialize;

use super::error::ImportError;

/// How a file was read, as the report states it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Dialect {
    /// The WHATWG name: `UTF-8`, `windows-1252`, `UTF-16LE`, …
    pub encoding: &'static str,
    pub encoding_from: EncodingSource,
    /// `;`, `,` or `\t`.
    pub separator: String,
    /// `CRLF`, `LF`, `CR`, `mixed`, or `none` for a one-line file.
    pub line_endings: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    ByteOrderMark,
    /// The `charset=` of the request's content type.
    Charset,
    /// Not named: UTF-8 when the bytes are UTF-8, otherwise Windows-1252.
    Detected,
}

/// One data row and the physical line it starts on.
pub struct Row {
    pub line: u64,
    pub record: csv::StringRecord,
}

/// A parsed CSV: its columns and its rows.
pub struct Table {
    columns: HashMap<String, usize>,
    /// How many columns the header names (trailing empty header cells left out).
    width: usize,
    pub(super) rows: Vec<Row>,
    pub dialect: Dialect,
}

const SAVE_AS: &str = "save it from Excel as \u{ab}\u{a0}CSV UTF-8\u{a0}\u{bb} or \
                       \u{ab}\u{a0}CSV (s\u{e9}parateur: point-virgule)\u{a0}\u{bb}, or from \
                       LibreOffice as Text CSV in UTF-8";

impl Table {
    /// Reads `body`; `charset` is the request's `charset=` if it named one. `known` are the
    /// columns the file may have, `required` those it must.
    pub fn read(
        body: &[u8],
        charset: Option<&str>,
        known: &[&str],
        required: &[&str],
    ) -> Result<Self, ImportError> {
        let (text, encoding, encoding_from) = decode(body, charset)?;
        let lines = LineIndex::new(&text);
        let (header_offset, named_separator) = excel_separator_line(&text);
        let data = &text[header_offset..];
        if data.trim().is_empty() {
            return Err(ImportError::Empty);
        }
        let separator = match named_separator {
            Some(s) => s,
            None => guess_separator(data, known)?,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(data.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Malformed(e.to_string()))?
            .clone();
        let (columns, width) = columns(&headers, known, required, separator)?;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ImportError::Malformed(e.to_string()))?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            // The position is where the reader began, blank lines it skipped included.
            let begun = record.position().map_or(0, |p| p.byte()) as usize;
            let start = data.as_bytes()[begun.min(data.len())..]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(begun, |skipped| begun + skipped);
            rows.push(Row {
                line: lines.line_of(header_offset + start),
                record,
            });
        }
        Ok(Self {
            columns,
            width,
            rows,
            dialect: Dialect {
                encoding: encoding.name(),
                encoding_from,
                separator: (separator as char).to_string(),
                line_endings: lines.endings(),
            },
        })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A cell's value: empty is `None`; a cell an export neutralised against formula
    /// injection (`'=…`, `'+…`, see `platform::csv_cell`) loses that one quote, so what was
    /// exported comes back as it was stored.
    pub fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.columns
            .get(column)
            .and_then(|&i| record.get(i))
            .map(platform::csv_cell::unneutralise)
            .filter(|v| !v.is_empty())
    }

    /// How many values `record` has past the header's last column that are not empty (a
    /// value holding the separator without quotes splits in two, and nothing may be
    /// dropped silently).
    pub fn values_past_header(&self, record: &csv::StringRecord) -> usize {
        record
            .iter()
            .skip(self.width)
            .filter(|v| !v.is_empty())
            .count()
    }

    pub fn width(&self) -> usize {
        self.width
    }
}

/// The text of `body` and how it was decoded.
fn decode<'b>(
    body: &'b [u8],
    charset: Option<&str>,
) -> Result<(std::borrow::Cow<'b, str>, &'static Encoding, EncodingSource), ImportError> {
    let (encoding, skip, from) = if let Some((encoding, bom)) = Encoding::for_bom(body) {
        (encoding, bom, EncodingSource::ByteOrderMark)
    } else if let Some(label) = charset {
        let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            ImportError::Encoding(format!(
                "the request names charset={label}, which is not an encoding gescom knows; \
                 send UTF-8 or windows-1252, or leave the charset out"
            ))
        })?;
        (encoding, 0, EncodingSource::Charset)
    } else if std::str::from_utf8(body).is_ok() {
        (UTF_8, 0, EncodingSource::Detected)
    } else {
        (WINDOWS_1252, 0, EncodingSource::Detected)
    };
    let bytes = &body[skip..];
    if encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            return Err(ImportError::Encoding(format!(
                "line {} holds a NUL byte: the file looks like UTF-16 (Excel's \
                 \u{ab}\u{a0}Unicode text\u{a0}\u{bb}) without its byte order mark; {SAVE_AS}",
                line_at(bytes, at)
            )));
        }
    }
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            let at = first_undecodable(encoding, bytes);
            ImportError::Encoding(format!(
                "line {} has a byte (0x{:02X}) that is not {}{}; {SAVE_AS}",
                line_at(bytes, at),
                bytes.get(at).copied().unwrap_or_default(),
                encoding.name(),
                if from == EncodingSource::Charset {
                    ", the charset the request names (leave it out to let gescom detect \
                     Windows-1252)"
                } else {
                    ""
                },
            ))
        })?;
    // The five bytes Windows-1252 leaves undefined decode to C1 controls: such a file is
    // neither UTF-8 nor Windows-1252, so it is refused here rather than cell by cell.
    if encoding == WINDOWS_1252 && from == EncodingSource::Detected {
        if let Some(at) = bytes
            .iter()
            .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
        {
            return Err(ImportError::Encoding(format!(
                "the file is not UTF-8, and line {} has a byte (0x{:02X}) that Windows-1252 \
                 does not define either: name its encoding with a charset= in the content \
                 type, or {SAVE_AS}",
                line_at(bytes, at),
                bytes[at]
            )));
        }
    }
    Ok((text, encoding, from))
}

/// The offset of the first byte `encoding` cannot decode in `bytes`.
fn first_undecodable(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(len, _) => read.saturating_sub(usize::from(len)),
        _ => read,
    }
}

/// The 1-based line of byte `at` in undecoded `bytes` (for messages about encodings).
fn line_at(bytes: &[u8], at: usize) -> u64 {
    LineIndex::from_bytes(bytes).line_of(at)
}

/// Excel's `sep=;` first line: where the header starts, and the separator it names.
fn excel_separator_line(text: &str) -> (usize, Option<u8>) {
    let end = text.find(['\r', '\n']).unwrap_or(text.len());
    match text[..end].strip_prefix("sep=").map(str::as_bytes) {
        Some(&[separator]) => {
            let rest = &text[end..];
            let newline = if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(!rest.is_empty())
            };
            (end + newline, Some(separator))
        }
        _ => (0, None),
    }
}

const SEPARATORS: [u8; 3] = [b';', b',', b'\t'];

/// The separator that splits the header into the most known column names.
fn guess_separator(data: &str, known: &[&str]) -> Result<u8, ImportError> {
    let header = data.split(['\r', '\n']).next().unwrap_or_default();
    let score = |separator: u8| {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .from_reader(header.as_bytes());
        reader.records().next().and_then(Result::ok).map_or(0, |r| {
            r.iter()
                .filter(|cell| known.contains(&cell.trim().to_lowercase().as_str()))
                .count()
        })
    };
    let (best, hits) = SEPARATORS
        .iter()
        .map(|&s| (s, score(s)))
        .fold(
            (b';', 0),
            |best, next| if next.1 > best.1 { next } else { best },
        );
    if hits == 0 {
        return Err(ImportError::Header(format!(
            "the first line ({}) names no column gescom knows, whether split at `;`, `,` or \
             a tab. It must be the header, e.g. {}. Start from an export of gescom, and {SAVE_AS}",
            contracts::input::excerpt(header, 120),
            known.join(";")
        )));
    }
    Ok(best)
}

/// The header's columns (by lower-cased name) and its width.
fn columns(
    headers: &csv::StringRecord,
    known: &[&str],
    required: &[&str],
    separator: u8,
) -> Result<(HashMap<String, usize>, usize), ImportError> {
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    // Excel leaves trailing empty cells on a header whose sheet had wider formatting.
    let width = names
        .iter()
        .rposition(|n| !n.is_empty())
        .map_or(0, |i| i + 1);
    let mut columns = HashMap::new();
    let mut unknown = Vec::new();
    let mut twice = Vec::new();
    for (i, name) in names.iter().take(width).enumerate() {
        if name.is_empty() {
            unknown.push(format!("(column {} has no name)", i + 1));
        } else if !known.contains(&name.as_str()) {
            unknown.push(name.clone());
        } else if columns.insert(name.clone(), i).is_some() {
            twice.push(name.clone());
        }
    }
    let separator = separator as char;
    let separator = if separator == '\t' {
        "a tab".to_owned()
    } else {
        format!("`{separator}`")
    };
    if !unknown.is_empty() {
        return Err(ImportError::UnknownColumns(format!(
            "{} (separator {separator}; the columns are {})",
            unknown.join(", "),
            known.join(", ")
        )));
    }
    if !twice.is_empty() {
        return Err(ImportError::DuplicateColumns(twice.join(", ")));
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(format!(
            "{} (separator {separator})",
            missing.join(", ")
        )));
    }
    Ok((columns, width))
}

/// Where each physical line starts: a line ends at LF, CRLF, or a CR alone.
struct LineIndex {
    starts: Vec<usize>,
    crlf: usize,
    lf: usize,
    cr: usize,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        Self::from_bytes(text.as_bytes())
    }

    fn from_bytes(bytes: &[u8]) -> Self {
        let mut index = Self {
            starts: vec![0],
            crlf: 0,
            lf: 0,
            cr: 0,
        };
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    index.crlf += 1;
                    i += 1;
                }
                b'\r' => index.cr += 1,
                b'\n' => index.lf += 1,
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 1;
            index.starts.push(i);
        }
        index
    }

    /// The 1-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&s| s <= offset) as u64
    }

    fn endings(&self) -> &'static str {
        match (self.crlf > 0, self.lf > 0, self.cr > 0) {
            (false, false, false) => "none",
            (true, false, false) => "CRLF",
            (false, true, false) => "LF",
            (false, false, true) => "CR",
            _ => "mixed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 3] = ["sku", "name", "price"];

    fn read(body: &[u8], charset: Option<&str>) -> Result<Table, ImportError> {
        Table::read(body, charset, &KNOWN, &["sku"])
    }

    fn lines(table: &Table) -> Vec<u64> {
        table.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn lines_are_physical_for_every_line_ending_with_or_without_bom() {
        for ending in ["\n", "\r\n", "\r"] {
            for bom in ["", "\u{feff}"] {
                let text = format!(
                    "{bom}sku;name{e}A;\"two{e}lines\"{e}{e}B;b{e}C;\"three{e}of{e}them\"{e}D;d{e}",
                    e = ending
                );
                let table = read(text.as_bytes(), None).expect("reads");
                assert_eq!(
                    lines(&table),
                    [2, 5, 6, 9],
                    "ending {ending:?}, bom {bom:?}"
                );
            }
        }
    }

    #[test]
    fn excel_separator_line_names_the_separator_and_counts_as_a_line() {
        let table = read(b"sep=,\r\nsku,name\r\nA,a;b\r\n", None).expect("reads");
        assert_eq!(table.dialect.separator, ",");
        assert_eq!(lines(&table), [3]);
        assert_eq!(
            table.get(&table.rows[0].record, "name"),
            Some("a;b"),
            "the named separator wins over a guess"
        );
    }

    #[test]
    fn the_separator_is_the_one_that_finds_the_columns() {
        for (text, separator) in [
            ("sku;name;price\nA;B;1,5\n", ";"),
            ("sku,name,price\nA,B,\"1,5\"\n", ","),
            ("sku\tname\nA\tB\n", "\t"),
            ("sku;name\nA,1;B,2\n", ";"),
        ] {
            let table = read(text.as_bytes(), None).expect("reads");
            assert_eq!(table.dialect.separator, separator, "{text:?}");
        }
        let refused = read(b"reference|designation\nA|B\n", None);
        assert!(
            matches!(&refused, Err(ImportError::Header(m)) if m.contains("sku;name;price")),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn windows_1252_is_detected_and_a_charset_is_honoured() {
        // "Café crème;12,50 €" as French Excel saves it.
        let body = b"sku;name;price\r\nC1;Caf\xE9 cr\xE8me;12,50 \x80\r\n";
        let table = read(body, None).expect("reads");
        assert_eq!(table.dialect.encoding, "windows-1252");
        assert_eq!(table.dialect.encoding_from, EncodingSource::Detected);
        assert_eq!(table.dialect.line_endings, "CRLF");
        let row = &table.rows[0].record;
        assert_eq!(table.get(row, "name"), Some("Café crème"));
        assert_eq!(table.get(row, "price"), Some("12,50 €"));

        // ISO-8859-15 has the euro sign at 0xA4.
        let table = read(b"sku;name\nE;\xA4\n", Some("iso-8859-15")).expect("reads");
        assert_eq!(table.dialect.encoding, "ISO-8859-15");
        assert_eq!(table.get(&table.rows[0].record, "name"), Some("€"));

        let declared = read(body, Some("utf-8"));
        assert!(
            matches!(&declared, Err(ImportError::Encoding(m)) if m.contains("line 2") && m.contains("0xE9")),
            "{:?}",
            declared.err()
        );
        assert!(matches!(
            read(body, Some("klingon")),
            Err(ImportError::Encoding(_))
        ));
    }

    #[test]
    fn utf16_with_its_bom_is_read_and_without_it_refused() {
        let text = "sku\tname\r\nU\tÉté\r\n";
        let mut body = vec![0xFF, 0xFE];
        body.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let table = read(&body, None).expect("reads");
        assert_eq!(table.dialect.encoding, "UTF-16LE");
        assert_eq!(table.dialect.separator, "\t");
        assert_eq!(table.get(&table.rows[0].record, "name"), Some("Été"));
        assert!(matches!(
            read(&body[2..], None),
            Err(ImportError::Encoding(m)) if m.contains("UTF-16")
        ));
    }

    #[test]
    fn bytes_neither_utf8_nor_windows_1252_are_refused_with_their_line() {
        let refused = read(b"sku;name\nA;a\nB;\x81\n", None);
        assert!(
            matches!(&refused, Err(ImportError::Encoding(m)) if m.contains("line 3") && m.contains("0x81")),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn header_problems_are_named() {
        assert!(matches!(read(b"", None), Err(ImportError::Empty)));
        assert!(matches!(
            read(b"\xEF\xBB\xBF\r\n", None),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            read(b"sku;name;sku\nA;B;C\n", None),
            Err(ImportError::DuplicateColumns(c)) if c == "sku"
        ));
        assert!(matches!(
            read(b"name;price\nA;1\n", None),
            Err(ImportError::MissingColumns(c)) if c.starts_with("sku")
        ));
        assert!(matches!(
            read(b"sku;;name\nA;;B\n", None),
            Err(ImportError::UnknownColumns(c)) if c.contains("column 2 has no name")
        ));
        let trailing = read(b"sku;name;;\nA;B;;\n", None).expect("trailing empty cells");
        assert_eq!(trailing.width(), 2);
        assert_eq!(trailing.values_past_header(&trailing.rows[0].record), 0);
        let longer = read(b"sku;name\nA;B;C;\n", None).expect("reads");
        assert_eq!(longer.values_past_header(&longer.rows[0].record), 1);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Bytes a spreadsheet file is made of, and the ones that break encodings.
        const PIECES: [&[u8]; 16] = [
            b"sku",
            b"name",
            b"price",
            b";",
            b",",
            b"\t",
            b"\"",
            b"\r",
            b"\n",
            b"sep=",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xE9",
            b"\x81",
            b"\0",
            "\u{e9}t\u{e9}".as_bytes(),
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            /// Whatever the bytes and the charset, the file is read or refused: never a
            /// panic, and a row's line is within the file.
            #[test]
            fn any_file_is_read_or_refused(
                pieces in proptest::collection::vec(0..PIECES.len(), 0..60),
                raw in proptest::collection::vec(any::<u8>(), 0..40),
                charset in proptest::option::of(prop_oneof![
                    Just("utf-8"), Just("windows-1252"), Just("utf-16le"), Just("nope")
                ]),
            ) {
                let mut body: Vec<u8> = pieces.iter().flat_map(|&i| PIECES[i].to_vec()).collect();
                body.extend(raw);
                if let Ok(table) = read(&body, charset) {
                    let lines = body.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
                    for row in &table.rows {
                        prop_assert!(row.line >= 2 && row.line <= lines, "line {} of {}", row.line, lines);
                    }
                }
            }
        }
    }
}
