//! Summary statistics of a run's equity curve and trades.

use serde::{Deserialize, Serialize};

use super::record::{EquityPoint, TradeRow};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    pub initial_value: f64,
    pub final_value: f64,
    pub total_return: f64,
    pub cagr: f64,
    /// The deepest fall from a running peak, as a positive fraction.
    pub max_drawdown: f64,
    /// Annualized (√252) mean over standard deviation of daily returns; 0 when flat.
    pub sharpe: f64,
    pub trades: usize,
    /// Fills that realized a gain over fills that realized any P&L (a
    /// break-even close counts as neither), settlements always counted.
    pub win_rate: f64,
}

/// The fall below the running peak at each point, as a positive fraction; the peak
/// starts at the run's initial value, so a run that only loses has a drawdown too.
pub fn drawdowns(initial: f64, totals: impl IntoIterator<Item = f64>) -> impl Iterator<Item = f64> {
    let mut peak = initial;
    totals.into_iter().map(move |total| {
        peak = peak.max(total);
        if peak > 0.0 { 1.0 - total / peak } else { 0.0 }
    })
}

pub fn performance(initial: f64, equity: &[EquityPoint], trades: &[TradeRow]) -> Performance {
    let final_value = equity.last().map_or(initial, |p| p.total);
    let total_return = if initial > 0.0 { final_value / initial - 1.0 } else { 0.0 };
    let years = match (equity.first(), equity.last()) {
        (Some(a), Some(b)) => ((b.time - a.time).num_days() as f64 / 365.25).max(1.0 / 365.25),
        _ => 0.0,
    };
    let cagr = if years > 0.0 && final_value > 0.0 && initial > 0.0 {
        (final_value / initial).powf(1.0 / years) - 1.0
    } else {
        0.0
    };
    let max_drawdown = drawdowns(initial, equity.iter().map(|p| p.total)).fold(0.0, f64::max);
    let values: Vec<f64> = std::iter::once(initial).chain(equity.iter().map(|p| p.total)).collect();
    let returns: Vec<f64> = values.windows(2).filter(|w| w[0] != 0.0).map(|w| w[1] / w[0] - 1.0).collect();
    let sharpe = if returns.len() > 1 {
        let mean = returns.iter().sum::<f64>() / returns.len() as f64;
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (returns.len() - 1) as f64;
        if var > 0.0 { mean / var.sqrt() * 252f64.sqrt() } else { 0.0 }
    } else {
        0.0
    };
    let closing: Vec<&TradeRow> = trades.iter().filter(|t| t.realized_pnl != 0.0 || t.event == "settlement").collect();
    let wins = closing.iter().filter(|t| t.realized_pnl > 0.0).count();
    Performance {
        initial_value: initial,
        final_value,
        total_return,
        cagr,
        max_drawdown,
        sharpe,
        trades: trades.iter().filter(|t| t.is_trade()).count(),
        win_rate: if closing.is_empty() { 0.0 } else { wins as f64 / closing.len() as f64 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn curve(values: &[f64]) -> Vec<EquityPoint> {
        let start = Utc.with_ymd_and_hms(2025, 3, 3, 21, 0, 0).unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, v)| EquityPoint {
                time: start + Duration::days(i as i64),
                cash: *v,
                positions_value: 0.0,
                total: *v,
            })
            .collect()
    }

    #[test]
    fn drawdown_return_and_sharpe() {
        let p = performance(100.0, &curve(&[110.0, 99.0, 121.0]), &[]);
        assert!((p.total_return - 0.21).abs() < 1e-12);
        assert!((p.max_drawdown - 0.1).abs() < 1e-12, "110 -> 99 is the deepest fall");
        assert!(p.sharpe > 0.0);
        let losing = performance(100.0, &curve(&[90.0, 95.0]), &[]);
        assert!((losing.max_drawdown - 0.1).abs() < 1e-12, "the peak starts at the initial value");
        let flat = performance(100.0, &curve(&[100.0, 100.0]), &[]);
        assert_eq!((flat.sharpe, flat.max_drawdown, flat.total_return), (0.0, 0.0, 0.0));
    }
}
