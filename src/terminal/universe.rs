//! The symbols the simulated terminal knows, with the parameters of their
//! synthetic price paths. Anything else answers 472, like an unlisted symbol.

/// Stock or index: indices have no quotes and no volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stock,
    Index,
}

/// One symbol's synthetic-market parameters.
#[derive(Debug)]
pub struct Profile {
    pub symbol: &'static str,
    pub kind: Kind,
    /// The price on the first session of 2025 (about the real one) and the
    /// level the log price reverts to, in dollars.
    pub base_price: f64,
    /// Annualised volatility of log returns.
    pub annual_vol: f64,
    /// Average shares per session (0 for indices).
    pub daily_volume: f64,
}

const fn stock(symbol: &'static str, base_price: f64, annual_vol: f64, daily_volume_millions: f64) -> Profile {
    Profile { symbol, kind: Kind::Stock, base_price, annual_vol, daily_volume: daily_volume_millions * 1e6 }
}

const fn index(symbol: &'static str, base_price: f64, annual_vol: f64) -> Profile {
    Profile { symbol, kind: Kind::Index, base_price, annual_vol, daily_volume: 0.0 }
}

pub const UNIVERSE: [Profile; 24] = [
    stock("HOOD", 45.0, 0.65, 30.0),
    stock("VST", 150.0, 0.55, 8.0),
    stock("STX", 100.0, 0.40, 3.0),
    stock("WDC", 60.0, 0.45, 6.0),
    stock("PLTR", 90.0, 0.60, 60.0),
    stock("APP", 330.0, 0.65, 6.0),
    stock("NRG", 100.0, 0.40, 3.0),
    stock("CCJ", 50.0, 0.45, 5.0),
    stock("CVNA", 230.0, 0.80, 4.0),
    stock("HIMS", 35.0, 0.75, 20.0),
    stock("SPY", 585.0, 0.16, 60.0),
    stock("QQQ", 510.0, 0.21, 40.0),
    stock("IWM", 220.0, 0.22, 30.0),
    stock("AAPL", 235.0, 0.27, 50.0),
    stock("MSFT", 420.0, 0.24, 20.0),
    stock("NVDA", 130.0, 0.50, 250.0),
    stock("TSLA", 380.0, 0.60, 90.0),
    stock("AMZN", 220.0, 0.32, 40.0),
    stock("META", 600.0, 0.38, 12.0),
    stock("GOOGL", 190.0, 0.30, 25.0),
    stock("AMD", 120.0, 0.50, 45.0),
    index("SPX", 5850.0, 0.16),
    index("NDX", 21000.0, 0.21),
    index("VIX", 17.0, 0.90),
];

/// The profile of a known symbol (case-insensitive), with its position in the universe.
pub fn lookup(symbol: &str) -> Option<(usize, &'static Profile)> {
    UNIVERSE.iter().enumerate().find(|(_, p)| p.symbol.eq_ignore_ascii_case(symbol))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_required_symbols_in_any_case() {
        for symbol in ["HOOD", "cvna", "Spy", "NVDA", "SPX", "VIX"] {
            assert!(lookup(symbol).is_some(), "{symbol}");
        }
        assert_eq!(lookup("SPX").map(|(_, p)| p.kind), Some(Kind::Index));
        assert!(lookup("ZZZZ").is_none());
    }
}
