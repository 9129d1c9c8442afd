//! The PyO3 binding: plain types in and out, real work with the GIL released.
//! Policy (defaults, validation wording, caching) lives in `rustcore/__init__.py`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::lines::{Costs, Piece};

mod records;
mod walk;
use crate::query::Query;
use crate::{
    bounded, code, config, detect, diff, fallback, hashing, json, line_compressor, lines, listing,
    logs, search, tokens, CoreError,
};
use records::{
    CodeDefinition, CodeElision, CodePlan, JsonPlan, ProseBlock, ProseGap, ProseSection,
};

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
fn trim_heap(py: Python<'_>) -> bool {
    py.detach(crate::memory::trim_heap)
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

fn pieces_out(pieces: Vec<Piece>) -> Vec<records::Piece> {
    pieces.into_iter().map(records::Piece::from_lines).collect()
}

fn line_costs(text: &str, encoding: &str, marker_tokens: usize, exact: bool) -> PyResult<Costs> {
    let enc = tokens::Encoding::from_name(encoding)?;
    let costs = Costs::new(lines::Lines::count(text), enc, marker_tokens);
    Ok(if exact { costs } else { costs.estimated() })
}

/// Where each line of `text` starts, then its end (in characters when `chars`, else in bytes), as
/// native-endian unsigned integers of the returned width: 4 bytes each, 8 for a text past 4 GiB.
/// Written straight into the bytes object, so 32 million lines cost 128 MB, not a list of ints.
#[pyfunction]
fn line_starts<'py>(
    py: Python<'py>,
    text: &str,
    chars: bool,
) -> PyResult<(Bound<'py, PyBytes>, usize)> {
    let width = if u32::try_from(text.len()).is_ok() {
        4
    } else {
        8
    };
    let count = py.detach(|| lines::Lines::count(text)) + 1;
    let buffer = PyBytes::new_with(py, count * width, |buf| {
        py.detach(|| {
            let mut slots = buf.chunks_exact_mut(width);
            lines::for_each_start(text, chars, |offset| {
                if let Some(slot) = slots.next() {
                    if width == 4 {
                        slot.copy_from_slice(&(offset as u32).to_ne_bytes());
                    } else {
                        slot.copy_from_slice(&(offset as u64).to_ne_bytes());
                    }
                }
            });
        });
        Ok(())
    })?;
    Ok((buffer, width))
}

/// The template key of every line of `text` (8 hex digits), None for a blank line.
#[pyfunction]
fn template_keys(py: Python<'_>, text: &str) -> Vec<Option<String>> {
    py.detach(|| {
        logs::template_keys(text)
            .into_iter()
            .map(|key| key.map(|id| format!("{id:08x}")))
            .collect()
    })
}

/// The 1-based numbers of the lines of `text` in template `id`.
#[pyfunction]
fn template_lines(py: Python<'_>, text: &str, id: u32) -> Vec<usize> {
    py.detach(|| logs::template_lines(text, id))
}

/// Each line's kind in a diff or `git log`, one byte a line (see `diff::Kind::code`).
#[pyfunction]
fn diff_line_kinds<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyBytes> {
    let codes: Vec<u8> = py.detach(|| {
        let lines = lines::Lines::new(text);
        diff::classify(&lines)
            .into_iter()
            .map(diff::Kind::code)
            .collect()
    });
    PyBytes::new(py, &codes)
}

/// The rows of a listing's size column in the order a superlative asks, `(line index, value,
/// leaf)`; None when `query` asks for no extreme or no column holds sizes.
#[pyfunction]
fn listing_extremes(py: Python<'_>, text: &str, query: &str) -> Option<Vec<(usize, f64, bool)>> {
    py.detach(|| listing::extremes(text, query))
}

#[pyfunction]
#[pyo3(signature = (text, hint=None, name_hint=None))]
fn detect_content(
    py: Python<'_>,
    text: &str,
    hint: Option<&str>,
    name_hint: Option<&str>,
) -> (&'static str, Option<&'static str>) {
    let hint = name_hint
        .map(detect::Hint::Name)
        .or(hint.map(detect::Hint::Producer));
    let d = py.detach(|| detect::detect_hinted(text, hint));
    (d.content_type, d.language)
}

