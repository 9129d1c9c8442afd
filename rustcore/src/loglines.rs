//! What a line of a log or a test run is: a failing test's id, an
//! exception, an error or a warning (by declared level, or by its words when
//! it declares none), a stack frame, a passing test, a section rule or the
//! run's final result.
//!
//! Every check is a prefix, a suffix or one pass over the bytes: this runs on
//! every line of inputs up to tens of megabytes.

use crate::logwords::{fields, level_of, scan_words, L_ERROR, L_INFO, L_WARN};

/// What a line is, as far as keeping it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Blank,
    /// A passing or skipped test, or a progress line.
    Pass,
    Plain,
    /// An informational line that mentions an error word.
    SoftError,
    /// A line that reports a problem in plain words (`not supported`, `invalid`), no level or error word.
    Notice,
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
    if let Some(rest) = after_tool_pid(t) {
        if MEMCHECK_ERRORS.iter().any(|p| rest.starts_with(p))
            || rest.contains(" are definitely lost")
        {
            return Kind::Error;
        }
        // A bare `==123==` separates valgrind's reports.
        return if rest.is_empty() {
            Kind::Blank
        } else {
            classify(rest)
        };
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

/// How valgrind's tools open an error they found (`==123== Invalid write of size 4`).
const MEMCHECK_ERRORS: &[&str] = &[
    "Invalid read",
    "Invalid write",
    "Invalid free",
    "Mismatched free",
    "Conditional jump or move depends on uninitialised",
    "Use of uninitialised value",
    "Syscall param",
    "Source and destination overlap",
    "Possible data race",
];

/// What follows valgrind's `==12345==` (the process id that opens every line it prints).
pub(crate) fn after_tool_pid(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("==")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && rest[digits..].starts_with("==")).then(|| rest[digits + 2..].trim_start())
}

fn ends_with_any(t: &str, endings: &[&str]) -> bool {
    if endings.iter().any(|e| t.ends_with(e)) {
        return true;
    }
    // A trailing duration or percentage (`(0.2s)`, `[ 12%]`) does not hide the result word.
    let open = match t.as_bytes().last() {
        Some(b')') => b'(',
        Some(b']') => b'[',
        _ => return false,
    };
    match memchr::memrchr(open, t.as_bytes()) {
        Some(p) => {
            let head = t[..p].trim_end();
            endings.iter().any(|e| head.ends_with(e))
        }
        None => false,
    }
}

/// Verdict words that open a line with a colon (DejaGnu, automake's test driver, jtreg).
const PASS_VERDICTS: &[&str] = &[
    "PASS",
    "PASSED",
    "Passed",
    "XFAIL",
    "SKIP",
    "SKIPPED",
    "Skipped",
    "UNSUPPORTED",
    "UNTESTED",
];
const FAIL_VERDICTS: &[&str] = &[
    "FAIL",
    "FAILED",
    "Failed",
    "ERROR",
    "UNRESOLVED",
    "XPASS",
    "KPASS",
];

/// `PASS: name`, `Failed: name`, `KFAIL: name (PRMS ...)`; `Failed: 3` is a count, not a verdict.
fn colon_verdict(t: &str) -> Option<Kind> {
    let (word, rest) = t.split_once(": ")?;
    if is_count(rest.trim()) {
        return None;
    }
    if PASS_VERDICTS.contains(&word) {
        Some(Kind::Pass)
    } else if FAIL_VERDICTS.contains(&word) {
        Some(Kind::FailId)
    } else if word == "KFAIL" {
        // A known failure, filed against a bug: worth seeing, not news.
        Some(Kind::SoftError)
    } else {
        None
    }
}

