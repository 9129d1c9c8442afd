//! Hot path of headroom-mcp, in plain Rust.
//!
//! Every algorithm lives in a module with no Python types; the PyO3 binding
//! (`py.rs`) is compiled only with the `python` feature, so `cargo test`
//! exercises the core without an interpreter.

pub mod bounded;
pub mod code;
pub mod config;
pub mod detect;
pub mod diff;
pub mod error;
pub mod fallback;
pub mod hashing;
pub mod json;
pub mod langs;
pub mod line_compressor;
pub mod line_groups;
pub mod lines;
pub mod listing;
pub mod loglines;
pub mod logrank;
pub mod logs;
pub mod logwords;
pub mod memory;
pub mod outline;
pub mod prose;
pub mod query;
pub mod rank;
pub mod search;
pub mod shapes;
pub mod template;
pub mod terms;
pub mod tokens;
pub mod toollines;

#[cfg(feature = "python")]
mod py;

pub use error::CoreError;
