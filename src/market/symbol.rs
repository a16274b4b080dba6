//! Tickers and option roots, held inline: an asset is then `Copy`, and comparing,
//! hashing or ordering one is a couple of machine words instead of a heap string.
//! Every strategy question and every portfolio lookup starts with one of these.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::parse_error::AssetParseError;

/// 1 to [`Symbol::MAX_LEN`] ASCII letters, digits or '.', upper-cased.
#[derive(Clone, Copy)]
pub struct Symbol {
    /// The symbol's bytes, then zeros. Zero sorts below every allowed byte, so
    /// comparing the padded arrays orders symbols exactly as strings.
    bytes: [u8; 16],
}

impl Symbol {
    pub const MAX_LEN: usize = 10;

    /// Validates and upper-cases `s`.
    pub fn new(s: &str) -> Result<Symbol, AssetParseError> {
        Symbol::with_max_len(s, Symbol::MAX_LEN).ok_or_else(|| AssetParseError::Symbol(s.to_string()))
    }

    /// A symbol written in the source: upper-case, checked at compile time when
    /// used in a `const`.
    pub const fn literal(s: &str) -> Symbol {
        let given = s.as_bytes();
        assert!(!given.is_empty() && given.len() <= Symbol::MAX_LEN, "a symbol has 1 to 10 characters");
        let mut bytes = [0; 16];
        let mut i = 0;
        while i < given.len() {
            let b = given[i];
            assert!(b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.', "upper-case letters, digits or '.'");
            bytes[i] = b;
            i += 1;
        }
        Symbol { bytes }
    }

    /// `None` unless `s` is 1 to `max` letters, digits or '.'.
    pub(super) fn with_max_len(s: &str, max: usize) -> Option<Symbol> {
        let valid = !s.is_empty() && s.len() <= max.min(Symbol::MAX_LEN);
        if !valid || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return None;
        }
        let mut bytes = [0; 16];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        bytes.make_ascii_uppercase();
        Some(Symbol { bytes })
    }

    pub fn as_str(&self) -> &str {
        let len = self.bytes.iter().position(|b| *b == 0).unwrap_or(self.bytes.len());
        // Only ASCII bytes are ever stored (checked in `with_max_len`).
        std::str::from_utf8(&self.bytes[..len]).unwrap_or_default()
    }

    /// The bytes as one word in native order: enough for equality and hashing.
    fn word(&self) -> u128 {
        u128::from_ne_bytes(self.bytes)
    }
}

impl PartialEq for Symbol {
    fn eq(&self, other: &Symbol) -> bool {
        self.word() == other.word()
    }
}

impl Eq for Symbol {}

impl Ord for Symbol {
    /// Big-endian words compare like their bytes: string order.
    fn cmp(&self, other: &Symbol) -> Ordering {
        u128::from_be_bytes(self.bytes).cmp(&u128::from_be_bytes(other.bytes))
    }
}

impl PartialOrd for Symbol {
    fn partial_cmp(&self, other: &Symbol) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Symbol {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(self.word());
    }
}

impl Deref for Symbol {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Symbol {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Symbol {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::str::FromStr for Symbol {
    type Err = AssetParseError;

    fn from_str(s: &str) -> Result<Symbol, AssetParseError> {
        Symbol::new(s)
    }
}

impl Serialize for Symbol {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Symbol {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Symbol, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Symbol::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_validated_and_upper_cased() {
        assert_eq!(Symbol::new("brk.b").unwrap().as_str(), "BRK.B");
        assert_eq!(Symbol::new("ABCDEFGHIJ").unwrap().len(), 10);
        const SPY: Symbol = Symbol::literal("SPY");
        assert_eq!(SPY, Symbol::new("spy").unwrap());
        for bad in ["", "ABCDEFGHIJK", "PL TR", "PLTR!", "ÄPFEL"] {
            assert!(matches!(Symbol::new(bad), Err(AssetParseError::Symbol(s)) if s == bad), "{bad:?}");
        }
    }

    #[test]
    fn order_is_string_order() {
        let mut words = ["SPY", "A", "AA", "AAPL", "A.B", "Z", "QQQ", "BRK.B", "0DTE", "ABCDEFGHIJ"];
        let mut symbols: Vec<Symbol> = words.iter().map(|w| Symbol::new(w).unwrap()).collect();
        words.sort();
        symbols.sort();
        assert_eq!(symbols.iter().map(|s| s.as_str()).collect::<Vec<_>>(), words);
    }

    #[test]
    fn serde_is_a_plain_string_and_checks_on_the_way_in() {
        let pltr = Symbol::new("PLTR").unwrap();
        assert_eq!(serde_json::to_string(&pltr).unwrap(), "\"PLTR\"");
        assert_eq!(serde_json::from_str::<Symbol>("\"pltr\"").unwrap(), pltr);
        let error = serde_json::from_str::<Symbol>("\"NOT A SYMBOL\"").unwrap_err().to_string();
        assert!(error.contains("NOT A SYMBOL"), "{error}");
        assert_eq!(format!("{pltr:>6}|{pltr:?}"), "  PLTR|\"PLTR\"");
    }
}
