//! Plain-text tables for people; JSON goes through serde.

/// Left-aligned columns separated by two spaces; numbers right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, w)| {
                let numeric = !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit() || ".,%-".contains(c));
                if numeric { format!("{cell:>w$}") } else { format!("{cell:<w$}") }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
    out.join("\n")
}

/// Bytes as a person reads them: `1.4 MiB`.
/// `3 gets, 2 puts, 1.2 MiB moved`.
pub fn traffic(t: &crate::metrics::RemoteTraffic) -> String {
    format!("{} gets, {} puts, {} moved", t.remote_gets, t.remote_puts, human_bytes(t.remote_bytes))
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let t = table(&["asset", "rows"], &[vec!["PLTR".into(), "7800".into()], vec!["HOOD".into(), "15".into()]]);
        assert_eq!(t, "asset  rows\nPLTR   7800\nHOOD     15");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(12), "12 B");
    }
}
