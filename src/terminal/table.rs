//! Writing response rows in v3's formats: CSV (header line first), NDJSON (one
//! object per line), JSON (`{"response": [objects]}`) and HTML (a table), with
//! fixed decimals and integer arithmetic so a value always prints the same way.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
    Json,
    Html,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Ndjson => "application/x-ndjson",
            Format::Json => "application/json",
            Format::Html => "text/html",
        }
    }

    /// Rows as JSON objects (NDJSON's lines, JSON's array items).
    fn objects(self) -> bool {
        matches!(self, Format::Ndjson | Format::Json)
    }
}

const JSON_OPEN: &[u8] = b"{\"response\":[";
const JSON_CLOSE: &[u8] = b"]}\n";
const HTML_CLOSE: &[u8] = b"</tbody></table>\n";

/// One value of a row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// `2025-04-18`.
    Date(NaiveDate),
    /// ET wall clock without offset, `2025-03-10T09:30:00.000`; minutes after midnight.
    Stamp(NaiveDate, u32),
    /// The same to the millisecond (trades): `2025-03-10T09:30:00.011`; milliseconds after midnight.
    StampMs(NaiveDate, u32),
    Int(i64),
    /// A scaled integer printed with this many decimals: `Fixed(9100, 2)` is `91.00`.
    Fixed(i64, u32),
    /// A keyword written bare in CSV and HTML (`open`, `full_close`), a string in JSON.
    Word(&'a str),
    /// A time of day, `09:30:00`; seconds after midnight.
    Clock(u32),
    /// No value: empty in CSV and HTML, `null` in JSON.
    Null,
}

/// A response body being written, with where the header ends (for truncation faults).
pub struct Table {
    format: Format,
    columns: Vec<&'static str>,
    out: Vec<u8>,
    header_len: usize,
    rows: usize,
}

/// A finished body.
pub struct Rendered {
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Bytes before the first row (the CSV header line; 0 for NDJSON).
    pub header_len: usize,
    pub rows: usize,
}

