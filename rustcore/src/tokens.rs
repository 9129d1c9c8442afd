//! Exact token counts for OpenAI's `o200k_base` and `cl100k_base`, and a fast estimate.
//!
//! The ranks are compiled into the binary by `bpe-openai` (its build script
//! reads the gzipped rank files shipped inside the crate), so counting never
//! touches the network or the disk. Counts are identical to `tiktoken-rs`
//! (cross-checked by the property tests below). Most of `bpe-openai`'s own
//! time goes to its regex pre-tokenizer, so ASCII stretches are split by the
//! hand-written equivalents in [`ascii`], and each distinct piece's count is
//! remembered per thread. Large inputs are also split across threads at
//! points where the pre-tokenizer is guaranteed to start a new piece.

use std::cell::RefCell;
use std::num::NonZeroUsize;
use std::sync::Once;
use std::thread;

use bpe_openai::Tokenizer;
use rustc_hash::FxHashMap;

mod ascii;

/// Names accepted by [`Encoding::from_name`].
pub const ENCODINGS: [&str; 2] = ["o200k_base", "cl100k_base"];

/// Inputs smaller than this are counted on the calling thread.
const PARALLEL_MIN_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    O200kBase,
    Cl100kBase,
}

impl Encoding {
    pub fn from_name(name: &str) -> Result<Self, crate::CoreError> {
        match name {
            "o200k_base" => Ok(Encoding::O200kBase),
            "cl100k_base" => Ok(Encoding::Cl100kBase),
            other => Err(crate::CoreError::UnknownEncoding(other.to_string())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
    }

    fn tokenizer(self) -> &'static Tokenizer {
        static LOADED: [Once; 2] = [Once::new(), Once::new()];
        let tokenizer = match self {
            Encoding::O200kBase => bpe_openai::o200k_base(),
            Encoding::Cl100kBase => bpe_openai::cl100k_base(),
        };
        // The ranks were read from this library's data into the tokenizer's tables: its pages (32 MB for
        // o200k_base) would stay resident unread for the life of the process.
        LOADED[self as usize].call_once(|| {
            crate::memory::page_out_read_only_data();
        });
        tokenizer
    }
}

/// Exact number of tokens `text` encodes to (no special tokens recognised).
pub fn count(text: &str, enc: Encoding) -> usize {
    if text.len() < PARALLEL_MIN_BYTES {
        return PieceCounter::new(enc).count(text);
    }
    let workers = thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(text.len() / (PARALLEL_MIN_BYTES / 2))
        .max(1);
    let parts = split_at_piece_starts(text, workers);
    if parts.len() == 1 {
        return PieceCounter::new(enc).count(text);
    }
    thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| s.spawn(move || PieceCounter::new(enc).count(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("token counting thread panicked"))
            .sum()
    })
}

/// Distinct pieces remembered per thread before the memory is started afresh.
const PIECE_CACHE_ENTRIES: usize = 1 << 17;
/// Longer pieces are rare and seldom repeat, so they are not remembered.
const PIECE_CACHE_MAX_BYTES: usize = 48;

thread_local! {
    /// Each piece's token count, per encoding; it outlives a call because
    /// successive tool outputs share most of their words, keys and indentation.
    static PIECE_COUNTS: RefCell<[FxHashMap<Box<[u8]>, u32>; 2]> = RefCell::new(Default::default());
}

/// Counts pre-tokenized pieces, looking most of them up rather than encoding them.
///
/// Byte-pair encoding a piece costs hundreds of nanoseconds, a lookup a few;
/// ASCII stretches are split by the hand-written pre-tokenizers in [`ascii`],
/// anything else by the tokenizer's own regex.
struct PieceCounter {
    enc: Encoding,
    tokenizer: &'static Tokenizer,
}

impl PieceCounter {
    fn new(enc: Encoding) -> Self {
        PieceCounter {
            enc,
            tokenizer: enc.tokenizer(),
        }
    }

    fn count(&self, text: &str) -> usize {
        PIECE_COUNTS.with_borrow_mut(|caches| {
            let cache = &mut caches[self.enc as usize];
            if cache.len() > PIECE_CACHE_ENTRIES {
                cache.clear();
            }
            if text.is_ascii() {
                return self.count_ascii(text.as_bytes(), cache);
            }
            // Stretches between cuts where a piece must start are independent, so
            // each is split by the fast path when it is ASCII and by the regex otherwise.
            let mut total = 0;
            for stretch in piece_start_stretches(text) {
                total += if stretch.is_ascii() {
                    self.count_ascii(stretch.as_bytes(), cache)
                } else {
                    self.tokenizer
                        .split(stretch)
                        .map(|piece| self.piece(piece.as_bytes(), cache))
                        .sum()
                };
            }
            total
        })
    }

