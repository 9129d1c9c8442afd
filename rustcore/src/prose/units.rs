//! The units prose is kept or dropped by (sentences of paragraphs and long list items, whole list
//! items, table rows, fenced blocks), and what each is worth: position, density, relevance.

use std::hash::Hasher;
use std::sync::OnceLock;

use rustc_hash::FxHasher;

use crate::prose::blocks::{Block, Kind, Section};
use crate::rank;
use crate::terms::{char_len, is_space, lower, QueryTerms, Words};

/// List items longer than this many lines are split into sentences like paragraphs.
const LONG_ITEM_LINES: usize = 4;
/// Characters stripped from a word's ends before it is judged.
fn punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '\''
            | '`'
            | '*'
            | '_'
            | '<'
            | '>'
            | '“'
            | '”'
            | '‘'
            | '’'
    )
}
/// Words that say little on their own.
const FILLER: &[&str] = &[
    "a", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "do",
    "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "may", "might", "more", "most", "not", "of", "on", "or",
    "our", "she", "should", "so", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "would", "you", "your",
];

/// What kind of unit: a sentence, or a whole block of the given kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Sentence,
    Block(Kind),
}

/// Lines `first..=last` holding `text`: one unit of selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub first: usize,
    pub last: usize,
    pub text: String,
    pub section: Option<usize>,
    /// 1 for the first content of a section (or of the text before any), 0.3 for a later
    /// paragraph's first sentence, else 0.
    pub lead: f64,
    pub kind: UnitKind,
}

/// The units of a parsed text, in order.
pub fn units(lines: &[&str], blocks: &[Block], sections: &[Section]) -> Vec<Unit> {
    let mut first_content = vec![false; blocks.len()];
    for section in sections {
        let content = section
            .blocks
            .iter()
            .find(|&&b| !matches!(blocks[b].kind, Kind::Heading | Kind::Rule));
        if let Some(&b) = content {
            first_content[b] = true;
        }
    }
    let mut out = Vec::new();
    let mut leading_done = false;
    for (index, block) in blocks.iter().enumerate() {
        if matches!(block.kind, Kind::Heading | Kind::Rule) {
            continue;
        }
        let is_lead = first_content[index] || (block.section.is_none() && !leading_done);
        leading_done = leading_done || block.section.is_none();
        let lead = if is_lead {
            1.0
        } else if block.kind == Kind::Paragraph {
            0.3
        } else {
            0.0
        };
        let span = &lines[block.first..=block.last];
        let long_item = block.kind == Kind::Item && span.len() > LONG_ITEM_LINES;
        if block.kind == Kind::Paragraph || long_item {
            sentence_units(span, block, lead, &mut out);
        } else {
            out.push(Unit {
                first: block.first,
                last: block.last,
                text: span.concat(),
                section: block.section,
                lead,
                kind: UnitKind::Block(block.kind),
            });
        }
    }
    out
}

/// One unit per sentence of a paragraph, each spanning the lines it touches.
fn sentence_units(span: &[&str], block: &Block, lead: f64, out: &mut Vec<Unit>) {
    let mut starts = Vec::with_capacity(span.len() + 1);
    starts.push(0);
    for line in span {
        starts.push(starts.last().copied().unwrap_or(0) + line.len());
    }
    let joined = span.concat();
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
    for (k, (a, b)) in sentence_spans(&joined).into_iter().enumerate() {
        let last = line_of(if b > a { b - 1 } else { a }).min(span.len() - 1);
        out.push(Unit {
            first: block.first + line_of(a),
            last: block.first + last,
            text: joined[a..b].to_string(),
            section: block.section,
            lead: if k == 0 { lead } else { 0.0 },
            kind: UnitKind::Sentence,
        });
    }
}

fn closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '*' | '_' | '`')
}

fn opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '*' | '_' | '`')
}

fn starter(c: Option<char>) -> bool {
    matches!(c, Some('A'..='Z' | '0'..='9'))
}

/// The next sentence end at or after byte `from`: `.`, `!` or `?`, closing quotes or brackets, white
/// space, then a likely sentence opener (a capital or a digit, maybe after a quote or bracket).
/// Returns the byte span of the closers and white space.
fn next_sentence_end(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let scan = from.saturating_sub(1);
    for q in memchr::memchr3_iter(b'.', b'!', b'?', &bytes[scan..]) {
        let p = scan + q + 1;
        if p < from {
            continue;
        }
        let rest = &text[p..];
        let closers: usize = rest
            .chars()
            .take_while(|&c| closer(c))
            .map(char::len_utf8)
            .sum();
        let blanks: usize = rest[closers..]
            .chars()
            .take_while(|&c| is_space(c))
            .map(char::len_utf8)
            .sum();
        if blanks == 0 {
            continue;
        }
        let end = p + closers + blanks;
        let mut next = text[end..].chars();
        let c = next.next();
        if starter(c) || (c.is_some_and(opener) && starter(next.next())) {
            return Some((p, end));
        }
    }
    None
}