/// The line compressors (`kind`: log, search, diff, listing, config, fallback or bounded) behind one entry point.
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
) -> PyResult<Vec<records::Piece>> {
    if kind == "bounded" {
        // No per-line costs: its memory must not grow with the number of lines.
        let enc = tokens::Encoding::from_name(encoding)?;
        let query = Query::parse(query);
        return Ok(py.detach(|| {
            pieces_out(bounded::compress(
                text,
                &query,
                budget,
                enc,
                marker_tokens,
                exact,
            ))
        }));
    }
    let compress: line_compressor::Compressor = match kind {
        "log" => logs::compress,
        "search" => search::compress,
        "diff" => diff::compress,
        "fallback" => fallback::compress,
        "config" => config::compress,
        "listing" => {
            let costs = line_costs(text, encoding, marker_tokens, exact)?;
            return Ok(py.detach(|| {
                pieces_out(listing::compress(
                    text,
                    &Query::parse(query),
                    query,
                    budget,
                    costs,
                ))
            }));
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown line compressor {other:?} (expected log, search, diff, listing, config, fallback or bounded)"
            )))
        }
    };
    let costs = line_costs(text, encoding, marker_tokens, exact)?;
    Ok(py.detach(|| pieces_out(compress(text, &Query::parse(query), budget, costs))))
}

/// The JSON compressor; mode `"not-json"` comes with no pieces.
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
) -> PyResult<JsonPlan> {
    let opts = json::Options {
        query: (!query.is_empty()).then_some(query),
        budget,
        marker_tokens,
        encoding: tokens::Encoding::from_name(encoding)?,
        min_level,
    };
    Ok(JsonPlan::new(py.detach(|| json::compress(text, &opts))))
}

/// A source file's outline, read once; `prepare` weighs it for one question.
#[pyclass(module = "rustcore._native", frozen)]
struct CodeFile {
    text: String,
    lang: code::Lang,
    outline: code::Outline,
}

#[pymethods]
impl CodeFile {
    #[new]
    fn new(py: Python<'_>, text: String, language: &str) -> PyResult<Self> {
        let lang = code::Lang::from_name(language)
            .ok_or_else(|| PyValueError::new_err(format!("unknown language {language:?}")))?;
        let outline = py.detach(|| code::outline(&text, lang));
        Ok(CodeFile {
            text,
            lang,
            outline,
        })
    }

    #[getter]
    fn problems(&self) -> usize {
        self.outline.problems
    }

    /// How many definitions the outline found.
    #[getter]
    fn definition_count(&self) -> usize {
        self.outline.definitions.len()
    }

    /// The length of the longest line in characters, its line end included.
    #[getter]
    fn longest_line(&self) -> usize {
        let src = code::Source::new(&self.text);
        (0..src.len())
            .map(|i| src.line(i).bytes().filter(|&b| (b as i8) >= -0x40).count())
            .max()
            .unwrap_or(0)
    }

    fn definitions(&self) -> Vec<CodeDefinition> {
        self.outline
            .definitions
            .iter()
            .map(CodeDefinition::new)
            .collect()
    }

    /// Counts each line's tokens in `encoding` and scores the definitions against a question's
    /// names: the file weighed for planning.
    fn prepare(
        slf: &Bound<'_, Self>,
        encoding: &str,
        marker_tokens: usize,
        paths: Vec<Vec<String>>,
        strong: Vec<String>,
        weak: Vec<String>,
    ) -> PyResult<PreparedCode> {
        let enc = tokens::Encoding::from_name(encoding)?;
        let file = slf.get();
        let query = code::plan::Query {
            paths,
            strong,
            weak,
        };
        let (line_tokens, scores) = slf.py().detach(|| {
            let src = code::Source::new(&file.text);
            let line_tokens: Vec<usize> = (0..src.len())
                .map(|i| tokens::count(src.line(i), enc))
                .collect();
            let mut planner = code::plan::Planner::new(
                &src,
                &file.outline,
                file.lang,
                &line_tokens,
                marker_tokens,
            );
            planner.score(&query);
            (line_tokens, (planner.scores, planner.worded))
        });
        let (scores, worded) = scores;
        Ok(PreparedCode {
            file: slf.clone().unbind(),
            tokens: line_tokens.iter().sum(),
            query,
            line_tokens,
            marker_tokens,
            scores,
            worded,
        })
    }
}

