//! The market vocabulary every other layer speaks: assets, timesteps, the bar
//! schema, the NYSE calendar and Eastern-time conversion. Depends on nothing else
//! in the crate.

pub mod asset;
pub mod bars;
pub mod calendar;
pub mod conversion;
mod parse_error;
pub mod symbol;
pub mod time;
pub mod timestep;

pub use asset::{Asset, OptionContract, Right, Strike};
pub use bars::{Bar, DataStyle, Greeks, QuoteBar};
pub use calendar::{Calendar, Session};
pub use parse_error::AssetParseError;
pub use symbol::Symbol;
pub use timestep::Timestep;
