//! The host's answers to a strategy's questions during an iteration, through
//! the same `Context` a built-in strategy uses: what it may see now, and the
//! broker for its orders.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::wire::{self, Columns, FromStrategy};
use crate::data::visible_bars;
use crate::engine::{Context, OrderId};
use crate::market::time::fmt_et_ms;
use crate::market::{Asset, Timestep};

/// Writes the reply to one question into `out`; `Err` for a message that is
/// not a question.
pub fn answer(ctx: &mut Context<'_>, message: FromStrategy, out: &mut Vec<u8>) -> Result<(), String> {
    let reply = match message {
        // The one large reply: written from its columns, not through a `Value`.
        FromStrategy::History { asset, length, timestep, end } => {
            return match history(ctx, &asset, length, &timestep, end) {
                Ok(columns) => write(out, &columns),
                Err(e) => write(out, &refusal(e)),
            };
        }
        FromStrategy::LastPrice { asset } => {
            asset_of(&asset).and_then(|a| ctx.data().last_price(&a).map_err(|e| e.to_string())).map(|p| json!({"ok": true, "price": p}))
        }
        FromStrategy::Quote { asset } => asset_of(&asset).and_then(|a| ctx.data().quote(&a).map_err(|e| e.to_string())).map(|q| {
            let quote = q.map(|q| {
                json!({"time": q.time.timestamp_millis(), "bid": q.bid, "ask": q.ask, "bid_size": q.bid_size, "ask_size": q.ask_size})
            });
            json!({"ok": true, "quote": quote})
        }),
        FromStrategy::Greeks { asset } => {
            asset_of(&asset).and_then(|a| ctx.data().greeks(&a).map_err(|e| e.to_string())).map(|g| {
                let greeks = g.map(|g| {
                    json!({
                        "time": g.ts_ms, "bid": g.bid, "ask": g.ask, "delta": g.delta, "theta": g.theta,
                        "vega": g.vega, "rho": g.rho, "implied_vol": g.implied_vol,
                        "underlying_price": g.underlying_price,
                    })
                });
                json!({"ok": true, "greeks": greeks})
            })
        }
        FromStrategy::OpenInterest { asset } => asset_of(&asset)
            .and_then(|a| ctx.data().open_interest(&a).map_err(|e| e.to_string()))
            .map(|oi| {
                let reported = oi.map(|(time, value)| json!({"time": time.timestamp_millis(), "open_interest": value}));
                json!({"ok": true, "open_interest": reported})
            }),
        FromStrategy::Quotes { asset, length } => asset_of(&asset)
            .and_then(|a| ctx.data().quotes(&a, length).map_err(|e| e.to_string()))
            .map(|quotes| {
                let column = |f: fn(&crate::data::Quote) -> Value| quotes.iter().map(f).collect::<Vec<_>>();
                json!({
                    "ok": true,
                    "time": column(|q| q.time.timestamp_millis().into()),
                    "bid": column(|q| q.bid.into()),
                    "ask": column(|q| q.ask.into()),
                    "bid_size": column(|q| q.bid_size.into()),
                    "ask_size": column(|q| q.ask_size.into()),
                })
            }),
        FromStrategy::Expirations { underlying } => ctx
            .data()
            .expirations(&underlying)
            .map(|dates| json!({"ok": true, "expirations": dates.iter().map(NaiveDate::to_string).collect::<Vec<_>>()}))
            .map_err(|e| e.to_string()),
        FromStrategy::Strikes { underlying, expiration } => NaiveDate::parse_from_str(&expiration, "%Y-%m-%d")
            .map_err(|_| format!("expiration {expiration:?} is not YYYY-MM-DD"))
            .and_then(|e| ctx.data().strikes(&underlying, e).map_err(|e| e.to_string()))
            .map(|strikes| json!({"ok": true, "strikes": strikes.iter().map(|s| s.dollars()).collect::<Vec<_>>()})),
        FromStrategy::PortfolioValue => Ok(json!({"ok": true, "value": ctx.portfolio_value()})),
        FromStrategy::BuyingPower => Ok(json!({"ok": true, "value": ctx.buying_power()})),
        FromStrategy::Submit { asset, side, quantity, kind, limit, stop, tif, tag } => {
            Ok(submit(ctx, &asset, &side, quantity, &kind, limit, stop, &tif, &tag))
        }
        FromStrategy::Cancel { id } => Ok(json!({"ok": true, "cancelled": ctx.cancel(OrderId(id), "cancelled by the strategy")})),
        other => return Err(format!("{other:?} is not a question")),
    };
    write(out, &reply.unwrap_or_else(refusal))
}