/// A `CodeFile` weighed for one question: each line's tokens and a marker's, each definition's
/// relevance. Every plan is made from it, so none can miss the weighing.
#[pyclass(module = "rustcore._native", frozen)]
struct PreparedCode {
    file: Py<CodeFile>,
    /// The file's tokens: the sum of its lines'.
    #[pyo3(get)]
    tokens: usize,
    query: code::plan::Query,
    line_tokens: Vec<usize>,
    marker_tokens: usize,
    scores: Vec<f64>,
    /// Each function's relevance to the question's plain words.
    worded: Vec<f64>,
}

impl PreparedCode {
    fn with_planner<T>(&self, f: impl FnOnce(&code::plan::Planner<'_>) -> T) -> T {
        let file = self.file.get();
        let src = code::Source::new(&file.text);
        let mut planner = code::plan::Planner::new(
            &src,
            &file.outline,
            file.lang,
            &self.line_tokens,
            self.marker_tokens,
        );
        planner.scores.clone_from(&self.scores);
        planner.worded.clone_from(&self.worded);
        f(&planner)
    }
}

#[pymethods]
impl PreparedCode {
    /// The functions to keep whole (indexes, most relevant first) and whether one is named outright.
    fn whole(&self) -> (Vec<usize>, bool) {
        self.with_planner(|p| p.whole())
    }

    /// The elisions for one level of detail.
    fn plan(&self, py: Python<'_>, whole: Vec<usize>, collapse_types: bool) -> CodePlan {
        let terms = self.query.mention_terms();
        py.detach(|| self.with_planner(|p| p.plan(&whole, collapse_types, &terms)))
            .into()
    }

    /// Each definition's relevance to the question (a name it writes 4 to 10, plain words up to 3 more).
    #[getter]
    fn scores(&self) -> Vec<f64> {
        self.scores.clone()
    }

    /// The outline, then whole bodies (`first` first), within about `budget` tokens.
    fn fit(&self, py: Python<'_>, budget: f64, first: Vec<usize>) -> CodePlan {
        let terms = self.query.mention_terms();
        py.detach(|| self.with_planner(|p| p.fit(budget, &first, &terms)))
            .into()
    }

    /// `elisions` plus whole definitions left out until about `target` tokens remain.
    fn drop(
        &self,
        py: Python<'_>,
        elisions: Vec<CodeElision>,
        proven: bool,
        target: f64,
        whole: Vec<usize>,
    ) -> Option<CodePlan> {
        let elisions: Vec<code::Elision> = elisions.into_iter().map(Into::into).collect();
        py.detach(|| self.with_planner(|p| p.drop(&elisions, proven, target, &whole)))
            .map(Into::into)
    }
}

// --- lexical ranking and prose selection (rank.rs, prose/) ---------------------------------------
// Imported here, beside the functions that use them, so this section stays one block.

use crate::{prose, rank, terms};
use pyo3::pybacked::PyBackedStr;

fn as_strs(items: &[PyBackedStr]) -> Vec<&str> {
    items.iter().map(|s| &**s).collect()
}

/// The lines a prose function reads: a whole text (split here, with the store's numbering) or its
/// lines, each with its ending. A whole text spares the caller a Python string per line.
enum ProseLines {
    Text(PyBackedStr),
    Lines(Vec<PyBackedStr>),
}

// By hand rather than derived: a derived enum reports a lone surrogate as a TypeError, and the
// Python face retries with cleaned text only on the UnicodeEncodeError the conversion raises.
impl<'a, 'py> FromPyObject<'a, 'py> for ProseLines {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>() {
            Ok(ProseLines::Text(obj.extract()?))
        } else {
            Ok(ProseLines::Lines(obj.extract()?))
        }
    }
}

