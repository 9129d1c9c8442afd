//! Content detection: which compressor a text needs (and, for source code,
//! its language).
//!
//! One pass over a bounded sample (the first [`HEAD_BYTES`], at most
//! [`HEAD_LINES`] lines, and for a large input a few windows of lines spread
//! evenly over the rest) counts per-line signals: grep results, log and
//! test-runner lines, diff structure, Markdown/reStructuredText markup, HTML
//! tags, and keywords of eight programming languages. A cheaper pass over the
//! first 32 KiB finds the fenced blocks (how much of a document is fenced, and
//! whether a window opens inside one); the last 8 KiB is read for a test run's
//! verdict. Cheap whole-input facts (first and last non-blank characters,
//! bracket balance) settle JSON. The type with the strongest evidence wins, in
//! an order that resolves the usual overlaps: a diff of Python is a diff, a
//! pytest run that prints Python source is a log, grep output of code is
//! search results.
//!
//! The cost is bounded whatever the input's size: about 0.2 ms (it was a
//! 32 KiB head read line by line, about 0.7 ms, and blind to a large input's
//! middle).

use crate::langs::{holds, is_definition, is_statement, lang_signals, Line};
use crate::lines::Lines;
use crate::shapes::DataLines;
use crate::toollines::{self, Shape};
use crate::{logs, search};

pub use crate::langs::LANGUAGES;

/// Every content type the detector names.
const CONTENT_TYPES: &[&str] = &[
    "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing",
    "config",
];

/// The head of the input the line scan always reads.
pub const HEAD_BYTES: usize = 8 * 1024;
pub const HEAD_LINES: usize = 150;
/// Past the head, windows of lines spread evenly over the rest, so that a
/// large input is judged by more than its first screen.
const WINDOWS: usize = 4;
const WINDOW_BYTES: usize = 2 * 1024;
const WINDOW_LINES: usize = 24;
/// How much of the start is read for JSON Lines and for the fenced-block layout.
const LAYOUT_BYTES: usize = 32 * 1024;
const LAYOUT_LINES: usize = 600;
/// How much of the end is read for a test run's verdict.
const TAIL_BYTES: usize = 8 * 1024;

/// The detected content type (one of the router's types) and language for code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub content_type: &'static str,
    pub language: Option<&'static str>,
}

impl Detection {
    fn of(content_type: &'static str) -> Self {
        Detection {
            content_type,
            language: None,
        }
    }
}

/// `text[..end]` cut back to a char boundary, then to the end of its last complete line.
fn whole_lines_before(text: &str, end: usize) -> &str {
    if end >= text.len() {
        return text;
    }
    let mut end = end;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind('\n') {
        Some(nl) if nl > 0 => &text[..nl + 1],
        _ => &text[..end],
    }
}

/// `text[start..]` from the first line that starts at or after `start`.
fn lines_from(text: &str, start: usize) -> &str {
    if start == 0 {
        return text;
    }
    let start = start.min(text.len());
    match memchr::memchr(b'\n', &text.as_bytes()[start - 1..]) {
        Some(nl) => &text[start + nl..],
        None => "",
    }
}

/// The parts of `text` the line scan reads, each of whole lines, with its line cap:
/// the head, then (for a large input) windows spread over the rest.
fn sample(text: &str) -> Vec<(&str, usize)> {
    let small = HEAD_BYTES + WINDOWS * WINDOW_BYTES;
    if text.len() <= small {
        return vec![(text, HEAD_LINES + WINDOWS * WINDOW_LINES)];
    }
    let head = whole_lines_before(text, HEAD_BYTES);
    let mut parts = vec![(head, HEAD_LINES)];
    let rest = text.len() - head.len();
    for k in 0..WINDOWS {
        let at = head.len() + rest * (2 * k + 1) / (2 * WINDOWS);
        let window = whole_lines_before(lines_from(text, at), WINDOW_BYTES);
        if !window.is_empty() {
            parts.push((window, WINDOW_LINES));
        }
    }
    parts
}

/// Where the fenced blocks of a document are, from one cheap pass over its
/// first lines (no classification): how much of it is fenced decides
/// "mixed", and the windows past the head need to know whether they open
/// inside a block.
#[derive(Default, Debug)]
struct Layout {
    nonblank: usize,
    fences: usize,
    fenced: usize,
    /// Byte offsets of the fence lines, and where the pass stopped.
    fence_at: Vec<usize>,
    end: usize,
}

impl Layout {
    fn of(text: &str) -> Self {
        let part = whole_lines_before(text, LAYOUT_BYTES);
        let lines = Lines::new(part);
        let read = lines.len().min(LAYOUT_LINES);
        let mut l = Layout {
            end: lines.span(0, read).len(),
            ..Layout::default()
        };
        let mut in_fence = false;
        let mut prev_text = false;
        let mut at = 0;
        for i in 0..read {
            let line_at = at;
            at += lines.raw(i).len();
            let t = lines.content(i).trim();
            if t.is_empty() {
                prev_text = false;
                continue;
            }
            l.nonblank += 1;
            if is_fence(t, prev_text) {
                l.fences += 1;
                l.fence_at.push(line_at);
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                l.fenced += 1;
                continue;
            }
            prev_text = t.chars().next().is_some_and(char::is_alphanumeric);
        }
        l
    }

    /// Whether byte `at` (a line start) of `text` lies inside a fenced block.
    fn in_fence_at(&self, text: &str, at: usize) -> bool {
        if self.fences == 0 {
            return false;
        }
        let before = self.fence_at.iter().filter(|&&f| f < at).count();
        let past = if at > self.end {
            backtick_fences(&text[self.end..at])
        } else {
            0
        };
        (before + past) % 2 == 1
    }
}

/// A fence line (`t` trimmed): a `~~~` line under text is a reStructuredText underline.
fn is_fence(t: &str, prev_text: bool) -> bool {
    t.starts_with("```") || (t.starts_with("~~~") && !prev_text)
}

/// How many lines of `text` open or close a backtick fence (tilde fences,
/// which depend on the line above, are left out).
fn backtick_fences(text: &str) -> usize {
    let b = text.as_bytes();
    memchr::memmem::find_iter(b, b"```")
        .filter(|&at| {
            let line_start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |nl| nl + 1);
            b[line_start..at].iter().all(u8::is_ascii_whitespace)
        })
        .count()
}

/// The last few kilobytes of `text` past byte `after`, from a line start.
fn tail(text: &str, after: usize) -> &str {
    lines_from(text, text.len().saturating_sub(TAIL_BYTES).max(after))
}

/// Detects the content type of `text`.
pub fn detect(text: &str) -> Detection {
    detect_hinted(text, None)
}

/// Where a hint about a text's type comes from, which says how much it weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint<'a> {
    /// A file's name (`code` for `x.py`, `config` for `x.yaml`): the author declared the
    /// format, so it is taken wherever the content shows some of that type's traits.
    Name(&'a str),
    /// What the text's producer usually prints (`log` for a test runner, `search` for
    /// `grep`): a guess, so it settles only a close call (see `Counts::close_call`).
    Producer(&'a str),
}

/// Detects the content type of `text`, leaning to `hint` where the content bears it out.
/// The content decides: a log saved as `.txt`, JSON in a `.log` or a listing in a `.md` go
/// by what they hold; a producer's guess never outweighs a clear case of another type.
pub fn detect_hinted(text: &str, hint: Option<Hint<'_>>) -> Detection {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Detection::of("text");
    }
    if looks_like_json(trimmed) || looks_like_jsonl(text) {
        return Detection::of("json");
    }
    let mut cut = text.len().min(512);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let lower_head = text[..cut].trim_start().to_ascii_lowercase();
    if lower_head.starts_with("<!doctype html") || lower_head.starts_with("<html") {
        return Detection::of("html");
    }
    if is_xml_document(&lower_head, trimmed) {
        // Data and settings in elements (pom.xml, .csproj, manifests, SVG, RSS, D-Bus
        // interfaces): its nesting is its structure, which the config outline keeps; the
        // page compressor would look for an article in it.
        return Detection::of("config");
    }
    if is_copyright_format(&text[..cut]) {
        // Debian's machine-readable copyright files (alone or as `tail -n +1` prints several): stanzas
        // of fields, which the config outline keeps with the stanza a question names; the licence
        // texts in them read like a log's free text to the scan.
        return Detection::of("config");
    }
    if is_help_text(&text[..cut]) {
        // Python's help text: member lines behind a `|` gutter read like a compiler's source
        // excerpts, but it is documentation, a list of entries under section titles.
        return Detection::of("text");
    }
    let mut c = Counts {
        layout: Layout::of(text),
        shell_shebang: shell_shebang(text),
        ..Counts::default()
    };
    let parts = sample(text);
    for &(part, max_lines) in &parts {
        let at = part.as_ptr() as usize - text.as_ptr() as usize;
        let in_fence = c.layout.in_fence_at(text, at);
        c.scan(part, max_lines, in_fence);
    }
    let (head, head_lines) = parts[0];
    let mut head_end = head.len();
    if head_end == text.len() {
        // A small input of many short lines: the scan stopped at its line cap.
        if let Some(nl) = memchr::memchr_iter(b'\n', text.as_bytes()).nth(head_lines - 1) {
            head_end = nl + 1;
        }
    }
    if head_end < text.len() {
        // A test run's verdict sits at its end, past the head.
        c.scan_tail(tail(text, head_end));
    }
    let found = c.decide();
    let taken = match hint {
        Some(Hint::Name(h)) if h != found.content_type => c.bears_out(h),
        Some(Hint::Producer(h))
            if h != found.content_type && c.close_call(h, found.content_type) =>
        {
            c.bears_out(h)
        }
        _ => None,
    };
    taken.unwrap_or(found)
}