    fn count_ascii(&self, bytes: &[u8], cache: &mut FxHashMap<Box<[u8]>, u32>) -> usize {
        let piece_end = match self.enc {
            Encoding::O200kBase => ascii::o200k_piece_end,
            Encoding::Cl100kBase => ascii::cl100k_piece_end,
        };
        let mut total = 0;
        let mut start = 0;
        while start < bytes.len() {
            let end = piece_end(bytes, start);
            total += self.piece(&bytes[start..end], cache);
            start = end;
        }
        total
    }

    #[inline]
    fn piece(&self, piece: &[u8], cache: &mut FxHashMap<Box<[u8]>, u32>) -> usize {
        // Every single byte is a token of its own in both encodings.
        if piece.len() <= 1 {
            return piece.len();
        }
        if piece.len() > PIECE_CACHE_MAX_BYTES {
            return self.tokenizer.bpe.count(piece);
        }
        if let Some(&n) = cache.get(piece) {
            return n as usize;
        }
        let n = self.tokenizer.bpe.count(piece);
        cache.insert(piece.into(), n as u32);
        n
    }
}

/// `text` cut just before every point where both encodings must start a new
/// piece (see [`split_at_piece_starts`]), so the stretches can be split apart.
fn piece_start_stretches(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = next_piece_start(text, start).unwrap_or(text.len());
        let stretch = &text[start..end];
        start = end;
        Some(stretch)
    })
}

/// The first point after `from` that follows a `\n` and where both encodings
/// must start a new piece (see [`split_at_piece_starts`]).
fn next_piece_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(off) = memchr::memchr(b'\n', &bytes[at..]) {
        let after = at + off + 1;
        if safe_piece_start(text, after) {
            return Some(after);
        }
        at = after;
    }
    None
}

/// Token ids of `text` (no special tokens recognised).
pub fn encode(text: &str, enc: Encoding) -> Vec<u32> {
    enc.tokenizer().encode(text)
}

/// Splits `text` into about `n` parts, cutting only just after a `\n` that is
/// followed by a character no pre-tokenizer piece can continue with.
///
/// Both encodings' patterns can carry a piece across a newline only through
/// whitespace (`\s*[\r\n]+`, `\s+`) or the `[\r\n/]*` tail of a punctuation
/// run, so a newline followed by a non-whitespace character other than `/`
/// always ends one piece and starts the next; counting the parts separately
/// therefore gives the same total.
pub fn split_at_piece_starts(text: &str, n: usize) -> Vec<&str> {
    let target = text.len() / n.max(1);
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    while parts.len() + 1 < n && start + target < text.len() {
        match next_piece_start(text, start + target) {
            Some(cut) => {
                parts.push(&text[start..cut]);
                start = cut;
            }
            None => break,
        }
    }
    parts.push(&text[start..]);
    parts
}

fn safe_piece_start(text: &str, at: usize) -> bool {
    match text[at..].chars().next() {
        Some(c) => !c.is_whitespace() && c != '/',
        None => false,
    }
}

/// A fast estimate of the token count, within about a fifth of the exact
/// `o200k_base` figure on typical tool output, at memory speed.
///
/// It mimics the pre-tokenizer: a letter run is one token per ~6 letters,
/// a digit run one per 3 digits, each punctuation character about one,
/// a punctuation run one per ~3 characters, a newline run one, and a space
/// before a word rides along with it.
pub fn estimate(text: &str) -> usize {
    let mut est = Estimate::default();
    if text.is_ascii() {
        // Same classes as `Run::of`, decided per byte without decoding characters.
        for &b in text.as_bytes() {
            est.push(ASCII_RUNS[usize::from(b)]);
        }
    } else {
        for c in text.chars() {
            if c.is_alphabetic() && !c.is_ascii() {
                est.push_non_latin_letter();
            } else {
                est.push(Run::of(c));
            }
        }
    }
    est.finish()
}

#[derive(PartialEq, Clone, Copy, Default)]
enum Run {
    #[default]
    None,
    Letters,
    Digits,
    Space,
    Newline,
    Punct,
}

impl Run {
    fn of(c: char) -> Run {
        if c.is_alphabetic() {
            Run::Letters
        } else if c.is_ascii_digit() {
            Run::Digits
        } else if c == '\n' || c == '\r' {
            Run::Newline
        } else if c.is_whitespace() {
            Run::Space
        } else {
            Run::Punct
        }
    }

