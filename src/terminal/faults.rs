//! Fault injection: which kinds of failure the server fakes, and how often.
//! Parsed from `--faults`, e.g. `429=0.05,truncate=0.02,slow-ms=500`, `all=0.2`
//! or `mangle=0.1,stray-date=0.05`.

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
    /// 472 "no data", worded like the real one, for a request that has data.
    NoData,
    /// The middle row is dated one day later.
    StrayDate,
    /// The row after the middle one repeats the middle one.
    Duplicate,
    /// The last row is stamped 16:05, after the session.
    OffSession,
    /// The middle row's close (or bid) is negative.
    Negative,
    /// The first half of the rows, as a clean, complete body.
    Half,
    /// A clean body that ends inside the last row.
    CutValue,
    /// The CSV header and no rows (an empty NDJSON body).
    HeaderOnly,
    /// The rows as a JSON document instead of the requested format.
    Json,
    /// An HTML page instead of data.
    Html,
    /// 50 MiB without a newline.
    HugeLine,
}

impl Fault {
    /// Every kind, in fault-stream order.
    pub const ALL: [Fault; 18] = [
        Fault::Throttled,
        Fault::Disconnected,
        Fault::Starting,
        Fault::Internal,
        Fault::Slow,
        Fault::Truncate,
        Fault::Drop,
        Fault::NoData,
        Fault::StrayDate,
        Fault::Duplicate,
        Fault::OffSession,
        Fault::Negative,
        Fault::Half,
        Fault::CutValue,
        Fault::HeaderOnly,
        Fault::Json,
        Fault::Html,
        Fault::HugeLine,
    ];

    /// What `all=R` spreads over: a struggling terminal or network.
    pub const OUTAGES: [Fault; 7] = [
        Fault::Throttled,
        Fault::Disconnected,
        Fault::Starting,
        Fault::Internal,
        Fault::Slow,
        Fault::Truncate,
        Fault::Drop,
    ];

    /// What `mangle=R` spreads over: a 200 whose body is wrong.
    pub const MANGLES: [Fault; 10] = [
        Fault::StrayDate,
        Fault::Duplicate,
        Fault::OffSession,
        Fault::Negative,
        Fault::Half,
        Fault::CutValue,
        Fault::HeaderOnly,
        Fault::Json,
        Fault::Html,
        Fault::HugeLine,
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
            Fault::NoData => "472",
            Fault::StrayDate => "stray-date",
            Fault::Duplicate => "duplicate",
            Fault::OffSession => "off-session",
            Fault::Negative => "negative",
            Fault::Half => "half",
            Fault::CutValue => "cut-value",
            Fault::HeaderOnly => "header-only",
            Fault::Json => "json",
            Fault::Html => "html",
            Fault::HugeLine => "huge-line",
        }
    }

    fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// `429, 474, ..., huge-line`: every kind's name, for error messages.
fn kind_names() -> String {
    Fault::ALL.map(Fault::name).join(", ")
}

/// Why a `--faults` spec was rejected; each names the bad part.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultSpecError {
    #[error("bad fault entry {0:?}: expected kind=value, e.g. 429=0.05")]
    NotKeyValue(String),
    #[error("unknown fault kind {0:?}: use {kinds}, all, mangle or slow-ms", kinds = kind_names())]
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
    rates: [f64; Fault::ALL.len()],
    pub slow_delay: Duration,
}

impl Default for FaultSpec {
    fn default() -> FaultSpec {
        FaultSpec { rates: [0.0; Fault::ALL.len()], slow_delay: Duration::from_millis(2000) }
    }
}

/// Seed of the fault stream: fixed, so a given request order always meets the same faults.
const FAULT_SEED: &[u8] = b"thetabench-faults";

impl FaultSpec {
    pub fn none() -> FaultSpec {
        FaultSpec::default()
    }

    /// Gives each of `kinds` an equal share of `rate`.
    fn spread(&mut self, kinds: &[Fault], rate: f64) {
        for kind in kinds {
            self.rates[*kind as usize] = rate / kinds.len() as f64;
        }
    }

    pub fn rate(&self, fault: Fault) -> f64 {
        self.rates[fault as usize]
    }

    pub fn is_none(&self) -> bool {
        self.rates.iter().all(|r| *r == 0.0)
    }

