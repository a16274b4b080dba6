//! Answer-mangling faults: a good body turned into a specific bad one that
//! still arrives as a clean, complete 200, so tests can check that the client
//! and the cache refuse it. Pure functions of the rendered body, so the same
//! request meets the same bytes.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use chrono::NaiveDate;

use super::faults::Fault;
use super::table::{Format, Rendered};

/// A bad 200: how it is labelled and what it carries.
pub struct Mangled {
    pub content_type: &'static str,
    pub body: MangledBody,
}

pub enum MangledBody {
    /// A complete body held in memory.
    Whole(Vec<u8>),
    /// `HUGE_LINE_CHUNKS` MiB of `x` without a newline, streamed, never held whole.
    HugeLine,
}

impl MangledBody {
    pub fn into_body(self) -> Body {
        match self {
            MangledBody::Whole(bytes) => Body::from(bytes),
            MangledBody::HugeLine => {
                let chunk = Bytes::from(vec![b'x'; HUGE_LINE_CHUNK]);
                let chunks = std::iter::repeat_n(chunk, HUGE_LINE_CHUNKS).map(Ok::<_, Infallible>);
                Body::from_stream(futures_util::stream::iter(chunks))
            }
        }
    }
}

const HUGE_LINE_CHUNK: usize = 1 << 20;
const HUGE_LINE_CHUNKS: usize = 50;

const JSON_TYPE: &str = "application/json";
const HTML_TYPE: &str = "text/html; charset=utf-8";
/// What a proxy or a misrouted request might answer instead of data.
const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Theta Terminal</title></head><body>\n\
<h1>Theta Terminal</h1>\n<table>\n<tr><th>service</th><th>status</th></tr>\n\
<tr><td>MDDS</td><td>CONNECTED</td></tr>\n<tr><td>FPSS</td><td>CONNECTED</td></tr>\n\
</table>\n</body></html>\n";

/// An ET timestamp's shape, `9` standing for any digit.
const STAMP_SHAPE: &[u8; 23] = b"9999-99-99T99:99:99.999";
const DATE_LEN: usize = 10;
/// After the last minute of any session.
const OFF_SESSION_TIME: &[u8] = b"16:05:00.000";

/// `good` spoiled the way `fault` says; `None` when `fault` is not a mangle.
pub fn mangle(fault: Fault, good: &Rendered) -> Option<Mangled> {
    // Mangles are written for the line formats the client reads.
    if !matches!(good.format, Format::Csv | Format::Ndjson) {
        return None;
    }
    let body = Split::of(good);
    let same_type = |bytes| Mangled { content_type: good.format.content_type(), body: MangledBody::Whole(bytes) };
    let mangled = match fault {
        Fault::StrayDate => same_type(body.edit(body.middle(), stray_date)),
        Fault::Duplicate => same_type(body.duplicate_middle()),
        Fault::OffSession => same_type(body.edit(body.last(), off_session)),
        Fault::Negative => same_type(body.edit(body.middle(), |row| body.negated(row))),
        Fault::Half => same_type(body.join(&body.rows[..body.rows.len().div_ceil(2)])),
        Fault::CutValue => same_type(body.cut_last()),
        Fault::HeaderOnly => same_type(body.header.to_vec()),
        Fault::Json => Mangled { content_type: JSON_TYPE, body: MangledBody::Whole(body.json()) },
        Fault::Html => Mangled { content_type: HTML_TYPE, body: MangledBody::Whole(HTML_PAGE.into()) },
        Fault::HugeLine => Mangled { content_type: good.format.content_type(), body: MangledBody::HugeLine },
        _ => return None,
    };
    Some(mangled)
}

/// A body cut into its header and its rows, each row with its newline.
struct Split<'a> {
    format: Format,
    header: &'a [u8],
    rows: Vec<&'a [u8]>,
}

