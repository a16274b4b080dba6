//! What leaves the workbench: a run's equity and drawdown as an SVG file, and
//! a path copied to the clipboard through the terminal (OSC 52).

use std::fmt::Write;

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 420.0;
const MARGIN: f64 = 50.0;

/// The equity curve (top) and its drawdown from the initial cash (bottom) as a
/// standalone SVG; `points` are `(ET date, total)` in order.
pub fn equity_svg(title: &str, initial: f64, points: &[(String, f64)]) -> String {
    let totals: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
    let drawdowns: Vec<f64> = crate::run::stats::drawdowns(initial, totals.iter().copied()).collect();
    let (low, high) = totals.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (low, high) = if low < high { (low, high) } else { (low - 1.0, high + 1.0) };
    let deepest = drawdowns.iter().copied().fold(0.0, f64::max).max(1e-9);
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| MARGIN + (WIDTH - 2.0 * MARGIN) * i as f64 / n;
    let (equity_top, equity_height) = (MARGIN, (HEIGHT - 2.0 * MARGIN) * 0.7);
    let (dd_top, dd_height) = (equity_top + equity_height + 20.0, (HEIGHT - 2.0 * MARGIN) * 0.3 - 20.0);
    let polyline = |ys: &mut dyn Iterator<Item = f64>| -> String {
        ys.enumerate().map(|(i, y)| format!("{:.1},{:.1}", x(i), y)).collect::<Vec<_>>().join(" ")
    };
    let equity = polyline(&mut totals.iter().map(|v| equity_top + equity_height * (1.0 - (v - low) / (high - low))));
    let drawdown = polyline(&mut drawdowns.iter().map(|d| dd_top + dd_height * d / deepest));
    let first = points.first().map_or("", |(t, _)| t.as_str());
    let last = points.last().map_or("", |(t, _)| t.as_str());
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="monospace" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{MARGIN}" y="24" font-size="14">{title}</text>
<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="{equity}"/>
<text x="4" y="{top:.1}">{high:.0}</text>
<text x="4" y="{bottom:.1}">{low:.0}</text>
<polyline fill="none" stroke="#bb0000" stroke-width="1.2" points="{drawdown}"/>
<text x="4" y="{dd_top:.1}">0%</text>
<text x="4" y="{dd_bottom:.1}">-{deepest_pct:.1}%</text>
<text x="{MARGIN}" y="{axis:.1}">{first}</text>
<text x="{right:.1}" y="{axis:.1}" text-anchor="end">{last}</text>
</svg>
"##,
        title = escape(title),
        top = equity_top + 4.0,
        bottom = equity_top + equity_height,
        dd_bottom = dd_top + dd_height,
        deepest_pct = deepest * 100.0,
        axis = HEIGHT - 12.0,
        right = WIDTH - MARGIN,
        first = escape(first),
        last = escape(last),
    );
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(osc52("/runs/a"), "\x1b]52;c;L3J1bnMvYQ==\x07");
    }

    #[test]
    fn the_svg_holds_both_curves_and_the_window() {
        let points: Vec<(String, f64)> =
            [("2025-03-03", 100.0), ("2025-03-04", 110.0), ("2025-03-05", 99.0)].map(|(d, v)| (d.into(), v)).into();
        let svg = equity_svg("sma-cross <SPY>", 100.0, &points);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("sma-cross &lt;SPY&gt;") && svg.contains(">2025-03-03<") && svg.contains(">2025-03-05<"));
        assert!(svg.contains("-10.0%"), "110 -> 99 is the deepest fall: {svg}");
    }
}
