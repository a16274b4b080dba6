//! The simulated Theta Terminal: a real HTTP server speaking the Theta Terminal
//! v3 protocol (`docs/wire.md`) from a deterministic synthetic market,
//! with tier-sized concurrency and fault injection. It powers the offline demo
//! and the integration tests.

mod answer;
mod contracts;
mod daily;
mod days;
mod extended;
mod faults;
mod greeks;
mod intraday;
mod limiter;
mod mangle;
mod options;
mod pricing;
mod request;
mod resample;
mod rng;
mod rows;
mod server;
pub mod spec;
mod table;
mod ticks;
mod trades;
mod universe;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

pub use faults::{Fault, FaultSpec, FaultSpecError};
pub use server::RunningTerminal;

use crate::thetadata::Tier;

/// `thetabench terminal`: serve the simulated terminal over HTTP.
#[derive(clap::Args, Debug, Clone)]
pub struct TerminalArgs {
    /// Port to listen on (the real v3 terminal's)
    #[arg(long, default_value_t = crate::thetadata::DEFAULT_PORT)]
    pub port: u16,
    /// Address to bind
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Subscription tier to simulate: caps concurrent requests (free 1, value 2, standard 4, pro 8)
    #[arg(long, default_value = "standard")]
    pub tier: Tier,
    /// Delay added to every data answer, in milliseconds
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Faults to inject, e.g. `429=0.05,truncate=0.02,slow-ms=500`, `all=0.1` or `mangle=0.1`.
    /// Outages (`all=R` spreads R over them): 429, 474, 571, 500, slow, truncate, drop.
    /// A false "no data": 472. Wrong 200 bodies (`mangle=R` spreads R over them):
    /// stray-date, duplicate, off-session, negative, half, cut-value, header-only, json, html, huge-line
    #[arg(long, default_value = "none")]
    pub faults: FaultSpec,
    /// Print the v3 operations the description lists, each marked served or not, and exit
    #[arg(long)]
    pub list_endpoints: bool,
}

/// How a simulated terminal behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Sets how many requests run at once.
    pub tier: Tier,
    /// Added to every data answer.
    pub latency: Duration,
    pub faults: FaultSpec,
    /// Requests that may wait for a slot before the terminal answers 429.
    pub queue: usize,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig { tier: Tier::Standard, latency: Duration::ZERO, faults: FaultSpec::none(), queue: 16 }
    }
}

impl From<&TerminalArgs> for SimConfig {
    fn from(args: &TerminalArgs) -> SimConfig {
        SimConfig {
            tier: args.tier,
            latency: Duration::from_millis(args.latency_ms),
            faults: args.faults.clone(),
            ..SimConfig::default()
        }
    }
}

/// Serves the simulated terminal on `listener` forever.
pub async fn serve(listener: TcpListener, config: SimConfig) -> std::io::Result<()> {
    server::serve_until(listener, config, std::future::pending()).await
}

/// Starts a simulated terminal on a free loopback port, on the current runtime.
pub async fn spawn(config: SimConfig) -> std::io::Result<RunningTerminal> {
    RunningTerminal::start(config).await
}

/// `thetabench terminal`: serves until Ctrl-C.
/// Whether the simulated terminal answers an operation of the description.
pub fn serves(path: &str) -> bool {
    // The `{request_type}` paths (`list/dates`, `list/contracts`) are served for both request types.
    let path = path.replace("{request_type}", "quote");
    request::Endpoint::from_path(&path).is_some() || path == crate::thetadata::STATUS_PATH
}

/// Every operation of the description, served or not, with its columns.
pub fn endpoint_listing() -> String {
    let mut out = format!("{} (status)\n", crate::thetadata::STATUS_PATH);
    for op in spec::OPERATIONS {
        let mark = if serves(op.path) { "served    " } else { "not served" };
        out.push_str(&format!("{mark} {}  [{}]\n", op.path, op.columns.join(", ")));
    }
    out
}

pub async fn run(args: TerminalArgs) -> anyhow::Result<()> {
    if args.list_endpoints {
        print!("{}", endpoint_listing());
        return Ok(());
    }
    let addr = SocketAddr::new(args.bind, args.port);
    let listener =
        TcpListener::bind(addr).await.with_context(|| format!("binding the simulated terminal to {addr}"))?;
    let config = SimConfig::from(&args);
    println!(
        "simulated Theta Terminal listening on http://{} (tier {}, latency {} ms, faults {})",
        listener.local_addr()?,
        config.tier,
        args.latency_ms,
        config.faults
    );
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server::serve_until(listener, config, ctrl_c).await.context("serving the simulated terminal")
}

#[cfg(test)]
mod market_tests;
#[cfg(test)]
mod server_tests;
