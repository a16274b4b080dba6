//! The streaming CSV decoder: wire bytes in, typed column vectors out, a
//! DataFrame at the end. Built on csv-core's push parser so a response is
//! decoded chunk by chunk as it arrives, never buffered whole.

mod fields;
mod layout;
#[cfg(test)]
mod tests;

use csv_core::{ReadRecordResult, Reader};
use polars::prelude::{Column, DataFrame};

use crate::market::bars::datetime_dtype;

pub use layout::{ColumnSpec, FieldKind, Layout};

/// Why a body could not be decoded; rows are numbered from 1 after the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty body: no CSV header row")]
    NoHeader,
    #[error("missing column `{column}` (header: {header})")]
    MissingColumn { column: &'static str, header: String },
    #[error("row {row}: {fields} field(s) where the header has {expected}; column `{column}` is missing")]
    ShortRow { row: u64, column: String, fields: usize, expected: usize },
    #[error("row {row}, column `{column}`: {value:?} is not {expected}")]
    BadValue { row: u64, column: &'static str, value: String, expected: &'static str },
    #[error("building the frame: {0}")]
    Frame(String),
    #[error("row {row}: a line longer than {limit} bytes")]
    LineTooLong { row: u64, limit: usize },
}

/// The longest CSV line accepted: market-data rows are short, so anything
/// longer is not data, and memory stays bounded whatever a terminal sends.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Decodes a whole body at once (tests, benchmarks, small answers).
pub fn decode_csv(bytes: &[u8], layout: &Layout) -> Result<DataFrame, DecodeError> {
    let mut decoder = CsvDecoder::new(layout.clone());
    decoder.feed(bytes)?;
    decoder.finish()?.into_frame()
}

/// One output column's values.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

/// Where a header position goes: the spec it fills and its output slot (if kept).
#[derive(Debug, Clone, Copy)]
struct Slot {
    field: usize,
    spec: usize,
    out: Option<usize>,
}

/// A push decoder: [`feed`](CsvDecoder::feed) chunks as they arrive, then
/// [`finish`](CsvDecoder::finish). The first record is the header.
pub struct CsvDecoder {
    layout: Layout,
    reader: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    /// Header names and the plan built from them; `None` until the header is read.
    header: Option<(Vec<String>, Vec<Slot>)>,
    values: Vec<Values>,
    rows: u64,
    /// Input bytes of the record being read, against [`MAX_LINE_BYTES`].
    line_bytes: usize,
    clock: fields::EtStamps,
}

impl CsvDecoder {
    pub fn new(layout: Layout) -> CsvDecoder {
        let values = layout
            .columns()
            .iter()
            .filter(|c| c.is_kept())
            .map(|c| match c.kind {
                FieldKind::Float => Values::Float(Vec::new()),
                _ => Values::Int(Vec::new()),
            })
            .collect();
        CsvDecoder {
            layout,
            reader: Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            header: None,
            values,
            rows: 0,
            line_bytes: 0,
            clock: fields::EtStamps::default(),
        }
    }

    /// Data rows decoded so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Pushes the next chunk of the body; a record split across chunks is carried over.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        // csv-core reads an empty input as end of data; an empty chunk is not that.
        if chunk.is_empty() { Ok(()) } else { self.pump(chunk) }
    }

    /// Ends the body: flushes a final record without a newline and hands over the columns.
    pub fn finish(mut self) -> Result<Decoded, DecodeError> {
        self.pump(&[])?;
        if self.header.is_none() {
            return Err(DecodeError::NoHeader);
        }
        let names = self.layout.columns().iter().filter(|c| c.is_kept());
        let columns = names.zip(self.values).map(|(c, v)| (c.name, c.kind, v)).collect();
        Ok(Decoded { rows: self.rows as usize, columns })
    }

    fn pump(&mut self, mut input: &[u8]) -> Result<(), DecodeError> {
        loop {
            let (result, nin, nout, nends) =
                self.reader.read_record(input, &mut self.out[self.out_len..], &mut self.ends[self.ends_len..]);
            input = &input[nin..];
            self.out_len += nout;
            self.ends_len += nends;
            self.line_bytes += nin;
            if self.line_bytes > MAX_LINE_BYTES {
                // Rows are numbered after the header, which is row 0 here.
                let row = if self.header.is_some() { self.rows + 1 } else { 0 };
                return Err(DecodeError::LineTooLong { row, limit: MAX_LINE_BYTES });
            }
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Ok(()),
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let record = Record { data: &self.out[..self.out_len], ends: &self.ends[..self.ends_len] };
                    match &self.header {
                        None => self.header = Some(plan(&self.layout, &record)?),
                        Some((names, slots)) => {
                            self.rows += 1;
                            let row = RowSink { row: self.rows, layout: &self.layout, clock: &mut self.clock };
                            row.take(names, slots, &record, &mut self.values)?;
                        }
                    }
                    self.out_len = 0;
                    self.ends_len = 0;
                    self.line_bytes = 0;
                }
            }
        }
    }
}

