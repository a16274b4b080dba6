//! The simulated clock: the instants a strategy runs at, across NYSE sessions.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::market::Calendar;

/// How often a strategy runs within a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sleep {
    /// Once per session, at the open.
    DailyAtOpen,
    /// At the open and every N minutes while the session lasts.
    EveryMinutes(u32),
}

/// The iterations of one session, in order; empty on a day without a session.
pub fn iterations(date: NaiveDate, sleep: Sleep) -> Vec<DateTime<Utc>> {
    let Some(session) = Calendar::session(date) else { return Vec::new() };
    match sleep {
        Sleep::DailyAtOpen => vec![session.open],
        Sleep::EveryMinutes(n) => {
            let step = Duration::minutes(i64::from(n.max(1)));
            std::iter::successors(Some(session.open), |t| Some(*t + step)).take_while(|t| *t < session.close).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterations_follow_the_session() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(iterations(d("2025-03-10"), Sleep::DailyAtOpen)[0].to_rfc3339(), "2025-03-10T13:30:00+00:00");
        assert_eq!(iterations(d("2025-03-10"), Sleep::EveryMinutes(30)).len(), 13);
        assert_eq!(iterations(d("2025-11-28"), Sleep::EveryMinutes(1)).len(), 210);
        assert!(iterations(d("2025-03-08"), Sleep::DailyAtOpen).is_empty());
    }
}
