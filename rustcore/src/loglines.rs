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

/// A word of up to 16 bytes packed into an integer (little-endian, zero
/// padded), so that looking it up in a word list is a hash and a compare.
type Packed = u128;
const PACK_MAX: usize = 16;

#[inline]
fn pack(word: &[u8], lower: bool) -> Packed {
    let mut buf = [0u8; PACK_MAX];
    buf[..word.len()].copy_from_slice(word);
    let p = Packed::from_le_bytes(buf);
    if lower {
        lower_packed(p)
    } else {
        p
    }
}

/// `pack(&text[start..end], true)` for `end - start <= PACK_MAX`, reading 16
/// bytes at once where the text allows (no byte-wise stores to read back).
#[inline]
fn pack_lower_at(text: &[u8], start: usize, end: usize) -> Packed {
    let len = end - start;
    let Some(window) = text.get(start..start + PACK_MAX) else {
        return pack(&text[start..end], true);
    };
    let mut raw = [0u8; PACK_MAX];
    raw.copy_from_slice(window);
    let mask = if len == PACK_MAX {
        Packed::MAX
    } else {
        (1 << (8 * len)) - 1
    };
    lower_packed(Packed::from_le_bytes(raw) & mask)
}

/// ASCII upper-case letters of a packed word lowered (other bytes kept), eight bytes at a time.
#[inline]
fn lower_packed(p: Packed) -> Packed {
    fn lower8(x: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let low7 = x & (0x7f * ONES);
        // The high bit of each byte: at least 'A', and above 'Z' (no carry crosses a byte).
        let ge_a = low7 + (0x80 - u64::from(b'A')) * ONES;
        let gt_z = low7 + (0x7f - u64::from(b'Z')) * ONES;
        let upper = !x & (ge_a ^ gt_z) & (0x80 * ONES);
        x | (upper >> 2)
    }
    let lo = lower8(p as u64);
    let hi = lower8((p >> 64) as u64);
    Packed::from(lo) | (Packed::from(hi) << 64)
}

/// A small open-addressing set of packed words, each with a tag.
struct WordTable {
    slots: Vec<(Packed, u8)>,
    /// Per word length, a bit per first byte (its low five bits) that some word starts with:
    /// most words are turned away on that alone.
    first: [u32; PACK_MAX + 1],
}

impl WordTable {
    const BITS: u32 = 8;

    fn new(words: &[(&str, u8)]) -> Self {
        let mut slots = vec![(0, 0); 1 << Self::BITS];
        let mut first = [0u32; PACK_MAX + 1];
        for &(w, tag) in words {
            debug_assert!(!w.is_empty() && w.len() <= PACK_MAX);
            first[w.len()] |= Self::first_bit(w.as_bytes()[0]);
            let p = pack(w.as_bytes(), false);
            let mut k = Self::slot(p);
            while slots[k].0 != 0 && slots[k].0 != p {
                k = (k + 1) & ((1 << Self::BITS) - 1);
            }
            slots[k] = (p, slots[k].1 | tag);
        }
        WordTable { slots, first }
    }

    fn first_bit(b: u8) -> u32 {
        1 << (b & 31)
    }

    /// The tag of `text[start..end]` (lowered first when `lower`; 0 when not in the table).
    #[inline]
    fn lookup(&self, text: &[u8], start: usize, end: usize, lower: bool) -> u8 {
        let len = end - start;
        if len == 0 || len > PACK_MAX || self.first[len] & Self::first_bit(text[start]) == 0 {
            return 0;
        }
        if lower {
            self.get(pack_lower_at(text, start, end))
        } else {
            self.get(pack(&text[start..end], false))
        }
    }

