//! The JSON walk (`json::walk`) for the store's chunkers: offsets in characters, arrays of them
//! as one buffer of native 8-byte integers each, never a list of ints.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::json::walk;

fn int64s(py: Python<'_>, values: &[usize]) -> Py<PyBytes> {
    let mut buf = Vec::with_capacity(values.len() * 8);
    for &v in values {
        buf.extend_from_slice(&(v as i64).to_ne_bytes());
    }
    PyBytes::new(py, &buf).unbind()
}

/// The members of one JSON container: the first `limit` members' `starts` and `ends`, how many it
/// has (`count`), where it `end`s, and the value span of its largest array member.
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct JsonLevel {
    end: usize,
    count: usize,
    starts: Py<PyBytes>,
    ends: Py<PyBytes>,
    largest_array: Option<(usize, usize)>,
}

/// Where chunks of a JSON document may start (`offsets`), and per offset whether it is a member
/// of a container inside the document's own (`nested`, one byte each: 0 or 1).
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct JsonBreaks {
    offsets: Py<PyBytes>,
    nested: Py<PyBytes>,
}

/// `json::walk::members` of the container at character `at`; None where it is not JSON.
#[pyfunction]
fn json_members(py: Python<'_>, text: &str, at: usize, limit: usize) -> Option<JsonLevel> {
    let level = py.detach(|| walk::members(text, at, limit))?;
    Some(JsonLevel {
        end: level.end,
        count: level.count,
        starts: int64s(py, &level.starts),
        ends: int64s(py, &level.ends),
        largest_array: level.largest_array,
    })
}

/// `json::walk::chunk_breaks`; None where `text` is not one JSON container.
#[pyfunction]
fn json_chunk_breaks(
    py: Python<'_>,
    text: &str,
    max_chars: usize,
    gap: usize,
    max_depth: u32,
) -> Option<JsonBreaks> {
    let breaks = py.detach(|| walk::chunk_breaks(text, max_chars, gap, max_depth))?;
    let offsets: Vec<usize> = breaks.iter().map(|b| b.at).collect();
    let nested: Vec<u8> = breaks.iter().map(|b| u8::from(b.nested)).collect();
    Some(JsonBreaks {
        offsets: int64s(py, &offsets),
        nested: PyBytes::new(py, &nested).unbind(),
    })
}

pub(super) fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<JsonLevel>()?;
    m.add_class::<JsonBreaks>()?;
    m.add_function(wrap_pyfunction!(json_members, m)?)?;
    m.add_function(wrap_pyfunction!(json_chunk_breaks, m)?)?;
    Ok(())
}