    /// Whether the `n`-th request, a range of intraday days, leaves `day` out:
    /// the 472 fault drawn day by day, as a terminal without a day's data
    /// leaves it out of a range (and answers 472 when asked for it alone).
    pub fn leaves_out(&self, n: u64, day: chrono::NaiveDate) -> bool {
        let rate = self.rate(Fault::NoData);
        if rate == 0.0 {
            return false;
        }
        let day = chrono::Datelike::num_days_from_ce(&day).to_le_bytes();
        Rng::keyed(&[FAULT_SEED, b"left out", &n.to_le_bytes(), &day]).uniform() < rate
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

    /// `none` or empty for no faults; `all=R` spreads R evenly over the
    /// outages, `mangle=R` over the mangles, and explicit kinds override their
    /// share, in any order.
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
                "all" => out.spread(&Fault::OUTAGES, parse_rate(entry, value)?),
                "mangle" => out.spread(&Fault::MANGLES, parse_rate(entry, value)?),
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
    fn parses_kinds_wildcards_and_delay() {
        let spec: FaultSpec = "429=0.1, truncate=0.05,stray-date=0.02,slow-ms=30".parse().unwrap();
        assert_eq!(spec.rate(Fault::Throttled), 0.1);
        assert_eq!(spec.rate(Fault::Truncate), 0.05);
        assert_eq!(spec.rate(Fault::StrayDate), 0.02);
        assert_eq!(spec.rate(Fault::Drop), 0.0);
        assert_eq!(spec.slow_delay, Duration::from_millis(30));
        let all: FaultSpec = "all=0.7".parse().unwrap();
        assert!(Fault::OUTAGES.iter().all(|f| (all.rate(*f) - 0.1).abs() < 1e-12));
        let mangle: FaultSpec = "mangle=0.5".parse().unwrap();
        assert!(Fault::MANGLES.iter().all(|f| (mangle.rate(*f) - 0.05).abs() < 1e-12));
        let overridden: FaultSpec = "drop=0.3,all=0.35,mangle=0.2,html=0.01".parse().unwrap();
        assert_eq!((overridden.rate(Fault::Drop), overridden.rate(Fault::Html)), (0.3, 0.01));
        assert!("none".parse::<FaultSpec>().unwrap().is_none());
        assert_eq!(FaultSpec::default().slow_delay, Duration::from_millis(2000));
        assert_eq!(spec.to_string().parse::<FaultSpec>().unwrap(), spec);
        for kind in Fault::ALL {
            assert_eq!(Fault::ALL[kind as usize], kind, "rates are indexed by declaration order");
            assert_eq!(Fault::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn rejects_bad_specs_naming_the_part() {
        let err = |s: &str| s.parse::<FaultSpec>().unwrap_err().to_string();
        assert!(err("429").contains("\"429\""));
        assert!(err("404=0.1").contains("\"404\""));
        assert!(err("404=0.1").contains("472, stray-date,"), "{}", err("404=0.1"));
        assert!(err("429=lots").contains("429=lots"));
        assert!(err("429=1.5").contains("429=1.5"));
        assert!(err("slow-ms=-3").contains("slow-ms=-3"));
        assert!(err("429=0.6,500=0.6").contains("more than 1"));
        assert!(err("all=0.6,mangle=0.6").contains("more than 1"));
    }

    #[test]
    fn picks_reproducibly_at_about_the_rate() {
        let spec: FaultSpec = "all=0.35".parse().unwrap();
        let picks: Vec<Option<Fault>> = (0..10_000).map(|n| spec.pick(n)).collect();
        assert_eq!(picks, (0..10_000).map(|n| spec.pick(n)).collect::<Vec<_>>());
        let faulted = picks.iter().filter(|p| p.is_some()).count();
        assert!((3_200..3_800).contains(&faulted), "{faulted}");
        for kind in Fault::OUTAGES {
            assert!(picks.contains(&Some(kind)), "{kind:?} occurs");
        }
        assert!((0..1000).all(|n| FaultSpec::none().pick(n).is_none()));
    }

    /// How often each kind is picked in the first 10,000 requests.
    fn pick_counts(spec: &FaultSpec) -> [usize; Fault::ALL.len()] {
        let mut counts = [0; Fault::ALL.len()];
        for fault in (0..10_000).filter_map(|n| spec.pick(n)) {
            counts[fault as usize] += 1;
        }
        counts
    }

    #[test]
    fn all_keeps_its_stream_and_never_mangles() {
        // What `all=0.35` picked before 472 and the mangles existed.
        let spec: FaultSpec = "all=0.35".parse().unwrap();
        let counts = pick_counts(&spec);
        assert_eq!(counts[..7], [502, 484, 485, 504, 484, 488, 514]);
        assert!(counts[7..].iter().all(|c| *c == 0), "{counts:?}");
        let first: Vec<(u64, Fault)> = (0..15).filter_map(|n| spec.pick(n).map(|f| (n, f))).collect();
        assert_eq!(first, [(6, Fault::Starting), (9, Fault::Truncate), (12, Fault::Throttled), (14, Fault::Throttled)]);
    }

    #[test]
    fn mangle_spreads_over_the_mangles_only() {
        let counts = pick_counts(&"mangle=0.5".parse().unwrap());
        for kind in Fault::ALL {
            let count = counts[kind as usize];
            if Fault::MANGLES.contains(&kind) {
                assert!((400..600).contains(&count), "{kind:?} picked {count} times");
            } else {
                assert_eq!(count, 0, "{kind:?} is not a mangle");
            }
        }
    }
}