impl<'a> Split<'a> {
    fn of(good: &'a Rendered) -> Split<'a> {
        let (header, rows) = good.bytes.split_at(good.header_len.min(good.bytes.len()));
        Split { format: good.format, header, rows: rows.split_inclusive(|b| *b == b'\n').collect() }
    }

    /// The middle row, the earlier one of two.
    fn middle(&self) -> usize {
        self.rows.len().saturating_sub(1) / 2
    }

    /// The header followed by `rows`.
    fn join(&self, rows: &[&[u8]]) -> Vec<u8> {
        [&[self.header], rows].concat().concat()
    }

    fn last(&self) -> usize {
        self.rows.len().saturating_sub(1)
    }

    /// The body with row `at` rewritten; unchanged without such a row.
    fn edit(&self, at: usize, rewrite: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let Some(rewritten) = self.rows.get(at).map(|row| rewrite(row)) else { return self.join(&self.rows) };
        let mut rows: Vec<&[u8]> = self.rows.clone();
        rows[at] = &rewritten;
        self.join(&rows)
    }

    /// The body with the row after the middle one replaced by the middle one.
    fn duplicate_middle(&self) -> Vec<u8> {
        let mut rows = self.rows.clone();
        let middle = self.middle();
        if middle + 1 < rows.len() {
            rows[middle + 1] = rows[middle];
        }
        self.join(&rows)
    }

    /// The body ending inside its last row, without a newline: after the
    /// row's third comma in CSV, else half-way through the row.
    fn cut_last(&self) -> Vec<u8> {
        let Some((last, before)) = self.rows.split_last() else { return self.join(&[]) };
        let line = without_newline(last);
        let third_comma = match self.format {
            Format::Csv => after_commas(line).nth(2),
            Format::Ndjson | Format::Json | Format::Html => None,
        };
        let cut = third_comma.unwrap_or(line.len() / 2);
        [self.join(before), line[..cut].to_vec()].concat()
    }

    /// `row` with its close, or its bid when it has no close, made negative.
    fn negated(&self, row: &[u8]) -> Vec<u8> {
        match ["close", "bid"].into_iter().find_map(|column| self.value_start(row, column)) {
            Some(at) => [&row[..at], b"-", &row[at..]].concat(),
            None => row.to_vec(),
        }
    }

    /// Where in `row` the value of `column` starts.
    fn value_start(&self, row: &[u8], column: &str) -> Option<usize> {
        match self.format {
            Format::Csv => match self.column_names().position(|name| name == column.as_bytes())? {
                0 => Some(0),
                index => after_commas(row).nth(index - 1),
            },
            Format::Ndjson | Format::Json | Format::Html => {
                let key = format!("\"{column}\":");
                row.windows(key.len()).position(|w| w == key.as_bytes()).map(|at| at + key.len())
            }
        }
    }

    fn column_names(&self) -> impl Iterator<Item = &'a [u8]> {
        without_newline(self.header).split(|b| *b == b',')
    }

    /// `{"response":[...]}` with one object per row; CSV values become JSON strings.
    fn json(&self) -> Vec<u8> {
        let objects: Vec<Vec<u8>> = self.rows.iter().map(|row| self.json_object(without_newline(row))).collect();
        [b"{\"response\":[".as_slice(), &objects.join(b",".as_slice()), b"]}"].concat()
    }

    fn json_object(&self, line: &[u8]) -> Vec<u8> {
        if self.format == Format::Ndjson {
            return line.to_vec();
        }
        let values = line.split(|b| *b == b',').map(unquoted);
        let fields: Vec<String> = self
            .column_names()
            .zip(values)
            .map(|(name, value)| format!("{}:{}", json_string(name), json_string(value)))
            .collect();
        format!("{{{}}}", fields.join(",")).into_bytes()
    }
}

fn without_newline(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// The offsets just after each comma of `line`.
fn after_commas(line: &[u8]) -> impl Iterator<Item = usize> {
    line.iter().enumerate().filter(|(_, b)| **b == b',').map(|(at, _)| at + 1)
}

/// A CSV value without the quotes around free text.
fn unquoted(value: &[u8]) -> &[u8] {
    value.strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\"")).unwrap_or(value)
}

fn json_string(bytes: &[u8]) -> String {
    serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()).to_string()
}

