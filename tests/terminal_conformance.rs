//! The simulated terminal against ThetaData's description of v3 (the table in
//! `src/terminal/spec.rs`): every operation it serves answers the documented
//! sample URL with 200, with exactly the documented columns in the documented
//! order, in every format, each format holding the same rows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use thetabench::terminal::{self, SimConfig, spec};

/// A JSON answer, `{"response": [...]}`, its rows checked as JSON but not kept.
#[derive(serde::Deserialize)]
struct JsonRows {
    response: Vec<serde::de::IgnoredAny>,
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The keys of the first object in a JSON text, in the order written.
fn first_object_keys(json: &str) -> Vec<String> {
    let start = json.find("[{").map(|i| i + 1).or_else(|| json.find('{')).unwrap();
    let end = start + json[start..].find('}').unwrap();
    json[start..end]
        .split(',')
        .filter_map(|field| field.split_once("\":"))
        .map(|(k, _)| k.trim_matches(['{', '"']).to_string())
        .collect()
}

#[tokio::test]
async fn every_served_operation_answers_its_sample_with_the_documented_columns() {
    let sim = terminal::spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    let served: Vec<&spec::Operation> = spec::OPERATIONS.iter().filter(|op| terminal::serves(op.path)).collect();
    assert_eq!(served.len(), spec::OPERATIONS.len(), "every operation of the table is served");
    for op in served {
        let url = format!("{base}{}", op.sample);
        let (status, csv) = get(&url).await;
        assert_eq!(status, 200, "{}: {csv}", op.sample);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), op.columns.join(","), "{}: the csv header", op.sample);
        let rows = lines.count();
        assert!(rows > 0, "{}: rows", op.sample);

        let joiner = if op.sample.contains('?') { '&' } else { '?' };
        let (status, json) = get(&format!("{url}{joiner}format=json")).await;
        assert_eq!(status, 200, "{}", op.sample);
        // Counted without building the rows: a day of trades is hundreds of thousands.
        let parsed: JsonRows = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed.response.len(), rows, "{}: json rows", op.sample);
        assert_eq!(first_object_keys(&json), op.columns, "{}: json keys in order", op.sample);

        let (_, ndjson) = get(&format!("{url}{joiner}format=ndjson")).await;
        assert_eq!(ndjson.lines().count(), rows, "{}: ndjson rows", op.sample);
        let (_, html) = get(&format!("{url}{joiner}format=html")).await;
        assert_eq!(html.matches("<tr><td>").count(), rows, "{}: html rows", op.sample);
    }
    sim.shutdown().await.unwrap();
}

#[test]
fn the_listing_marks_what_is_served() {
    let listing = terminal::endpoint_listing();
    assert!(listing.contains("served     /v3/stock/history/ohlc  [timestamp, open, high, low, close"), "{listing}");
    assert!(listing.contains("served     /v3/calendar/today  [type, open, close]"), "{listing}");
    assert!(listing.contains("served     /v3/option/history/greeks/all  [symbol, expiration"), "{listing}");
    assert!(listing.contains("served     /v3/option/list/contracts/{request_type}"), "{listing}");
    assert!(!listing.contains("not served"), "{listing}");
    assert_eq!(listing.lines().count(), spec::OPERATIONS.len() + 1);
}