    fn tokens(self, len: usize) -> usize {
        match self {
            Run::Letters => 1 + len / 6,
            Run::Digits => len.div_ceil(3),
            Run::Space => usize::from(len > 1),
            Run::Newline => 1,
            Run::Punct => 1 + len / 3,
            Run::None => 0,
        }
    }
}

/// `Run::of` for each ASCII byte.
const ASCII_RUNS: [Run; 128] = {
    let mut table = [Run::Punct; 128];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] = if b.is_ascii_alphabetic() {
            Run::Letters
        } else if b.is_ascii_digit() {
            Run::Digits
        } else if b == b'\n' || b == b'\r' {
            Run::Newline
        } else if matches!(b, b' ' | b'\t' | 0x0b | 0x0c) {
            Run::Space
        } else {
            Run::Punct
        };
        b += 1;
    }
    table
};

#[derive(Default)]
struct Estimate {
    total: usize,
    run: Run,
    run_len: usize,
}

impl Estimate {
    #[inline]
    fn push(&mut self, kind: Run) {
        if kind == self.run {
            self.run_len += 1;
        } else {
            self.total += self.run.tokens(self.run_len);
            self.run = kind;
            self.run_len = 1;
        }
    }

    /// Non-Latin scripts average close to one token per character or two.
    fn push_non_latin_letter(&mut self) {
        self.total += 1;
        self.run_len += 1;
        if self.run_len.is_multiple_of(2) {
            self.total -= 1;
        }
    }

    fn finish(self) -> usize {
        self.total + self.run.tokens(self.run_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tiktoken_count(text: &str, enc: Encoding) -> usize {
        let bpe = match enc {
            Encoding::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
        };
        bpe.encode_ordinary(text).len()
    }

    #[test]
    fn known_counts_match_published_examples() {
        // "hello world" is two tokens in both encodings.
        assert_eq!(count("hello world", Encoding::O200kBase), 2);
        assert_eq!(count("hello world", Encoding::Cl100kBase), 2);
        assert_eq!(count("", Encoding::O200kBase), 0);
    }

    #[test]
    fn unknown_encoding_names_the_available_ones() {
        let err = Encoding::from_name("p50k").unwrap_err();
        assert!(err.to_string().contains("o200k_base"));
    }

    #[test]
    fn counts_agree_with_tiktoken_on_mixed_text() {
        let text = "fn main() {\n    println!(\"héllo, wörld\");\n}\n\n// 12345 tokens\n\t\r\n  trailing   \n日本語のテキスト 🎉\n.\n/path/to\n";
        for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
            assert_eq!(count(text, enc), tiktoken_count(text, enc));
        }
    }

    #[test]
    fn parallel_split_gives_the_same_total_as_one_pass() {
        let unit = "ERROR 2024-01-01 12:00:00 worker-3 failed: /var/log/x.log\n  at frame()\n.\n/slash after newline\n\n   \nword";
        let text = unit.repeat(30_000);
        assert!(text.len() > PARALLEL_MIN_BYTES * 2);
        let one = enc_count_single(&text, Encoding::O200kBase);
        assert_eq!(count(&text, Encoding::O200kBase), one);
        assert_eq!(one, tiktoken_count(&text, Encoding::O200kBase));
    }

    /// The count through `bpe-openai`'s own pre-tokenizer and no cache.
    fn enc_count_single(text: &str, enc: Encoding) -> usize {
        enc.tokenizer().count(text)
    }

    #[test]
    fn split_parts_concatenate_to_the_input() {
        let text = "a\nb\n c\n/d\ne\n".repeat(1000);
        let parts = split_at_piece_starts(&text, 7);
        assert!(parts.len() > 1);
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn estimate_is_within_a_third_of_exact_on_prose_and_code() {
        let text = "The quick brown fox jumps over the lazy dog. It was 1999.\n\
                    def handler(event, context):\n    return {\"status\": 200, \"body\": event[\"id\"]}\n"
            .repeat(50);
        let exact = count(&text, Encoding::O200kBase) as f64;
        let est = estimate(&text) as f64;
        assert!(
            (est - exact).abs() / exact < 0.34,
            "exact {exact} est {est}"
        );
    }

    /// The pieces the hand-written ASCII pre-tokenizer cuts `text` into.
    fn ascii_pieces(text: &str, enc: Encoding) -> Vec<&str> {
        let piece_end = match enc {
            Encoding::O200kBase => ascii::o200k_piece_end,
            Encoding::Cl100kBase => ascii::cl100k_piece_end,
        };
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let end = piece_end(text.as_bytes(), start);
            assert!(end > start, "no progress at {start} in {text:?}");
            pieces.push(&text[start..end]);
            start = end;
        }
        pieces
    }

    #[test]
    fn ascii_pieces_match_the_regex_on_tricky_runs() {
        let text = "HTTPServer don't DON'T I'm you'LL we've 'sam x'd ((foo -5 .-bar _id \
                    12345 a1b2 \t\thello  \n  world \n\n/path// }\n\n/x ?\n \x0bword \x0c\x1cz \x7f\x00q \r\n\r\n  \t ";
        for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
            let expected: Vec<&str> = enc.tokenizer().split(text).collect();
            assert_eq!(ascii_pieces(text, enc), expected, "{}", enc.name());
        }
    }

