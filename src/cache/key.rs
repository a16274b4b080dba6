//! Dataset identity and where a dataset lives on disk.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::market::{Asset, DataStyle, Timestep};

/// One dataset: every bar of one asset at one timestep and style.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DatasetKey {
    pub asset: Asset,
    /// The currency prices are quoted in; ThetaData quotes everything in USD.
    pub quote: String,
    pub timestep: Timestep,
    pub style: DataStyle,
}

impl DatasetKey {
    pub fn new(asset: Asset, timestep: Timestep, style: DataStyle) -> DatasetKey {
        DatasetKey { asset, quote: "USD".to_string(), timestep, style }
    }

    /// `<kind>/<timestep>/<style>/<slug>`, relative to the cache root; the data
    /// file and sidecar are named from it.
    pub fn relative_stem(&self) -> PathBuf {
        let quote = if self.quote == "USD" { String::new() } else { format!("_{}", self.quote) };
        [self.asset.kind(), self.timestep.as_str(), self.style.as_str(), &format!("{}{quote}", self.asset.slug())]
            .iter()
            .collect()
    }
}

impl fmt::Display for DatasetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.asset, self.timestep, self.style)
    }
}