fn write(out: &mut Vec<u8>, reply: &impl serde::Serialize) -> Result<(), String> {
    serde_json::to_writer(out, reply).map_err(|e| e.to_string())
}

/// Loads a series the strategy declared it wants, before its first iteration.
pub fn load(ctx: &mut Context<'_>, want: &wire::Want) -> Result<(), String> {
    let (asset, timestep) = (asset_of(&want.asset)?, timestep_of(&want.timestep)?);
    ctx.data().series(&asset, timestep).map(|_| ()).map_err(|e| format!("wants {asset} {timestep}: {e}"))
}

fn refusal(error: String) -> Value {
    json!({"ok": false, "error": error})
}

fn asset_of(name: &str) -> Result<Asset, String> {
    name.parse().map_err(|e| format!("asset {name:?}: {e}"))
}

fn timestep_of(name: &str) -> Result<Timestep, String> {
    match name {
        "minute" => Ok(Timestep::Minute),
        "day" => Ok(Timestep::Day),
        other => other.parse().map_err(|_| format!("timestep {other:?} is not minute or day")),
    }
}

/// The last `length` bars complete at `end` (default now). Asking past now is
/// refused: the strategy would see bars that have not closed.
fn history(
    ctx: &mut Context<'_>,
    asset: &str,
    length: usize,
    timestep: &str,
    end: Option<i64>,
) -> Result<Columns, String> {
    let (asset, timestep) = (asset_of(asset)?, timestep_of(timestep)?);
    let now = ctx.now();
    let now_ms = now.timestamp_millis();
    let end_ms = match end {
        Some(end) if end > now_ms => {
            return Err(format!(
                "history of {asset} up to {} refused: it is now {}, and no strategy sees a bar before it closes",
                fmt_et_ms(end),
                fmt_et_ms(now_ms)
            ));
        }
        Some(end) => end,
        None => now_ms,
    };
    // As of an earlier end: ask for more bars until `length` of them closed by then.
    let mut asked = length;
    loop {
        let bars = ctx.data().history(&asset, asked, timestep).map_err(|e| e.to_string())?;
        let stamps: Vec<i64> = (0..bars.len()).map(|i| bars.bar(i).ts_ms).collect();
        let complete = if end_ms == now_ms {
            stamps.len()
        } else {
            visible_bars(&stamps, timestep, crate::market::time::utc_from_ms(end_ms))
        };
        if complete >= length || bars.len() < asked {
            let mut columns = Columns { ok: true, ..Columns::default() };
            for i in complete.saturating_sub(length)..complete {
                let bar = bars.bar(i);
                columns.time.push(bar.ts_ms);
                columns.open.push(bar.open);
                columns.high.push(bar.high);
                columns.low.push(bar.low);
                columns.close.push(bar.close);
                columns.volume.push(bar.volume);
                columns.count.push(bar.count);
            }
            return Ok(columns);
        }
        asked = asked.saturating_mul(2).max(length + (length - complete) * 2);
    }
}

#[allow(clippy::too_many_arguments)]
fn submit(
    ctx: &mut Context<'_>,
    asset: &str,
    side: &str,
    quantity: u64,
    kind: &str,
    limit: Option<f64>,
    stop: Option<f64>,
    tif: &str,
    tag: &str,
) -> Value {
    let order = (|| {
        Ok::<_, String>((
            asset_of(asset)?,
            wire::side(side)?,
            wire::order_kind(kind, limit, stop)?,
            wire::time_in_force(tif)?,
        ))
    })();
    let (asset, side, kind, tif) = match order {
        Ok(order) => order,
        Err(e) => return refusal(e),
    };
    match ctx.submit(asset, side, quantity, kind, tif, tag) {
        Ok(id) => json!({"ok": true, "id": id.0}),
        Err(e) if e.is_account_refusal() => json!({"ok": false, "refused": true, "error": e.to_string()}),
        Err(e) => refusal(e.to_string()),
    }
}
