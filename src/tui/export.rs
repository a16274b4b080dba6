//! What leaves the workbench: a run's equity and drawdown as an SVG file, and
//! a path copied to the clipboard through the terminal (OSC 52).

use std::fmt::Write;

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 420.0;
const MARGIN: f64 = 50.0;
/// Run A's and run B's colours, in the chart and the legend.
const A_COLOUR: &str = "#1f6feb";
const B_COLOUR: &str = "#d97706";

/// Where a chart's points go: `n` points across the plot, values between
/// `low` and `high` over a band `height` tall from `top`.
struct Plot {
    n: usize,
    low: f64,
    high: f64,
    top: f64,
    height: f64,
}

impl Plot {
    /// A band for `series` (all on one scale).
    fn over(series: &[&[f64]], top: f64, height: f64) -> Plot {
        let values = series.iter().flat_map(|s| s.iter().copied());
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low < high { (low, high) } else { (low - 1.0, high + 1.0) };
        let n = series.iter().map(|s| s.len()).max().unwrap_or(0);
        Plot { n, low, high, top, height }
    }

    fn x(&self, i: usize) -> f64 {
        MARGIN + (WIDTH - 2.0 * MARGIN) * i as f64 / (self.n.max(2) as f64 - 1.0)
    }

    /// `values` as the points of an SVG polyline, the highest at the top.
    fn points(&self, values: &[f64]) -> String {
        let y = |v: f64| self.top + self.height * (1.0 - (v - self.low) / (self.high - self.low));
        values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", self.x(i), y(*v))).collect::<Vec<_>>().join(" ")
    }

    /// The band's scale: its highest value at the top, its lowest at the bottom.
    fn scale(&self) -> String {
        format!(
            "<text x=\"4\" y=\"{:.1}\">{:.0}</text>\n<text x=\"4\" y=\"{:.1}\">{:.0}</text>\n",
            self.top + 4.0,
            self.high,
            self.top + self.height,
            self.low
        )
    }
}

/// The document around `body`: white ground, title, first and last dates.
fn document(title: &str, first: &str, last: &str, body: &str) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="monospace" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{MARGIN}" y="24" font-size="14">{title}</text>
{body}<text x="{MARGIN}" y="{axis:.1}">{first}</text>
<text x="{right:.1}" y="{axis:.1}" text-anchor="end">{last}</text>
</svg>
"##,
        title = escape(title),
        axis = HEIGHT - 12.0,
        right = WIDTH - MARGIN,
        first = escape(first),
        last = escape(last),
    );
    svg
}

fn ends(points: &[(String, f64)]) -> (&str, &str) {
    (points.first().map_or("", |(t, _)| t.as_str()), points.last().map_or("", |(t, _)| t.as_str()))
}

/// The equity curve (top) and its drawdown from the initial cash (bottom) as a
/// standalone SVG; `points` are `(ET date, total)` in order.
pub fn equity_svg(title: &str, initial: f64, points: &[(String, f64)]) -> String {
    let totals: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
    let drawdowns: Vec<f64> = crate::run::stats::drawdowns(initial, totals.iter().copied()).collect();
    let deepest = drawdowns.iter().copied().fold(0.0, f64::max).max(1e-9);
    let band = HEIGHT - 2.0 * MARGIN;
    let equity = Plot::over(&[&totals], MARGIN, band * 0.7);
    let falls: Vec<f64> = drawdowns.iter().map(|d| -d).collect();
    let drawdown =
        Plot { low: -deepest, high: 0.0, ..Plot::over(&[&falls], MARGIN + band * 0.7 + 20.0, band * 0.3 - 20.0) };
    let body = format!(
        "<polyline fill=\"none\" stroke=\"{A_COLOUR}\" stroke-width=\"1.5\" points=\"{}\"/>\n{}\
         <polyline fill=\"none\" stroke=\"#bb0000\" stroke-width=\"1.2\" points=\"{}\"/>\n\
         <text x=\"4\" y=\"{:.1}\">0%</text>\n<text x=\"4\" y=\"{:.1}\">-{:.1}%</text>\n",
        equity.points(&totals),
        equity.scale(),
        drawdown.points(&falls),
        drawdown.top,
        drawdown.top + drawdown.height,
        deepest * 100.0
    );
    let (first, last) = ends(points);
    document(title, first, last, &body)
}

/// Two runs' equity on one scale (A solid, B dashed) with a legend, and a
/// red line at the first divergence (`divergence`: its ET time) if any.
pub fn parity_svg(
    title: &str,
    a: (&str, &[(String, f64)]),
    b: (&str, &[(String, f64)]),
    divergence: Option<&str>,
) -> String {
    let totals = |points: &[(String, f64)]| points.iter().map(|(_, v)| *v).collect::<Vec<f64>>();
    let (ta, tb) = (totals(a.1), totals(b.1));
    let plot = Plot::over(&[&ta, &tb], MARGIN + 20.0, HEIGHT - 2.0 * MARGIN - 20.0);
    let mut body = format!(
        "<polyline fill=\"none\" stroke=\"{A_COLOUR}\" stroke-width=\"1.5\" points=\"{}\"/>\n\
         <polyline fill=\"none\" stroke=\"{B_COLOUR}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" points=\"{}\"/>\n{}\
         <text x=\"{MARGIN}\" y=\"{:.1}\" fill=\"{A_COLOUR}\">A: {}</text>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{B_COLOUR}\" text-anchor=\"end\">B: {}</text>\n",
        plot.points(&ta),
        plot.points(&tb),
        plot.scale(),
        MARGIN + 8.0,
        escape(a.0),
        WIDTH - MARGIN,
        MARGIN + 8.0,
        escape(b.0),
    );
    // The divergence's session: the first point of A on or after its date.
    let at =
        divergence.map(|t| t.get(..10).unwrap_or(t)).and_then(|day| a.1.iter().position(|(t, _)| t.as_str() >= day));
    if let (Some(i), Some(time)) = (at, divergence) {
        let x = plot.x(i);
        let _ = write!(
            body,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#bb0000\"/>\n\
             <text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#bb0000\" text-anchor=\"middle\">first divergence {}</text>\n",
            plot.top,
            plot.top + plot.height,
            plot.top + plot.height + 14.0,
            escape(time)
        );
    }
    let (first, last) = ends(a.1);
    document(title, first, last, &body)
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

    #[test]
    fn the_parity_svg_overlays_both_runs_and_marks_the_divergence() {
        let a: Vec<(String, f64)> =
            [("2025-03-03 16:00", 100.0), ("2025-03-04 16:00", 110.0), ("2025-03-05 16:00", 105.0)]
                .map(|(d, v)| (d.into(), v))
                .into();
        let mut b = a.clone();
        b[2].1 = 104.0;
        let svg = parity_svg("cash 100000 vs 100500", ("cold", &a), ("warm & <b>", &b), Some("2025-03-05 16:00"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("A: cold") && svg.contains("B: warm &amp; &lt;b&gt;"), "{svg}");
        let divergence_x = format!("x1=\"{:.1}\"", WIDTH - MARGIN);
        assert!(svg.contains("first divergence 2025-03-05 16:00") && svg.contains(&divergence_x), "{svg}");
        assert!(!parity_svg("same", ("a", &a), ("b", &a), None).contains("<line"), "no divergence, no line");
    }
}