fn test_result(t: &str) -> Option<Kind> {
    if let Some(kind) = colon_verdict(t) {
        return Some(kind);
    }
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
    // libtest's header over a failing test's captured output: `---- a::b stdout ----`.
    if t.starts_with("---- ") && (t.ends_with(" stdout ----") || t.ends_with(" stderr ----")) {
        return Some(Kind::FailId);
    }
    if t.starts_with("--- FAIL")
        || t.starts_with("FAIL\t")
        || t.starts_with("FAIL: ")
        || t.starts_with("FAIL ")
        || t.starts_with("ERROR: ")
        || t.starts_with("● ")
        || t.starts_with("rspec ./")
    {
        return Some(Kind::FailId);
    }
    // jest's per-file verdicts: `PASS src/a.test.js (1.2 s)`.
    if t.starts_with("PASS ") {
        return Some(Kind::Pass);
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
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=4).contains(&digits) && t[digits..].starts_with(") ") && t.len() > digits + 2 {
        return Some(Kind::FailId);
    }
    if has_ellipsis_verdict(t) {
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
    if t.ends_with(" FAILED")
        || (has_failed_marker(t) && (t.contains(" FAILED [") || t.contains(" FAILED  ")))
    {
        return Some(Kind::FailId);
    }
    if ends_with_any(t, PASS_ENDINGS) && !has_error_word(t) {
        return Some(Kind::Pass);
    }
    if has_skipped_dashes(t) {
        return Some(Kind::Pass);
    }
    if is_progress(t) {
        return Some(Kind::Pass);
    }
    None
}

/// pytest's `tests/test_x.py ..s.x   [ 40%]` (a line with an F or E is not mere progress).
fn is_progress(t: &str) -> bool {
    // `-q` prints the marks alone, failures included: which failed is said further down.
    let marks = t.split('[').next().unwrap_or("").trim_end();
    if marks.len() >= 8
        && marks
            .bytes()
            .all(|b| matches!(b, b'.' | b's' | b'x' | b'X' | b'F' | b'E'))
        && marks.contains('.')
    {
        return true;
    }
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

/// A final result line or a section rule (`t` trimmed): the first thing [`classify`] checks.
pub(crate) fn summary(t: &str) -> Option<Kind> {
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
    // DejaGnu's `# of expected passes  1234`, automake's `# FAIL:  2`: a count closes the line.
    if let Some(rest) = t.strip_prefix("# ") {
        let (head, count) = rest.rsplit_once([' ', '\t']).unwrap_or(("", ""));
        let head = head.trim_end();
        let word = head.strip_suffix(':').unwrap_or("");
        if is_count(count)
            && (head.starts_with("of ")
                || (word.len() >= 2 && word.bytes().all(|b| b.is_ascii_uppercase())))
        {
            return Some(Kind::Summary);
        }
    }
    if t == "OK"
        || t == "FAILED"
        || t == "PASS"
        || t == "FAIL"
        || (t.starts_with("1..") && t[3..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(Kind::Summary);
    }
    // `3 failed`, `1,024 tests`: the first word is a count.
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == ',') {
        return None;
    }
    let mut words = fields(t);
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

/// Nouns a tool counts in its closing line (`Found 3 errors`, `17 warnings emitted`).
const COUNTED: &[&str] = &[
    "error", "errors", "warning", "warnings", "failure", "failures", "failed", "passed", "problem",
    "problems", "skipped",
];

/// Whether `line` counts errors, warnings, failures or problems: a number
/// before one of those nouns (one word may sit between: `1 previous error`),
/// or the noun and a colon before a number (`failed: 2`).
pub fn is_count_line(line: &str) -> bool {
    let t = line.trim();
    if t.len() > 200 {
        return false;
    }
    let words: Vec<&str> = fields(t)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .take(40)
        .collect();
    let noun = |w: &str| COUNTED.contains(&w.to_ascii_lowercase().as_str());
    let number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b',');
    fields(t)
        .zip(words.iter().skip(1))
        .any(|(raw, next)| raw.ends_with(':') && noun(raw.trim_end_matches(':')) && number(next))
        || words.iter().enumerate().any(|(k, w)| {
            number(w)
                && (words.get(k + 1).is_some_and(|x| noun(x))
                    || words.get(k + 2).is_some_and(|x| noun(x))
                        && !words.get(k + 1).is_some_and(|x| number(x)))
        })
}

fn is_count(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `fn $name(hay) -> bool`: whether `hay` contains `$pat`, with a searcher built once.
macro_rules! finder {
    ($name:ident, $pat:expr) => {
        fn $name(hay: &str) -> bool {
            searcher!($pat).find(hay.as_bytes()).is_some()
        }
    };
}
/// A `memmem` searcher for `$pat`, built on first use.
macro_rules! searcher {
    ($pat:expr) => {{
        static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
        F.get_or_init(|| memchr::memmem::Finder::new($pat))
    }};
}

/// Where the first `: in ` of `t` starts.
fn find_short_frame(t: &str) -> Option<usize> {
    searcher!(": in ").find(t.as_bytes())
}
finder!(has_recent_call, "most recent call");
finder!(has_quoted_panicked_at, "' panicked at");
finder!(has_bare_panicked_at, " panicked at ");

/// A panic's header: `thread 'main' panicked at ...`, and in newer Rust releases with the
/// thread's id between (`thread 'a::b' (4242) panicked at src/lib.rs:17:21:`).
fn has_panicked_at(t: &str) -> bool {
    has_quoted_panicked_at(t) || (t.starts_with("thread '") && has_bare_panicked_at(t))
}
finder!(has_ellipsis_verdict, " ... ");
finder!(has_failed_marker, " FAILED ");
finder!(has_skipped_dashes, " skipped -- ");

/// A panic's header whose message is on the next line: libtest and Rust since 1.73 print
/// `thread 'name' panicked at path:line:col:` and then the message (older releases put the
/// message in quotes on the header itself).
pub fn opens_panic_message(line: &str) -> bool {
    let t = line.trim_end();
    t.ends_with(':') && has_panicked_at(t)
}

/// Go's `testing` output: what a failing test logged (`    x_test.go:12: got 3, want 4`) is why it
/// failed. Without `-v` it follows the test's `--- FAIL: TestX/case (0.00s)`; with `-v` it sits
/// under the test's `=== RUN   TestX/case` and the verdict comes later (after every subtest), so the
/// failed tests' names are read first.
pub(crate) struct GoTestLogs<'a> {
    failed: std::collections::HashSet<&'a str>,
    current: Option<&'a str>,
}

impl<'a> GoTestLogs<'a> {
    /// None when `lines` hold no failing Go test.
    pub(crate) fn of(lines: impl Iterator<Item = &'a str>) -> Option<Self> {
        let failed: std::collections::HashSet<&'a str> = lines
            .filter_map(|l| go_verdict(l.trim_start()))
            .filter_map(|(fail, name)| fail.then_some(name))
            .collect();
        (!failed.is_empty()).then_some(GoTestLogs {
            failed,
            current: None,
        })
    }

    /// Whether `line` (the next line, in order) is a failing test's log line.
    pub(crate) fn reason(&mut self, line: &'a str) -> bool {
        let t = line.trim_start();
        if let Some(rest) = ["=== RUN", "=== CONT", "=== NAME"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
        {
            self.current = Some(rest.trim());
            return false;
        }
        if let Some((_, name)) = go_verdict(t) {
            self.current = Some(name);
            return false;
        }
        t.len() < line.len()
            && self.current.is_some_and(|c| self.failed.contains(c))
            && go_log_location(t)
    }
}

/// `--- FAIL: TestX/case (0.01s)` -> (true, `TestX/case`); `--- PASS:`/`--- SKIP:` -> false.
fn go_verdict(t: &str) -> Option<(bool, &str)> {
    let rest = t.strip_prefix("--- ")?;
    let (verdict, rest) = rest.split_once(": ")?;
    let name = rest.split(" (").next()?.trim();
    matches!(verdict, "FAIL" | "PASS" | "SKIP").then_some((verdict == "FAIL", name))
}

/// `x_test.go:12: message`: where a Go test logged from.
fn go_log_location(t: &str) -> bool {
    let Some((file, rest)) = t.split_once(':') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    file.ends_with(".go") && !file.contains(' ') && digits > 0 && rest[digits..].starts_with(": ")
}

fn is_trace_start(t: &str) -> bool {
    has_recent_call(t)
        || (t.starts_with("goroutine ") && t.ends_with("]:"))
        || has_panicked_at(t)
        || t.starts_with("stack backtrace:")
        || t.starts_with("Stack trace:")
        || t.starts_with("Exception in thread")
}

fn is_frame(t: &str) -> bool {
    // valgrind's callers under its `at 0x...: f (x.c:6)` frame: `by 0x1092A1: main (x.c:14)`.
    if t.starts_with("by 0x") && t.contains(": ") {
        return true;
    }
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
    if let Some(at) = find_short_frame(t) {
        return t[..at]
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
    let after = &t[head.len()..];
    // Node's `AssertionError [ERR_ASSERTION]: ...`, `RangeError [Error]: ...`: a code in brackets.
    let coded = after.starts_with(" [")
        && after
            .find("]:")
            .is_some_and(|end| !after[2..end].contains(' '));
    if head.len() < 5 || !after.starts_with(':') && head.len() != t.len() && !coded {
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
    scan_words(t).err
}

/// `field` without the brackets, colons, commas, quotes and bars around a level.
#[inline]
fn trim_level_punctuation(field: &str) -> &str {
    // All ASCII, so trimming bytes never splits a character.
    let punct = |c: u8| {
        matches!(
            c,
            b'[' | b']' | b'<' | b'>' | b'(' | b')' | b':' | b',' | b'"' | b'|'
        )
    };
    let b = field.as_bytes();
    let mut a = 0;
    let mut e = b.len();
    while a < e && punct(b[a]) {
        a += 1;
    }
    while e > a && punct(b[e - 1]) {
        e -= 1;
    }
    &field[a..e]
}

/// The level a log line declares in its first fields (`ERROR`, `[warn]`, `level=info`).
/// Level words a log line may lead with that are not on the level lists, being ordinary
/// words elsewhere: npm's `silly`, `http` and `timing`, with the lowercase forms of the rest.
const LEADING_LEVELS: &[&str] = &[
    "silly", "http", "timing", "verbose", "info", "notice", "debug", "trace", "warn", "warning",
    "error", "err", "fatal", "crit", "critical",
];
/// Words that lead a sentence, not a log line, before a level-like word (`the error was`).
const NOT_PROGRAMS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "their", "its", "his",
    "her", "no", "any", "some", "each", "every", "one", "of", "in", "on", "to", "for", "with",
    "is", "was", "if", "and", "or", "but", "as", "at", "by", "from",
];
/// How many fields may lead a line before its level word.
const LEADING_FIELDS: usize = 4;

/// Whether `t` (a trimmed line) declares a level in a leading field, with or without a time
/// stamp: `[INFO] x`, `WARNING: x`, `info: x`, or a level word after only counters, times,
/// process ids and one program name (`12 silly placeDep ...` in npm's debug log, `npm verbose
/// cli ...`, `4242 DEBUG x`). What routing counts as a log line by its level alone.
pub fn leveled(t: &str) -> bool {
    if colon_led_level(t).is_some() {
        return true;
    }
    let mut it = fields(t).take(LEADING_FIELDS + 1).enumerate().peekable();
    while let Some((idx, field)) = it.next() {
        if idx >= LEADING_FIELDS || it.peek().is_none() {
            // A level word with nothing after it says nothing.
            return false;
        }
        let f = trim_level_punctuation(field);
        let lower_known = f.len() <= 8
            && LEADING_LEVELS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(f) && f.bytes().all(|b| b.is_ascii_lowercase()));
        if level_of(f) != 0 || lower_known {
            let marked = field != f || (f.len() >= 3 && f.bytes().all(|b| b.is_ascii_uppercase()));
            if marked || (idx >= 1 && lower_known) {
                return true;
            }
        }
        let prefix =
            field.bytes().any(|b| b.is_ascii_digit()) || (idx == 0 && is_program_name(field));
        if !prefix {
            return false;
        }
    }
    false
}

/// `npm`, `sshd[812]:`, `kernel:`: a lowercase name that may lead a log line.
fn is_program_name(field: &str) -> bool {
    let name = field.trim_end_matches(':');
    let name = name.split_once('[').map_or(name, |(n, _)| n);
    (1..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b))
        && !NOT_PROGRAMS.contains(&name)
}

/// The level that leads a line glued to what follows by a colon, as Python's logging prints by
/// default (`WARNING:root:slow disk`, `ERROR:urllib3.connectionpool:Retrying ...`): an upper-case
/// level word, a colon, then more on the same field.
fn colon_led_level(t: &str) -> Option<&str> {
    let (head, rest) = t.split_once(':')?;
    let known =
        head.len() >= 4 && head.bytes().all(|b| b.is_ascii_uppercase()) && level_of(head) != 0;
    (known && rest.starts_with(|c: char| !c.is_whitespace() && c != ':')).then_some(head)
}

fn declared_level(t: &str) -> Option<Kind> {
    let glued = colon_led_level(t);
    for (idx, field) in fields(t).take(8).enumerate() {
        let f = match glued {
            Some(head) if idx == 0 => head,
            _ => trim_level_punctuation(field),
        };
        let f = f
            .strip_prefix("level=")
            .or_else(|| f.strip_prefix("lvl="))
            .unwrap_or(f);
        let level = level_of(f);
        if level & L_ERROR != 0 {
            // A lowercase level only counts in brackets or as key=value (it is an ordinary word otherwise).
            if f.bytes().all(|b| b.is_ascii_lowercase()) && field == f {
                continue;
            }
            return Some(Kind::Error);
        }
        if level & L_WARN != 0 {
            if f.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) && field == f {
                continue;
            }
            return Some(Kind::Warn);
        }
        if level & L_INFO != 0 && !(f.bytes().all(|b| b.is_ascii_lowercase()) && field == f) {
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
    let words = scan_words(t);
    match declared_level(t) {
        Some(Kind::Plain) if words.err => Kind::SoftError,
        Some(Kind::Plain) if words.problem => Kind::Notice,
        Some(level) => level,
        None if words.err => Kind::Error,
        None if words.warn => Kind::Warn,
        None if words.problem => Kind::Notice,
        None => Kind::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_word_in_a_leading_field_makes_a_log_line() {
        for line in [
            "0 verbose cli /usr/bin/node /usr/bin/npm",
            "12 silly placeDep ROOT bytes@3.1.2 OK for: t@1.0.0",
            "npm http fetch GET 200 https://registry.npmjs.org/npm 175ms",
            "[INFO] Building jar: /tmp/app.jar",
            "WARNING: Retrying (Retry(total=4)) after connection broken",
            "info: server listening on 8080",
            "4242 DEBUG pool: acquired connection",
            "sshd[812]: error: maximum authentication attempts exceeded",
            "INFO:root:job 12 step 3 done",
            "DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): pypi.org:443",
        ] {
            assert!(leveled(line), "{line}");
        }
        for line in [
            "Info about the release is on the website.",
            "the error was in the second module",
            "Errors and warnings are counted once.",
            "verbose",
            "12 silly",
            "A B C D info e",
            "DEBUG:",
            "Note:the value",
        ] {
            assert!(!leveled(line), "{line}");
        }
    }

    #[test]
    fn valgrinds_reports_read_past_the_process_id() {
        assert_eq!(classify("==4242== Invalid write of size 4"), Kind::Error);
        assert_eq!(
            classify("==4242==    at 0x109245: resolve_token (codec.c:6)"),
            Kind::Frame
        );
        assert_eq!(
            classify("==4242==    by 0x1092A1: main (codec.c:14)"),
            Kind::Frame
        );
        assert_eq!(classify("==4242== "), Kind::Blank);
        assert_eq!(
            classify("==4242== 40 bytes in 1 blocks are definitely lost in loss record 1 of 1"),
            Kind::Error
        );
    }

    #[test]
    fn python_loggings_default_format_declares_its_level() {
        assert_eq!(classify("WARNING:root:slow disk"), Kind::Warn);
        assert_eq!(classify("ERROR:app.db:connection refused"), Kind::Error);
        assert_eq!(classify("CRITICAL:__main__:out of memory"), Kind::Error);
        assert_eq!(classify("INFO:root:job 1 step 1 done"), Kind::Plain);
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
        assert_eq!(
            classify("  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"),
            Kind::Exception
        );
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
        assert_eq!(classify("....F.......s...F........ [ 30%]"), Kind::Pass);
        assert_eq!(
            classify("0:00:01 load avg: 1.26 [  2/464] test.test_context passed"),
            Kind::Pass
        );
        assert_eq!(classify("--- FAIL: TestThing (0.00s)"), Kind::FailId);
        assert_eq!(classify("FAIL src/b.test.js"), Kind::FailId);
        assert_eq!(classify("PASS src/a.test.js (1.2 s)"), Kind::Pass);
        assert_eq!(classify("  ● Cart › adds an item"), Kind::FailId);
        assert_eq!(
            classify("Tests:       1 failed, 5 passed, 6 total"),
            Kind::Summary
        );
        assert_eq!(
            classify("rspec ./spec/cart_spec.rb:12 # Cart adds an item"),
            Kind::FailId
        );
        assert_eq!(classify("3 examples, 1 failure"), Kind::Summary);
        assert_eq!(
            classify("test result: FAILED. 3 passed; 1 failed"),
            Kind::Summary
        );
    }

    #[test]
    fn lines_that_count_errors_warnings_and_failures() {
        for line in [
            "Found 93 errors.",
            "error: could not compile `time` (lib) due to 1 previous error; 17 warnings emitted",
            "warning: `time` (lib) generated 102 warnings (8 duplicates)",
            "1 error generated.",
            "2 errors",
            "✖ 5 problems (3 errors, 2 warnings)",
            "Found 3 errors in 2 files (checked 10 source files)",
            "Test results: passed: 123; failed: 2",
        ] {
            assert!(is_count_line(line), "{line}");
        }
        for line in [
            "retrying request 3 of 5",
            "error: expected 2 arguments",
            "took 12 ms",
        ] {
            assert!(!is_count_line(line), "{line}");
        }
    }

    #[test]
    fn verdicts_before_a_colon_and_counts_after_a_hash() {
        assert_eq!(
            classify("PASS: gdb.base/break.exp: continue to breakpoint"),
            Kind::Pass
        );
        assert_eq!(classify("Passed: java/io/File/GetXSpace.java"), Kind::Pass);
        assert_eq!(classify("FAIL: gdb.base/default.exp: cd"), Kind::FailId);
        assert_eq!(classify("UNRESOLVED: gdb.base/x.exp: y"), Kind::FailId);
        assert_eq!(
            classify("KFAIL: gdb.base/x.exp: y (PRMS: gdb/1234)"),
            Kind::SoftError
        );
        assert_eq!(classify("# of expected passes\t\t31427"), Kind::Summary);
        assert_eq!(classify("# FAIL:  2"), Kind::Summary);
        // A comment that shouts is not a count.
        assert_ne!(classify("# NOTE: keep this in sync"), Kind::Summary);
        assert_ne!(classify("# TODO: 3"), Kind::Pass);
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
}