    /// The estimate as first written, char by char, for the byte-table version to match.
    fn reference_estimate(text: &str) -> usize {
        #[derive(PartialEq, Clone, Copy)]
        enum Run {
            None,
            Letters,
            Digits,
            Space,
            Newline,
            Punct,
        }
        let mut total = 0usize;
        let mut run = Run::None;
        let mut run_len = 0usize;
        let flush = |run: Run, len: usize| -> usize {
            match run {
                Run::Letters => 1 + len / 6,
                Run::Digits => len.div_ceil(3),
                Run::Space => usize::from(len > 1),
                Run::Newline => 1,
                Run::Punct => 1 + len / 3,
                Run::None => 0,
            }
        };
        for c in text.chars() {
            let kind = if c.is_alphabetic() {
                if !c.is_ascii() {
                    // Non-Latin scripts average close to one token per character or two.
                    total += 1;
                    run_len += 1;
                    if run_len.is_multiple_of(2) {
                        total -= 1;
                    }
                    continue;
                }
                Run::Letters
            } else if c.is_ascii_digit() {
                Run::Digits
            } else if c == '\n' || c == '\r' {
                Run::Newline
            } else if c.is_whitespace() {
                Run::Space
            } else {
                Run::Punct
            };
            if kind == run {
                run_len += 1;
            } else {
                total += flush(run, run_len);
                run = kind;
                run_len = 1;
            }
        }
        total + flush(run, run_len)
    }

    #[test]
    fn ascii_run_table_agrees_with_the_char_classes() {
        for b in 0u8..128 {
            assert!(ASCII_RUNS[usize::from(b)] == Run::of(b as char), "byte {b}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn piece_boundary_splitting_never_changes_the_count(
            s in "([a-zA-Z0-9 \\t\\r\\n./\\-_:'\"(){}é日🎉]{0,12}){0,60}",
            n in 1usize..6,
        ) {
            let parts = split_at_piece_starts(&s, n);
            prop_assert_eq!(parts.concat(), s.clone());
            let split_total: usize = parts.iter().map(|p| enc_count_single(p, Encoding::O200kBase)).sum();
            prop_assert_eq!(split_total, enc_count_single(&s, Encoding::O200kBase));
            prop_assert_eq!(enc_count_single(&s, Encoding::O200kBase), tiktoken_count(&s, Encoding::O200kBase));
            prop_assert_eq!(enc_count_single(&s, Encoding::Cl100kBase), tiktoken_count(&s, Encoding::Cl100kBase));
        }

        #[test]
        fn ascii_pre_tokenizers_cut_where_the_regex_does(
            s in "([A-Za-z]{0,4}[0-9]{0,4}[ \t\r\n\x0b\x0c]{0,3}['/\\-_.:,;(){}\"#\x00\x1c\x7f]{0,3}(s|t|re|ve|ll|m|d|S|LL)?){0,40}",
        ) {
            for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
                let expected: Vec<&str> = enc.tokenizer().split(&s).collect();
                prop_assert_eq!(ascii_pieces(&s, enc), expected);
            }
        }

        #[test]
        fn estimate_is_unchanged_by_the_ascii_fast_path(
            s in "([A-Za-z]{0,6}[0-9]{0,4}[ \\t\\r\\n\\x0b\\x0c\\x1c]{0,3}[-_.:(){}\"]{0,2}(é|日本語|🎉|\\u{a0})?){0,40}",
        ) {
            prop_assert_eq!(estimate(&s), reference_estimate(&s));
            let ascii: String = s.chars().filter(char::is_ascii).collect();
            prop_assert_eq!(estimate(&ascii), reference_estimate(&ascii));
        }

        #[test]
        fn counts_equal_tiktoken_on_mostly_ascii_text(
            s in "([A-Za-z]{0,6}[0-9]{0,4}[ \t\r\n]{0,3}['/\\-_.:(){}\"\x1c]{0,2}(é|日本|🎉|\u{85}|\u{a0}|\u{2003})?){0,50}",
        ) {
            for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
                prop_assert_eq!(count(&s, enc), tiktoken_count(&s, enc));
            }
        }
    }
}
