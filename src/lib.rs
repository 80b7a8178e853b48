//! Mellanrum: a local-first workspace where cross-functional teams create knowledge together —
//! linked notes, the frictions between their perspectives and how they were resolved, customer
//! signals and the insights traced to them.
//!
//! The core library knows nothing of its front ends (the `mellanrum` CLI and the desktop shell).
//! Start at [`Workspace`]: it opens a folder, and every operation goes through it.

pub mod attach;
pub mod calendar;
pub mod chairs;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod export;
pub mod graph;
pub mod history;
pub mod hlc;
pub mod import;
pub(crate) mod index;
pub mod lens;
pub mod lexicon;
pub mod links;
pub mod model;
pub mod retired;
pub mod round;
pub mod search;
pub mod similar;
pub mod store;
pub mod sync;
pub mod trace;
pub mod workspace;
pub mod write;

pub use error::{Error, Result};
pub use model::{Fields, Item, Kind, Link, Person, Rel};
pub use workspace::{Edit, ItemView, NewItem, Workspace};
