//! What a line of a log or a test run is: a failing test's id, an
//! exception, an error or a warning (by declared level, or by its words when
//! it declares none), a stack frame, a passing test, a section rule or the
//! run's final result.
//!
//! Every check is a prefix, a suffix or one pass over the bytes: this runs on
//! every line of inputs up to tens of megabytes.

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

const ERROR_LEVELS: &[&str] = &[
    "FATAL", "ERROR", "ERR", "CRIT", "CRITICAL", "SEVERE", "ALERT", "EMERG", "PANIC", "Fatal",
    "Error", "Critical", "Severe", "fatal", "error", "crit", "critical", "alert", "emerg",
];
const WARN_LEVELS: &[&str] = &["WARN", "WARNING", "warn", "warning", "Warning"];
const INFO_LEVELS: &[&str] = &[
    "INFO", "DEBUG", "TRACE", "NOTICE", "FINE", "FINER", "FINEST", "VERBOSE", "Info", "Debug",
    "Trace", "Notice", "Verbose", "info", "debug", "trace", "notice",
];
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
    if let Some((num, rest)) = t.split_once(") ") {
        if !num.is_empty()
            && num.len() <= 4
            && num.bytes().all(|b| b.is_ascii_digit())
            && !rest.is_empty()
        {
            return Some(Kind::FailId);
        }
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

/// `fn $name(hay) -> bool`: whether `hay` contains `$pat`, with a searcher built once.
macro_rules! finder {
    ($name:ident, $pat:expr) => {
        fn $name(hay: &str) -> bool {
            static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
                std::sync::OnceLock::new();
            F.get_or_init(|| memchr::memmem::Finder::new($pat))
                .find(hay.as_bytes())
                .is_some()
        }
    };
}
finder!(has_recent_call, "most recent call");
finder!(has_panicked_at, "' panicked at");
finder!(has_ellipsis_verdict, " ... ");
finder!(has_failed_marker, " FAILED ");
finder!(has_skipped_dashes, " skipped -- ");

fn is_trace_start(t: &str) -> bool {
    has_recent_call(t)
        || (t.starts_with("goroutine ") && t.ends_with("]:"))
        || has_panicked_at(t)
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

/// (has an error word, has a warning word), ignoring "0 errors", "no failures",
/// "exit code 0" and the like. One pass over the bytes, no allocation.
fn scan_words(t: &str) -> (bool, bool) {
    #[derive(PartialEq, Clone, Copy)]
    enum Prev {
        Other,
        Negation,
        Exit,
        ExitCode,
        Timed,
    }
    let b = t.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c >= 0x80;
    let mut err = false;
    let mut warn = false;
    let mut prev = Prev::Other;
    let mut buf = [0u8; 16];
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && !is_word(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && is_word(b[i]) {
            i += 1;
        }
        let len = i - start;
        if len == 0 {
            break;
        }
        if len > buf.len() {
            prev = Prev::Other;
            continue;
        }
        for (k, &c) in b[start..i].iter().enumerate() {
            buf[k] = c.to_ascii_lowercase();
        }
        let w = &buf[..len];
        if prev == Prev::ExitCode && w != b"0" {
            err = true;
        }
        if prev == Prev::Timed && w == b"out" {
            err = true;
        }
        if prev != Prev::Negation {
            match w {
                b"error" | b"errors" | b"fatal" | b"failed" | b"failure" | b"failures"
                | b"failing" | b"fail" | b"fails" | b"exception" | b"panic" | b"panicked"
                | b"traceback" | b"segfault" | b"aborted" | b"abort" | b"killed" | b"timeout"
                | b"refused" | b"denied" | b"crash" | b"crashed" | b"critical" | b"unable"
                | b"cannot" | b"unreachable" | b"non-zero" => err = true,
                b"warn" | b"warning" | b"warnings" | b"deprecated" | b"deprecation" => warn = true,
                _ => {}
            }
        }
        prev = match w {
            b"0" | b"no" | b"without" => Prev::Negation,
            b"exit" => Prev::Exit,
            b"code" | b"status" if prev == Prev::Exit => Prev::ExitCode,
            b"timed" => Prev::Timed,
            _ => Prev::Other,
        };
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

#[cfg(test)]
mod tests {
    use super::*;

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
