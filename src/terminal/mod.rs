//! The simulated Theta Terminal (being written).
