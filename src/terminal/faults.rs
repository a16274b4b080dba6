//! Fault injection: which kinds of failure the server fakes, and how often.
//! Parsed from `--faults`, e.g. `429=0.05,truncate=0.02,slow-ms=500` or `all=0.2`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::rng::Rng;

/// One way an answer can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 Too Many Requests.
    Throttled,
    /// 474: the terminal lost its upstream connection.
    Disconnected,
    /// 571: the server is starting.
    Starting,
    /// 500 Internal Server Error.
    Internal,
    /// The real answer, after a delay.
    Slow,
    /// The header and part of the rows, then the connection is dropped.
    Truncate,
    /// The connection is dropped before any row.
    Drop,
}

impl Fault {
    pub const ALL: [Fault; 7] = [
        Fault::Throttled,
        Fault::Disconnected,
        Fault::Starting,
        Fault::Internal,
        Fault::Slow,
        Fault::Truncate,
        Fault::Drop,
    ];

    /// The name used in `--faults`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Throttled => "429",
            Fault::Disconnected => "474",
            Fault::Starting => "571",
            Fault::Internal => "500",
            Fault::Slow => "slow",
            Fault::Truncate => "truncate",
            Fault::Drop => "drop",
        }
    }

    fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Why a `--faults` spec was rejected; each names the bad part.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultSpecError {
    #[error("bad fault entry {0:?}: expected kind=value, e.g. 429=0.05")]
    NotKeyValue(String),
    #[error("unknown fault kind {0:?}: use 429, 474, 571, 500, slow, truncate, drop, all or slow-ms")]
    UnknownKind(String),
    #[error("bad fault rate in {0:?}: expected a number from 0 to 1")]
    BadRate(String),
    #[error("bad slow-ms in {0:?}: expected whole milliseconds")]
    BadDelay(String),
    #[error("fault rates add up to {0}, more than 1")]
    TooMuch(f64),
}

/// How often each fault happens (probability per data request) and how slow a slow answer is.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    rates: [f64; 7],
    pub slow_delay: Duration,
}

impl Default for FaultSpec {
    fn default() -> FaultSpec {
        FaultSpec { rates: [0.0; 7], slow_delay: Duration::from_millis(2000) }
    }
}

/// Seed of the fault stream: fixed, so a given request order always meets the same faults.
const FAULT_SEED: &[u8] = b"thetabench-faults";

impl FaultSpec {
    pub fn none() -> FaultSpec {
        FaultSpec::default()
    }

    pub fn rate(&self, fault: Fault) -> f64 {
        self.rates[fault as usize]
    }

    pub fn is_none(&self) -> bool {
        self.rates.iter().all(|r| *r == 0.0)
    }

    /// The fault (if any) for the server's `n`-th data request.
    pub fn pick(&self, n: u64) -> Option<Fault> {
        if self.is_none() {
            return None;
        }
        let mut draw = Rng::keyed(&[FAULT_SEED, &n.to_le_bytes()]).uniform();
        for fault in Fault::ALL {
            draw -= self.rate(fault);
            if draw < 0.0 {
                return Some(fault);
            }
        }
        None
    }
}

fn parse_rate(entry: &str, value: &str) -> Result<f64, FaultSpecError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| FaultSpecError::BadRate(entry.to_string()))
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    /// `none` or empty for no faults; `all=R` spreads R evenly over the seven
    /// kinds and explicit kinds override their share, in any order.
    fn from_str(spec: &str) -> Result<FaultSpec, FaultSpecError> {
        let mut out = FaultSpec::default();
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
            return Ok(out);
        }
        let mut explicit = Vec::new();
        for entry in spec.split(',').map(str::trim) {
            let (kind, value) = entry.split_once('=').ok_or_else(|| FaultSpecError::NotKeyValue(entry.to_string()))?;
            match kind.trim() {
                "all" => out.rates = [parse_rate(entry, value)? / 7.0; 7],
                "slow-ms" => {
                    let ms = value.trim().parse().map_err(|_| FaultSpecError::BadDelay(entry.to_string()))?;
                    out.slow_delay = Duration::from_millis(ms);
                }
                name => match Fault::from_name(name) {
                    Some(fault) => explicit.push((fault, parse_rate(entry, value)?)),
                    None => return Err(FaultSpecError::UnknownKind(name.to_string())),
                },
            }
        }
        for (fault, rate) in explicit {
            out.rates[fault as usize] = rate;
        }
        let total: f64 = out.rates.iter().sum();
        if total > 1.0 + 1e-9 {
            return Err(FaultSpecError::TooMuch(total));
        }
        Ok(out)
    }
}

impl fmt::Display for FaultSpec {
    /// The spec in `--faults` form, `none` when there are none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        let parts: Vec<String> = Fault::ALL
            .iter()
            .filter(|k| self.rate(**k) > 0.0)
            .map(|k| format!("{}={}", k.name(), self.rate(*k)))
            .collect();
        write!(f, "{},slow-ms={}", parts.join(","), self.slow_delay.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kinds_all_and_delay() {
        let spec: FaultSpec = "429=0.1, truncate=0.05,slow-ms=30".parse().unwrap();
        assert_eq!(spec.rate(Fault::Throttled), 0.1);
        assert_eq!(spec.rate(Fault::Truncate), 0.05);
        assert_eq!(spec.rate(Fault::Drop), 0.0);
        assert_eq!(spec.slow_delay, Duration::from_millis(30));
        let all: FaultSpec = "all=0.7".parse().unwrap();
        assert!(Fault::ALL.iter().all(|f| (all.rate(*f) - 0.1).abs() < 1e-12));
        let overridden: FaultSpec = "drop=0.3,all=0.7".parse().unwrap();
        assert_eq!(overridden.rate(Fault::Drop), 0.3);
        assert!("none".parse::<FaultSpec>().unwrap().is_none());
        assert_eq!(FaultSpec::default().slow_delay, Duration::from_millis(2000));
        assert_eq!(spec.to_string().parse::<FaultSpec>().unwrap(), spec);
    }

    #[test]
    fn rejects_bad_specs_naming_the_part() {
        let err = |s: &str| s.parse::<FaultSpec>().unwrap_err().to_string();
        assert!(err("429").contains("\"429\""));
        assert!(err("404=0.1").contains("\"404\""));
        assert!(err("429=lots").contains("429=lots"));
        assert!(err("429=1.5").contains("429=1.5"));
        assert!(err("slow-ms=-3").contains("slow-ms=-3"));
        assert!(err("429=0.6,500=0.6").contains("more than 1"));
    }

    #[test]
    fn picks_reproducibly_at_about_the_rate() {
        let spec: FaultSpec = "all=0.35".parse().unwrap();
        let picks: Vec<Option<Fault>> = (0..10_000).map(|n| spec.pick(n)).collect();
        assert_eq!(picks, (0..10_000).map(|n| spec.pick(n)).collect::<Vec<_>>());
        let faulted = picks.iter().filter(|p| p.is_some()).count();
        assert!((3_200..3_800).contains(&faulted), "{faulted}");
        for kind in Fault::ALL {
            assert!(picks.contains(&Some(kind)), "{kind:?} occurs");
        }
        assert!((0..1000).all(|n| FaultSpec::none().pick(n).is_none()));
    }
}
