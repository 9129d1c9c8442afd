//! Logs and build/test output: what a line is (severity, test result,
//! traceback, summary) and which lines survive.
//!
//! Every line gets a template (its fields with numbers, ids, addresses,
//! timestamps and paths masked). Lines then earn a priority: final result
//! lines and failing test ids first, then exception lines, errors, lines the
//! query points at, warnings, the context that makes a failure readable,
//! rare templates (in a log whose lines mostly repeat, a template seen once
//! or a few times is news) and one representative of every template. Repeats
//! beyond a per-template allowance, passing tests and progress lines earn
//! nothing. The planner then keeps lines by priority within the budget, and
//! each gap becomes a marker; a footer counts the most repeated templates so
//! "one line shown" never reads as "it happened once".

use std::collections::HashMap;

use crate::lines::{self, template_key, template_text, Costs, Lines, Piece, PlainLines, Planner};
use crate::terms::{score_mask, Query};

/// What a line is, as far as keeping it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blank,
    /// A passing or skipped test, or a progress line.
    Pass,
    Plain,
    /// An informational line that mentions an error word.
    SoftError,
    Warn,
    Error,
    /// The id or header of a failing test.
    FailId,
    /// An exception or assertion line (`ValueError: ...`, pytest `E   ...`, `Error: ...`).
    Exception,
    /// A stack frame.
    Frame,
    /// The start of a traceback.
    TraceStart,
    /// A section rule (`=== FAILURES ===`).
    Section,
    /// A final result line (`3 failed, 10 passed`, `FAILED (failures=1)`, `# fail 2`).
    Summary,
}

const P_SUMMARY: u32 = 1000;
const P_QUERY_STRONG: u32 = 960;
const P_FAIL: u32 = 950;
const P_EXCEPTION: u32 = 900;
const P_ERROR: u32 = 850;
const P_QUERY: u32 = 780;
const P_WARN: u32 = 700;
const P_CONTEXT: u32 = 650;
const P_RARE: u32 = 600;
const P_SOFT: u32 = 550;
const P_SECTION: u32 = 500;
const P_REPRESENTATIVE: u32 = 400;

/// How many lines of one template each kind may keep before repeats are
/// omitted; a template that fills the log is background, whatever its level.
fn template_allowance(kind: Kind, count: usize) -> usize {
    let frequent = count > 30;
    match kind {
        Kind::Summary | Kind::FailId => 500,
        Kind::Exception => 40,
        Kind::Error if frequent => 4,
        Kind::Error => 12,
        Kind::Warn if frequent => 3,
        Kind::Warn => 8,
        Kind::SoftError => 3,
        _ => 3,
    }
}
/// Added to a severity level's priority for a rare template (half for a scarce one).
const RARITY_BONUS: u32 = 30;
/// Lines kept for matching the query (the best-scoring ones).
const QUERY_TOP: usize = 30;
/// Of those, how many may outrank failures for naming a precise identifier.
const QUERY_STRONG_TOP: usize = 12;
/// Templates listed in the footer.
const FOOTER_TEMPLATES: usize = 8;
const FOOTER_TEMPLATE_CHARS: usize = 110;