/// Whether `head` (the input's start) declares Debian's machine-readable copyright format: its first
/// line, or the first after a `==> path <==` file header, is `Format: <url of copyright-format>`.
fn is_copyright_format(head: &str) -> bool {
    let mut lines = head.lines().filter(|l| !l.trim().is_empty());
    let first = match lines.next() {
        Some(l) if l.starts_with("==> ") && l.trim_end().ends_with(" <==") => lines.next(),
        other => other,
    };
    first.is_some_and(|l| l.starts_with("Format: http") && l.contains("copyright-format"))
}

/// Whether `head` (the input's start) is what Python's `help()` and `python -m pydoc` print: a first
/// line `Help on module NAME:` (or `class`, `function`, `package`, `built-in function ...`) and, after
/// a blank line, a section title (`NAME`) or the documented object's own line.
fn is_help_text(head: &str) -> bool {
    let mut lines = head.trim_start_matches(['\n', '\r']).lines();
    let Some(first) = lines.next() else {
        return false;
    };
    let opens =
        first.starts_with("Help on ") && first.trim_end().ends_with(':') && first.len() <= 200;
    let blank = lines.next().is_some_and(|l| l.trim().is_empty());
    let next = lines.next().unwrap_or("");
    let section = next.len() >= 3 && next.bytes().all(|b| b.is_ascii_uppercase() || b == b' ');
    let object = next.starts_with("class ") || next.contains('(');
    opens && blank && (section || object)
}

/// Elements a web page opens with: a document led by one of these is HTML, not XML data.
const HTML_ELEMENTS: &[&str] = &[
    "html",
    "head",
    "body",
    "div",
    "span",
    "p",
    "a",
    "table",
    "tr",
    "td",
    "th",
    "ul",
    "ol",
    "li",
    "section",
    "article",
    "nav",
    "header",
    "footer",
    "main",
    "aside",
    "script",
    "style",
    "meta",
    "link",
    "title",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "form",
    "input",
    "button",
    "img",
    "br",
    "hr",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "small",
    "label",
    "select",
    "textarea",
    "iframe",
    "figure",
    "blockquote",
    "dl",
    "template",
    "base",
    "noscript",
    "details",
    "center",
];

/// Whole-input check: an XML document rather than a web page. `lower_head` is the start of
/// the input, lowercased and trimmed; `trimmed` the whole input trimmed. An XML declaration
/// or a non-HTML doctype that no `<html` follows, or a root element that is not an HTML one
/// (`<project`, `<svg`, `<manifest`) which the input closes at its end.
fn is_xml_document(lower_head: &str, trimmed: &str) -> bool {
    let mut head = lower_head.trim_start_matches('\u{feff}');
    // Comments may come first (a licence, a note on how to edit the file).
    while let Some(rest) = head.strip_prefix("<!--") {
        match rest.find("-->") {
            Some(end) => head = rest[end + 3..].trim_start(),
            None => return false,
        }
    }
    if head.starts_with("<?xml") || head.starts_with("<!doctype ") {
        return !head.contains("<html") && !head.contains("<!doctype html");
    }
    let Some(rest) = head.strip_prefix('<') else {
        return false;
    };
    let name_len = rest
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_' | b'.'))
        .count();
    if name_len == 0 || !rest.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    let name = &rest[..name_len];
    if HTML_ELEMENTS.contains(&name) {
        return false;
    }
    // The root closes at the end (its own spelling: XML names are case-sensitive).
    let Some(close_at) = trimmed.rfind("</") else {
        return false;
    };
    let close = &trimmed[close_at + 2..];
    close.len() == name_len + 1
        && close[..name_len].eq_ignore_ascii_case(name)
        && close.ends_with('>')
}