/// Where each ET timestamp (`2025-03-10T09:30:00.000`) in `row` starts; a
/// bare date such as an option's expiration is not one.
fn stamp_starts(row: &[u8]) -> Vec<usize> {
    let is_stamp = |at: usize| {
        row.get(at..at + STAMP_SHAPE.len()).is_some_and(|text| {
            text.iter().zip(STAMP_SHAPE).all(|(b, shape)| if *shape == b'9' { b.is_ascii_digit() } else { b == shape })
        })
    };
    (0..row.len()).filter(|at| is_stamp(*at)).collect()
}

/// `row` with every timestamp dated one day later.
fn stray_date(row: &[u8]) -> Vec<u8> {
    let mut out = row.to_vec();
    for at in stamp_starts(row) {
        let date = &mut out[at..at + DATE_LEN];
        if let Some(next) = next_day(date) {
            date.copy_from_slice(&next);
        }
    }
    out
}

/// The day after `YYYY-MM-DD`, written the same way.
fn next_day(date: &[u8]) -> Option<[u8; DATE_LEN]> {
    let date = NaiveDate::parse_from_str(std::str::from_utf8(date).ok()?, "%Y-%m-%d").ok()?.succ_opt()?;
    date.format("%Y-%m-%d").to_string().into_bytes().try_into().ok()
}