const ERROR_LEVELS: &[&str] = &[
    "FATAL", "ERROR", "ERR", "CRIT", "CRITICAL", "SEVERE", "ALERT", "EMERG", "PANIC", "fatal",
    "error", "crit", "critical", "alert", "emerg",
];
const WARN_LEVELS: &[&str] = &["WARN", "WARNING", "warn", "warning", "Warning"];
const INFO_LEVELS: &[&str] = &[
    "INFO", "DEBUG", "TRACE", "NOTICE", "FINE", "FINER", "FINEST", "VERBOSE", "info", "debug",
    "trace", "notice",
];
const ERROR_WORDS: &[&str] = &[
    "error",
    "errors",
    "fatal",
    "failed",
    "failure",
    "failures",
    "failing",
    "fail",
    "fails",
    "exception",
    "panic",
    "panicked",
    "traceback",
    "segfault",
    "aborted",
    "abort",
    "killed",
    "timeout",
    "refused",
    "denied",
    "crash",
    "crashed",
    "critical",
    "unable",
    "cannot",
    "unreachable",
];
const WARN_WORDS: &[&str] = &["warn", "warning", "warnings", "deprecated", "deprecation"];
const PASS_ENDINGS: &[&str] = &[
    " passed", " ok", " OK", " skipped", " PASSED", " SKIPPED", " XFAIL", " xfail", " XPASS",
    " pass", " PASS", " pending",
];
const SUMMARY_PREFIXES: &[&str] = &[
    "# tests ",
    "# pass ",
    "# fail ",
    "# skip ",
    "# todo ",
    "Ran ",
    "FAILED (",
    "OK (",
    "Total ",
    "Result:",
    "== Tests result",
    "test result:",
    "Tests:",
    "Test Suites:",
    "Tests run:",
    "BUILD ",
    "Summary of ",
    "Test Files ",
    "Snapshots:",
];
const SUMMARY_NOUNS: &[&str] = &[
    "passing", "failing", "pending", "passed", "failed", "tests", "test", "errors", "error",
    "skipped", "warnings", "warning", "failures", "examples", "specs",
];

/// What `line` (ANSI codes already stripped) is.
pub fn classify(line: &str) -> Kind {
    let t = line.trim();
    if t.is_empty() {
        return Kind::Blank;
    }
    if let Some(kind) = summary(t) {
        return kind;
    }
    if let Some(kind) = test_result(t) {
        return kind;
    }
    if is_trace_start(t) {
        return Kind::TraceStart;
    }
    if is_frame(t) {
        return Kind::Frame;
    }
    if is_exception(line, t) {
        return Kind::Exception;
    }
    severity(t)
}

fn ends_with_any(t: &str, endings: &[&str]) -> bool {
    // A trailing duration or percentage (`(0.2s)`, `[ 12%]`) does not hide the result word.
    let stripped = t
        .rsplit_once(" (")
        .or_else(|| t.rsplit_once(" ["))
        .map_or(t, |(head, _)| head)
        .trim_end();
    endings
        .iter()
        .any(|e| t.ends_with(e) || stripped.ends_with(e))
}

fn test_result(t: &str) -> Option<Kind> {
    if t.starts_with('✔') || t.starts_with('✓') || t.starts_with('√') {
        return Some(Kind::Pass);
    }
    if t.starts_with('✖') || t.starts_with('✗') || t.starts_with('×') || t.starts_with('✘') {
        return Some(Kind::FailId);
    }
    if let Some(rest) = t.strip_prefix("ok ") {
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(Kind::Pass);
        }
    }
    if t.starts_with("not ok") {
        return Some(Kind::FailId);
    }
    if t.starts_with("--- PASS")
        || t.starts_with("=== RUN")
        || t.starts_with("=== PAUSE")
        || t.starts_with("=== CONT")
    {
        return Some(Kind::Pass);
    }
    if t.starts_with("--- FAIL")
        || t.starts_with("FAIL\t")
        || t.starts_with("FAIL: ")
        || t.starts_with("ERROR: ")
    {
        return Some(Kind::FailId);
    }
    if t.starts_with("FAILED ")
        || t.starts_with("ERROR ")
        || (t.starts_with("XPASS ") && t.contains("::"))
    {
        return Some(Kind::FailId);
    }
    if t.len() > 8 && t.starts_with("___") && t.ends_with("___") {
        let inner = t.trim_matches('_').trim();
        if !inner.is_empty() {
            return Some(Kind::FailId);
        }
    }
    // Mocha's numbered failures: `1) suite` (the title follows on indented lines).
    if let Some((num, rest)) = t.split_once(") ") {
        if !num.is_empty()
            && num.len() <= 4
            && num.bytes().all(|b| b.is_ascii_digit())
            && !rest.is_empty()
        {
            return Some(Kind::FailId);
        }
    }
    if t.contains(" ... ") {
        let verdict = t.rsplit(" ... ").next().unwrap_or("");
        if verdict.starts_with("ok")
            || verdict.starts_with("skipped")
            || verdict.starts_with("expected failure")
        {
            return Some(Kind::Pass);
        }
        if verdict.starts_with("FAIL")
            || verdict.starts_with("ERROR")
            || verdict.starts_with("failed")
        {
            return Some(Kind::FailId);
        }
    }
    if t.ends_with(" FAILED") || t.contains(" FAILED [") || t.contains(" FAILED  ") {
        return Some(Kind::FailId);
    }
    if ends_with_any(t, PASS_ENDINGS) && !has_error_word(t) {
        return Some(Kind::Pass);
    }
    if t.contains(" skipped -- ") {
        return Some(Kind::Pass);
    }
    if is_progress(t) {
        return Some(Kind::Pass);
    }
    None
}

