//! The records that cross the binding: frozen classes with named, typed fields, declared one for
//! one in `rustcore/_native.pyi` (which `mypy.stubtest` checks against the built extension), so no
//! caller unpacks a tuple by position.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{code, json, lines, prose};

/// Part of a compressed text. Kept text has `count == 0` and is emitted as is. An omission has
/// `text == ""`: `count` `unit`s of the original left out, over original lines `start..=end`
/// (1-based; both 0 when it names no line range); `bytes` the inclusive byte range of text cut from
/// inside a line (offsets into the UTF-8 text the core was given); `template` the key (8 hex
/// digits) of a collapsed template, whose lines `start..=end` then restrict when set.
#[pyclass(module = "rustcore._native", frozen, get_all, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Piece {
    text: String,
    count: usize,
    unit: &'static str,
    start: usize,
    end: usize,
    bytes: Option<(usize, usize)>,
    template: Option<String>,
}

#[pymethods]
impl Piece {
    /// Whether the piece stands for text left out.
    #[getter]
    fn omitted(&self) -> bool {
        self.count > 0
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

impl Piece {
    fn kept(text: String) -> Piece {
        Piece {
            text,
            count: 0,
            unit: "",
            start: 0,
            end: 0,
            bytes: None,
            template: None,
        }
    }

    fn omitted_span(
        count: usize,
        unit: &'static str,
        (start, end): (usize, usize),
        bytes: Option<(usize, usize)>,
        template: Option<u32>,
    ) -> Piece {
        Piece {
            text: String::new(),
            count,
            unit,
            start,
            end,
            // An exclusive `a..b` byte range as the inclusive one markers write; None when empty.
            bytes: bytes.and_then(|(a, b)| (b > a).then(|| (a, b - 1))),
            template: template.map(|id| format!("{id:08x}")),
        }
    }

    pub(super) fn from_lines(p: lines::Piece) -> Piece {
        match p {
            lines::Piece::Text(t) => Piece::kept(t),
            lines::Piece::Omit {
                count,
                unit,
                lines,
                bytes,
                template,
            } => Piece::omitted_span(count, unit, lines.unwrap_or((0, 0)), bytes, template),
        }
    }

    fn from_json(p: json::Piece) -> Piece {
        match p {
            json::Piece::Text(t) => Piece::kept(t),
            json::Piece::Omit {
                count,
                unit,
                lines: (a, b),
                bytes,
            } => Piece::omitted_span(
                count as usize,
                unit,
                (a as usize, b as usize),
                bytes.map(|(x, y)| (x as usize, y as usize)),
                None,
            ),
        }
    }
}

/// The JSON compressor's answer. `mode` is "json" (records and fields selected), "table" (a
/// lossless rows re-encoding, no omissions) or "not-json" (nothing parsed as JSON: no pieces; the
/// caller handles the text as lines). `tokens` is the core's count of the output with each marker
/// at the caller's `marker_tokens`.
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct JsonPlan {
    pieces: Vec<Piece>,
    mode: &'static str,
    level: u8,
    tokens: usize,
}

impl JsonPlan {
    pub(super) fn new(plan: json::Plan) -> JsonPlan {
        JsonPlan {
            pieces: plan.pieces.into_iter().map(Piece::from_json).collect(),
            mode: plan.mode.name(),
            level: plan.level,
            tokens: plan.tokens,
        }
    }
}

/// A function or container of a source file: its kind ("function" or "container"), its name and
/// the names qualifying it, its lines `first..=last` (0-based). `body_span` is the lines of its
/// body; a `wrapper` (a module wrapper, or a body with a syntax error around definitions) is looked
/// into rather than elided; `standalone` when it is a statement or member of its own whose lines
/// hold nothing else.
#[pyclass(module = "rustcore._native", frozen)]
pub(super) struct CodeDefinition {
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    name: String,
    /// Read as a tuple (`qualifiers`): a record's fields do not change.
    qualifiers_: Vec<String>,
    #[pyo3(get)]
    first: usize,
    #[pyo3(get)]
    last: usize,
    #[pyo3(get)]
    body_span: Option<(usize, usize)>,
    #[pyo3(get)]
    wrapper: bool,
    #[pyo3(get)]
    standalone: bool,
}

#[pymethods]
impl CodeDefinition {
    /// The enclosing names, outermost first.
    #[getter]
    fn qualifiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.qualifiers_)
    }
}

impl CodeDefinition {
    pub(super) fn new(d: &code::Definition) -> CodeDefinition {
        CodeDefinition {
            kind: match d.kind {
                code::DefKind::Function => "function",
                code::DefKind::Container => "container",
            },
            name: d.name.clone(),
            qualifiers_: d.qualifiers.clone(),
            first: d.first,
            last: d.last,
            body_span: d.body_span,
            wrapper: d.wrapper,
            standalone: d.standalone,
        }
    }
}

