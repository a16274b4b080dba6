//! What can go wrong talking to the terminal. Every variant carries the request
//! (path and query) so a message in a log is enough to reproduce the call.

/// A failed client call.
#[derive(Debug, thiserror::Error)]
pub enum ThetaError {
    /// The client could not be built (bad base URL, TLS/runtime setup).
    #[error("invalid Theta Terminal client settings for {base_url}: {detail}")]
    Config { base_url: String, detail: String },
    /// The caller asked for something this protocol cannot express.
    #[error("unsupported request {request}: {detail}")]
    Unsupported { request: String, detail: String },
    /// Every attempt failed to connect.
    #[error(
        "no Theta Terminal answers at {base_url} (GET {request}: {detail}, {attempts} attempt(s)); \
         is the terminal running and listening on that port?"
    )]
    Unreachable { base_url: String, request: String, attempts: u32, detail: String },
    /// The terminal refused the request; retrying would not help.
    #[error("the Theta Terminal rejected GET {request} with {status}: {message}")]
    Rejected { request: String, status: u16, message: String },
    /// Retryable failures until the attempt budget ran out.
    #[error("GET {request} failed after {attempts} attempt(s); last error: {last_error}")]
    Exhausted { request: String, attempts: u32, last_error: String },
    /// A complete answer that does not hold the data promised.
    #[error("malformed answer to GET {request}: {detail}")]
    Malformed { request: String, detail: String },
}

impl ThetaError {
    /// The HTTP status the terminal answered, when it answered one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ThetaError::Rejected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The most of a terminal's answer an error message quotes: enough to
/// recognise it, never a whole body in a log line.
pub const QUOTE_BYTES: usize = 200;

/// Up to [`QUOTE_BYTES`] of `bytes` as text (trimmed, cut on a character
/// boundary, `…` marking a cut).
pub fn quote(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTE_BYTES)]).trim().to_string();
    if bytes.len() > QUOTE_BYTES {
        // A character cut at the limit decodes as U+FFFD: drop it.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_at_most_200_bytes() {
        assert_eq!(quote(b"  queue full \n"), "queue full");
        let long = "é".repeat(1000);
        let quoted = quote(long.as_bytes());
        assert!(quoted.len() <= QUOTE_BYTES + '…'.len_utf8(), "{}", quoted.len());
        assert!(quoted.ends_with('…') && quoted.starts_with("éé"));
        assert_eq!(quote(&[b'x'; 200]), "x".repeat(200));
        assert_eq!(quote(&[b'x'; 201]), format!("{}…", "x".repeat(200)));
    }
}
