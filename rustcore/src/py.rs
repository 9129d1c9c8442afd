//! The PyO3 binding: plain types in and out, real work with the GIL released.
//! Policy (defaults, validation wording, caching) lives in `rustcore/__init__.py`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::lines::{Costs, Piece};
use crate::terms::Query;
use crate::{detect, diff, hashing, json, lines, logs, search, tokens, CoreError};

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

/// A piece of compressed output as Python sees it: `(text, count, unit, start, end)`;
/// kept text has `count == 0`, an omission has `text == ""` and `start == 0` when
/// it is not a line range.
type PyPiece = (String, usize, &'static str, usize, usize);

fn pieces_out(pieces: Vec<Piece>) -> Vec<PyPiece> {
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => (t, 0, "", 0, 0),
            Piece::Omit { count, unit, lines } => {
                let (a, b) = lines.unwrap_or((0, 0));
                (String::new(), count, unit, a, b)
            }
        })
        .collect()
}

fn line_costs(text: &str, encoding: &str, marker_tokens: usize, exact: bool) -> PyResult<Costs> {
    let enc = tokens::Encoding::from_name(encoding)?;
    let costs = Costs::new(lines::Lines::count(text), enc, marker_tokens);
    Ok(if exact { costs } else { costs.estimated() })
}

#[pyfunction]
fn detect_content(py: Python<'_>, text: &str) -> (&'static str, Option<&'static str>) {
    let d = py.detach(|| detect::detect(text));
    (d.content_type, d.language)
}

/// The line compressors (`kind`: log, search, diff or fallback) behind one entry point.
#[pyfunction]
#[pyo3(signature = (kind, text, query, budget, encoding, marker_tokens, exact=true))]
#[allow(clippy::too_many_arguments)]
fn compress_lines(
    py: Python<'_>,
    kind: &str,
    text: &str,
    query: &str,
    budget: usize,
    encoding: &str,
    marker_tokens: usize,
    exact: bool,
) -> PyResult<Vec<PyPiece>> {
    let compress: lines::Compressor = match kind {
        "log" => logs::compress,
        "search" => search::compress,
        "diff" => diff::compress,
        "fallback" => lines::fallback,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown line compressor {other:?} (expected log, search, diff or fallback)"
            )))
        }
    };
    let costs = line_costs(text, encoding, marker_tokens, exact)?;
    Ok(py.detach(|| pieces_out(compress(text, &Query::parse(query), budget, costs))))
}

/// The JSON compressor: `(pieces, mode, level, tokens)`; mode `"not-json"` comes with no pieces.
#[pyfunction]
#[pyo3(signature = (text, query, budget, encoding, marker_tokens, min_level=0))]
fn compress_json(
    py: Python<'_>,
    text: &str,
    query: &str,
    budget: Option<usize>,
    encoding: &str,
    marker_tokens: usize,
    min_level: u8,
) -> PyResult<(Vec<PyPiece>, &'static str, u8, usize)> {
    let opts = json::Options {
        query: (!query.is_empty()).then_some(query),
        budget,
        marker_tokens,
        encoding: tokens::Encoding::from_name(encoding)?,
        min_level,
    };
    let plan = py.detach(|| json::compress(text, &opts));
    let pieces = plan
        .pieces
        .into_iter()
        .map(|p| match p {
            json::Piece::Text(t) => (t, 0, "", 0, 0),
            json::Piece::Omit { count, unit, lines } => {
                let (a, b) = lines.unwrap_or((0, 0));
                (String::new(), count as usize, unit, a as usize, b as usize)
            }
        })
        .collect();
    Ok((pieces, plan.mode.name(), plan.level, plan.tokens))
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ENCODINGS", tokens::ENCODINGS.to_vec())?;
    m.add("HASH_HEX_LEN", hashing::HASH_HEX_LEN)?;
    m.add("JSON_MAX_LEVEL", json::MAX_LEVEL)?;
    m.add_function(wrap_pyfunction!(count_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(content_hash, m)?)?;
    m.add_function(wrap_pyfunction!(is_hash, m)?)?;
    m.add_function(wrap_pyfunction!(detect_content, m)?)?;
    m.add_function(wrap_pyfunction!(compress_lines, m)?)?;
    m.add_function(wrap_pyfunction!(compress_json, m)?)?;
    Ok(())
}
