//! The one error type of the core; the binding turns it into Python exceptions.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// An encoding name that the core does not embed.
    UnknownEncoding(String),
    /// Input the caller handed over that the core cannot work with.
    InvalidInput(String),
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::UnknownEncoding(name) => write!(
                f,
                "unknown encoding {name:?}; available: {}",
                crate::tokens::ENCODINGS.join(", ")
            ),
            CoreError::InvalidInput(why) => write!(f, "invalid input: {why}"),
        }
    }
}

impl std::error::Error for CoreError {}