/// pytest's `tests/test_x.py ..s.x   [ 40%]` (a line with an F or E is not mere progress).
fn is_progress(t: &str) -> bool {
    let Some((path, rest)) = t.split_once(' ') else {
        return false;
    };
    if !(path.ends_with(".py") || path.ends_with(".js") || path.ends_with(".ts")) {
        return false;
    }
    let marks = rest.split('[').next().unwrap_or("").trim();
    !marks.is_empty()
        && marks
            .chars()
            .all(|c| matches!(c, '.' | 's' | 'x' | 'X' | ' '))
}

fn summary(t: &str) -> Option<Kind> {
    if t.starts_with('=') && t.ends_with('=') && t.len() > 6 {
        let inner = t.trim_matches('=').trim();
        if inner.is_empty() {
            return Some(Kind::Section);
        }
        let has_digit = inner.bytes().any(|b| b.is_ascii_digit());
        let lower = inner.to_ascii_lowercase();
        if has_digit
            && (lower.contains("passed") || lower.contains("failed") || lower.contains("error"))
        {
            return Some(Kind::Summary);
        }
        if lower.contains("result") {
            return Some(Kind::Summary);
        }
        return Some(Kind::Section);
    }
    if SUMMARY_PREFIXES.iter().any(|p| t.starts_with(p)) {
        return Some(Kind::Summary);
    }
    if t == "OK"
        || t == "FAILED"
        || t == "PASS"
        || t == "FAIL"
        || (t.starts_with("1..") && t[3..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(Kind::Summary);
    }
    let mut words = t.split_whitespace();
    if let (Some(first), Some(second)) = (words.next(), words.next()) {
        let first = first.trim_end_matches(',');
        let second = second.trim_end_matches([',', ':', '.']);
        if !first.is_empty()
            && first.bytes().all(|b| b.is_ascii_digit() || b == b',')
            && SUMMARY_NOUNS.contains(&second)
        {
            return Some(Kind::Summary);
        }
    }
    None
}

fn is_trace_start(t: &str) -> bool {
    t.contains("Traceback (most recent call last)")
        || t.contains("(most recent call first)")
        || (t.starts_with("goroutine ") && t.ends_with("]:"))
        || t.contains("' panicked at")
        || t.starts_with("stack backtrace:")
        || t.starts_with("Stack trace:")
        || t.starts_with("Exception in thread")
}

fn is_frame(t: &str) -> bool {
    if let Some(rest) = t.strip_prefix("at ") {
        return rest.contains('(') || rest.contains(':') || rest.contains('.');
    }
    if t.starts_with("File \"") && t.contains("line ") {
        return true;
    }
    if t.starts_with("...") && t.ends_with("more") {
        return true;
    }
    // pytest's short frames: `path/to/file.py:123: in function`.
    if let Some((loc, _)) = t.split_once(": in ") {
        return loc
            .rsplit(':')
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    }
    // gdb / C++ / Rust backtraces: `#3 0x... in f` or `  12: module::f`.
    if let Some(rest) = t.strip_prefix('#') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        return digits > 0 && rest[digits..].starts_with(' ');
    }
    false
}

