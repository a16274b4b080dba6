//! Tradable assets and their two spellings for options: the OCC symbol
//! (`PLTR250418C00091000`) and a readable form (`PLTR 2025-04-18 91 C`).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::parse_error::AssetParseError;
use super::symbol::Symbol;

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Right {
    Call,
    Put,
}

impl Right {
    /// The single letter used by OCC symbols and the readable form.
    pub fn letter(self) -> char {
        match self {
            Right::Call => 'C',
            Right::Put => 'P',
        }
    }

    /// The word the Theta Terminal puts in responses (`CALL`/`PUT`).
    pub fn wire(self) -> &'static str {
        match self {
            Right::Call => "CALL",
            Right::Put => "PUT",
        }
    }

    /// What exercising one share is worth with the underlying at `spot`:
    /// a call `max(0, spot − strike)`, a put `max(0, strike − spot)`.
    pub fn intrinsic(self, strike: f64, spot: f64) -> f64 {
        match self {
            Right::Call => (spot - strike).max(0.0),
            Right::Put => (strike - spot).max(0.0),
        }
    }

    /// Accepts `C`, `P`, `CALL`, `PUT` in any case.
    pub fn parse(s: &str) -> Option<Right> {
        match s.to_ascii_uppercase().as_str() {
            "C" | "CALL" => Some(Right::Call),
            "P" | "PUT" => Some(Right::Put),
            _ => None,
        }
    }
}

/// A strike price held exactly, in thousandths of a dollar (the OCC unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Strike(u32);

impl Strike {
    pub const fn from_millis(millis: u32) -> Strike {
        Strike(millis)
    }

    pub fn millis(self) -> u32 {
        self.0
    }

    /// Rounds a dollar price to the nearest tenth of a cent; `None` if it is not a
    /// positive price an OCC symbol can carry.
    pub fn from_dollars(dollars: f64) -> Option<Strike> {
        let millis = (dollars * 1000.0).round();
        (dollars.is_finite() && millis > 0.0 && millis < 100_000_000.0).then_some(Strike(millis as u32))
    }

    pub fn dollars(self) -> f64 {
        f64::from(self.0) / 1000.0
    }

    fn parse_dollars(s: &str) -> Result<Strike, &'static str> {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not a decimal number");
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 3 {
            return Err("more precision than a tenth of a cent");
        }
        let whole: u64 = whole.parse().map_err(|_| "too large")?;
        let frac_millis: u64 = format!("{frac:0<3}").parse().map_err(|_| "not a decimal number")?;
        let millis = whole * 1000 + frac_millis;
        if millis == 0 {
            return Err("must be positive");
        }
        u32::try_from(millis).ok().filter(|m| *m < 100_000_000).map(Strike).ok_or("too large for an OCC symbol")
    }
}

impl fmt::Display for Strike {
    /// Dollars without trailing zeros: `91`, `91.5`, `2.125`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// One listed option contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OptionContract {
    pub underlying: Symbol,
    pub expiration: NaiveDate,
    pub strike: Strike,
    pub right: Right,
}

/// Shares of the underlying one listed equity option contract stands for.
pub const OPTION_MULTIPLIER: f64 = 100.0;

impl OptionContract {
    /// The session the contract last trades and settles in: its expiration, or
    /// the session before when that date is a holiday (e.g. Good Friday 2025-04-18).
    pub fn last_trading_day(&self) -> NaiveDate {
        crate::market::Calendar::session_on_or_before(self.expiration)
    }

    /// The OCC symbol without padding, e.g. `PLTR250418C00091000`.
    pub fn occ(&self) -> String {
        format!(
            "{}{}{}{:08}",
            self.underlying,
            self.expiration.format("%y%m%d"),
            self.right.letter(),
            self.strike.millis()
        )
    }