/// Byte spans of the sentences of `text` (a paragraph, line breaks allowed inside); a sentence
/// shorter than three characters joins the next, a tail that short joins the last.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some((end, after)) = next_sentence_end(text, at) {
        if char_len(&text[start..end]) >= 3 {
            spans.push((start, after));
            start = after;
        }
        at = after;
    }
    if start < text.len() {
        match spans.last_mut() {
            Some(last) if char_len(&text[start..]) < 3 => last.1 = text.len(),
            _ => spans.push((start, text.len())),
        }
    }
    spans
}

/// A word's identity among the words of one text: short lowercase ASCII words packed into the
/// integer itself (so filler words are found without comparing strings), longer ones hashed. A
/// collision among the words of one sentence (about n² in 2^63) is not worth an allocation per word.
pub fn word_key(low: &str) -> u64 {
    let b = low.as_bytes();
    if b.len() <= 7 && low.is_ascii() {
        b.iter()
            .fold(b.len() as u64, |key, &c| (key << 8) | u64::from(c))
    } else {
        let mut h = FxHasher::default();
        b.iter().for_each(|&c| h.write_u8(c));
        h.finish() | 1 << 63
    }
}

/// The filler words' keys in a small open-addressing table: one or two probes per word looked up.
struct FillerTable {
    slots: [u64; 256],
}

impl FillerTable {
    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
    }

    fn new() -> Self {
        let mut slots = [0u64; 256];
        for word in FILLER {
            let key = word_key(word);
            let mut at = Self::slot(key);
            while slots[at] != 0 && slots[at] != key {
                at = (at + 1) % 256;
            }
            slots[at] = key;
        }
        FillerTable { slots }
    }

    /// Whether `key` is a filler word's (keys are never 0: the length or the top bit is set).
    fn contains(&self, key: u64) -> bool {
        let mut at = Self::slot(key);
        loop {
            match self.slots[at] {
                0 => return false,
                k if k == key => return true,
                _ => at = (at + 1) % 256,
            }
        }
    }
}

fn filler() -> &'static FillerTable {
    static TABLE: OnceLock<FillerTable> = OnceLock::new();
    TABLE.get_or_init(FillerTable::new)
}

/// How much a sentence says per word: distinct content words, numbers and names, against its length
/// (0 to 1).
pub fn density(sentence: &str) -> f64 {
    let mut content: Vec<u64> = Vec::new();
    let (count, specific) = if sentence.is_ascii() {
        ascii_words(sentence.as_bytes(), &mut content)
    } else {
        unicode_words(sentence, &mut content)
    };
    if count == 0 {
        return 0.0;
    }
    content.sort_unstable();
    content.dedup();
    let mut score = (content.len() as f64 + 0.5 * specific as f64) / (count + 4) as f64;
    if count < 5 {
        // Very short fragments say less than their ratio suggests.
        score *= count as f64 / 5.0;
    }
    score.min(1.0)
}

/// Words of an ASCII sentence: how many, how many are specific (capitalised, or not all letters once
/// stripped of punctuation), and the keys of its content words (pushed to `content`).
fn ascii_words(bytes: &[u8], content: &mut Vec<u64>) -> (usize, usize) {
    let filler = filler();
    let (mut count, mut specific) = (0, 0);
    for word in bytes.split(|&b| b.is_ascii_whitespace() || b == 0x0b || (0x1c..=0x1f).contains(&b))
    {
        if word.is_empty() {
            continue;
        }
        count += 1;
        let start = word
            .iter()
            .position(|&b| !punctuation(b as char))
            .unwrap_or(word.len());
        let end = word
            .iter()
            .rposition(|&b| !punctuation(b as char))
            .map_or(start, |k| k + 1);
        let core = &word[start..end];
        if word[0].is_ascii_uppercase()
            || core.is_empty()
            || !core.iter().all(u8::is_ascii_alphabetic)
        {
            specific += 1;
        }
        let key = if core.len() <= 7 {
            core.iter().fold(core.len() as u64, |key, &c| {
                (key << 8) | u64::from(c.to_ascii_lowercase())
            })
        } else {
            let mut h = FxHasher::default();
            core.iter().for_each(|c| h.write_u8(c.to_ascii_lowercase()));
            h.finish() | 1 << 63
        };
        if !filler.contains(key) {
            content.push(key);
        }
    }
    (count, specific)
}

