//! Words that say what a log line is about, looked up fast: error and
//! warning words (with the negations that cancel them: "0 errors", "exit code
//! 0"), words that report a problem in plain terms ("not supported",
//! "invalid"), the level names a line may declare, and whitespace fields.
//!
//! A word of up to 16 bytes is packed into an integer, so that looking it up
//! is a hash and a compare: this runs on every word of inputs up to tens of
//! megabytes.

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
    slots: Vec<(Packed, u16)>,
    /// Per word length, a bit per first byte (its low five bits) that some word starts with:
    /// most words are turned away on that alone.
    first: [u32; PACK_MAX + 1],
}

impl WordTable {
    const BITS: u32 = 8;

    fn new(words: &[(&str, u16)]) -> Self {
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
    fn lookup(&self, text: &[u8], start: usize, end: usize, lower: bool) -> u16 {
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
    fn get(&self, p: Packed) -> u16 {
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
const W_ERR: u16 = 1;
const W_WARN: u16 = 2;
const W_NEGATION: u16 = 4;
const W_EXIT: u16 = 8;
const W_CODE: u16 = 16;
const W_TIMED: u16 = 32;
const W_OUT: u16 = 64;
const W_ZERO: u16 = 128;
const W_PROBLEM: u16 = 256;

/// Words that make a line an error or a warning (lowercased; see `scan_words` for negations).
#[rustfmt::skip]
const ERROR_WORDS: &[&str] = &[
    "error", "errors", "fatal", "failed", "failure", "failures", "failing", "fail", "fails",
    "exception", "panic", "panicked", "traceback", "segfault", "aborted", "abort", "killed",
    "timeout", "refused", "denied", "crash", "crashed", "critical", "unable", "cannot",
    "unreachable", "non-zero",
];
const WARN_WORDS: &[&str] = &["warn", "warning", "warnings", "deprecated", "deprecation"];
/// Words that report a problem in plain terms, without an error or warning word
/// (`DMI not present or invalid`, `CPU model not supported`, `is not suid`).
#[rustfmt::skip]
const PROBLEM_WORDS: &[&str] = &[
    "not", "invalid", "unsupported", "missing", "disabled", "unknown", "bad", "corrupt",
    "corrupted", "mismatch", "unexpected", "lost", "dropped", "degraded", "expired",
    "unavailable", "rejected", "overflow", "stalled", "hung", "lockup", "oops", "tainted",
    "ignoring", "ignored", "broken", "wrong", "illegal", "conflict", "conflicting",
    "violation", "insufficient", "exceeded", "unreachable",
];

fn scan_table() -> &'static WordTable {
    static T: std::sync::OnceLock<WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut words: Vec<(&str, u16)> = ERROR_WORDS.iter().map(|w| (*w, W_ERR)).collect();
        words.extend(WARN_WORDS.iter().map(|w| (*w, W_WARN)));
        words.extend(PROBLEM_WORDS.iter().map(|w| (*w, W_PROBLEM)));
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

/// What a line's words say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Words {
    pub err: bool,
    pub warn: bool,
    /// A word that reports a problem in plain terms.
    pub problem: bool,
}

/// What the words of `t` say, ignoring "0 errors", "no failures", "exit code
/// 0" and the like. One pass over the bytes, no allocation.
pub(crate) fn scan_words(t: &str) -> Words {
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
    let mut problem = false;
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
            problem |= tag & W_PROBLEM != 0;
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
    Words { err, warn, problem }
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

// Which level list a field is on.
pub(crate) const L_ERROR: u16 = 1;
pub(crate) const L_WARN: u16 = 2;
pub(crate) const L_INFO: u16 = 4;

fn level_table() -> &'static WordTable {
    static T: std::sync::OnceLock<WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut words: Vec<(&str, u16)> = Vec::new();
        words.extend(ERROR_LEVELS.iter().map(|w| (*w, L_ERROR)));
        words.extend(WARN_LEVELS.iter().map(|w| (*w, L_WARN)));
        words.extend(INFO_LEVELS.iter().map(|w| (*w, L_INFO)));
        WordTable::new(&words)
    })
}

/// Which level lists `f` is on (0 for none).
#[inline]
pub(crate) fn level_of(f: &str) -> u16 {
    level_table().lookup(f.as_bytes(), 0, f.len(), false)
}

/// Whitespace-separated fields, as `str::split_whitespace` gives them
/// (byte-wise for ASCII text, which is nearly every log line).
pub(crate) fn fields(t: &str) -> Fields<'_> {
    if t.is_ascii() {
        Fields::Ascii { t, at: 0 }
    } else {
        Fields::Unicode(t.split_whitespace())
    }
}

pub(crate) enum Fields<'a> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let says = |t: &str| {
            let w = scan_words(t);
            (w.err, w.warn)
        };
        assert_eq!(says("Connection REFUSED by peer"), (true, false));
        assert_eq!(says("no errors, 0 failures"), (false, false));
        assert_eq!(says("exit status 0"), (false, false));
        assert_eq!(says("exit status 3"), (true, false));
        assert_eq!(says("request timed out"), (true, false));
        assert_eq!(says("API Deprecated since 2.0"), (false, true));
        assert_eq!(
            says("averyveryverylongwordthatisnotanerror"),
            (false, false)
        );
        assert!(scan_words("intel_pstate: CPU model not supported").problem);
        assert!(scan_words("DMI not present or invalid.").problem);
        assert!(!scan_words("eth0: link up at 1000 Mbps").problem);
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
            let w = scan_words(&t);
            proptest::prop_assert_eq!((w.err, w.warn), scan_words_by_match(&t), "{}", t);
        }
    }
}