/// `row` with every timestamp's time of day after the close.
fn off_session(row: &[u8]) -> Vec<u8> {
    let mut out = row.to_vec();
    for at in stamp_starts(row) {
        let time = at + DATE_LEN + 1;
        out[time..time + OFF_SESSION_TIME.len()].copy_from_slice(OFF_SESSION_TIME);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "symbol,expiration,strike,right,timestamp,close,count\n";
    const ROWS: [&str; 4] = [
        "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T09:30:00.000,1.25,4\n",
        "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T09:31:00.000,1.30,2\n",
        "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T09:32:00.000,1.20,7\n",
        "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T09:33:00.000,1.15,3\n",
    ];
    const NDJSON: [&str; 2] = [
        "{\"timestamp\":\"2025-02-28T09:30:00.000\",\"close\":1.25,\"count\":4}\n",
        "{\"timestamp\":\"2025-02-28T09:31:00.000\",\"close\":1.30,\"count\":2}\n",
    ];

    fn rendered(format: Format, header: &str, rows: &[&str]) -> Rendered {
        let bytes = [header.as_bytes(), &rows.concat().into_bytes()].concat();
        Rendered { format, bytes, header_len: header.len(), rows: rows.len() }
    }

    fn mangled(fault: Fault, good: &Rendered) -> (&'static str, String) {
        let bad = mangle(fault, good).unwrap();
        match bad.body {
            MangledBody::Whole(bytes) => (bad.content_type, String::from_utf8(bytes).unwrap()),
            MangledBody::HugeLine => panic!("{fault:?} is not a huge line"),
        }
    }

    fn csv(fault: Fault) -> String {
        let (content_type, text) = mangled(fault, &rendered(Format::Csv, HEADER, &ROWS));
        assert_eq!(content_type, "text/csv", "{fault:?}");
        text
    }

    fn ndjson(fault: Fault) -> String {
        mangled(fault, &rendered(Format::Ndjson, "", &NDJSON)).1
    }

    #[test]
    fn stray_date_moves_the_middle_timestamp_to_the_next_valid_day() {
        let moved = "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-03-01T09:31:00.000,1.30,2\n";
        assert_eq!(csv(Fault::StrayDate), [HEADER, ROWS[0], moved, ROWS[2], ROWS[3]].concat());
        assert_eq!(ndjson(Fault::StrayDate), NDJSON[0].replace("02-28", "03-01") + NDJSON[1]);
    }

    #[test]
    fn duplicate_repeats_the_middle_row() {
        assert_eq!(csv(Fault::Duplicate), [HEADER, ROWS[0], ROWS[1], ROWS[1], ROWS[3]].concat());
    }

    #[test]
    fn off_session_stamps_the_last_row_after_the_close() {
        let late = "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T16:05:00.000,1.15,3\n";
        assert_eq!(csv(Fault::OffSession), [HEADER, ROWS[0], ROWS[1], ROWS[2], late].concat());
    }

    #[test]
    fn negative_negates_the_middle_close_or_bid() {
        let negated = "\"PLTR\",2025-03-21,91.000,\"CALL\",2025-02-28T09:31:00.000,-1.30,2\n";
        assert_eq!(csv(Fault::Negative), [HEADER, ROWS[0], negated, ROWS[2], ROWS[3]].concat());
        assert_eq!(ndjson(Fault::Negative), NDJSON[0].replace(":1.25", ":-1.25") + NDJSON[1]);
        let quotes = ["2025-02-28T09:30:00.000,10,1.20,12,1.30\n", "2025-02-28T09:31:00.000,11,1.22,9,1.31\n"];
        let good = rendered(Format::Csv, "timestamp,bid_size,bid,ask_size,ask\n", &quotes);
        assert_eq!(
            mangled(Fault::Negative, &good).1,
            "timestamp,bid_size,bid,ask_size,ask\n2025-02-28T09:30:00.000,10,-1.20,12,1.30\n".to_string() + quotes[1]
        );
    }

    #[test]
    fn half_and_header_only_are_clean_short_bodies() {
        assert_eq!(csv(Fault::Half), [HEADER, ROWS[0], ROWS[1]].concat());
        assert_eq!(csv(Fault::HeaderOnly), HEADER);
        assert_eq!(ndjson(Fault::HeaderOnly), "");
    }

    #[test]
    fn cut_value_ends_inside_the_last_row() {
        assert_eq!(csv(Fault::CutValue), [HEADER, ROWS[0], ROWS[1], ROWS[2], "\"PLTR\",2025-03-21,91.000,"].concat());
        assert_eq!(ndjson(Fault::CutValue), NDJSON[0].to_string() + "{\"timestamp\":\"2025-02-28T09:31:");
    }

    #[test]
    fn json_holds_the_rows_as_objects() {
        let (content_type, one_row) = mangled(Fault::Json, &rendered(Format::Csv, HEADER, &ROWS[..1]));
        assert_eq!(content_type, "application/json");
        assert_eq!(
            one_row,
            "{\"response\":[{\"symbol\":\"PLTR\",\"expiration\":\"2025-03-21\",\"strike\":\"91.000\",\"right\":\"CALL\",\
             \"timestamp\":\"2025-02-28T09:30:00.000\",\"close\":\"1.25\",\"count\":\"4\"}]}"
        );
        let document: serde_json::Value =
            serde_json::from_str(&mangled(Fault::Json, &rendered(Format::Csv, HEADER, &ROWS)).1).unwrap();
        assert_eq!(document["response"][3]["timestamp"], "2025-02-28T09:33:00.000");
        assert_eq!(ndjson(Fault::Json), format!("{{\"response\":[{},{}]}}", NDJSON[0].trim(), NDJSON[1].trim()));
    }

    #[test]
    fn html_and_huge_line_replace_the_body() {
        let good = rendered(Format::Csv, HEADER, &ROWS);
        let (content_type, page) = mangled(Fault::Html, &good);
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<table>") && page.contains("<td>"));
        let huge = mangle(Fault::HugeLine, &good).unwrap();
        assert!(matches!(huge.body, MangledBody::HugeLine) && huge.content_type == "text/csv");
    }

    #[test]
    fn only_mangles_mangle_and_a_lone_row_keeps_what_cannot_apply() {
        let good = rendered(Format::Csv, HEADER, &ROWS);
        assert!(Fault::ALL.iter().filter(|f| mangle(**f, &good).is_some()).eq(Fault::MANGLES.iter()));
        let lone = rendered(Format::Csv, HEADER, &ROWS[..1]);
        for fault in [Fault::Duplicate, Fault::Half] {
            assert_eq!(mangled(fault, &lone).1, [HEADER, ROWS[0]].concat(), "{fault:?}");
        }
        assert_eq!(next_day(b"2024-02-28"), Some(*b"2024-02-29"));
        assert_eq!(next_day(b"2025-12-31"), Some(*b"2026-01-01"));
    }
}