/// [`ascii_words`] for any text.
fn unicode_words(sentence: &str, content: &mut Vec<u64>) -> (usize, usize) {
    let filler = filler();
    let (mut count, mut specific) = (0, 0);
    for word in sentence.split(is_space).filter(|w| !w.is_empty()) {
        count += 1;
        let core = word.trim_matches(punctuation);
        let first_upper = word.chars().next().is_some_and(char::is_uppercase);
        if first_upper || core.is_empty() || !core.chars().all(char::is_alphabetic) {
            specific += 1;
        }
        let key = word_key(&lower(core));
        if !filler.contains(key) {
            content.push(key);
        }
    }
    (count, specific)
}

/// BM25 relevance of each text to `query`, scaled so the best scores 1 (all 0 without a query or a match).
pub fn relevance<S: AsRef<str>>(texts: &[S], query: Option<&str>) -> Vec<f64> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return vec![0.0; texts.len()];
    };
    let scores = rank::rank(texts, &QueryTerms::parse(query));
    let top = scores.iter().copied().fold(0.0, f64::max);
    if top > 0.0 {
        scores.iter().map(|s| s / top).collect()
    } else {
        vec![0.0; texts.len()]
    }
}

fn word_joiner(c: char) -> bool {
    matches!(c, '.' | '_' | '\'' | '’' | '-')
}

/// The lowercased words of `text` (runs of letters and digits joined by one `.`, `_`, `'`, `’` or `-`).
pub fn words(text: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    Words::new(text, word_joiner, false).map(lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sentences(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(a, b)| text[a..b].trim())
            .collect()
    }

    #[test]
    fn sentences_end_at_a_stop_before_a_capital_only() {
        let text = "Use v1.2 of it. Then call e.g. the API! Does it work? yes.";
        assert_eq!(
            sentences(text),
            [
                "Use v1.2 of it.",
                "Then call e.g. the API!",
                "Does it work? yes."
            ]
        );
        let quoted = "He said \"Stop.\" (Then) left. \"Go\" on.";
        assert_eq!(
            sentences(quoted),
            ["He said \"Stop.\"", "(Then) left.", "\"Go\" on."]
        );
        // A sentence shorter than three characters joins the next one.
        assert_eq!(sentences("A. B. Cdef."), ["A. B.", "Cdef."]);
    }

    #[test]
    fn dense_sentences_score_above_filler() {
        assert!(
            density("Set MAX_CONNECTIONS to 512 in config.yaml for PostgreSQL 16.")
                > density("It is what it is, and so it was.")
        );
        assert_eq!(density("   "), 0.0);
    }

    #[test]
    fn filler_words_are_known_by_their_keys() {
        assert_eq!(
            filler().slots.iter().filter(|&&k| k != 0).count(),
            FILLER.len()
        );
        assert!(FILLER.iter().all(|w| filler().contains(word_key(w))));
        assert!(!filler().contains(word_key("gin")) && !filler().contains(word_key("information")));
        assert_ne!(word_key("the"), word_key("then"));
        assert_ne!(word_key("a"), word_key("\u{1}"));
        assert!(word_key("information") >> 63 == 1 && word_key("should") >> 63 == 0);
    }

    #[test]
    fn sentence_units_span_the_lines_they_touch() {
        let lines = [
            "One sentence here. Another one\n",
            "wraps here. Last\n",
            "one.\n",
        ];
        let block = Block {
            kind: Kind::Paragraph,
            first: 3,
            last: 5,
            level: 0,
            section: None,
            title: String::new(),
        };
        let mut out = Vec::new();
        sentence_units(&lines, &block, 1.0, &mut out);
        let spans: Vec<(usize, usize, f64)> =
            out.iter().map(|u| (u.first, u.last, u.lead)).collect();
        assert_eq!(spans, [(3, 3, 1.0), (3, 4, 0.0), (4, 5, 0.0)]);
    }

    proptest! {
        #[test]
        fn sentence_spans_tile_the_text(text in "[a-zA-Z0-9 .!?\"')(\n]{0,80}") {
            let spans = sentence_spans(&text);
            let mut at = 0;
            for (a, b) in &spans {
                prop_assert_eq!(*a, at);
                prop_assert!(b > a);
                at = *b;
            }
            prop_assert_eq!(at, text.len());
        }

        #[test]
        fn density_lies_between_zero_and_one(text in "\\PC{0,80}") {
            let d = density(&text);
            prop_assert!((0.0..=1.0).contains(&d));
        }

        #[test]
        fn ascii_text_scores_the_same_on_either_path(text in "[ -~\t\n]{0,80}") {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            prop_assert_eq!(ascii_words(text.as_bytes(), &mut fast), unicode_words(&text, &mut slow));
            prop_assert_eq!(fast, slow);
        }
    }
}