    #[inline]
    fn slot(p: Packed) -> usize {
        let folded = (p as u64) ^ ((p >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (folded.wrapping_mul(0xff51_afd7_ed55_8ccd) >> (64 - Self::BITS)) as usize
    }

    /// The tag of `p` (0 when it is not in the table; `p` must not be 0).
    #[inline]
    fn get(&self, p: Packed) -> u8 {
        let mut k = Self::slot(p);
        loop {
            let (q, tag) = self.slots[k];
            if q == p {
                return tag;
            }
            if q == 0 {
                return 0;
            }
            k = (k + 1) & ((1 << Self::BITS) - 1);
        }
    }
}

// What a lowercased word is to `scan_words`.
const W_ERR: u8 = 1;
const W_WARN: u8 = 2;
const W_NEGATION: u8 = 4;
const W_EXIT: u8 = 8;
const W_CODE: u8 = 16;
const W_TIMED: u8 = 32;
const W_OUT: u8 = 64;
const W_ZERO: u8 = 128;

/// Words that make a line an error or a warning (lowercased; see `scan_words` for negations).
#[rustfmt::skip]
const ERROR_WORDS: &[&str] = &[
    "error", "errors", "fatal", "failed", "failure", "failures", "failing", "fail", "fails",
    "exception", "panic", "panicked", "traceback", "segfault", "aborted", "abort", "killed",
    "timeout", "refused", "denied", "crash", "crashed", "critical", "unable", "cannot",
    "unreachable", "non-zero",
];
const WARN_WORDS: &[&str] = &["warn", "warning", "warnings", "deprecated", "deprecation"];

fn scan_table() -> &'static WordTable {
    static T: std::sync::OnceLock<WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut words: Vec<(&str, u8)> = ERROR_WORDS.iter().map(|w| (*w, W_ERR)).collect();
        words.extend(WARN_WORDS.iter().map(|w| (*w, W_WARN)));
        words.extend([
            ("0", W_NEGATION | W_ZERO),
            ("no", W_NEGATION),
            ("without", W_NEGATION),
            ("exit", W_EXIT),
            ("code", W_CODE),
            ("status", W_CODE),
            ("timed", W_TIMED),
            ("out", W_OUT),
        ]);
        WordTable::new(&words)
    })
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
    static WORD_BYTE: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80;
            c += 1;
        }
        t
    };
    let table = scan_table();
    let b = t.as_bytes();
    let is_word = |c: u8| WORD_BYTE[c as usize];
    let mut err = false;
    let mut warn = false;
    let mut prev = Prev::Other;
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
        if len > PACK_MAX {
            prev = Prev::Other;
            continue;
        }
        let tag = table.lookup(b, start, i, true);
        if prev == Prev::ExitCode && tag & W_ZERO == 0 {
            err = true;
        }
        if prev == Prev::Timed && tag & W_OUT != 0 {
            err = true;
        }
        if prev != Prev::Negation {
            err |= tag & W_ERR != 0;
            warn |= tag & W_WARN != 0;
        }
        prev = if tag & W_NEGATION != 0 {
            Prev::Negation
        } else if tag & W_EXIT != 0 {
            Prev::Exit
        } else if tag & W_CODE != 0 && prev == Prev::Exit {
            Prev::ExitCode
        } else if tag & W_TIMED != 0 {
            Prev::Timed
        } else {
            Prev::Other
        };
    }
    (err, warn)
}

// Which level list a field is on.
const L_ERROR: u8 = 1;
const L_WARN: u8 = 2;
const L_INFO: u8 = 4;

fn level_table() -> &'static WordTable {
    static T: std::sync::OnceLock<WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut words: Vec<(&str, u8)> = Vec::new();
        words.extend(ERROR_LEVELS.iter().map(|w| (*w, L_ERROR)));
        words.extend(WARN_LEVELS.iter().map(|w| (*w, L_WARN)));
        words.extend(INFO_LEVELS.iter().map(|w| (*w, L_INFO)));
        WordTable::new(&words)
    })
}

/// Which level lists `f` is on (0 for none).
#[inline]
fn level_of(f: &str) -> u8 {
    level_table().lookup(f.as_bytes(), 0, f.len(), false)
}

/// Whitespace-separated fields, as `str::split_whitespace` gives them
/// (byte-wise for ASCII text, which is nearly every log line).
fn fields(t: &str) -> Fields<'_> {
    if t.is_ascii() {
        Fields::Ascii { t, at: 0 }
    } else {
        Fields::Unicode(t.split_whitespace())
    }
}

