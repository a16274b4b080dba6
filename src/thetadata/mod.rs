//! The Theta Terminal v3 HTTP client (being written).