/// One parsed record: unescaped field bytes laid end to end, and where each ends.
struct Record<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl Record<'_> {
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Matches the header by name: every required column must appear; order is free.
fn plan(layout: &Layout, header: &Record) -> Result<(Vec<String>, Vec<Slot>), DecodeError> {
    let names: Vec<String> =
        (0..header.len()).map(|i| String::from_utf8_lossy(header.field(i)).trim().to_ascii_lowercase()).collect();
    let mut slots = Vec::new();
    let mut kept = 0;
    for (spec, column) in layout.columns().iter().enumerate() {
        let out = column.is_kept().then(|| {
            kept += 1;
            kept - 1
        });
        match names.iter().position(|n| n == column.wire) {
            Some(field) => slots.push(Slot { field, spec, out }),
            None if column.required => {
                let header = super::error::quote(names.join(",").as_bytes());
                return Err(DecodeError::MissingColumn { column: column.wire, header });
            }
            None => {}
        }
    }
    slots.sort_by_key(|s| s.field);
    Ok((names, slots))
}

/// Parses one data row into the output columns.
struct RowSink<'a> {
    row: u64,
    layout: &'a Layout,
    clock: &'a mut fields::EtStamps,
}

impl RowSink<'_> {
    fn take(self, names: &[String], slots: &[Slot], record: &Record, values: &mut [Values]) -> Result<(), DecodeError> {
        if record.len() < names.len() {
            return Err(DecodeError::ShortRow {
                row: self.row,
                column: names[record.len()].clone(),
                fields: record.len(),
                expected: names.len(),
            });
        }
        for slot in slots {
            let spec = &self.layout.columns()[slot.spec];
            let raw = record.field(slot.field);
            let bad = |expected| DecodeError::BadValue {
                row: self.row,
                column: spec.wire,
                value: String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned(),
                expected,
            };
            let target = slot.out.and_then(|i| values.get_mut(i));
            match (spec.kind, target) {
                (FieldKind::Float, Some(Values::Float(v))) => {
                    v.push(fields::parse_f64(raw).ok_or_else(|| bad("a number"))?)
                }
                (FieldKind::Int, Some(Values::Int(v))) => {
                    v.push(fields::parse_i64(raw).ok_or_else(|| bad("an integer"))?)
                }
                (FieldKind::Timestamp, Some(Values::Int(v))) => {
                    v.push(self.clock.utc_ms(raw).ok_or_else(|| bad("an ET timestamp YYYY-MM-DDTHH:MM:SS.SSS"))?)
                }
                (FieldKind::SessionOpen, Some(Values::Int(v))) => {
                    v.push(self.clock.session_open_ms(raw).ok_or_else(|| bad("a date or ET timestamp"))?)
                }
                (FieldKind::Date, Some(Values::Int(v))) => {
                    v.push(fields::parse_date_days(raw).ok_or_else(|| bad("a date YYYY-MM-DD"))?)
                }
                (FieldKind::Strike, Some(Values::Int(v))) => {
                    let strike = fields::parse_f64(raw).and_then(crate::market::Strike::from_dollars);
                    v.push(i64::from(strike.ok_or_else(|| bad("a strike in dollars"))?.millis()))
                }
                (FieldKind::Right, _) if !fields::is_right(raw) => return Err(bad("CALL, PUT, C or P")),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Decoded columns, in layout order, ready to become a frame or a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    rows: usize,
    columns: Vec<(&'static str, FieldKind, Values)>,
}

impl Decoded {
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// An integer-valued column (timestamps, dates, strikes, sizes) by output name.
    pub fn ints(&self, name: &str) -> Option<&[i64]> {
        self.columns.iter().find(|(n, ..)| *n == name).and_then(|(_, _, v)| match v {
            Values::Int(v) => Some(v.as_slice()),
            Values::Float(_) => None,
        })
    }

    /// A float-valued column (prices) by output name.
    pub fn floats(&self, name: &str) -> Option<&[f64]> {
        self.columns.iter().find(|(n, ..)| *n == name).and_then(|(_, _, v)| match v {
            Values::Float(v) => Some(v.as_slice()),
            Values::Int(_) => None,
        })
    }

    /// The columns as a DataFrame; timestamps become `Datetime(ms, UTC)`.
    pub fn into_frame(self) -> Result<DataFrame, DecodeError> {
        let frame_err = |e: polars::prelude::PolarsError| DecodeError::Frame(e.to_string());
        let mut columns = Vec::with_capacity(self.columns.len());
        for (name, kind, values) in self.columns {
            let column = match values {
                Values::Float(v) => Column::new(name.into(), v),
                Values::Int(v) => Column::new(name.into(), v),
            };
            let column = match kind {
                FieldKind::Timestamp | FieldKind::SessionOpen => column.cast(&datetime_dtype()).map_err(frame_err)?,
                _ => column,
            };
            columns.push(column);
        }
        DataFrame::new(self.rows, columns).map_err(frame_err)
    }
}
