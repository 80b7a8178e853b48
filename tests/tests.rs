//! The one integration-test binary: each module tells a story of use through the real `mellanrum`
//! binary and a real workspace on disk.

mod util;

mod attachments;
mod calendar;
mod chairs;
mod cli;
mod errors;
mod export;
mod fuzz;
mod import;
mod lens;
mod migrations;
mod record;
mod reliability;
mod retired;
mod round;
mod search;
mod similar;
mod sync;
mod sync_props;
mod tidy;