fn is_exception(line: &str, t: &str) -> bool {
    // pytest's `E   message` lines (the E sits in the first column).
    if line.starts_with("E ") && line.len() > 2 {
        return true;
    }
    if t.starts_with("Error: ")
        || t.starts_with("Caused by:")
        || t.starts_with("panic: ")
        || t.starts_with("error[")
        || t.starts_with("error: ")
    {
        return true;
    }
    let head = t.split([':', ' ']).next().unwrap_or("");
    if head.len() < 5 || !t[head.len()..].starts_with(':') && head.len() != t.len() {
        return false;
    }
    let name = head.rsplit('.').next().unwrap_or(head);
    let ident = head
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'$');
    ident
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && [
            "Error",
            "Exception",
            "Exit",
            "Interrupt",
            "Failure",
            "Timeout",
            "Warning",
            "Fault",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

fn has_error_word(t: &str) -> bool {
    scan_words(t).0
}

/// (has an error word, has a warning word), ignoring "0 errors", "no failures" and the like.
fn scan_words(t: &str) -> (bool, bool) {
    let mut err = false;
    let mut warn = false;
    let mut prev: &str = "";
    for w in t.split(|c: char| !c.is_alphanumeric() && c != '-') {
        if w.is_empty() {
            continue;
        }
        let lw = if w.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(w.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(w)
        };
        let negated = prev == "0" || prev == "no" || prev == "No" || prev == "without";
        if !negated {
            if ERROR_WORDS.contains(&lw.as_ref()) {
                err = true;
            } else if WARN_WORDS.contains(&lw.as_ref()) {
                warn = true;
            }
        }
        prev = w;
    }
    if !err && (t.contains("exit code") || t.contains("exit status") || t.contains("non-zero")) {
        err = !t.contains("exit code 0") && !t.contains("exit status 0");
    }
    if !err && t.contains("timed out") {
        err = true;
    }
    (err, warn)
}

/// The level a log line declares in its first fields (`ERROR`, `[warn]`, `level=info`).
fn declared_level(t: &str) -> Option<Kind> {
    for (idx, field) in t.split_whitespace().take(8).enumerate() {
        let f = field.trim_matches(|c: char| {
            matches!(c, '[' | ']' | '<' | '>' | '(' | ')' | ':' | ',' | '"' | '|')
        });
        let f = f
            .strip_prefix("level=")
            .or_else(|| f.strip_prefix("lvl="))
            .unwrap_or(f);
        if ERROR_LEVELS.contains(&f) {
            // A lowercase level only counts in brackets or as key=value (it is an ordinary word otherwise).
            if f.bytes().all(|b| b.is_ascii_lowercase()) && field == f {
                continue;
            }
            return Some(Kind::Error);
        }
        if WARN_LEVELS.contains(&f) {
            if f.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) && field == f {
                continue;
            }
            return Some(Kind::Warn);
        }
        if INFO_LEVELS.contains(&f) && !(f.bytes().all(|b| b.is_ascii_lowercase()) && field == f) {
            return Some(Kind::Plain);
        }
        // Android's `pid tid E Tag:` single-letter levels, after a timestamp.
        if idx >= 2 && f.len() == 1 && t.starts_with(|c: char| c.is_ascii_digit()) {
            match f {
                "E" | "F" => return Some(Kind::Error),
                "W" => return Some(Kind::Warn),
                "I" | "D" | "V" => return Some(Kind::Plain),
                _ => {}
            }
        }
    }
    None
}

fn severity(t: &str) -> Kind {
    let (err, warn) = scan_words(t);
    match declared_level(t) {
        Some(Kind::Plain) => {
            if err {
                Kind::SoftError
            } else {
                Kind::Plain
            }
        }
        Some(level) => level,
        None if err => Kind::Error,
        None if warn => Kind::Warn,
        None => Kind::Plain,
    }
}

