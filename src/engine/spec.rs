//! What a run is asked to do: its window, starting cash, fee model and account.

use super::account::Account;
use super::fees::FeeModel;
use crate::cache::Window;

#[derive(Debug, Clone, Copy)]
pub struct RunSpec {
    pub window: Window,
    pub cash: f64,
    pub fees: FeeModel,
    pub account: Account,
}