    /// Parses an OCC symbol; the root may be padded with spaces to six characters.
    pub fn parse_occ(input: &str) -> Result<OptionContract, AssetParseError> {
        let compact = input.trim();
        let shape = || AssetParseError::Shape { input: input.to_string() };
        if compact.len() < 16 || !compact.is_ascii() {
            return Err(shape());
        }
        let split = compact.len() - 15;
        let (root, tail) = compact.split_at(split);
        let root = root.trim_end();
        let (date, rest) = tail.split_at(6);
        let (right, strike) = rest.split_at(1);
        let underlying = parse_root(input, root)?;
        if !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AssetParseError::Expiration {
                input: input.to_string(),
                part: date.to_string(),
                why: "expected six digits YYMMDD",
            });
        }
        let expiration = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").map_err(|_| {
            AssetParseError::Expiration { input: input.to_string(), part: date.to_string(), why: "not a calendar date" }
        })?;
        let right = match right {
            "C" | "c" => Right::Call,
            "P" | "p" => Right::Put,
            _ => return Err(AssetParseError::Right { input: input.to_string(), part: right.to_string() }),
        };
        if !strike.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AssetParseError::Strike {
                input: input.to_string(),
                part: strike.to_string(),
                why: "expected eight digits (dollars x 1000)",
            });
        }
        let millis: u32 = strike.parse().map_err(|_| AssetParseError::Strike {
            input: input.to_string(),
            part: strike.to_string(),
            why: "not a number",
        })?;
        if millis == 0 {
            return Err(AssetParseError::Strike {
                input: input.to_string(),
                part: strike.to_string(),
                why: "must be positive",
            });
        }
        Ok(OptionContract { underlying, expiration, strike: Strike(millis), right })
    }

    /// Parses the readable form `ROOT YYYY-MM-DD STRIKE C|P`.
    pub fn parse_readable(input: &str) -> Result<OptionContract, AssetParseError> {
        let parts: Vec<&str> = input.split_whitespace().collect();
        let [root, date, strike, right] = parts[..] else {
            return Err(AssetParseError::Shape { input: input.to_string() });
        };
        let underlying = parse_root(input, root)?;
        let expiration = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| AssetParseError::Expiration {
            input: input.to_string(),
            part: date.to_string(),
            why: "expected YYYY-MM-DD",
        })?;
        let strike = Strike::parse_dollars(strike).map_err(|why| AssetParseError::Strike {
            input: input.to_string(),
            part: strike.to_string(),
            why,
        })?;
        let right = Right::parse(right)
            .ok_or_else(|| AssetParseError::Right { input: input.to_string(), part: right.to_string() })?;
        Ok(OptionContract { underlying, expiration, strike, right })
    }
}

impl fmt::Display for OptionContract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} {}", self.underlying, self.expiration, self.strike, self.right.letter())
    }
}

/// OCC roots are at most six characters.
fn parse_root(input: &str, root: &str) -> Result<Symbol, AssetParseError> {
    Symbol::with_max_len(root, 6)
        .ok_or_else(|| AssetParseError::Root { input: input.to_string(), root: root.to_string() })
}

/// Anything thetabench can fetch bars for. `Copy`: cloning one never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Asset {
    Stock(Symbol),
    Index(Symbol),
    Option(OptionContract),
}

impl Asset {
    /// How many units of the underlying one unit stands for: 100 for an
    /// option contract, 1 for a share or an index.
    pub fn multiplier(&self) -> f64 {
        match self {
            Asset::Option(_) => OPTION_MULTIPLIER,
            Asset::Stock(_) | Asset::Index(_) => 1.0,
        }
    }

    /// A stock by its ticker, validated and upper-cased.
    pub fn stock(symbol: &str) -> Result<Asset, AssetParseError> {
        Symbol::new(symbol).map(Asset::Stock)
    }

    /// The underlying symbol (the symbol itself for stocks and indices).
    pub fn symbol(&self) -> Symbol {
        match self {
            Asset::Stock(s) | Asset::Index(s) => *s,
            Asset::Option(c) => c.underlying,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Asset::Stock(_) => "stock",
            Asset::Index(_) => "index",
            Asset::Option(_) => "option",
        }
    }

    /// The last day the asset trades, for options.
    pub fn expiration(&self) -> Option<NaiveDate> {
        match self {
            Asset::Option(c) => Some(c.expiration),
            _ => None,
        }
    }

    /// A file-name-safe identifier: `PLTR`, `index_SPX`, `PLTR250418C00091000`.
    pub fn slug(&self) -> String {
        match self {
            Asset::Stock(s) => s.to_string(),
            Asset::Index(s) => format!("index_{s}"),
            Asset::Option(c) => c.occ(),
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Asset::Stock(s) => f.write_str(s),
            Asset::Index(s) => write!(f, "^{s}"),
            Asset::Option(c) => c.fmt(f),
        }
    }
}

impl FromStr for Asset {
    type Err = AssetParseError;

