//! The Theta Terminal v3 HTTP client: requests per the wire contract
//! (`docs/wire.md`), a streaming CSV decoder into the bar schema, a
//! tier-sized concurrency cap and a retry policy. It speaks the protocol and
//! nothing more; it does not know a cache exists.

mod client;
pub mod decode;
mod error;
pub mod request;
mod retry;
mod tier;
pub mod validate;

/// Where a Theta Terminal v3 listens by default.
pub const DEFAULT_PORT: u16 = 25503;
/// The default terminal's base URL, on this machine.
pub fn default_base_url() -> String {
    format!("http://127.0.0.1:{DEFAULT_PORT}")
}

pub use client::{ClientConfig, ThetaClient};
pub use decode::{CsvDecoder, DecodeError, Layout, decode_csv};
pub use error::ThetaError;
pub use request::{Request, STATUS_PATH};
pub use tier::{Tier, TierParseError};
pub use validate::{Expect, Invalid};