/// Per-line facts the selection needs.
struct LineInfo {
    kind: Kind,
    template: u64,
    /// Hash of the exact (ANSI-stripped, trimmed) text, for exact repeats.
    exact: u64,
}

fn analyse(lines: &Lines<'_>) -> Vec<LineInfo> {
    lines
        .iter()
        .map(|raw| {
            let clean = lines::strip_ansi(raw);
            let kind = classify(&clean);
            let trimmed = clean.trim();
            let mut h = lines::Fnv::default();
            h.write(trimmed.as_bytes());
            LineInfo {
                kind,
                template: template_key(trimmed),
                exact: h.finish(),
            }
        })
        .collect()
}

/// Facts about the whole log that decide how much rarity means.
struct Shape {
    nonblank: usize,
    templates: usize,
}

impl Shape {
    /// Most lines repeat a template: rarity is a signal.
    fn repetitive(&self) -> bool {
        self.nonblank >= 20 && self.templates * 3 <= self.nonblank
    }

    fn rare_count(&self) -> usize {
        (self.nonblank / 400).clamp(1, 5)
    }
}

/// The compressed log as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let n = lines.len();
    let info = analyse(&lines);
    let mut template_counts: HashMap<u64, usize> = HashMap::new();
    let mut nonblank = 0;
    for li in &info {
        if li.kind != Kind::Blank {
            nonblank += 1;
            *template_counts.entry(li.template).or_default() += 1;
        }
    }
    let shape = Shape {
        nonblank,
        templates: template_counts.len(),
    };
    let claims = prioritise(&lines, &info, &template_counts, &shape, query);

    let footer = footer(&lines, &info, &template_counts);
    let reserved = if footer.is_empty() {
        0
    } else {
        crate::tokens::count(&footer, costs.encoding())
    };
    let mut order: Vec<usize> = (0..n).filter(|&i| claims[i].priority > 0).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (claims[a], claims[b]);
        cb.priority
            .cmp(&ca.priority)
            .then(ca.occurrence.cmp(&cb.occurrence))
            .then(a.cmp(&b))
    });
    let mut planner = Planner::new(&lines, costs, budget, reserved);
    for &i in &order {
        planner.offer(i);
    }
    let keep = planner.keep_flags().to_vec();
    let mut pieces = planner.finish(&PlainLines);
    let footer = footer_for(&lines, &info, &template_counts, &keep);
    if !footer.is_empty() && n > 0 {
        pieces.push(Piece::Text(footer));
    }
    pieces
}

/// A line's claim to be kept: its priority, then how many lines of its
/// template came before it (so that, within a priority, every template gets
/// its first line in before any gets its second).
#[derive(Clone, Copy, Default)]
struct Claim {
    priority: u32,
    occurrence: u32,
}

