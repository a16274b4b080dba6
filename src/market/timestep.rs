//! Bar intervals.

use std::fmt;
use std::str::FromStr;

use chrono::Duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timestep {
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "15m")]
    FifteenMinutes,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "1d")]
    Day,
}

impl Timestep {
    pub const ALL: [Timestep; 5] =
        [Timestep::Minute, Timestep::FiveMinutes, Timestep::FifteenMinutes, Timestep::Hour, Timestep::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Timestep::Minute => "1m",
            Timestep::FiveMinutes => "5m",
            Timestep::FifteenMinutes => "15m",
            Timestep::Hour => "1h",
            Timestep::Day => "1d",
        }
    }

    /// Length of one intraday bar; `None` for daily bars, whose length is the session.
    pub fn intraday(self) -> Option<Duration> {
        self.intraday_ms().map(Duration::milliseconds)
    }

    /// [`Timestep::intraday`] in milliseconds, without duration arithmetic: the
    /// data layer asks at every question.
    pub fn intraday_ms(self) -> Option<i64> {
        const MINUTE: i64 = 60_000;
        match self {
            Timestep::Minute => Some(MINUTE),
            Timestep::FiveMinutes => Some(5 * MINUTE),
            Timestep::FifteenMinutes => Some(15 * MINUTE),
            Timestep::Hour => Some(60 * MINUTE),
            Timestep::Day => None,
        }
    }
}

impl fmt::Display for Timestep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown timestep {0:?}: use 1m, 5m, 15m, 1h or 1d")]
pub struct TimestepParseError(pub String);

impl FromStr for Timestep {
    type Err = TimestepParseError;

    fn from_str(s: &str) -> Result<Timestep, TimestepParseError> {
        Timestep::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .or(match s.to_ascii_lowercase().as_str() {
                "minute" => Some(Timestep::Minute),
                "hour" => Some(Timestep::Hour),
                "day" => Some(Timestep::Day),
                _ => None,
            })
            .ok_or_else(|| TimestepParseError(s.to_string()))
    }
}
