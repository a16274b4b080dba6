//! The run loop: walk the sessions at the strategy's sleeptime, let it act,
//! let the broker fill, settle and mark at each close, and report everything
//! as `RunEvent`s. Synchronous: data not yet loaded is fetched (through the
//! cache) before the call that needs it returns.

use chrono::{DateTime, NaiveDate, Utc};

use super::broker::{Broker, FillData};
use super::events::{DatasetRead, RunEvent};
use super::schedule::iterations;
use super::spec::RunSpec;
use super::strategy::{Context, Strategy, StrategyError};
use crate::cache::Fetcher;
use crate::data::{DataError, MarketView, Representation};
use crate::market::{Asset, Bar, Calendar, QuoteBar, Symbol};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    // `cause`, not `source`: the message already holds it, and an error chain
    // printed whole would say it twice.
    #[error("strategy {strategy} at {time}: {cause}")]
    Strategy { strategy: String, time: String, cause: Box<StrategyError> },
    #[error("data for the broker at {time}: {cause}")]
    Data { time: String, cause: Box<DataError> },
    #[error("the run was cancelled at {0}")]
    Cancelled(String),
}

/// The broker's view of the store. The broker's questions cannot fail, so the
/// first data error is kept here and ends the run right after the call.
struct BrokerView<'a, R: Representation, F> {
    store: &'a mut MarketView<R, F>,
    error: Option<DataError>,
}

impl<R: Representation, F: Fetcher> BrokerView<'_, R, F> {
    fn keep<T>(&mut self, answer: Result<Option<T>, DataError>) -> Option<T> {
        answer.unwrap_or_else(|e| {
            self.error.get_or_insert(e);
            None
        })
    }
}

impl<R: Representation, F: Fetcher> FillData for BrokerView<'_, R, F> {
    fn bar_at_or_after(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<Bar> {
        let answer = self.store.bar_at_or_after(asset, t);
        self.keep(answer)
    }

    fn quote_at(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<QuoteBar> {
        let answer = self.store.quote_at(asset, t);
        self.keep(answer)
    }

    fn underlying_close(&mut self, symbol: Symbol, date: NaiveDate) -> Option<f64> {
        let answer = self.store.close_on(symbol, date);
        self.keep(answer)
    }

    fn last_trade(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<f64> {
        let answer = self.store.last_trade_at(asset, t);
        self.keep(answer)
    }
}

/// Runs `strategy` over `spec.window`, handing every event to `sink`. `keep_going`
/// is asked before each iteration (a pause or a cancel from a UI blocks or
/// returns false there). Returns the broker as it stands after the last close.
pub fn run<R: Representation, F: Fetcher>(
    store: &mut MarketView<R, F>,
    strategy: &mut dyn Strategy,
    spec: &RunSpec,
    sink: &mut dyn FnMut(&RunEvent),
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<Broker, RunError> {
    let mut broker = Broker::new(spec.cash, spec.fees, spec.account);
    let sessions: Vec<NaiveDate> = Calendar::sessions_between(spec.window.start, spec.window.end).collect();
    let name = strategy.name().to_string();
    let failed = |time, source| RunError::Strategy {
        strategy: name.clone(),
        time: crate::market::time::fmt_et(time),
        cause: Box::new(source),
    };
    if let Some(open) = sessions.first().and_then(|d| Calendar::session(*d)).map(|s| s.open) {
        strategy.begin(spec).map_err(|source| failed(open, source))?;
    }
    let mut loads_seen = 0;
    let mut report_datasets = |store: &MarketView<R, F>, time, sink: &mut dyn FnMut(&RunEvent)| {
        if store.loads() != loads_seen {
            loads_seen = store.loads();
            let datasets = store.datasets_read().into_iter().map(|(key, window)| DatasetRead { key, window }).collect();
            sink(&RunEvent::DatasetsRead { time, datasets });
        }
    };
    for (index, &date) in sessions.iter().enumerate() {
        for now in iterations(date, strategy.sleep()) {
            if !keep_going() {
                return Err(RunError::Cancelled(crate::market::time::fmt_et(now)));
            }
            store.set_now(now);
            sink(&RunEvent::Progress { time: now, session: index + 1, sessions: sessions.len() });
            let mut ctx = Context { data: &mut *store, broker: &mut broker };
            strategy.iterate(&mut ctx).map_err(|source| failed(now, source))?;
            let events = with_view(store, now, |view| broker.process(now, view))?;
            deliver(&events, strategy, sink);
            report_datasets(store, now, sink);
        }
        let Some(close) = Calendar::session(date).map(|s| s.close) else { continue };
        store.set_now(close);
        let events = with_view(store, close, |view| broker.end_of_session(date, view))?;
        deliver(&events, strategy, sink);
        let valuation = with_view(store, close, |view| broker.mark_to_market(close, view))?;
        report_datasets(store, close, sink);
        sink(&RunEvent::Equity { time: close, valuation });
        deliver(&broker.take_events(), strategy, sink);
        sink(&RunEvent::Counters { time: close, metrics: store.loader().metrics().snapshot() });
    }
    strategy.end();
    Ok(broker)
}

fn with_view<R: Representation, F: Fetcher, T>(
    store: &mut MarketView<R, F>,
    time: DateTime<Utc>,
    call: impl FnOnce(&mut BrokerView<'_, R, F>) -> T,
) -> Result<T, RunError> {
    let mut view = BrokerView { store, error: None };
    let answer = call(&mut view);
    match view.error {
        Some(source) => Err(RunError::Data { time: crate::market::time::fmt_et(time), cause: Box::new(source) }),
        None => Ok(answer),
    }
}

fn deliver(events: &[RunEvent], strategy: &mut dyn Strategy, sink: &mut dyn FnMut(&RunEvent)) {
    for event in events {
        strategy.on_event(event);
        sink(event);
    }
}