impl ProseLines {
    fn strs(&self) -> Vec<&str> {
        match self {
            ProseLines::Text(text) => {
                let lines = lines::Lines::new(text);
                (0..lines.len()).map(|i| lines.raw(i)).collect()
            }
            ProseLines::Lines(items) => as_strs(items),
        }
    }
}

/// BM25 score of each chunk for `query` (0.0 where a chunk shares nothing with it); frequencies are
/// counted as substrings once more than `exact_candidates` chunks can match.
#[pyfunction]
fn rank_chunks(
    py: Python<'_>,
    chunks: Vec<PyBackedStr>,
    query: &str,
    exact_candidates: usize,
) -> Vec<f64> {
    let chunks = as_strs(&chunks);
    py.detach(|| rank::rank_with_limit(&chunks, &terms::QueryTerms::parse(query), exact_candidates))
}

/// The index terms of `text`, in order.
#[pyfunction]
fn index_terms(py: Python<'_>, text: &str) -> Vec<String> {
    py.detach(|| terms::terms(text))
}

/// What `query` asks for: `(terms, phrases)`.
#[pyfunction]
fn query_parts(query: &str) -> (Vec<String>, Vec<String>) {
    let parsed = terms::QueryTerms::parse(query);
    (parsed.terms, parsed.phrases)
}

/// The blocks of a text and the sections its headings open.
#[pyfunction]
fn prose_blocks(py: Python<'_>, lines: ProseLines) -> (Vec<ProseBlock>, Vec<ProseSection>) {
    let lines = lines.strs();
    let (blocks, sections) = py.detach(|| prose::blocks::parse(&lines));
    (
        blocks.into_iter().map(Into::into).collect(),
        sections.into_iter().map(Into::into).collect(),
    )
}

/// What the sentence signals of `prose_select` score: each unit's text, then each section's path.
#[pyfunction]
fn prose_texts(py: Python<'_>, lines: ProseLines) -> Vec<String> {
    let lines = lines.strs();
    py.detach(|| {
        prose::Doc::parse(&lines)
            .texts()
            .into_iter()
            .map(str::to_string)
            .collect()
    })
}

/// The lines of prose to keep: `(kept flags, heading lines)`. `signals` are `(name, weight, values)`:
/// "relevance" and "density" are built in, "values" brings one value per `prose_texts` entry.
#[pyfunction]
#[pyo3(signature = (lines, query, target, exact, encoding, marker_tokens, signals, fence_costs))]
#[allow(clippy::too_many_arguments)]
fn prose_select(
    py: Python<'_>,
    lines: ProseLines,
    query: Option<&str>,
    target: Option<i64>,
    exact: bool,
    encoding: &str,
    marker_tokens: usize,
    signals: Vec<(String, f64, Option<Vec<f64>>)>,
    fence_costs: Vec<(usize, usize)>,
) -> PyResult<(Vec<bool>, Vec<usize>)> {
    let encoding = tokens::Encoding::from_name(encoding)?;
    let lines = lines.strs();
    let doc = py.detach(|| prose::Doc::parse(&lines));
    let expected = doc.units.len() + doc.paths.len();
    let mut parsed = Vec::with_capacity(signals.len());
    for (name, weight, values) in &signals {
        parsed.push(match (name.as_str(), values) {
            ("relevance", None) => prose::Signal::Relevance(*weight),
            ("density", None) => prose::Signal::Density(*weight),
            ("values", Some(values)) if values.len() == expected => {
                prose::Signal::Values(*weight, values)
            }
            ("values", Some(values)) => {
                let why = format!("a signal gave {} values for {expected} texts", values.len());
                return Err(CoreError::InvalidInput(why).into());
            }
            _ => return Err(CoreError::InvalidInput(format!("unknown signal {name:?}")).into()),
        });
    }
    let opts = prose::Options {
        query,
        target,
        exact,
        encoding,
        marker_tokens,
        signals: &parsed,
        fence_costs: &fence_costs,
    };
    let selection = py.detach(|| prose::select(&lines, &doc, &opts));
    Ok((selection.kept, selection.headings))
}

