//! The outline of a source file without a parser: definitions, their bodies, comment runs, long
//! literals and runs of one-line siblings, as line ranges with the glue that keeps the file valid
//! when a range is left out.
//!
//! A tree-sitter parse runs at about 10 MB/s, which alone costs more than the whole compression
//! may. The outline needs much less than a syntax tree: where each bracket or indented block
//! starts and ends (a tokenizer that knows the language's strings and comments, see [`lex`]), and
//! what a block is, which the few tokens before it tell (`) {` after a name, `class X {`,
//! `def f(...):`). The Python layer still parses the *output* with tree-sitter and undoes any
//! elision that left a syntax error, so a misjudged block costs compression, never validity.

mod braces;
mod extras;
mod headers;
pub mod lex;
pub mod plan;
mod python;
mod relevance;
mod shell;
mod source;

pub use source::Source;

/// The languages the outline knows; aliases are resolved by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Rust,
    Java,
    C,
    Cpp,
    /// sh, bash, dash, ksh: functions and comments, no types.
    Shell,
}

impl Lang {
    /// The language for a canonical name (`python`, `javascript`, `typescript`, `tsx`, `go`, `rust`,
    /// `java`, `c`, `cpp`, `bash`).
    pub fn from_name(name: &str) -> Option<Lang> {
        Some(match name {
            "python" => Lang::Python,
            "javascript" => Lang::JavaScript,
            "typescript" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "rust" => Lang::Rust,
            "java" => Lang::Java,
            "c" => Lang::C,
            "cpp" => Lang::Cpp,
            "bash" => Lang::Shell,
            _ => return None,
        })
    }

    pub(crate) fn is_js(self) -> bool {
        matches!(self, Lang::JavaScript | Lang::TypeScript | Lang::Tsx)
    }

    pub(crate) fn is_c(self) -> bool {
        matches!(self, Lang::C | Lang::Cpp)
    }

    /// Lines `first..=last` (starting at `indent`) left out where a statement or a member stood:
    /// a Python suite needs `...`, a shell block a command (`:`), the others take a comment.
    pub(crate) fn gap(self, first: usize, last: usize, indent: &str) -> Elision {
        match self {
            Lang::Python => Elision::new(first, last, format!("{indent}...  # "), ""),
            Lang::Shell => Elision::new(first, last, format!("{indent}:  # "), ""),
            _ => Elision::new(first, last, format!("{indent}/* "), " */"),
        }
    }
}

/// Lines `first..=last` (0-based) left out, replaced by `before + marker + after` on one line, then
/// `closing` on a line of its own when set (the quotes that end a shortened docstring).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elision {
    pub first: usize,
    pub last: usize,
    pub before: String,
    pub after: String,
    pub closing: String,
}

impl Elision {
    pub(crate) fn new(first: usize, last: usize, before: String, after: &str) -> Self {
        Elision {
            first,
            last,
            before,
            after: after.to_string(),
            closing: String::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Container,
}

/// A function or a container (class, impl, namespace...). `first..=last` are the lines of the whole
/// definition (decorators, template heads, the statement that binds it to a name); `body` is the
/// elision of a function's body when that is safe; a `wrapper` is looked into as a container is.
#[derive(Clone, Debug)]
pub struct Definition {
    pub kind: DefKind,
    pub name: String,
    pub qualifiers: Vec<String>,
    pub first: usize,
    pub last: usize,
    pub body_span: Option<(usize, usize)>,
    pub body: Option<Elision>,
    pub wrapper: bool,
    /// A statement or member of its own (not an expression inside one) with its lines to itself:
    /// leaving all of them out keeps the file valid.
    pub standalone: bool,
    /// The function whose body holds this definition as one of its own statements (not inside a
    /// nested block or expression): its index among the outline's definitions.
    pub parent: Option<usize>,
    /// With a `parent`, the blocks between it and this definition (`if (x) {` inside the parent's
    /// body): each one's opening and closing line, which must stay for this definition to stay.
    pub within: Vec<(usize, usize)>,
}

/// Consecutive whole-line comments (or one block comment); `tail` elides all but its head.
/// `doc_for` is the index of the definition starting on the line after it.
#[derive(Clone, Debug)]
pub struct CommentRun {
    pub first: usize,
    pub last: usize,
    pub tail: Option<Elision>,
    pub doc_for: Option<usize>,
}

/// Many one-line siblings of one kind in a row (constants, fields, enum members, defines):
/// their lines and the glue for a marker between them.
#[derive(Clone, Debug)]
pub struct Run {
    pub items: Vec<usize>,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, Default)]
pub struct Outline {
    pub definitions: Vec<Definition>,
    pub comments: Vec<CommentRun>,
    pub literals: Vec<Elision>,
    pub runs: Vec<Run>,
    /// Brackets that found no partner and strings or comments left open: a rough error count.
    pub problems: usize,
}

/// The outline of `text` in `lang`.
pub fn outline(text: &str, lang: Lang) -> Outline {
    let src = Source::new(text);
    if src.is_empty() {
        return Outline::default();
    }
    let toks = lex::lex(&src, lang);
    let mut out = match lang {
        Lang::Python => python::outline(&src, &toks),
        Lang::Shell => shell::outline(&src, &toks),
        _ => braces::outline(&src, &toks, lang),
    };
    out.problems = toks.problems;
    out
}

#[cfg(test)]
mod nested_tests;
#[cfg(test)]
mod tests;
