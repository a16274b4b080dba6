//! The Theta Terminal v3 HTTP client: requests per the wire contract
//! (`/work/notes/wire.md`), a streaming CSV decoder into the bar schema, a
//! tier-sized concurrency cap and a retry policy. It speaks the protocol and
//! nothing more; it does not know a cache exists.

mod client;
pub mod decode;
mod error;
pub mod request;
mod retry;
mod tier;
pub mod validate;

pub use client::{ClientConfig, ThetaClient};
pub use decode::{CsvDecoder, DecodeError, Layout, decode_csv};
pub use error::ThetaError;
pub use request::Request;
pub use tier::{Tier, TierParseError};
pub use validate::{Expect, Invalid};