/// The spans `(first, last)` (0-based lines) of the documentation entries `query` names: an
/// option's, a function's or a stanza's head line and its description.
#[pyfunction]
fn named_entries(py: Python<'_>, lines: ProseLines, query: &str) -> Vec<(usize, usize)> {
    let lines = lines.strs();
    py.detach(|| {
        let all = prose::entries::entries(&lines);
        prose::entries::named(&all, &lines, query)
            .into_iter()
            .map(|k| all[k].pinned(&lines))
            .collect()
    })
}

/// The runs of lines not kept that become markers.
#[pyfunction]
fn prose_gaps(
    py: Python<'_>,
    lines: ProseLines,
    kept: Vec<bool>,
    headings: Vec<usize>,
    marker_tokens: usize,
    encoding: &str,
) -> PyResult<Vec<ProseGap>> {
    let encoding = tokens::Encoding::from_name(encoding)?;
    let lines = lines.strs();
    let gaps = py.detach(|| prose::gaps(&lines, &kept, &headings, marker_tokens, encoding));
    Ok(gaps.into_iter().map(Into::into).collect())
}

/// Character spans of the sentences of `text`.
#[pyfunction]
fn sentence_spans(py: Python<'_>, text: &str) -> Vec<(usize, usize)> {
    py.detach(|| {
        let spans = prose::units::sentence_spans(text);
        let mut chars = 0;
        let mut at = 0;
        let mut to_chars = |byte: usize| {
            chars += terms::char_len(&text[at..byte]);
            at = byte;
            chars
        };
        spans
            .into_iter()
            .map(|(a, b)| (to_chars(a), to_chars(b)))
            .collect()
    })
}

/// How much each sentence says per word (0 to 1).
#[pyfunction]
fn sentence_density(py: Python<'_>, sentences: Vec<PyBackedStr>) -> Vec<f64> {
    let sentences = as_strs(&sentences);
    py.detach(|| sentences.iter().map(|s| prose::units::density(s)).collect())
}

/// Registers the ranking and prose functions above.
fn add_prose_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RANK_EXACT_CANDIDATES", rank::EXACT_CANDIDATES)?;
    m.add_function(wrap_pyfunction!(rank_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(index_terms, m)?)?;
    m.add_function(wrap_pyfunction!(query_parts, m)?)?;
    m.add_function(wrap_pyfunction!(prose_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(prose_texts, m)?)?;
    m.add_function(wrap_pyfunction!(prose_select, m)?)?;
    m.add_function(wrap_pyfunction!(prose_gaps, m)?)?;
    m.add_function(wrap_pyfunction!(named_entries, m)?)?;
    m.add_function(wrap_pyfunction!(sentence_spans, m)?)?;
    m.add_function(wrap_pyfunction!(sentence_density, m)?)?;
    Ok(())
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ENCODINGS", tokens::ENCODINGS.to_vec())?;
    m.add("HASH_HEX_LEN", hashing::HASH_HEX_LEN)?;
    m.add("JSON_MAX_LEVEL", json::MAX_LEVEL)?;
    m.add_function(wrap_pyfunction!(count_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(trim_heap, m)?)?;
    m.add_function(wrap_pyfunction!(content_hash, m)?)?;
    m.add_function(wrap_pyfunction!(is_hash, m)?)?;
    m.add_function(wrap_pyfunction!(detect_content, m)?)?;
    m.add_function(wrap_pyfunction!(template_keys, m)?)?;
    m.add_function(wrap_pyfunction!(template_lines, m)?)?;
    m.add_function(wrap_pyfunction!(diff_line_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(listing_extremes, m)?)?;
    m.add_function(wrap_pyfunction!(line_starts, m)?)?;
    m.add_function(wrap_pyfunction!(compress_lines, m)?)?;
    m.add_function(wrap_pyfunction!(compress_json, m)?)?;
    m.add_class::<CodeFile>()?;
    m.add_class::<PreparedCode>()?;
    records::add(m)?;
    walk::add(m)?;
    add_prose_functions(m)?;
    Ok(())
}