fn prioritise(
    lines: &Lines<'_>,
    info: &[LineInfo],
    template_counts: &HashMap<u64, usize>,
    shape: &Shape,
    query: &Query,
) -> Vec<Claim> {
    let n = info.len();
    let mut claims = vec![Claim::default(); n];
    let mut seen_exact: HashMap<u64, usize> = HashMap::new();
    let mut per_template: HashMap<(u64, u8), usize> = HashMap::new();
    let mut occurrences: HashMap<u64, u32> = HashMap::new();
    let repetitive = shape.repetitive();
    let rare = shape.rare_count();
    let mut first_exact = vec![false; n];

    for i in 0..n {
        let li = &info[i];
        if li.kind == Kind::Blank {
            continue;
        }
        first_exact[i] = seen_exact.insert(li.exact, i).is_none();
        let occ = occurrences.entry(li.template).or_default();
        claims[i].occurrence = *occ;
        *occ += 1;
        let count = template_counts[&li.template];
        let base = match li.kind {
            Kind::Summary => P_SUMMARY,
            Kind::FailId => P_FAIL,
            Kind::Exception => P_EXCEPTION,
            Kind::Error => P_ERROR,
            Kind::Warn => P_WARN,
            Kind::TraceStart => P_CONTEXT,
            Kind::SoftError => P_SOFT,
            Kind::Section => P_SECTION,
            _ => 0,
        };
        let mut p = 0;
        if base > 0 && (first_exact[i] || li.kind == Kind::Summary) {
            let slot = per_template
                .entry((li.template, li.kind as u8))
                .or_default();
            if *slot < template_allowance(li.kind, count) {
                *slot += 1;
                // Within a level, the rarer the template the bigger the news.
                let rarity = if count <= rare {
                    RARITY_BONUS
                } else if count <= 4 * rare {
                    RARITY_BONUS / 2
                } else {
                    0
                };
                p = base + rarity;
            }
        }
        if repetitive && li.kind != Kind::Pass && first_exact[i] {
            if count <= rare {
                p = p.max(P_RARE);
            } else if claims[i].occurrence == 0 {
                p = p.max(P_REPRESENTATIVE);
            }
        }
        claims[i].priority = p;
    }

    for (i, p) in query_priorities(lines, query, &first_exact) {
        claims[i].priority = claims[i].priority.max(p);
    }
    add_context(info, &mut claims);

    // The first and the last non-blank lines frame the output.
    if let Some(first) = (0..n).find(|&i| info[i].kind != Kind::Blank) {
        claims[first].priority = claims[first].priority.max(P_SECTION);
    }
    if let Some(last) = (0..n).rev().find(|&i| info[i].kind != Kind::Blank) {
        claims[last].priority = claims[last].priority.max(P_SECTION + 1);
    }
    claims
}

/// The lines the query points at, best first: the top few by score, those
/// naming a precise identifier (a phrase on few lines) above everything.
fn query_priorities(lines: &Lines<'_>, query: &Query, first_exact: &[bool]) -> Vec<(usize, u32)> {
    if query.is_empty() {
        return Vec::new();
    }
    let masks = query.match_lines(lines);
    let weights = query.weights(&masks);
    let precise = query.precise_terms(&masks);
    let scores: Vec<f32> = masks.iter().map(|&m| score_mask(m, &weights)).collect();
    let best = scores.iter().copied().fold(0.0f32, f32::max);
    if best <= 0.0 {
        return Vec::new();
    }
    let mut ranked: Vec<usize> = (0..scores.len())
        .filter(|&i| first_exact[i] && scores[i] >= 0.4 * best)
        .collect();
    ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    ranked.truncate(QUERY_TOP);
    let mut strong = 0;
    ranked
        .into_iter()
        .map(|i| {
            let tier = if masks[i] & precise != 0 && strong < QUERY_STRONG_TOP {
                strong += 1;
                P_QUERY_STRONG
            } else {
                P_QUERY
            };
            (i, tier + (scores[i] / best * 9.0) as u32)
        })
        .collect()
}

/// Lines that make a kept failure readable: a failing test's title lines up
/// to its first error, the frame next to an error, the line an exception
/// points at.
fn add_context(info: &[LineInfo], claims: &mut [Claim]) {
    let n = info.len();
    for i in 0..n {
        if claims[i].priority < P_EXCEPTION {
            continue;
        }
        match info[i].kind {
            Kind::FailId => {
                // Title continuation up to and including the first error line.
                for j in i + 1..n.min(i + 7) {
                    let k = info[j].kind;
                    if matches!(
                        k,
                        Kind::Blank | Kind::Pass | Kind::FailId | Kind::Summary | Kind::Section
                    ) {
                        break;
                    }
                    claims[j].priority = claims[j].priority.max(P_CONTEXT);
                    if matches!(k, Kind::Exception | Kind::Error) {
                        break;
                    }
                }
            }
            Kind::Exception | Kind::Error => {
                // The frame or source line just before (what raised), and the first frame after.
                if i > 0
                    && matches!(info[i - 1].kind, Kind::Plain | Kind::Frame)
                    && claims[i - 1].priority == 0
                {
                    claims[i - 1].priority = P_CONTEXT - 20;
                }
                if i + 1 < n && info[i + 1].kind == Kind::Frame && claims[i + 1].priority == 0 {
                    claims[i + 1].priority = P_CONTEXT - 10;
                }
            }
            _ => {}
        }
    }
}

