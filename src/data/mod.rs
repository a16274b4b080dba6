//! What a strategy may see: the last complete bars, the last price, the quote
//! and the option chain, all as of the simulated now. Look-ahead is prevented
//! here, by construction, not by the strategies' good manners.
//!
//! One implementation, two representations: the columnar store (Polars, the
//! default) answers with views into Arrow buffers; the row store materializes
//! `Vec<Bar>` on load and is the simple reference parity holds the columnar
//! store to.

mod columns;
mod history;
mod loader;
mod representation;
mod store;
mod visibility;

pub use history::History;
pub use loader::Loader;
pub use representation::{Columnar, Representation, Rows};
pub use store::{MarketView, RepresentationKind};
pub use visibility::visible_bars;

use chrono::{DateTime, NaiveDate, Utc};

use crate::cache::CacheError;
use crate::market::time::utc_from_ms;
use crate::market::{Asset, Greeks, QuoteBar, Strike, Timestep};

/// An NBBO snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub time: DateTime<Utc>,
    pub bid: f64,
    pub ask: f64,
    pub bid_size: i64,
    pub ask_size: i64,
}

impl From<QuoteBar> for Quote {
    fn from(q: QuoteBar) -> Quote {
        Quote { time: utc_from_ms(q.ts_ms), bid: q.bid, ask: q.ask, bid_size: q.bid_size, ask_size: q.ask_size }
    }
}

impl Quote {
    /// The mid when both sides are quoted.
    pub fn mid(&self) -> Option<f64> {
        (self.bid > 0.0 && self.ask > 0.0).then(|| (self.bid + self.ask) / 2.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("{asset} has no {timestep} data as of {now}")]
    NoData { asset: Asset, timestep: Timestep, now: String },
    #[error("{0}")]
    Window(#[from] crate::cache::WindowError),
    #[error("{0:?} was not handed out by this data store")]
    UnknownSeries(SeriesId),
}

/// A handle to one OHLC series (an asset at a timestep) of the store that handed
/// it out. A strategy that asks about the same assets at every iteration resolves
/// handles once and skips the lookup by asset from then on. A handle carries its
/// store's identity, so one kept past its run is an error, never another
/// asset's bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesId {
    store: u64,
    index: usize,
}

/// The questions a strategy may ask. Every answer is as of [`MarketData::now`].
pub trait MarketData {
    fn now(&self) -> DateTime<Utc>;

    /// The last `n` complete bars (fewer if the data begins later).
    fn history(&mut self, asset: &Asset, n: usize, timestep: Timestep) -> Result<History<'_>, DataError>;

    /// A handle to the OHLC series of `asset` at `timestep`, loading it if need be.
    fn series(&mut self, asset: &Asset, timestep: Timestep) -> Result<SeriesId, DataError>;

    /// [`MarketData::history`] of a series by its handle.
    fn history_of(&mut self, series: SeriesId, n: usize) -> Result<History<'_>, DataError>;

    /// The close of the last complete minute bar with a trade.
    fn last_price(&mut self, asset: &Asset) -> Result<Option<f64>, DataError>;

    /// The latest NBBO snapshot.
    fn quote(&mut self, asset: &Asset) -> Result<Option<Quote>, DataError>;

    /// The last `n` NBBO snapshots (one a minute), oldest first; fewer when
    /// the data begins later. A snapshot is known from its own instant on.
    fn quotes(&mut self, asset: &Asset, n: usize) -> Result<Vec<Quote>, DataError>;

    /// The latest greeks of an option that a volatility priced (a snapshot
    /// is known from its own instant on, like the quote it comes from).
    fn greeks(&mut self, asset: &Asset) -> Result<Option<Greeks>, DataError>;

    /// An option's latest open interest and when it was reported (once a
    /// day, before the open: known from then on).
    fn open_interest(&mut self, asset: &Asset) -> Result<Option<(DateTime<Utc>, i64)>, DataError>;

    /// Expirations of `underlying` on or after today.
    fn expirations(&mut self, underlying: &str) -> Result<Vec<NaiveDate>, DataError>;

    /// Strikes listed for one expiration.
    fn strikes(&mut self, underlying: &str, expiration: NaiveDate) -> Result<Vec<Strike>, DataError>;
}