impl Table {
    /// A table whose columns are the concatenation of `column_groups`.
    pub fn new(format: Format, column_groups: &[&[&'static str]], expected_rows: usize) -> Table {
        let columns = column_groups.concat();
        let mut out = Vec::with_capacity(64 + expected_rows * 16 * columns.len());
        match format {
            Format::Csv => {
                out.extend_from_slice(columns.join(",").as_bytes());
                out.push(b'\n');
            }
            Format::Json => out.extend_from_slice(JSON_OPEN),
            Format::Html => {
                out.extend_from_slice(b"<table><thead><tr>");
                for name in &columns {
                    out.extend_from_slice(format!("<th>{name}</th>").as_bytes());
                }
                out.extend_from_slice(b"</tr></thead><tbody>\n");
            }
            Format::Ndjson => {}
        }
        let header_len = out.len();
        Table { format, columns, out, header_len, rows: 0 }
    }

    /// Appends one row; `cells` are in column order.
    pub fn row(&mut self, cells: &[Cell]) {
        debug_assert_eq!(cells.len(), self.columns.len());
        if self.format == Format::Html {
            self.html_row(cells);
            return;
        }
        if self.format == Format::Json && self.rows > 0 {
            self.out.push(b',');
        }
        if self.format.objects() {
            self.out.push(b'{');
        }
        for (i, (cell, name)) in cells.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            if self.format.objects() {
                self.out.push(b'"');
                self.out.extend_from_slice(name.as_bytes());
                self.out.extend_from_slice(b"\":");
            }
            write_cell(&mut self.out, self.format, *cell);
        }
        if self.format.objects() {
            self.out.push(b'}');
        }
        self.out.push(b'\n');
        self.rows += 1;
    }

    fn html_row(&mut self, cells: &[Cell]) {
        self.out.extend_from_slice(b"<tr>");
        for cell in cells {
            self.out.extend_from_slice(b"<td>");
            // Free text is written bare here: HTML has no quotes to put round it.
            match cell {
                Cell::Text(text) => self.out.extend_from_slice(html_escaped(text).as_bytes()),
                other => write_cell(&mut self.out, Format::Csv, *other),
            }
            self.out.extend_from_slice(b"</td>");
        }
        self.out.extend_from_slice(b"</tr>\n");
        self.rows += 1;
    }

    pub fn finish(mut self) -> Rendered {
        match self.format {
            Format::Json => self.out.extend_from_slice(JSON_CLOSE),
            Format::Html => self.out.extend_from_slice(HTML_CLOSE),
            Format::Csv | Format::Ndjson => {}
        }
        Rendered { format: self.format, bytes: self.out, header_len: self.header_len, rows: self.rows }
    }
}

fn write_cell(out: &mut Vec<u8>, format: Format, cell: Cell) {
    // CSV quotes only free text, like the real terminal's `"SPY"`; JSON quotes every string.
    let quote_strings = format.objects();
    match cell {
        Cell::Text(text) => {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        Cell::Date(date) => quoted(out, quote_strings, |out| push_date(out, date)),
        Cell::Stamp(date, minute) => write_cell(out, format, Cell::StampMs(date, minute * 60_000)),
        Cell::StampMs(date, ms) => quoted(out, quote_strings, |out| {
            push_date(out, date);
            out.push(b'T');
            push_padded(out, u64::from(ms / 3_600_000), 2);
            out.push(b':');
            push_padded(out, u64::from(ms / 60_000 % 60), 2);
            out.push(b':');
            push_padded(out, u64::from(ms / 1000 % 60), 2);
            out.push(b'.');
            push_padded(out, u64::from(ms % 1000), 3);
        }),
        Cell::Int(value) => push_fixed(out, value, 0),
        Cell::Fixed(value, decimals) => push_fixed(out, value, decimals),
        Cell::Word(word) => quoted(out, quote_strings, |out| out.extend_from_slice(word.as_bytes())),
        Cell::Clock(seconds) => quoted(out, quote_strings, |out| {
            push_padded(out, u64::from(seconds / 3600), 2);
            out.push(b':');
            push_padded(out, u64::from(seconds / 60 % 60), 2);
            out.push(b':');
            push_padded(out, u64::from(seconds % 60), 2);
        }),
        Cell::Null if quote_strings => out.extend_from_slice(b"null"),
        Cell::Null => {}
    }
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn quoted(out: &mut Vec<u8>, quote: bool, write: impl FnOnce(&mut Vec<u8>)) {
    if quote {
        out.push(b'"');
    }
    write(out);
    if quote {
        out.push(b'"');
    }
}

fn push_date(out: &mut Vec<u8>, date: NaiveDate) {
    push_padded(out, u64::try_from(date.year()).unwrap_or_default(), 4);
    out.push(b'-');
    push_padded(out, u64::from(date.month()), 2);
    out.push(b'-');
    push_padded(out, u64::from(date.day()), 2);
}

/// Decimal digits of `value`, left-padded with zeros to `width` (at most 20).
/// Written right to left into zeros and copied once: a day of trades is
/// millions of numbers.
fn push_padded(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    let padded = start.min(digits.len().saturating_sub(width));
    out.extend_from_slice(&digits[padded..]);
}

fn push_fixed(out: &mut Vec<u8>, value: i64, decimals: u32) {
    if value < 0 {
        out.push(b'-');
    }
    let magnitude = value.unsigned_abs();
    let scale = 10u64.pow(decimals);
    push_padded(out, magnitude / scale, 1);
    if decimals > 0 {
        out.push(b'.');
        push_padded(out, magnitude % scale, decimals as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["symbol", "expiration", "timestamp", "strike", "close", "count"];

    fn sample(format: Format) -> String {
        let date = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
        let mut table = Table::new(format, &[COLUMNS], 1);
        table.row(&[
            Cell::Text("PLTR"),
            Cell::Date(date),
            Cell::Stamp(date, 9 * 60 + 30),
            Cell::Fixed(91_000, 3),
            Cell::Fixed(-5, 2),
            Cell::Int(0),
        ]);
        String::from_utf8(table.finish().bytes).unwrap()
    }

    #[test]
    fn writes_csv_with_fixed_decimals() {
        assert_eq!(
            sample(Format::Csv),
            "symbol,expiration,timestamp,strike,close,count\n\"PLTR\",2025-03-10,2025-03-10T09:30:00.000,91.000,-0.05,0\n"
        );
    }

    #[test]
    fn json_and_html_hold_the_same_row() {
        let json: serde_json::Value = serde_json::from_str(&sample(Format::Json)).unwrap();
        assert_eq!(json["response"][0]["strike"], 91.0);
        assert_eq!(json["response"][0]["timestamp"], "2025-03-10T09:30:00.000");
        assert_eq!(json["response"].as_array().unwrap().len(), 1);
        let html = sample(Format::Html);
        assert!(html.starts_with("<table><thead><tr><th>symbol</th><th>expiration</th>"), "{html}");
        assert!(html.contains("<tr><td>PLTR</td><td>2025-03-10</td><td>2025-03-10T09:30:00.000</td><td>91.000</td>"));
        assert!(html.ends_with("</tbody></table>\n"));
        let empty = Table::new(Format::Json, &[COLUMNS], 0).finish();
        assert_eq!(empty.bytes, b"{\"response\":[]}\n");
    }

    #[test]
    fn writes_ndjson_objects_that_parse() {
        let line = sample(Format::Ndjson);
        let value: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(value["symbol"], "PLTR");
        assert_eq!(value["timestamp"], "2025-03-10T09:30:00.000");
        assert_eq!(value["strike"], 91.0);
        assert_eq!(value["count"], 0);
    }
}