/// The footer's upper bound, before the selection is known (for reserving its tokens).
fn footer(lines: &Lines<'_>, info: &[LineInfo], counts: &HashMap<u64, usize>) -> String {
    footer_for(lines, info, counts, &vec![false; info.len()])
}

/// Counts of the most repeated templates that lost lines, with their masked text.
fn footer_for(
    lines: &Lines<'_>,
    info: &[LineInfo],
    counts: &HashMap<u64, usize>,
    keep: &[bool],
) -> String {
    let mut omitted: HashMap<u64, (usize, usize)> = HashMap::new();
    for (i, li) in info.iter().enumerate() {
        if li.kind == Kind::Blank || keep[i] {
            continue;
        }
        let e = omitted.entry(li.template).or_insert((0, i));
        e.0 += 1;
    }
    let mut top: Vec<(u64, usize, usize)> = omitted
        .into_iter()
        .filter(|&(t, (o, first))| o >= 2 && counts[&t] >= 3 && informative_template(lines, first))
        .map(|(t, (o, first))| (t, o, first))
        .collect();
    if top.is_empty() {
        return String::new();
    }
    top.sort_by(|a, b| counts[&b.0].cmp(&counts[&a.0]).then(a.2.cmp(&b.2)));
    top.truncate(FOOTER_TEMPLATES);
    let mut out =
        String::from("--- most repeated line patterns (<*> = varying part): total × pattern ---\n");
    for (t, _, first) in top {
        let clean = lines::strip_ansi(lines.content(first));
        let mut pattern = template_text(clean.trim());
        if pattern.chars().count() > FOOTER_TEMPLATE_CHARS {
            pattern = pattern
                .chars()
                .take(FOOTER_TEMPLATE_CHARS)
                .collect::<String>()
                + "…";
        }
        out.push_str(&format!("{}× {}\n", counts[&t], pattern));
    }
    out
}

