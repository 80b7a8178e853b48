//! The one integration-test binary: each module tells a story of use through the real `mellanrum`
//! binary and a real workspace on disk.

mod util;

mod cli;
mod migrations;
mod search;
