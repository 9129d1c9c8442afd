//! The PyO3 binding: plain types in and out, real work with the GIL released.
//! Policy (defaults, validation wording, caching) lives in `rustcore/__init__.py`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{hashing, tokens, CoreError};

impl From<CoreError> for PyErr {
    fn from(err: CoreError) -> PyErr {
        PyValueError::new_err(err.to_string())
    }
}

#[pyfunction]
fn count_tokens(py: Python<'_>, text: &str, encoding: &str) -> PyResult<usize> {
    let enc = tokens::Encoding::from_name(encoding)?;
    Ok(py.detach(|| tokens::count(text, enc)))
}

#[pyfunction]
fn encode(py: Python<'_>, text: &str, encoding: &str) -> PyResult<Vec<u32>> {
    let enc = tokens::Encoding::from_name(encoding)?;
    Ok(py.detach(|| tokens::encode(text, enc)))
}

#[pyfunction]
fn estimate_tokens(py: Python<'_>, text: &str) -> usize {
    py.detach(|| tokens::estimate(text))
}

#[pyfunction]
fn content_hash(py: Python<'_>, data: &[u8]) -> String {
    py.detach(|| hashing::content_hash(data))
}

#[pyfunction]
fn is_hash(text: &str) -> bool {
    hashing::is_hash(text)
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ENCODINGS", tokens::ENCODINGS.to_vec())?;
    m.add("HASH_HEX_LEN", hashing::HASH_HEX_LEN)?;
    m.add_function(wrap_pyfunction!(count_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(content_hash, m)?)?;
    m.add_function(wrap_pyfunction!(is_hash, m)?)?;
    Ok(())
}