/// Whether a template says something (at least two literal words).
fn informative_template(lines: &Lines<'_>, i: usize) -> bool {
    let clean = lines::strip_ansi(lines.content(i));
    template_text(clean.trim())
        .split(' ')
        .filter(|part| part.len() >= 2 && part.bytes().any(|b| b.is_ascii_alphabetic()))
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;

    fn kept(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Omit { count, lines, .. } => format!("[{count} omitted {lines:?}]\n"),
            })
            .collect()
    }

    fn run(text: &str, query: &str, budget: usize) -> String {
        let lines = Lines::new(text);
        kept(&compress(
            text,
            &Query::parse(query),
            budget,
            Costs::new(lines.len(), Encoding::O200kBase, 25),
        ))
    }

    #[test]
    fn kinds_of_test_runner_lines() {
        assert_eq!(classify("  ✔ should work"), Kind::Pass);
        assert_eq!(classify("ok 12 Route should work"), Kind::Pass);
        assert_eq!(classify("not ok 13 Route should fail"), Kind::FailId);
        assert_eq!(
            classify("FAILED tests/test_x.py::test_y - AssertionError"),
            Kind::FailId
        );
        assert_eq!(
            classify("____________ test_thing ____________"),
            Kind::FailId
        );
        assert_eq!(
            classify("E       AssertionError: assert 1 == 2"),
            Kind::Exception
        );
        assert_eq!(classify("ValueError: bad value"), Kind::Exception);
        assert_eq!(classify("test_x (m.C.test_x) ... ok"), Kind::Pass);
        assert_eq!(classify("test_x (m.C.test_x) ... FAIL"), Kind::FailId);
        assert_eq!(
            classify("===== 3 failed, 10 passed in 2.1s ====="),
            Kind::Summary
        );
        assert_eq!(classify("=========== FAILURES ==========="), Kind::Section);
        assert_eq!(classify("  12 passing (3s)"), Kind::Summary);
        assert_eq!(classify("# fail 10"), Kind::Summary);
        assert_eq!(classify("FAILED (failures=1, skipped=2)"), Kind::Summary);
        assert_eq!(
            classify("Traceback (most recent call last):"),
            Kind::TraceStart
        );
        assert_eq!(classify("  File \"/x.py\", line 3, in f"), Kind::Frame);
        assert_eq!(
            classify("      at Context.<anonymous> (test/a.js:1:2)"),
            Kind::Frame
        );
        assert_eq!(classify("tests/test_a.py ..s..   [ 40%]"), Kind::Pass);
        assert_eq!(
            classify("0:00:01 load avg: 1.26 [  2/464] test.test_context passed"),
            Kind::Pass
        );
        assert_eq!(classify("--- FAIL: TestThing (0.00s)"), Kind::FailId);
        assert_eq!(
            classify("test result: FAILED. 3 passed; 1 failed"),
            Kind::Summary
        );
    }

    #[test]
    fn kinds_of_log_lines() {
        assert_eq!(
            classify("2015-10-18 18:05:43,633 WARN [main] Client: retry"),
            Kind::Warn
        );
        assert_eq!(
            classify("2015-10-18 18:05:43,633 FATAL [main] Task: died"),
            Kind::Error
        );
        assert_eq!(
            classify("[Sun Dec 04 05:04:04 2005] [error] mod_jk child in error state 7"),
            Kind::Error
        );
        assert_eq!(classify("081110 INFO dfs: block terminating"), Kind::Plain);
        assert_eq!(
            classify("- 11 RAS KERNEL INFO instruction cache parity error corrected"),
            Kind::SoftError
        );
        assert_eq!(
            classify("ide0: Wait for ready failed before probe !"),
            Kind::Error
        );
        assert_eq!(classify("completed with 0 errors"), Kind::Plain);
        assert_eq!(
            classify("worker non-zero exit code (Exit code 1)"),
            Kind::Error
        );
    }

    #[test]
    fn repeated_lines_collapse_and_the_anomaly_survives() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!(
                "2024-01-01 10:00:{:02} INFO worker-{} heartbeat ok seq={}\n",
                i % 60,
                i % 7,
                i
            ));
            if i == 321 {
                text.push_str("2024-01-01 10:05:21 ERROR worker-3 disk /dev/sda1 is full\n");
            }
        }
        let out = run(&text, "", 100_000);
        assert!(out.contains("ERROR worker-3 disk /dev/sda1 is full"));
        assert!(out.len() < text.len() / 10, "{}", out.len());
        assert!(out.contains("500× "), "{out}");
    }

    #[test]
    fn query_matches_outrank_noise() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("10:{i:03} INFO served block blk_{i} to client\n"));
        }
        text.push_str("10:999 INFO replication of blk_77 to 10.0.0.9 postponed\n");
        let out = run(
            &text,
            "what happened to the replication of blk_77?",
            100_000,
        );
        assert!(out.contains("replication of blk_77 to 10.0.0.9 postponed"));
    }

    #[test]
    fn output_stays_within_the_budget() {
        let text: String = (0..2000)
            .map(|i| format!("E{i} ERROR distinct failure number {i} in module m{i}\n"))
            .collect();
        let lines = Lines::new(&text);
        let pieces = compress(
            &text,
            &Query::parse(""),
            500,
            Costs::new(lines.len(), Encoding::O200kBase, 25),
        );
        let total: usize = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => crate::tokens::count(t, Encoding::O200kBase),
                Piece::Omit { .. } => 25,
            })
            .sum();
        assert!(total <= 520, "{total}");
    }
}