    /// `PLTR` is a stock, `^SPX` an index; options in OCC or readable form.
    fn from_str(input: &str) -> Result<Asset, AssetParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(AssetParseError::Empty);
        }
        if s.len() != input.len() {
            return Err(AssetParseError::Padded(input.to_string()));
        }
        if s.contains(char::is_whitespace) {
            // Either the readable form or a space-padded OCC symbol.
            return if s.split_whitespace().count() == 4 {
                OptionContract::parse_readable(s).map(Asset::Option)
            } else {
                OptionContract::parse_occ(s).map(Asset::Option)
            };
        }
        if let Some(index) = s.strip_prefix('^') {
            return Symbol::new(index).map(Asset::Index).map_err(|_| AssetParseError::Symbol(s.to_string()));
        }
        // Anything long with digits in the middle is meant to be an OCC symbol.
        if s.len() >= 16 && s.bytes().any(|b| b.is_ascii_digit()) {
            return OptionContract::parse_occ(s).map(Asset::Option);
        }
        Asset::stock(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pltr() -> OptionContract {
        OptionContract {
            underlying: Symbol::literal("PLTR"),
            expiration: NaiveDate::from_ymd_opt(2025, 4, 18).unwrap(),
            strike: Strike::from_millis(91_000),
            right: Right::Call,
        }
    }

    #[test]
    fn occ_round_trip() {
        let c = OptionContract::parse_occ("PLTR250418C00091000").unwrap();
        assert_eq!(c, pltr());
        assert_eq!(c.occ(), "PLTR250418C00091000");
        assert_eq!(c.to_string(), "PLTR 2025-04-18 91 C");
        assert_eq!(OptionContract::parse_occ("PLTR  250418C00091000").unwrap(), pltr());
    }

    #[test]
    fn readable_round_trip() {
        let c = OptionContract::parse_readable("PLTR 2025-04-18 91 C").unwrap();
        assert_eq!(c, pltr());
        let half = OptionContract::parse_readable("spy 2024-01-19 472.5 put").unwrap();
        assert_eq!(half.occ(), "SPY240119P00472500");
        assert_eq!(half.to_string(), "SPY 2024-01-19 472.5 P");
    }

    #[test]
    fn asset_from_str() {
        assert_eq!("pltr".parse::<Asset>().unwrap(), Asset::stock("PLTR").unwrap());
        assert_eq!("^SPX".parse::<Asset>().unwrap(), Asset::Index(Symbol::literal("SPX")));
        assert_eq!("PLTR250418C00091000".parse::<Asset>().unwrap(), Asset::Option(pltr()));
        assert_eq!("PLTR 2025-04-18 91 C".parse::<Asset>().unwrap(), Asset::Option(pltr()));
    }

    #[test]
    fn malformed_symbols_name_the_bad_part() {
        let err = |s: &str| s.parse::<Asset>().unwrap_err();
        assert_eq!(err(" PLTR"), AssetParseError::Padded(" PLTR".into()));
        assert_eq!(err("PLTR\t"), AssetParseError::Padded("PLTR\t".into()));
        assert!(matches!(err("PLTR251318C00091000"), AssetParseError::Expiration { part, .. } if part == "251318"));
        assert!(matches!(err("PLTR250418X00091000"), AssetParseError::Right { part, .. } if part == "X"));
        assert!(matches!(err("PLTR250418C0009100A"), AssetParseError::Strike { part, .. } if part == "0009100A"));
        assert!(matches!(err("PLTR250418C00000000"), AssetParseError::Strike { .. }));
        assert!(matches!(err("TOOLONGROOT250418C00091000"), AssetParseError::Root { .. }));
        assert!(
            matches!(err("PLTR 2025-02-30 91 C"), AssetParseError::Expiration { part, .. } if part == "2025-02-30")
        );
        assert!(matches!(err("PLTR 2025-04-18 9x1 C"), AssetParseError::Strike { part, .. } if part == "9x1"));
        assert!(matches!(err("PLTR 2025-04-18 91 Q"), AssetParseError::Right { part, .. } if part == "Q"));
        assert!(matches!(err("PLTR 2025-04-18 91.0001 C"), AssetParseError::Strike { .. }));
        assert!(matches!(err("BAD$"), AssetParseError::Symbol(_)));
        assert_eq!(err("  "), AssetParseError::Empty);
        // The message names the part.
        assert!(err("PLTR250418X00091000").to_string().contains("\"X\""));
    }

    #[test]
    fn strike_formats_without_trailing_zeros() {
        assert_eq!(Strike::from_millis(2_125).to_string(), "2.125");
        assert_eq!(Strike::from_dollars(91.5).unwrap().to_string(), "91.5");
        assert_eq!(Strike::from_dollars(0.0), None);
    }
}
