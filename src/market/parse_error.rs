//! What went wrong reading an asset from text, or any part of one: a symbol, an
//! option root, an expiration, a right, a strike. A leaf, so `symbol` and `asset`
//! both report through it without reading each other.

/// What went wrong parsing an asset; each variant names the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssetParseError {
    #[error("empty asset symbol")]
    Empty,
    #[error("asset {0:?} has whitespace around it: a symbol is never padded, so this is likely a typo")]
    Padded(String),
    #[error("bad symbol {0:?}: use 1-10 letters, digits or '.'")]
    Symbol(String),
    #[error("bad option root {root:?} in {input:?}: use 1-6 letters, digits or '.'")]
    Root { input: String, root: String },
    #[error("bad expiration {part:?} in {input:?}: {why}")]
    Expiration { input: String, part: String, why: &'static str },
    #[error("bad right {part:?} in {input:?}: use C, P, CALL or PUT")]
    Right { input: String, part: String },
    #[error("bad strike {part:?} in {input:?}: {why}")]
    Strike { input: String, part: String, why: &'static str },
    #[error(
        "malformed option symbol {input:?}: expected OCC `ROOT YYMMDD C|P 00000000` or `ROOT YYYY-MM-DD STRIKE C|P`"
    )]
    Shape { input: String },
}