enum Fields<'a> {
    Ascii { t: &'a str, at: usize },
    Unicode(std::str::SplitWhitespace<'a>),
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Fields::Unicode(it) => it.next(),
            Fields::Ascii { t, at } => {
                // Rust's ASCII whitespace: tab, newline, vertical tab, form feed, carriage return, space.
                let ws = |c: u8| matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
                let b = t.as_bytes();
                let mut i = *at;
                while i < b.len() && ws(b[i]) {
                    i += 1;
                }
                let start = i;
                while i < b.len() && !ws(b[i]) {
                    i += 1;
                }
                *at = i;
                (start < i).then(|| &t[start..i])
            }
        }
    }
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
fn declared_level(t: &str) -> Option<Kind> {
    for (idx, field) in fields(t).take(8).enumerate() {
        let f = trim_level_punctuation(field);
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

    /// `scan_words` as it was first written (a lowercase copy per word and a match):
    /// the packed-word lookup must agree with it on every text.
    fn scan_words_by_match(t: &str) -> (bool, bool) {
        let b = t.as_bytes();
        let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c >= 0x80;
        let (mut err, mut warn) = (false, false);
        // 0 other, 1 negation, 2 exit, 3 exit code, 4 timed.
        let mut prev = 0;
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && !is_word(b[i]) {
                i += 1;
            }
            let start = i;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            if i == start {
                break;
            }
            if i - start > 16 {
                prev = 0;
                continue;
            }
            let w = b[start..i].to_ascii_lowercase();
            let w = w.as_slice();
            err |= (prev == 3 && w != b"0") || (prev == 4 && w == b"out");
            if prev != 1 {
                err |= ERROR_WORDS.iter().any(|e| e.as_bytes() == w);
                warn |= WARN_WORDS.iter().any(|e| e.as_bytes() == w);
            }
            prev = match w {
                b"0" | b"no" | b"without" => 1,
                b"exit" => 2,
                b"code" | b"status" if prev == 2 => 3,
                b"timed" => 4,
                _ => 0,
            };
        }
        (err, warn)
    }

    #[test]
    fn error_words_count_unless_negated() {
        assert_eq!(scan_words("Connection REFUSED by peer"), (true, false));
        assert_eq!(scan_words("no errors, 0 failures"), (false, false));
        assert_eq!(scan_words("exit status 0"), (false, false));
        assert_eq!(scan_words("exit status 3"), (true, false));
        assert_eq!(scan_words("request timed out"), (true, false));
        assert_eq!(scan_words("API Deprecated since 2.0"), (false, true));
        assert_eq!(
            scan_words("averyveryverylongwordthatisnotanerror"),
            (false, false)
        );
    }

    #[test]
    fn packed_words_lower_only_ascii_capitals() {
        let text = b"MiXeD-Case_\xc3\x89T\xc3\xa9 ZZ@[`{";
        for end in 1..=PACK_MAX.min(text.len()) {
            for start in 0..end {
                let want = pack(&text[start..end].to_ascii_lowercase(), false);
                assert_eq!(pack_lower_at(text, start, end), want, "{start}..{end}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fields_split_as_split_whitespace_does(t in "(\\PC|[ \t\n\r\u{b}\u{c}\u{a0}\u{2003}]){0,80}") {
            proptest::prop_assert_eq!(fields(&t).collect::<Vec<_>>(), t.split_whitespace().collect::<Vec<_>>());
        }

        #[test]
        fn word_lookup_agrees_with_matching_each_word(
            words in proptest::collection::vec(
                "(error|ERRORS|Failed|no|0|1|exit|Exit|code|status|timed|out|warning|Deprecated|non-zero|[a-zA-Z0-9\u{e9}-]{1,18})",
                0..12,
            ),
            seps in proptest::collection::vec("[ ,.:;()\\[\\]=_/]{1,2}", 12),
        ) {
            let t: String = words.iter().zip(&seps).map(|(w, s)| format!("{w}{s}")).collect();
            proptest::prop_assert_eq!(scan_words(&t), scan_words_by_match(&t), "{}", t);
        }
    }
}
