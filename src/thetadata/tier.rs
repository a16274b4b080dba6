//! ThetaData subscription tiers. A tier caps how many requests the terminal
//! serves at once, so it sizes the client's semaphore.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tier {
    Free,
    Value,
    #[default]
    Standard,
    Pro,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Free, Tier::Value, Tier::Standard, Tier::Pro];

    /// Requests the terminal serves in parallel for this tier (the v3 docs' figures).
    pub fn concurrency(self) -> usize {
        match self {
            Tier::Free => 1,
            Tier::Value => 2,
            Tier::Standard => 4,
            Tier::Pro => 8,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Value => "value",
            Tier::Standard => "standard",
            Tier::Pro => "pro",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tier {0:?}: use free, value, standard or pro")]
pub struct TierParseError(pub String);

impl FromStr for Tier {
    type Err = TierParseError;

    /// Case-insensitive, so `--tier PRO` and `--tier pro` both work.
    fn from_str(s: &str) -> Result<Tier, TierParseError> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| TierParseError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_round_trips() {
        assert_eq!("PRO".parse::<Tier>(), Ok(Tier::Pro));
        assert_eq!("Value".parse::<Tier>(), Ok(Tier::Value));
        for tier in Tier::ALL {
            assert_eq!(tier.to_string().parse::<Tier>(), Ok(tier));
        }
        assert!("gold".parse::<Tier>().unwrap_err().to_string().contains("\"gold\""));
    }

    #[test]
    fn concurrency_by_tier() {
        let caps: Vec<usize> = Tier::ALL.iter().map(|t| t.concurrency()).collect();
        assert_eq!(caps, [1, 2, 4, 8]);
        assert_eq!(Tier::default(), Tier::Standard);
    }
}