/// Lines `first..=last` (0-based) of a source file replaced by the glue line
/// `before + marker + after`, then `closing` on a line of its own when not empty.
#[pyclass(module = "rustcore._native", frozen, get_all, eq, from_py_object)]
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CodeElision {
    first: usize,
    last: usize,
    before: String,
    after: String,
    closing: String,
}

#[pymethods]
impl CodeElision {
    #[new]
    #[pyo3(signature = (first, last, before, after, closing))]
    fn py_new(first: usize, last: usize, before: String, after: String, closing: String) -> Self {
        CodeElision {
            first,
            last,
            before,
            after,
            closing,
        }
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

impl From<code::Elision> for CodeElision {
    fn from(e: code::Elision) -> Self {
        CodeElision {
            first: e.first,
            last: e.last,
            before: e.before,
            after: e.after,
            closing: e.closing,
        }
    }
}

impl From<CodeElision> for code::Elision {
    fn from(e: CodeElision) -> Self {
        code::Elision {
            first: e.first,
            last: e.last,
            before: e.before,
            after: e.after,
            closing: e.closing,
        }
    }
}

/// Elisions sorted by line; `bodies` marks each that is a definition's own body (the safe
/// fallback); `proven` when every elision keeps the file valid by construction (where the tokenizer
/// found no problem). `kept` is the text around the elisions (one more than them) and `endings`
/// each elision's line end: the output but for the glue lines.
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct CodePlan {
    elisions: Vec<CodeElision>,
    bodies: Vec<bool>,
    proven: bool,
    kept: Vec<String>,
    endings: Vec<String>,
}

#[pymethods]
impl CodePlan {
    #[new]
    fn py_new(
        elisions: Vec<CodeElision>,
        bodies: Vec<bool>,
        proven: bool,
        kept: Vec<String>,
        endings: Vec<String>,
    ) -> Self {
        CodePlan {
            elisions,
            bodies,
            proven,
            kept,
            endings,
        }
    }
}

impl From<code::plan::Plan> for CodePlan {
    fn from(p: code::plan::Plan) -> Self {
        CodePlan {
            elisions: p.elisions.into_iter().map(CodeElision::from).collect(),
            bodies: p.bodies,
            proven: p.proven,
            kept: p.kept,
            endings: p.endings.into_iter().map(str::to_string).collect(),
        }
    }
}

fn index_or_none(k: Option<usize>) -> isize {
    k.map_or(-1, |k| k as isize)
}

/// Lines `first..=last` (0-based) of prose of one `kind`: "heading" (with `level`, 0 for document
/// separators), "paragraph", "item", "fence", "table" or "rule"; `section` the index of the
/// section it is in (-1 for none) and `title` a heading's text.
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct ProseBlock {
    kind: &'static str,
    first: usize,
    last: usize,
    level: usize,
    section: isize,
    title: String,
}

impl From<prose::blocks::Block> for ProseBlock {
    fn from(b: prose::blocks::Block) -> Self {
        ProseBlock {
            kind: b.kind.name(),
            first: b.first,
            last: b.last,
            level: b.level,
            section: index_or_none(b.section),
            title: b.title,
        }
    }
}

/// A heading (the index of its block) and what follows it up to the next heading of the same or a
/// higher `level`; `parent` the index of the enclosing section (-1 for none).
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct ProseSection {
    heading: usize,
    level: usize,
    title: String,
    parent: isize,
}

impl From<prose::blocks::Section> for ProseSection {
    fn from(s: prose::blocks::Section) -> Self {
        ProseSection {
            heading: s.heading,
            level: s.level,
            title: s.title,
            parent: index_or_none(s.parent),
        }
    }
}

/// A run of prose lines `first..=last` (0-based) left out as one marker, with the lines inside it
/// that stay `shown` (headings).
#[pyclass(module = "rustcore._native", frozen, get_all)]
pub(super) struct ProseGap {
    first: usize,
    last: usize,
    shown: Vec<usize>,
}

impl From<prose::Gap> for ProseGap {
    fn from(g: prose::Gap) -> Self {
        ProseGap {
            first: g.first,
            last: g.last,
            shown: g.shown,
        }
    }
}

/// Registers the record classes.
pub(super) fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Piece>()?;
    m.add_class::<JsonPlan>()?;
    m.add_class::<CodeDefinition>()?;
    m.add_class::<CodeElision>()?;
    m.add_class::<CodePlan>()?;
    m.add_class::<ProseBlock>()?;
    m.add_class::<ProseSection>()?;
    m.add_class::<ProseGap>()?;
    Ok(())
}