/// Whole-input check: starts and ends like a JSON value, and the start is JSON-shaped.
fn looks_like_json(t: &str) -> bool {
    let b = t.as_bytes();
    let (first, last) = (b[0], b[b.len() - 1]);
    if !matches!(first, b'{' | b'[') {
        return false;
    }
    if first == b'[' && t.contains('\n') && is_section_line(t.lines().next().unwrap_or("")) {
        // `[[test]]` or `[package]` over more lines: TOML or INI that happens to end in `]`.
        return false;
    }
    let after = t[1..].trim_start();
    let next = after.as_bytes().first().copied();
    match (first, last) {
        // A printed literal is data too: Python's repr/pprint (`{'key': 1,`), Node's inspect
        // (`{ key: [],`); the JSON path reads them as it reads JSON.
        (b'{', b'}') => {
            matches!(next, Some(b'"') | Some(b'}'))
                || ((next == Some(b'\'') || bare_key(after)) && balanced(t))
        }
        (b'[', b']') => {
            matches!(
                next,
                Some(b'{' | b'[' | b'"' | b'\'' | b']' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
            ) && number_then_json(after)
                && balanced(t)
        }
        _ => false,
    }
}

/// `key: ` at the start of `t`: an object's unquoted key as Node prints it.
fn bare_key(t: &str) -> bool {
    let name = t
        .bytes()
        .take_while(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        .count();
    name > 0 && t[name..].starts_with(": ")
}

/// `[name]`, `[[a.b]]`, `[remote "origin"]`: a config section header.
fn is_section_line(line: &str) -> bool {
    matches!(crate::config::classify(line), crate::config::Kind::Section(name)
        if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// When `rest` (what follows an opening `[`) starts with a number, what comes
/// after it is JSON: a comma, or a `]` closing the array and then another
/// closer or a comma. The kernel's `[    0.524292] pci ...` is not an array.
fn number_then_json(rest: &str) -> bool {
    let b = rest.as_bytes();
    if !b.first().is_some_and(|&c| c == b'-' || c.is_ascii_digit()) {
        return true;
    }
    let end = b
        .iter()
        .position(|&c| !(c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')))
        .unwrap_or(b.len());
    let after = rest[end..].trim_start();
    match after.as_bytes().first() {
        Some(b',') | None => true,
        Some(b']') => matches!(
            after[1..].trim_start().as_bytes().first(),
            None | Some(b',' | b']' | b'}')
        ),
        _ => false,
    }
}

/// Brackets balance outside strings (cheap, whole input: strings are skipped
/// with `memchr`, which is most of a JSON document's bytes).
fn balanced(t: &str) -> bool {
    let b = t.as_bytes();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // To the closing quote; a backslash escapes the byte after it.
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..]) {
                        None => return depth == 0,
                        Some(k) if b[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k;
                            break;
                        }
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// One JSON object per line (at least two lines, nearly all of them).
fn looks_like_jsonl(text: &str) -> bool {
    let mut objects = 0;
    let mut others = 0;
    for line in whole_lines_before(text, LAYOUT_BYTES).lines().take(200) {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with('{') && l.ends_with('}') {
            objects += 1;
        } else {
            others += 1;
        }
    }
    objects >= 2 && others * 10 <= objects
}

#[derive(Default, Debug)]
struct Counts {
    nonblank: usize,
    search_hits: usize,
    compiler: usize,
    log: usize,
    runner: usize,
    /// Final result lines (`3 failed, 10 passed`): a test run says so at the end.
    summaries: usize,
    stamped: usize,
    /// Lines without a time stamp that declare a level in a leading field (`12 silly x`).
    leveled: usize,
    diff_headers: usize,
    hunk_headers: usize,
    diff_body: usize,
    markup: usize,
    fences: usize,
    fenced: usize,
    tags: usize,
    prose: usize,
    code: usize,
    lang: [usize; 9],
    /// `#` comment lines that read as Markdown headings (`# Check the args`): comments in a script.
    hash_comments: usize,
    /// The first line is `#!` naming a shell.
    shell_shebang: bool,
    /// Lines that define a function or a class the way only source does (`def f(x):`), and of
    /// those, how many each language writes.
    definitions: usize,
    defined: [usize; 9],
    ts_only: usize,
    cpp_only: usize,
    layout: Layout,
    /// Search results with a line number (a bare path is also a ripgrep heading).
    numbered_hits: usize,
    /// Code lines that are only a `name = value` at the margin, with no language's words in them.
    bare_assignments: usize,
    /// Lines of one token, or of two or three that end without punctuation (`U abort@GLIBC_2.2.5`).
    bare_rows: usize,
    /// Evidence of listings, tables and configuration files.
    data: DataLines,
}

/// The share of time-stamped lines that makes `Key: value` records a log.
const STAMPED_RECORDS: f32 = 0.2;

const JS: usize = 1;
const C: usize = 6;
const CPP: usize = 7;
const SHELL: usize = 8;

impl Counts {
    /// Counts the first `max_lines` lines of `text` (a part of the input that starts a
    /// line, `in_fence` saying whether that is inside a fenced block).
    fn scan(&mut self, text: &str, max_lines: usize, mut in_fence: bool) {
        let c = self;
        let lines = Lines::new(text);
        let mut prev_text = false;
        let mut heading = None;
        for line in lines.iter().take(max_lines) {
            let t = line.trim();
            if t.is_empty() {
                prev_text = false;
                heading = None;
                continue;
            }
            c.nonblank += 1;
            if is_fence(t, prev_text) {
                c.fences += 1;
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                c.fenced += 1;
                continue;
            }
            c.line(line, t, prev_text, &mut heading);
            prev_text = t.chars().next().is_some_and(char::is_alphanumeric);
        }
    }

    fn scan_tail(&mut self, text: &str) {
        for line in Lines::new(text).iter() {
            let clean = crate::lines::strip_ansi(line);
            // Only a summary or a section rule can be a verdict, and `summary` is what
            // `classify` tries first: no need to classify the whole line.
            if let Some(kind) = crate::loglines::summary(clean.trim()) {
                if is_verdict(kind, &clean) {
                    self.summaries += 1;
                }
            }
        }
    }

    fn line<'a>(&mut self, line: &'a str, t: &str, prev_text: bool, heading: &mut Option<&'a str>) {
        let l = Line::of(t);
        // A name holds something besides letters (`x86_64-linux`, `abort@GLIBC_2.2.5`, `|libfoo`);
        // `and more words` is a phrase.
        let fields = t.split_ascii_whitespace().take(4);
        let named = fields
            .clone()
            .any(|f| f.bytes().any(|b| !b.is_ascii_alphabetic()));
        let count = fields.count();
        self.bare_rows += usize::from(
            named && (count == 1 || (count <= 3 && !t.ends_with(['.', '?', '!', ':', ',', ';']))),
        );
        let tool = toollines::shape(line);
        // Diff structure.
        if line.starts_with("diff --git ")
            || line.starts_with("+++ ")
            || line.starts_with("--- a/")
            || (line.starts_with("commit ") && line.len() >= 47)
        {
            self.diff_headers += 1;
        } else if line.starts_with("@@ -") && line[4..].contains(" @@") {
            self.hunk_headers += 1;
        } else if line.starts_with('+') || line.starts_with('-') || line.starts_with(' ') {
            self.diff_body += 1;
        }
        // Search results and compiler messages (`path:12:5: error: ...`).
        match search::parse_line(line, *heading) {
            // ripgrep's heading mode: a path, then numbered lines under it.
            search::Entry::Heading(file) => {
                *heading = Some(file);
                self.search_hits += 1;
            }
            search::Entry::Hit { context: false, .. }
                if heading.is_some() && line.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                self.search_hits += 1;
                self.numbered_hits += 1;
            }
            search::Entry::Hit {
                text,
                context: false,
                file,
            } => {
                let after = text.trim_start();
                const COMPILER: &[&str] = &[
                    "error",
                    "warning",
                    "note",
                    "fatal error",
                    "Error",
                    "Warning",
                ];
                if tool == Some(Shape::Diagnostic) || COMPILER.iter().any(|w| after.starts_with(w))
                {
                    self.compiler += 1;
                } else if file.bytes().any(|b| b.is_ascii_alphabetic())
                    && line[file.len()..].starts_with(':')
                    && line[file.len() + 1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    self.search_hits += 1;
                    self.numbered_hits += 1;
                }
            }
            // grep -C: context lines and the `--` between groups.
            search::Entry::Hit { context: true, .. } | search::Entry::Separator => {
                self.search_hits += 1
            }
            _ => {}
        }
        // Logs and test runners.
        let clean = crate::lines::strip_ansi(line);
        let kind = logs::classify(&clean);
        if is_verdict(kind, &clean) {
            self.summaries += 1;
        }
        match kind {
            logs::Kind::Summary => self.runner += 1,
            // A bare rule (`=====`) is as often a heading underline as a test runner's.
            logs::Kind::Section if t.trim_matches('=').trim().is_empty() => {}
            logs::Kind::Pass
            | logs::Kind::FailId
            | logs::Kind::Section
            | logs::Kind::TraceStart => self.runner += 1,
            logs::Kind::Error
            | logs::Kind::Warn
            | logs::Kind::SoftError
            | logs::Kind::Exception
            | logs::Kind::Frame => self.log += 1,
            _ => {}
        }
        // valgrind's `==12345==` before every line marks it as a tool's log line as a stamp does.
        if has_timestamp(t) || crate::loglines::after_tool_pid(t).is_some() {
            self.stamped += 1;
        } else if matches!(kind, logs::Kind::Plain | logs::Kind::Notice)
            && crate::loglines::leveled(&clean)
        {
            // Counted once: an `ERROR:` line already counts as a log event.
            self.leveled += 1;
        }
        // Build, lint and install output: a diagnostic's source excerpt is not
        // code, nor an installer's progress line prose.
        if tool.is_some() {
            if tool != Some(Shape::Diagnostic)
                || !matches!(
                    search::parse_line(line, *heading),
                    search::Entry::Hit { .. }
                )
            {
                self.compiler += 1;
            }
            return;
        }
        let loggy = matches!(
            kind,
            logs::Kind::Error | logs::Kind::Warn | logs::Kind::SoftError | logs::Kind::Exception
        );
        // The stamp leads the line after a syslog priority or a `facility:level:` prefix too.
        let stamped_part = after_priority(t);
        let mut lead = stamped_part.len().min(24);
        while !stamped_part.is_char_boundary(lead) {
            lead -= 1;
        }
        // A test runner's result line (`tests/a.py::test_b PASSED   [ 38%]`, `test x ... ok`)
        // lines up in columns like a table's row but is no listing's.
        let result = matches!(
            kind,
            logs::Kind::Pass | logs::Kind::FailId | logs::Kind::Summary
        );
        let data = !result
            && self
                .data
                .line(line, t, loggy, has_timestamp(&stamped_part[..lead]));
        // Markup.
        let markup = is_markup(&l, prev_text);
        if markup {
            self.markup += 1;
            self.hash_comments += usize::from(t.starts_with('#'));
        }
        let closing_tags = if t.contains('<') {
            t.matches("</").count().min(3)
        } else {
            0
        };
        self.tags += closing_tags + usize::from(t.starts_with('<') && t.ends_with('>'));
        // Code.
        let mut any = false;
        let signals = lang_signals(&l);
        for (k, hit) in signals.langs.into_iter().enumerate() {
            if hit {
                self.lang[k] += 1;
                any = true;
            }
        }
        if let Some(k) = is_definition(t).filter(|_| any) {
            self.definitions += 1;
            self.defined[k] += 1;
        }
        self.ts_only += usize::from(signals.ts_only);
        self.cpp_only += usize::from(signals.cpp_only);
        // Code closes blocks and statements; an indented line may also end mid-expression.
        let indented = line.starts_with([' ', '\t']);
        let ends_code = t.ends_with(['{', '}', ';'])
            || t.ends_with("):")
            || t.ends_with("*/")
            || (indented && t.ends_with([')', ',', '(', '[', ']']));
        let comment = t.starts_with("//") || t.starts_with("/*") || t == "*" || t == "*/";
        if data {
            // A key, a listing row or a template line: data, whatever keywords it holds.
        } else if any || comment || (ends_code && !markup) || is_statement(t) {
            self.code += 1;
            let bare = !any && !comment && !ends_code && !indented && t.contains(" = ");
            self.bare_assignments += usize::from(bare);
        } else if is_prose(t) {
            self.prose += 1;
        }
    }

    fn frac(&self, n: usize) -> f32 {
        n as f32 / self.nonblank.max(1) as f32
    }

    /// The hinted type, if the sample shows enough of its traits to take the hint over the
    /// type the evidence would otherwise pick (`text` and unknown hints lean nowhere).
    fn bears_out(&self, hint: &str) -> Option<Detection> {
        let layout = &self.layout;
        let log = self.frac(self.log + self.compiler + self.stamped + self.leveled)
            + 2.0 * self.frac(self.runner);
        let supported = match hint {
            // Source code may be mostly a table of constants: a few lines of code will do.
            "code" => self.frac(self.code) >= 0.05 || self.lang.iter().sum::<usize>() >= 3,
            // A configuration file may be mostly comments (`pg_hba.conf`, `pam_env.conf`): its
            // `#` lines are not Markdown headings when its name says what it is.
            "config" => {
                self.data.config_share(self.nonblank) >= 0.25
                    || self.data.neutral * 2 >= self.nonblank.max(1)
            }
            "listing" => self.frac(self.data.listing) >= 0.25,
            "log" => log >= 0.15,
            "markdown" => {
                self.frac(self.markup) >= 0.02 || layout.fences >= 2 || self.frac(self.prose) >= 0.3
            }
            "html" => self.frac(self.tags) >= 0.1,
            "diff" => self.hunk_headers > 0,
            "search" => self.frac(self.search_hits) >= 0.3,
            "mixed" => layout.fences >= 2,
            _ => false,
        };
        if !supported {
            return None;
        }
        let found = CONTENT_TYPES.iter().find(|&&t| t == hint)?;
        Some(if hint == "code" {
            Detection {
                content_type: "code",
                language: Some(self.language()),
            }
        } else {
            Detection::of(found)
        })
    }

    /// How strongly the sample shows `kind`'s traits, as a multiple of the share at which
    /// `decide` picks it on the evidence alone (1.0: just enough; `text` shows nothing).
    fn strength(&self, kind: &str) -> f32 {
        let layout = &self.layout;
        let runner = self.frac(self.runner);
        match kind {
            // Lines only one language writes (`package`, `func`, `def`) say code however much
            // of the file is a table of constants.
            "code" => (self.frac(self.code) / 0.4).max(if self.lang.iter().sum::<usize>() >= 3 {
                1.0
            } else {
                0.0
            }),
            "config" => self.data.config_share(self.nonblank) / 0.5,
            "listing" => self.frac(self.data.listing) / 0.5,
            "search" => self.frac(self.search_hits) / 0.6,
            "log" => {
                (self.frac(self.log + self.compiler + self.stamped + self.leveled) + 2.0 * runner)
                    / 0.4
            }
            "html" => self.frac(self.tags) / 0.3,
            "markdown" => (self.frac(self.markup) / 0.04)
                .max(self.frac(self.prose) / 0.6)
                .max(if layout.fences >= 2 { 1.0 } else { 0.0 }),
            "diff" if self.hunk_headers > 0 && self.diff_headers > 0 => 4.0,
            "diff" if self.hunk_headers > 0 => self.frac(self.diff_body) / 0.5,
            "mixed" if layout.fences >= 2 => 1.0,
            _ => 0.0,
        }
    }

    /// Whether the evidence for `hint` comes close enough to that for `found` (what the
    /// sample alone picks) for a hint to settle it: `found` is plain text, or its traits are
    /// less than twice as strong as the hinted type's. A clear case stays with the content.
    fn close_call(&self, hint: &str, found: &str) -> bool {
        found == "text" || self.strength(hint) * 2.0 >= self.strength(found)
    }

    fn decide(&self) -> Detection {
        if self.hunk_headers > 0 && (self.diff_headers > 0 || self.frac(self.diff_body) > 0.5) {
            return Detection::of("diff");
        }
        // Source whose functions and classes sit beside a long table of constants (a codec's
        // mapping, generated data): rows in most of the sample, but definitions only code
        // writes. A test run prints the source of its failures: its runner and result lines say
        // so; Markdown shows code in fenced blocks.
        let events =
            self.frac(self.log + self.compiler + self.stamped) + 2.0 * self.frac(self.runner);
        if self.definitions >= 3
            && self.layout.fences == 0
            && events < 0.15
            && self.summaries == 0
            && !self.shell_shebang
        {
            return Detection {
                content_type: "code",
                language: Some(self.defining_language()),
            };
        }
        // `find` and `grep -l` print bare paths, `pip freeze` names with versions: they also
        // read as ripgrep headings.
        if self.data.mostly_listing(self.nonblank) && self.numbered_hits * 5 < self.nonblank {
            return Detection::of("listing");
        }
        if self.frac(self.search_hits) >= 0.6 {
            return Detection::of("search");
        }
        // Fenced blocks amid prose: documentation or an answer with code in it. How much
        // is fenced comes from the layout pass, how wordy the rest is from the sample.
        let layout = &self.layout;
        let in_blocks = layout.fenced + layout.fences;
        let fenced = in_blocks as f32 / layout.nonblank.max(1) as f32;
        let outside = layout.nonblank.saturating_sub(in_blocks);
        let sampled_outside = self.nonblank.saturating_sub(self.fenced + self.fences);
        let wordy = (self.prose + self.markup) as f32 / sampled_outside.max(1) as f32;
        if layout.fences >= 2 && fenced >= 0.2 && outside >= 2 && wordy >= 0.4 {
            return Detection::of("mixed");
        }
        let runner = self.frac(self.runner);
        let log = self.frac(self.log + self.compiler + self.stamped + self.leveled) + 2.0 * runner;
        let code = self.frac(self.code);
        // A script that names its shell on its first line and shows shell syntax is code, however
        // much of its sample is comments, strings or assignments.
        if self.shell_shebang && self.lang[SHELL] >= 2 {
            return Detection {
                content_type: "code",
                language: Some("bash"),
            };
        }
        if self.is_settings_dump() {
            return Detection::of("config");
        }
        // Tables, listings and configuration files: rows and keys, whatever words they hold.
        let events = self.frac(self.log + self.compiler) + 2.0 * runner;
        if let Some(kind) = self.data.decide(self.nonblank, events, code) {
            // Records of `Key: value` lines that each carry a time (apt's history.log,
            // `journalctl -o verbose`): a log of events, however much it reads like keys.
            if kind != "config" || self.frac(self.stamped) < STAMPED_RECORDS {
                return Detection::of(kind);
            }
        }
        if log >= 0.4 && (log >= code || runner >= 0.1) {
            return Detection::of("log");
        }
        // A test run that prints source in its failures still ends with its result line.
        if self.summaries >= 2 || (self.summaries == 1 && self.frac(self.runner + self.log) >= 0.05)
        {
            return Detection::of("log");
        }
        if self.frac(self.tags) >= 0.3 {
            return Detection::of("html");
        }
        // A script's `#` comments read as Markdown headings: they are neither markup nor code.
        let comments = self.script_comments();
        let markup = (self.markup - comments) as f32 / self.nonblank.max(1) as f32;
        let code = if comments > 0 {
            self.code as f32 / (self.nonblank - comments).max(1) as f32
        } else {
            code
        };
        if code >= 0.4 && code > self.frac(self.prose) || code >= 0.3 && code >= 3.0 * markup {
            return Detection {
                content_type: "code",
                language: Some(self.language()),
            };
        }
        if markup >= 0.04 || layout.fences >= 2 {
            return Detection::of("markdown");
        }
        if log >= 0.3 {
            return Detection::of("log");
        }
        // A list of names, one or a few fields a line (`rustc --print target-list`, `nm -D`,
        // `apt-cache rdepends`, `getent group`): rows to keep by name, not sentences to sum up.
        if self.nonblank >= 8 && self.frac(self.bare_rows) >= 0.7 && self.frac(self.prose) < 0.1 {
            return Detection::of("listing");
        }
        Detection::of("text")
    }

    /// `sysctl -a`, `getconf`-style and `.env` dumps: most lines a `name = value` at the margin
    /// (`net.ipv4.tcp_rmem = 4096 131072 33554432`) and nothing else reads as code: no
    /// definition, block, call or keyword of any language. Source code assigns too, but
    /// between lines only code writes.
    fn is_settings_dump(&self) -> bool {
        let words = self.lang.iter().sum::<usize>();
        let other_code = self.code - self.bare_assignments;
        self.frac(self.bare_assignments) >= 0.5
            && other_code * 20 <= self.nonblank
            && words * 50 <= self.nonblank
    }

    /// The `#` comment lines of a shell script (its first line names a shell, or shell syntax
    /// leads the language signals), else 0.
    fn script_comments(&self) -> usize {
        let shell = self.lang[SHELL];
        let script = self.shell_shebang
            || (shell >= 3
                && self
                    .lang
                    .iter()
                    .enumerate()
                    .all(|(k, &n)| k == SHELL || n < shell));
        if script {
            self.hash_comments
        } else {
            0
        }
    }

    /// The language most of the definition lines are written in, refined as [`Self::language`]
    /// refines it when that agrees (a table's comments may say `NULL` and `->` more often than
    /// its code says anything).
    fn defining_language(&self) -> &'static str {
        let mut best = 0;
        for k in 0..LANGUAGES.len() {
            if self.defined[k] > self.defined[best] {
                best = k;
            }
        }
        let refined = self.language();
        let family = |l: &'static str| -> &'static str {
            match l {
                "typescript" => "javascript",
                "cpp" => "c",
                other => other,
            }
        };
        if family(refined) == family(LANGUAGES[best]) {
            refined
        } else {
            LANGUAGES[best]
        }
    }

    fn language(&self) -> &'static str {
        if self.shell_shebang {
            return "bash";
        }
        let mut best = 0;
        for k in 0..LANGUAGES.len() {
            if self.lang[k] > self.lang[best] {
                best = k;
            }
        }
        let lines = self.nonblank.max(1);
        match best {
            JS if self.ts_only >= 3.max(lines / 50) => "typescript",
            C if self.cpp_only >= 3.max(lines / 100) => "cpp",
            CPP if self.cpp_only < 2 && self.lang[C] > 0 => "c",
            _ => LANGUAGES[best],
        }
    }
}

/// Whether a line classified as `kind` is one only a test runner prints: its
/// result line or a pytest section rule.
fn is_verdict(kind: logs::Kind, line: &str) -> bool {
    match kind {
        logs::Kind::Summary => true,
        logs::Kind::Section => {
            let l = line.to_ascii_lowercase();
            [
                "test session starts",
                "failures",
                "errors",
                "short test summary",
                "warnings summary",
            ]
            .iter()
            .any(|w| l.contains(w))
        }
        _ => false,
    }
}

/// What follows a line's syslog priority (`<6>`, as `dmesg -r` prints it) or a padded
/// `facility:level:` prefix (`kern  :info  : `, as `dmesg -x` prints it): where its time stamp
/// starts. A line without such a prefix is returned whole.
fn after_priority(t: &str) -> &str {
    if let Some(rest) = t.strip_prefix('<') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        return if (1..=3).contains(&digits) && rest[digits..].starts_with('>') {
            &rest[digits + 1..]
        } else {
            t
        };
    }
    let mut rest = t;
    for _ in 0..2 {
        let word = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        let after = rest[word..].trim_start_matches(' ');
        if !(2..=8).contains(&word) || !after.starts_with(':') {
            return t;
        }
        rest = after[1..].trim_start_matches(' ');
    }
    rest
}

fn has_timestamp(t: &str) -> bool {
    let t = after_priority(t);
    // The kernel's seconds since boot: `[    0.524292] ...`.
    if let Some(rest) = t.strip_prefix('[') {
        let rest = rest.trim_start_matches(' ');
        let secs = rest.bytes().take_while(u8::is_ascii_digit).count();
        if secs > 0 && rest[secs..].starts_with('.') {
            let frac = rest[secs + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            if frac >= 3 && rest[secs + 1 + frac..].starts_with(']') {
                return true;
            }
        }
    }
    let head = &t.as_bytes()[..t.len().min(80)];
    let mut digits_run = 0;
    let mut longest = 0;
    for w in head.windows(8) {
        // `2015-10-18`, `2005.06.03`, `12:10:43`.
        let date = w[..4].iter().all(u8::is_ascii_digit)
            && matches!(w[4], b'-' | b'.' | b'/')
            && w[5..7].iter().all(u8::is_ascii_digit);
        let time = w[..2].iter().all(u8::is_ascii_digit)
            && w[2] == b':'
            && w[3..5].iter().all(u8::is_ascii_digit)
            && w[5] == b':'
            && w[6..8].iter().all(u8::is_ascii_digit);
        if date || time {
            return true;
        }
    }
    // A run led by a zero is an address or a padded counter (`0000000000023160 T _fini`), never
    // epoch seconds.
    let mut padded = false;
    for &b in head {
        if b.is_ascii_digit() {
            padded |= digits_run == 0 && b == b'0';
            digits_run += 1;
            if !padded {
                longest = longest.max(digits_run);
            }
        } else {
            digits_run = 0;
            padded = false;
        }
    }
    // Epoch seconds, or `081110 111650` style stamps.
    longest >= 9
        || (head.len() > 13
            && head[..6].iter().all(u8::is_ascii_digit)
            && head[6] == b' '
            && head[7..13].iter().all(u8::is_ascii_digit))
}

/// Whether the first line is a `#!` naming a shell (`#!/bin/sh`, `#! /usr/bin/env bash`).
fn shell_shebang(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("#!") else {
        return false;
    };
    let first = rest.lines().next().unwrap_or("");
    let mut words = first.split_ascii_whitespace();
    let mut program = words.next().unwrap_or("");
    if program.ends_with("/env") {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    let name = program.rsplit('/').next().unwrap_or("");
    matches!(
        name,
        "sh" | "bash" | "dash" | "ksh" | "mksh" | "ash" | "zsh" | "busybox"
    )
}

fn is_markup(l: &Line<'_>, prev_text: bool) -> bool {
    let t = l.text;
    let heading = t.starts_with('#') && t.trim_start_matches('#').starts_with(' ') && t.len() > 2;
    let list = (t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ")) || {
        // `12. item`: one to three digits before the first `. `.
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        (1..=3).contains(&digits) && t[digits..].starts_with(". ")
    };
    let link = holds!(l, "](") || holds!(l, "]: http");
    let rst_rule = prev_text
        && t.len() >= 3
        && t.bytes()
            .all(|b| matches!(b, b'=' | b'-' | b'~' | b'^' | b'*' | b'#' | b'+'));
    let rst =
        t.starts_with(".. ") || t.ends_with("::") || t.starts_with(":param") || holds!(l, "`_");
    let quote = t.starts_with("> ");
    let table = t.starts_with('|') && t.ends_with('|');
    heading || list || link || rst_rule || rst || quote || table
}

fn is_prose(t: &str) -> bool {
    let words = t.split_whitespace().count();
    let letters = t.bytes().filter(u8::is_ascii_alphabetic).count();
    words >= 5 && letters * 10 >= t.len() * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> (&'static str, Option<&'static str>) {
        let d = detect(text);
        (d.content_type, d.language)
    }

    #[test]
    fn json_and_jsonl() {
        assert_eq!(kind("  {\"a\": [1, 2]}\n").0, "json");
        assert_eq!(kind("[{\"a\": 1}, {\"a\": 2}]").0, "json");
        assert_eq!(kind("{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n").0, "json");
        assert_ne!(kind("[Sun Dec 04 05:04:04 2005] [notice] started\n[Sun Dec 04 05:04:05 2005] [error] x]").0, "json");
        assert_ne!(
            kind("[    0.000000] Linux version 6.1\n[    0.000001] mem [0x0-0xff]").0,
            "json"
        );
        assert_eq!(kind("[1, 2.5e3, -3]").0, "json");
        assert_eq!(kind("[[1], [2]]").0, "json");
    }

    #[test]
    fn diffs_logs_and_search_results() {
        let diff = "diff --git a/x.py b/x.py\nindex 1..2 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-def f():\n+def g():\n     pass\n";
        assert_eq!(kind(diff).0, "diff");
        let log: String = (0..50)
            .map(|i| {
                format!(
                    "2024-01-01 10:00:{:02} INFO worker started job {i}\n",
                    i % 60
                )
            })
            .collect();
        assert_eq!(kind(&log).0, "log");
        let grep: String = (0..50)
            .map(|i| format!("src/mod{i}.py:{}:    return helper(x)\n", i + 3))
            .collect();
        assert_eq!(kind(&grep).0, "search");
        let gcc: String = (0..20)
            .map(|i| format!("src/a.c:{i}:5: error: expected ';' before '}}' token\n"))
            .collect();
        assert_eq!(kind(&gcc).0, "log");
        let rg: String = (0..10)
            .map(|i| {
                format!(
                    "src/mod{i}.rs\n{}:    let v = helper({i});\n{}:    helper(v)\n\n",
                    i + 3,
                    i + 9
                )
            })
            .collect();
        assert_eq!(kind(&rg).0, "search");
    }

    #[test]
    fn pytest_output_with_source_in_it_is_a_log() {
        let text = "============================= test session starts ==============================\n\
platform linux -- Python 3.11.7, pytest-8.3.5\ncollected 3 items\n\ntests/test_a.py .F.                                                       [100%]\n\n\
=================================== FAILURES ===================================\n\
___________________________________ test_b ____________________________________\n\n    def test_b():\n>       assert 1 == 2\nE       assert 1 == 2\n\n\
tests/test_a.py:5: AssertionError\n=========================== short test summary info ============================\n\
FAILED tests/test_a.py::test_b - assert 1 == 2\n========================= 1 failed, 2 passed in 0.01s ==========================\n";
        assert_eq!(kind(text).0, "log");
    }

    #[test]
    fn verbose_test_runs_whose_result_lines_line_up_are_logs() {
        let names = [
            "parse", "render", "split", "merge", "scale", "trim", "sort", "decode",
        ];
        let cases = |f: &dyn Fn(usize, &str) -> String| -> String {
            (0..48).map(|i| f(i, names[i % names.len()])).collect()
        };
        let pytest = format!(
            "============ test session starts ============\ncollecting ... collected 48 items\n\n{}",
            cases(&|i, n| format!(
                "tests/test_fmt.py::test_{n}_case_{i} {:<40} [{:>3}%]\n",
                if i % 9 == 4 { "FAILED" } else { "PASSED" },
                i * 2
            ))
        );
        assert_eq!(kind(&pytest).0, "log");
        let go = cases(&|i, n| {
            format!(
                "=== RUN   Test{n}{i}\n--- PASS: Test{n}{i} (0.0{}s)\n",
                i % 10
            )
        });
        assert_eq!(kind(&go).0, "log");
        let cargo = cases(&|i, n| format!("test fmt::tests::{n}_{i} ... ok\n"));
        assert_eq!(kind(&cargo).0, "log");
    }

    #[test]
    fn key_value_records_that_each_carry_a_time_are_a_log() {
        let apt: String = (0..30)
            .map(|i| {
                format!(
                    "\nStart-Date: 2025-06-{:02}  14:{:02}:25\nCommandline: apt-get install -y pkg{i}\n\
                     Install: pkg{i}:amd64 (1.{i}-1), libdep{i}:amd64 (2.{i}-3, automatic)\n\
                     End-Date: 2025-06-{:02}  14:{:02}:31\n",
                    i % 28 + 1,
                    i % 60,
                    i % 28 + 1,
                    i % 60
                )
            })
            .collect();
        assert_eq!(kind(&apt).0, "log");
        // A configuration file with a date or two is still one.
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  creationTimestamp: 2024-05-01T10:00:00Z\n  namespace: prod\ndata:\n  mode: fast\n  level: info\n  retries: 3\n  timeout: 30s\n  region: eu\n  owner: team-a\n";
        assert_eq!(kind(yaml).0, "config");
    }

    #[test]
    fn a_short_lined_test_run_longer_than_the_scan_is_judged_by_its_verdict() {
        let mut tap = String::from("TAP version 13\n# Subtest: suite\n");
        for i in 1..=120 {
            tap.push_str(&format!("    # Subtest: case_{i}\n    ok {i} - case_{i}\n      ---\n      duration_ms: 0.{i}\n      ...\n"));
        }
        tap.push_str("ok 1 - suite\n1..1\n# tests 120\n# pass 120\n# fail 0\n");
        assert!(tap.len() < 20_000);
        assert_eq!(kind(&tap).0, "log");
    }

    #[test]
    fn a_commands_help_listing_its_options_is_a_listing_not_prose() {
        let help: String = (0..60)
            .map(|i| format!("  -{}, --option-{i}[=WHEN]   do the {i}th thing to the files given, when asked\n      --no-option-{i}      do not do the {i}th thing, whatever the defaults say\n", (b'a' + (i % 26) as u8) as char))
            .collect();
        let text = format!("Usage: tool [OPTION]... [FILE]...\nList information about the FILEs (the current directory by default).\n\n{help}\nExit status:\n 0  if OK,\n");
        assert_eq!(kind(&text).0, "listing");
        // A Markdown list of flags stays prose, a diff's removed lines stay a diff.
        let list: String = (0..40)
            .map(|i| format!("- The option number {i} changes how the files are listed, and when they are sorted.\n"))
            .collect();
        assert_ne!(kind(&list).0, "listing");
    }

    #[test]
    fn debian_machine_readable_copyright_files_are_config() {
        let licence: String = (0..40)
            .map(|i| format!(" THIS SOFTWARE IS PROVIDED AS IS, ERROR {i} OR WARNING IN NO EVENT SHALL THE AUTHORS BE LIABLE\n .\n"))
            .collect();
        let one = format!("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\nFiles: *\nCopyright: 2020 A\nLicense: MIT\n{licence}");
        assert_eq!(kind(&one).0, "config");
        assert_eq!(
            kind(&format!("==> /usr/share/doc/x/copyright <==\n{one}")).0,
            "config"
        );
    }

    #[test]
    fn python_help_text_is_documentation_not_a_compiler_log() {
        let members: String = (0..40)
            .map(|i| {
                format!(
                    "     |  method_{i}(self, a, b=1)\n     |      Do the {i}th thing.\n     |  \n"
                )
            })
            .collect();
        let module = format!("Help on module demo:\n\nNAME\n    demo - Demo things.\n\nCLASSES\n    class Demo(builtins.object)\n{members}");
        assert_eq!(kind(&module).0, "text");
        let class =
            format!("Help on class Demo in module demo:\n\nclass Demo(builtins.object)\n{members}");
        assert_eq!(kind(&class).0, "text");
        assert_ne!(kind(&format!("Help on this:\nplease\n{members}")).0, "text");
    }

    #[test]
    fn printed_python_and_node_literals_are_data_for_the_json_path() {
        let pprint: String = (0..200)
            .map(|i| format!(" 'KEY_{i}': {},\n", ["0", "''", "'gcc -pthread'"][i % 3]))
            .collect();
        assert_eq!(
            kind(&format!("{{'ABIFLAGS': '',\n{pprint} 'ZZ': 1}}\n")).0,
            "json"
        );
        let inspect: String = (0..100).map(|i| format!("    flag_{i}: true,\n")).collect();
        assert_eq!(
            kind(&format!("{{\n  target_defaults: {{\n{inspect}  }}\n}}\n")).0,
            "json"
        );
        let names: String = (0..200).map(|i| format!(" 'module_{i}',\n")).collect();
        assert_eq!(kind(&format!("['abc',\n{names} 'zlib']\n")).0, "json");
        // A shell brace group and TOML sections stay what they are.
        assert_ne!(kind("{ echo a; echo b; }\n").0, "json");
    }

    #[test]
    fn lists_of_names_are_listings_and_short_prose_is_not() {
        let targets: String = (0..120)
            .map(|i| format!("arch{i}-unknown-linux-gnu{}\n", ["", "eabi", "musl"][i % 3]))
            .collect();
        assert_eq!(kind(&targets).0, "listing");
        let symbols: String = (0..120)
            .map(|i| {
                format!(
                    "                 U sym_{i}@GLIBC_2.{}\n0000000000{i:06x} T local_{i}\n",
                    i % 30
                )
            })
            .collect();
        assert_eq!(kind(&symbols).0, "listing");
        let rdepends: String = (0..120)
            .map(|i| format!("  |libfoo{i}\n  libbar{i}-dev\n"))
            .collect();
        assert_eq!(
            kind(&format!("libc6\nReverse Depends:\n{rdepends}")).0,
            "listing"
        );
        let notes = "The archive is read from the start.\nEach member is listed.\nThen it stops.\n"
            .repeat(30);
        assert_ne!(kind(&notes).0, "listing");
        assert_eq!(kind("plain words here\nand more words\n").0, "text");
        assert_ne!(
            kind(&"plain words here\nand more words\n".repeat(10)).0,
            "listing"
        );
    }

    #[test]
    fn settings_dumped_as_name_equals_value_lines_are_config_not_code() {
        let sysctl: String = (0..200)
            .map(|i| format!("net.ipv4.conf.eth{i}.accept_redirects = {}\nkernel.sched_domain.cpu{i}.flags = 4\t131072\t33554432\nvm.stat_interval_{i} = on\n", i % 2))
            .collect();
        assert_eq!(kind(&sysctl).0, "config");
        // Python that only assigns at the margin, but defines and calls between: still code.
        let module: String = (0..60)
            .map(|i| format!("LIMIT_{i} = {i}\nNAME_{i} = 'n{i}'\n\ndef check_{i}(x):\n    return x > LIMIT_{i}\n\n"))
            .collect();
        assert_eq!(kind(&module).0, "code");
    }

    #[test]
    fn build_lint_install_and_kernel_output_is_a_log() {
        let rustc = "   Compiling time v0.3.34\nerror[E0282]: type annotations needed for `Box<_>`\n  --> time/src/format_description/parse/mod.rs:83:9\n   |\n83 |     let items = format_items\n   |         ^^^^^\n...\n86 |         .collect::<Result<Box<_>, _>>()?;\n   |                  ---------- type must be known at this point\n   |\n   = note: this is an inference error\nhelp: consider giving `items` an explicit type\n   |\n83 |     let items: Box<_> = format_items\n   |              ++++++++\n\n";
        assert_eq!(kind(&rustc.repeat(3)).0, "log");
        let ruff = "F401 [*] `os` imported but unused\n --> mod_0.py:1:8\n  |\n1 | import os\n  |        ^^\n2 | import sys\n  |\nhelp: Remove unused import: `os`\n\n";
        assert_eq!(kind(&ruff.repeat(5)).0, "log");
        let pip: String = (0..40)
            .map(|i| format!("  Skipping link: unsupported archive format: .exe: https://files.example.org/p/PyYAML-3.{i}.win32.exe (from https://pypi.org/simple/pyyaml/)\nCreated temporary directory: /tmp/pip-install-{i}\n"))
            .collect();
        assert_eq!(kind(&pip).0, "log");
        let apt: String = (0..40)
            .map(|i| format!("Preparing to unpack .../{i:03}-libfoo{i}_1.{i}-1_amd64.deb ...\nUnpacking libfoo{i}:amd64 (1.{i}-1) ...\nSetting up libfoo{i}:amd64 (1.{i}-1) ...\n"))
            .collect();
        assert_eq!(kind(&apt).0, "log");
        let dmesg: String = (0..40)
            .map(|i| format!("[    0.{:06}] pci 0000:00:{i:02x}.0: reg 0x10: [mem 0xfe000000-0xfe7fffff pref]\n", i * 1371))
            .collect();
        assert_eq!(kind(&dmesg).0, "log");
        // valgrind's reports among the program's own output.
        let valgrind: String = (0..12)
            .map(|i| format!("==4242== Conditional jump or move depends on uninitialised value(s)\n==4242==    at 0x1092{i:02}: count_token (codec.c:10)\n==4242==    by 0x1093FB: main (codec.c:11)\n==4242== \nround {i}: total {}\nround {i}: total {}\nround {i}: total {}\n", i * 7, i * 9, i * 11))
            .collect();
        assert_eq!(kind(&valgrind).0, "log");
        // `dmesg -x` and `dmesg -r`: a facility and level, or a syslog priority, before the stamp.
        let decoded: String = (0..40)
            .map(|i| format!("kern  :info  : [    0.{:06}] pci 0000:00:{i:02x}.0: reg 0x10: [mem 0xfe000000-0xfe7fffff pref]\n", i * 1371))
            .collect();
        assert_eq!(kind(&decoded).0, "log");
        let raw: String = (0..40)
            .map(|i| {
                format!(
                    "<6>[    0.{:06}] ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus {i:02x}])\n",
                    i * 1371
                )
            })
            .collect();
        assert_eq!(kind(&raw).0, "log");
        let dejagnu: String = (0..40)
            .map(|i| format!("Running /build/gdb/testsuite/gdb.base/t{i}.exp ...\nPASS: gdb.base/t{i}.exp: print the value of x in frame {i}\n"))
            .collect();
        assert_eq!(kind(&dejagnu).0, "log");
        let jtreg: String = (0..60)
            .map(|i| format!("Passed: java/io/File/Test{i}.java\n"))
            .collect();
        assert_eq!(kind(&jtreg).0, "log");
    }

    #[test]
    fn xml_documents_are_config_and_web_pages_stay_html() {
        let pom = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>org.example</groupId>\n  <artifactId>app</artifactId>\n  <dependencies>\n    <dependency>\n      <groupId>junit</groupId>\n    </dependency>\n  </dependencies>\n</project>\n";
        assert_eq!(kind(pom).0, "config");
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n";
        assert_eq!(kind(csproj).0, "config");
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\">\n  <rect x=\"1\" y=\"2\"/>\n</svg>";
        assert_eq!(kind(svg).0, "config");
        let dbus = "<!-- The session bus: add a session-local.conf\n     rather than editing this file. -->\n\n<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\">\n<busconfig>\n  <type>session</type>\n</busconfig>\n";
        assert_eq!(kind(dbus).0, "config");
        let fonts = "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n  <dir>/usr/share/fonts</dir>\n</fontconfig>\n";
        assert_eq!(kind(fonts).0, "config");
        let xhtml = "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html><body><p>Hi there, this is a page.</p></body></html>\n";
        assert_eq!(kind(xhtml).0, "html");
        let fragment = "<div class=\"post\">\n  <p>Some text of the post.</p>\n</div>\n";
        assert_ne!(kind(fragment).0, "config");
    }

    #[test]
    fn lines_that_lead_with_a_level_word_are_a_log_without_time_stamps() {
        // npm's debug log: a counter, then the level.
        let npm: String = (0..60)
            .map(|i| match i % 4 {
                0 => format!(
                    "{i} silly placeDep ROOT pkg{i}@1.{i}.0 OK for: app@1.0.0 want: ^1.{i}.0\n"
                ),
                1 => format!(
                    "{i} verbose reify failed optional dependency /tmp/app/node_modules/pkg{i}\n"
                ),
                2 => format!(
                    "{i} http fetch GET 200 https://registry.npmjs.org/pkg{i} 12ms (cache hit)\n"
                ),
                _ => format!("{i} timing idealTree:#root Completed in {i}ms\n"),
            })
            .collect();
        assert_eq!(kind(&npm).0, "log");
        let maven: String = (0..40)
            .map(|i| {
                format!("[INFO] Copying {i} resources from src/main/resources to target/classes\n")
            })
            .collect();
        assert_eq!(kind(&maven).0, "log");
        // Python's logging with no format: `LEVEL:logger:message`.
        let python: String = (0..60)
            .map(|i| match i % 3 {
                0 => format!("INFO:root:job {i} step {} done\n", i % 9),
                1 => format!("DEBUG:worker.pool:poll {i}\n"),
                _ => format!("WARNING:root:slow disk on volume {i}\n"),
            })
            .collect();
        assert_eq!(kind(&python).0, "log");
    }

    #[test]
    fn languages() {
        assert_eq!(kind("import os\n\n\ndef f(x):\n    return x\n\n\nclass A:\n    def g(self):\n        return self.x\n"), ("code", Some("python")));
        assert_eq!(kind("package main\n\nimport (\n\t\"fmt\"\n)\n\nfunc main() {\n\tx := 1\n\tfmt.Println(x)\n}\n"), ("code", Some("go")));
        assert_eq!(kind("use std::io;\n\npub fn f(x: &mut Vec<u8>) -> usize {\n    let mut n = 0;\n    n\n}\n\nimpl A {\n    fn g(&self) {}\n}\n"), ("code", Some("rust")));
        assert_eq!(kind("#include <stdio.h>\n\nstatic int f(int x);\n\nint main(void) {\n    char *p = NULL;\n    return f(1);\n}\n"), ("code", Some("c")));
        assert_eq!(kind("#include <vector>\n\nnamespace a {\ntemplate <typename T>\nclass B {\n public:\n  std::vector<T> v;\n};\n}  // namespace a\n"), ("code", Some("cpp")));
        assert_eq!(kind("package a.b;\n\nimport java.util.List;\n\npublic class A {\n  @Override\n  public String toString() {\n    return \"a\";\n  }\n}\n"), ("code", Some("java")));
        assert_eq!(kind("const x = require('x');\n\nfunction f(a) {\n  return a;\n}\n\nmodule.exports = f;\n"), ("code", Some("javascript")));
        assert_eq!(kind("export interface A {\n  x: string;\n  y: number;\n}\n\nexport type B = A | null;\n\nexport function f(a: A): boolean {\n  return a.x.length > 0;\n}\n"), ("code", Some("typescript")));
    }

    #[test]
    fn prose_markdown_and_mixed() {
        assert_eq!(kind("# Title\n\nSome text about things that matter here.\n\n- a point\n- another point\n").0, "markdown");
        assert_eq!(
            kind("Title\n=====\n\nSome text about things that matter to the reader here.\n").0,
            "markdown"
        );
        assert_eq!(kind("This is plain prose with no markup at all and it goes on.\nAnother sentence follows here to make it longer.\n").0, "text");
        let mixed = "Here is what I ran to reproduce the problem with it:\n\n```python\nimport x\nx.run()\nprint(x)\n```\n\nAnd this is the output that I got back from it:\n\n```\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\n```\n";
        assert_eq!(kind(mixed).0, "mixed");
        assert_eq!(
            kind("<!DOCTYPE html>\n<html><body><p>x</p></body></html>").0,
            "html"
        );
        assert_eq!(kind("").0, "text");
    }

    #[test]
    fn listings_and_tables_are_listings() {
        let du: String = (0..60)
            .map(|i| format!("{}\t./lib/part{}/file{i}.rb\n", 4 * i, i % 5))
            .collect();
        assert_eq!(kind(&du).0, "listing");
        let find: String = (0..60)
            .map(|i| format!("./src/pkg{}/mod{i}.py\n", i % 4))
            .collect();
        assert_eq!(kind(&find).0, "listing");
        let npm: String = std::iter::once("app@1.0.0 /src/app\n".to_string())
            .chain((0..40).map(|i| format!("├─┬ dep{i}@1.0.{i}\n│ └── leaf{i}@2.0.0\n")))
            .collect();
        assert_eq!(kind(&npm).0, "listing");
        let pip: String = std::iter::once("Package    Version\n---------- -------\n".to_string())
            .chain((0..40).map(|i| format!("pkg{i:<7} {i}.1.0\n")))
            .collect();
        assert_eq!(kind(&pip).0, "listing");
        let ps: String = std::iter::once("USER  PID %CPU %MEM COMMAND\n".to_string())
            .chain(
                (0..40)
                    .map(|i| format!("root  {:>3}  0.0  0.1 /usr/bin/daemon{i} --flag\n", 100 + i)),
            )
            .collect();
        assert_eq!(kind(&ps).0, "listing");
        let csv: String = std::iter::once("date,open,close,volume\n".to_string())
            .chain((0..40).map(|i| {
                format!(
                    "2024-01-{:02},{}.5,{}.25,{}\n",
                    i % 28 + 1,
                    100 + i,
                    101 + i,
                    5000 * i
                )
            }))
            .collect();
        assert_eq!(kind(&csv).0, "listing");
        // Two columns have one comma a row, spaced or not.
        for sep in [",", ", "] {
            let pairs: String = std::iter::once(format!("seed{sep}0xdeadbeaf\n"))
                .chain((0..60u64).map(|i| format!("{i}{sep}{:#x}\n", i.wrapping_mul(0x9e37_79b9))))
                .collect();
            assert_eq!(kind(&pairs).0, "listing", "{pairs}");
        }
        let letter = "Dear Sam,\nThanks, truly.\nYes, indeed.\nWell, then.\nSee you, soon.\n";
        assert_ne!(kind(letter).0, "listing");
    }

    #[test]
    fn configuration_files_are_config() {
        let k8s = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n";
        assert_eq!(kind(k8s).0, "config");
        let ini = "[server]\n; where to listen\nhost = example.org\nport = 8080\n\n[database]\nname = app db\nuser = app\n";
        assert_eq!(kind(ini).0, "config");
        let toml = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nmemchr = \"2\"\n";
        assert_eq!(kind(toml).0, "config");
        let env: String = (0..30)
            .map(|i| format!("APP_SETTING_{i}=value{i}\n"))
            .collect();
        assert_eq!(kind(&env).0, "config");
        let docker = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt \\\n    && rm -rf /root/.cache\nCOPY . .\nEXPOSE 8000\nCMD [\"python\", \"-m\", \"app\"]\n";
        assert_eq!(kind(docker).0, "config");
        assert_eq!(
            kind("[[test]]\nname = \"a\"\nregex = []\n\n[[test]]\nname = \"b\"\nmatches = []\n").0,
            "config"
        );
    }

    #[test]
    fn a_hint_is_taken_only_where_the_content_bears_it_out() {
        let log: String = (0..40)
            .map(|i| format!("2024-01-01 10:00:{:02} ERROR worker {i} failed\n", i % 60))
            .collect();
        assert_eq!(
            detect_hinted(&log, Some(Hint::Name("text"))).content_type,
            "log"
        );
        assert_eq!(
            detect_hinted(&log, Some(Hint::Name("config"))).content_type,
            "log"
        );
        let constants: String = (0..40)
            .map(|i| format!("\tSYS_CALL_{i:<8} = {i}\n"))
            .collect();
        let go =
            format!("package unix\n\nconst (\n{constants})\n\nfunc f() int {{\n\treturn 1\n}}\n");
        assert_eq!(
            detect_hinted(&go, Some(Hint::Name("code"))).content_type,
            "code"
        );
        let conf = "# Records take one of these forms:\n#\n# local  DATABASE  USER  METHOD\n# host   DATABASE  USER  ADDRESS  METHOD\n#\n# The first field is the connection type.\n\nlocal   all   postgres   peer\nhost    all   all   127.0.0.1/32   scram-sha-256\n";
        assert_eq!(detect(conf).content_type, "markdown");
        assert_eq!(
            detect_hinted(conf, Some(Hint::Name("config"))).content_type,
            "config"
        );
        let yaml = "# settings\n# more comments\nkey: value\nother:\n  nested: 1\n";
        assert_eq!(
            detect_hinted(yaml, Some(Hint::Name("config"))).content_type,
            "config"
        );
        assert_eq!(
            detect_hinted(yaml, Some(Hint::Name("nonsense"))),
            detect(yaml)
        );
    }

    #[test]
    fn a_producers_hint_settles_only_a_close_call() {
        let table = |rows: usize, errors: usize| -> String {
            let mut t = String::from("Package            Version\n------------------ -------\n");
            for i in 0..rows {
                t.push_str(&format!("package-{i:<10} {i}.0.1\n"));
            }
            for i in 0..errors {
                t.push_str(&format!(
                    "ERROR: could not fetch package-{i}: connection refused\n"
                ));
            }
            t
        };
        let clear = table(40, 6);
        assert_eq!(detect(&clear).content_type, "listing");
        assert_eq!(
            detect_hinted(&clear, Some(Hint::Producer("log"))).content_type,
            "listing"
        );
        // A file's name weighs more than a command's usual output.
        assert_eq!(
            detect_hinted(&clear, Some(Hint::Name("log"))).content_type,
            "log"
        );
        let close = table(30, 8);
        assert_eq!(detect(&close).content_type, "listing");
        assert_eq!(
            detect_hinted(&close, Some(Hint::Producer("log"))).content_type,
            "log"
        );
        // A hint the content shows nothing of changes nothing.
        assert_eq!(
            detect_hinted(&close, Some(Hint::Producer("diff"))).content_type,
            "listing"
        );
    }

    /// `balanced` as a plain byte loop.
    fn balanced_bytewise(t: &str) -> bool {
        let (mut depth, mut in_str, mut escaped) = (0i64, false, false);
        for &b in t.as_bytes() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_str = false;
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                _ => {}
            }
        }
        depth == 0
    }

    #[test]
    fn a_large_input_is_read_in_a_head_and_windows_of_whole_lines() {
        let text: String = (0..20_000).map(|i| format!("line {i} é\n")).collect();
        let parts = sample(&text);
        assert_eq!(parts.len(), 1 + WINDOWS);
        assert!(parts[0].0.len() <= HEAD_BYTES && text.starts_with(parts[0].0));
        let mut last_end = 0;
        for (part, _) in &parts {
            let at = part.as_ptr() as usize - text.as_ptr() as usize;
            assert!(at >= last_end, "parts overlap or go backwards");
            assert!(at == 0 || text.as_bytes()[at - 1] == b'\n');
            assert!(part.ends_with('\n') && part.len() <= HEAD_BYTES.max(WINDOW_BYTES));
            last_end = at + part.len();
        }
        // The last window sits in the last eighth of the input.
        assert!(last_end > text.len() * 7 / 8);
        assert_eq!(
            sample("short\ntext\n"),
            vec![("short\ntext\n", HEAD_LINES + WINDOWS * WINDOW_LINES)]
        );
    }

    #[test]
    fn windows_know_whether_they_open_inside_a_fenced_block() {
        let prose = "Some words about the thing that we are describing here.\n".repeat(400);
        let code = "    x = compute(x)\n".repeat(4000);
        let text = format!("Intro line.\n```\nfirst()\n```\n{prose}```python\n{code}```\n{prose}");
        let layout = Layout::of(&text);
        // The block past the layout pass opens inside it and closes beyond it.
        assert_eq!(layout.fences, 3);
        let open = text.find("```python").unwrap();
        let close = open + "```python\n".len() + code.len();
        assert!(!layout.in_fence_at(&text, open));
        assert!(layout.in_fence_at(&text, open + "```python\n".len()));
        assert!(layout.in_fence_at(&text, close - "    x = compute(x)\n".len()));
        assert!(!layout.in_fence_at(&text, close + 4));
        assert!(!Layout::of("no fences\n").in_fence_at("no fences\n", 3));
    }

    proptest::proptest! {
        #[test]
        fn no_text_or_query_makes_it_panic(text in "(\\PC|\n|\r){0,400}", query in "\\PC{0,40}") {
            let _ = (detect(&text), &query);
        }

        #[test]
        fn brackets_balance_as_a_byte_by_byte_scan_says(t in "([\\[\\]{}\"\\\\a ]|\\PC){0,60}") {
            proptest::prop_assert_eq!(balanced(&t), balanced_bytewise(&t));
        }

        #[test]
        fn large_inputs_of_any_lines_are_sampled_without_panicking(
            lines in proptest::collection::vec("(\\PC|```|~~~){0,90}", 1..40),
            copies in 1usize..400,
        ) {
            let text = (lines.join("\n") + "\n").repeat(copies);
            let _ = detect(&text);
            for (part, _) in sample(&text) {
                proptest::prop_assert!(text.contains(part));
            }
        }
    }
}
