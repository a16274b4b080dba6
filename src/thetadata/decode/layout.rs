//! Which wire columns a response must carry and what each becomes. Columns are
//! found by name in the header, so order and extra columns never matter.

use polars::prelude::DataType;

use crate::market::DataStyle;
use crate::market::bars::DATETIME;

/// How one wire field is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// ET wall-clock timestamp -> UTC milliseconds (a `datetime` column).
    Timestamp,
    /// The date of an ET timestamp -> that date's 09:30 ET open in UTC ms; EOD rows
    /// are stamped at their session's open like every other bar.
    SessionOpen,
    Float,
    Int,
    /// A calendar date, kept as days since 0001-01-01.
    Date,
    /// Dollars -> thousandths of a dollar.
    Strike,
    /// `CALL`/`PUT`/`C`/`P` in any case: validated, not kept.
    Right,
}

/// One column of a layout: its name on the wire, its name in the output, its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub wire: &'static str,
    pub name: &'static str,
    pub kind: FieldKind,
    /// A missing required column fails the decode; an optional one is checked if present.
    pub required: bool,
}

impl ColumnSpec {
    pub const fn required(wire: &'static str, name: &'static str, kind: FieldKind) -> ColumnSpec {
        ColumnSpec { wire, name, kind, required: true }
    }

    /// Whether the column ends up in the output (rather than being only validated).
    pub fn is_kept(&self) -> bool {
        self.kind != FieldKind::Right
    }
}

/// The columns one kind of response is decoded into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    columns: Vec<ColumnSpec>,
}

impl Layout {
    pub fn new(columns: Vec<ColumnSpec>) -> Layout {
        Layout { columns }
    }

    /// Intraday bars (`/history/ohlc`, `/history/quote`): the style's schema,
    /// `datetime` from `timestamp`.
    pub fn bars(style: DataStyle) -> Layout {
        Self::stamped_by("timestamp", FieldKind::Timestamp, style)
    }

    /// Daily rows: EOD reports stamped at their session's open, values from
    /// the style's columns of the EOD row (OHLC, or the closing NBBO for
    /// quotes); open interest stamped when it was reported.
    pub fn daily(style: DataStyle) -> Layout {
        match style {
            DataStyle::OpenInterest => Self::stamped_by("timestamp", FieldKind::Timestamp, style),
            _ => Self::stamped_by("created", FieldKind::SessionOpen, style),
        }
    }

    fn stamped_by(wire: &'static str, kind: FieldKind, style: DataStyle) -> Layout {
        let mut columns = vec![ColumnSpec::required(wire, DATETIME, kind)];
        // Value columns take their types from the one schema definition.
        let schema = style.schema();
        for &name in style.value_columns() {
            let kind = if schema.get(name) == Some(&DataType::Int64) { FieldKind::Int } else { FieldKind::Float };
            columns.push(ColumnSpec::required(name, name, kind));
        }
        columns.push(ColumnSpec { wire: "right", name: "right", kind: FieldKind::Right, required: false });
        Layout { columns }
    }

    /// `/v3/option/list/expirations`.
    pub fn expirations() -> Layout {
        Layout { columns: vec![ColumnSpec::required("expiration", "expiration", FieldKind::Date)] }
    }

    /// `/v3/option/list/strikes`.
    pub fn strikes() -> Layout {
        Layout { columns: vec![ColumnSpec::required("strike", "strike", FieldKind::Strike)] }
    }

    pub fn columns(&self) -> &[ColumnSpec] {
        &self.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_layouts_follow_the_schema() {
        let names = |l: Layout| l.columns().iter().filter(|c| c.is_kept()).map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(
            names(Layout::bars(DataStyle::Ohlc)),
            ["datetime", "open", "high", "low", "close", "volume", "count"]
        );
        assert_eq!(names(Layout::daily(DataStyle::Quote)), ["datetime", "bid", "ask", "bid_size", "ask_size"]);
        let quote = Layout::bars(DataStyle::Quote);
        let kind = |n: &str| quote.columns().iter().find(|c| c.name == n).map(|c| c.kind);
        assert_eq!(kind("bid_size"), Some(FieldKind::Int));
        assert_eq!(kind("ask"), Some(FieldKind::Float));
    }
}
