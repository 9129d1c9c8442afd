//! What the agent asked about, and how strongly each line mentions it.
//!
//! A query becomes a handful of stemmed words (stop words dropped) and
//! phrases (identifiers, dotted names, paths, versions, hashes, quoted text).
//! A line's score is the sum of the inverse document frequencies, over the
//! lines of the input, of the words and phrases it contains: a word that
//! occurs on every line says nothing, a rare one says a lot. Phrases weigh
//! double because an exact identifier or path is a precise pointer.
//!
//! This is deliberately not BM25 over documents (the store's retrieval does
//! that in Python): compressors need a per-line signal computed in one pass
//! at memory speed.

use rustc_hash::FxHashMap;

use crate::lines::Lines;

/// At most this many words and phrases are matched (one bit each per line).
const MAX_TERMS: usize = 48;

const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "during",
    "each",
    "exactly",
    "few",
    "find",
    "for",
    "from",
    "get",
    "give",
    "had",
    "has",
    "have",
    "having",
    "here",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "list",
    "me",
    "more",
    "most",
    "my",
    "near",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "please",
    "same",
    "should",
    "show",
    "so",
    "some",
    "such",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "line",
    "lines",
    "output",
    "happened",
    "happen",
    "happens",
    "see",
    "look",
    "know",
    "want",
    "need",
    "let",
    "anything",
    "something",
    "thing",
    "things",
    "way",
    "ones",
    "one",
];

const DEFINITION_WORDS: &[&str] = &[
    "defined",
    "define",
    "defines",
    "definition",
    "definitions",
    "declared",
    "declare",
    "declaration",
    "declarations",
    "implemented",
    "implementation",
    "implements",
    "signature",
    "signatures",
    "overload",
    "overloads",
    "located",
];

/// A parsed query.
#[derive(Debug, Default, Clone)]
pub struct Query {
    /// Stemmed lowercase words.
    words: Vec<Vec<u8>>,
    /// Lowercase phrases matched as substrings.
    phrases: Vec<Vec<u8>>,
    /// Identifier names the query points at (last components of dotted names too).
    pub names: Vec<String>,
    /// The components before the name in dotted names (`Gson` in `Gson.toJson`).
    pub qualifiers: Vec<String>,
    /// The query asks where something is defined or what its signature is.
    pub wants_definition: bool,
}

impl Query {
    pub fn parse(query: &str) -> Self {
        let mut q = Query::default();
        let lower = query.to_lowercase();
        for w in DEFINITION_WORDS {
            if word_in(&lower, w) {
                q.wants_definition = true;
            }
        }
        if lower.contains("where is") || lower.contains("where are") {
            q.wants_definition = true;
        }
        let positive = positive_part(query);
        for phrase in quoted_spans(&positive) {
            q.add_phrase(phrase);
            q.add_names(phrase);
        }
        for token in positive.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            let token = token
                .trim_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '#' || c == '$'));
            let token = token.trim_start_matches('#');
            if token.is_empty() {
                continue;
            }
            if is_identifier_like(token) {
                q.add_phrase(token);
                q.add_names(token);
            }
        }
        for word in split_words(positive.as_bytes()) {
            let mut w = word.to_ascii_lowercase();
            if w.len() < 2 || STOP_WORDS.contains(&std::str::from_utf8(&w).unwrap_or("")) {
                continue;
            }
            if w.iter().all(u8::is_ascii_digit) && w.len() < 2 {
                continue;
            }
            stem(&mut w);
            if !q.words.contains(&w) && q.words.len() + q.phrases.len() < MAX_TERMS {
                q.words.push(w);
            }
        }
        q
    }

    fn add_phrase(&mut self, phrase: &str) {
        let p = phrase.trim().to_lowercase().into_bytes();
        if p.len() >= 3
            && !self.phrases.contains(&p)
            && self.words.len() + self.phrases.len() < MAX_TERMS
        {
            self.phrases.push(p);
        }
    }

    fn add_names(&mut self, text: &str) {
        let text = text.trim_end_matches("()");
        let parts: Vec<&str> = text
            .split(['.', ':', '/', '#', ' ', '(', ')'])
            .filter(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            })
            .collect();
        if let Some((last, before)) = parts.split_last() {
            if last.chars().any(char::is_alphabetic) && !self.names.iter().any(|n| n == last) {
                self.names.push((*last).to_string());
            }
            for q in before {
                if q.chars().any(char::is_alphabetic) && !self.qualifiers.iter().any(|n| n == q) {
                    self.qualifiers.push((*q).to_string());
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    fn n_terms(&self) -> usize {
        self.words.len() + self.phrases.len()
    }

    /// Which of the query's words and phrases each line contains, as bitmasks.
    pub fn match_lines(&self, lines: &Lines<'_>) -> Vec<u64> {
        let n = lines.len();
        let mut masks = vec![0u64; n];
        if self.is_empty() {
            return masks;
        }
        let mut m = Matcher::new(self);
        // A phrase within one line is found in one pass over the whole text
        // (lowered once), not searched for line by line.
        let whole_text = |p: &[u8]| !p.contains(&b'\n') && !p.contains(&b'\r');
        let (by_text, by_line): (Vec<usize>, Vec<usize>) =
            (0..self.phrases.len()).partition(|&k| whole_text(&self.phrases[k]));
        m.phrases_to_match = by_line;
        for (i, line) in lines.iter().enumerate() {
            masks[i] = m.match_one(line.as_bytes());
        }
        if !by_text.is_empty() {
            let lower = lines.text().to_ascii_lowercase();
            for k in by_text {
                let bit = 1 << (m.phrase_base + k);
                let mut line = 0;
                for at in m.finders[k].find_iter(lower.as_bytes()) {
                    line = lines.line_of(at, line);
                    masks[line] |= bit;
                }
            }
        }
        masks
    }

    /// The bitmask of one text (for callers that score blocks rather than lines).
    pub fn match_text(&self, text: &str) -> u64 {
        if self.is_empty() {
            return 0;
        }
        Matcher::new(self).match_one(text.as_bytes())
    }

    /// How many of `masks` have each term's bit set.
    fn document_frequency(&self, masks: &[u64]) -> Vec<u32> {
        let mut df = vec![0u32; self.n_terms()];
        for &m in masks {
            let mut m = m;
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                df[k] += 1;
                m &= m - 1;
            }
        }
        df
    }

    /// Per-term weights over `masks` (inverse document frequency; phrases doubled).
    pub fn weights(&self, masks: &[u64]) -> Vec<f32> {
        let n = masks.len().max(1) as f32;
        let df = self.document_frequency(masks);
        df.iter()
            .enumerate()
            .map(|(k, &d)| {
                let idf = ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.05);
                if k >= self.words.len() {
                    2.0 * idf
                } else {
                    idf
                }
            })
            .collect()
    }

    /// The bits of phrases found on few lines (1 in 100, at least 3, at most 25): precise pointers.
    pub fn precise_terms(&self, masks: &[u64]) -> u64 {
        let limit = (masks.len() / 100).clamp(3, 25) as u32;
        let df = self.document_frequency(masks);
        let mut out = 0u64;
        for (k, &d) in df.iter().enumerate().skip(self.words.len()) {
            if d > 0 && d <= limit {
                out |= 1 << k;
            }
        }
        out
    }

    /// Each line's relevance to the query (0 when it mentions none of it).
    pub fn score_lines(&self, lines: &Lines<'_>) -> Vec<f32> {
        let masks = self.match_lines(lines);
        let weights = self.weights(&masks);
        masks.iter().map(|&m| score_mask(m, &weights)).collect()
    }
}

/// What a query's terms are looked up with: each stemmed word's bit, a finder per phrase.
struct Matcher<'q> {
    index: FxHashMap<&'q [u8], usize>,
    /// Lowercase first bytes of the stemmed words: a stem starts as its word does.
    first: [bool; 256],
    /// Word lengths that can stem to a query word (stemming drops at most six bytes).
    min_len: usize,
    max_len: usize,
    finders: Vec<memchr::memmem::Finder<'q>>,
    /// Which phrases `match_one` looks for (all, unless the caller finds some itself).
    phrases_to_match: Vec<usize>,
    /// The phrase bits start after the words'.
    phrase_base: usize,
    buf: Vec<u8>,
    lower: Vec<u8>,
}

impl<'q> Matcher<'q> {
    fn new(q: &'q Query) -> Self {
        let mut first = [false; 256];
        for w in &q.words {
            first[usize::from(w[0])] = true;
        }
        Matcher {
            index: q
                .words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.as_slice(), i))
                .collect(),
            first,
            min_len: q.words.iter().map(Vec::len).min().unwrap_or(0).max(2),
            max_len: q.words.iter().map(Vec::len).max().unwrap_or(0) + 6,
            finders: q.phrases.iter().map(memchr::memmem::Finder::new).collect(),
            phrases_to_match: (0..q.phrases.len()).collect(),
            phrase_base: q.words.len(),
            buf: Vec::new(),
            lower: Vec::new(),
        }
    }

    fn match_one(&mut self, line: &[u8]) -> u64 {
        let mut mask = 0u64;
        if !self.index.is_empty() {
            for word in split_words(line) {
                if word.len() < self.min_len
                    || word.len() > self.max_len
                    || !self.first[usize::from(word[0].to_ascii_lowercase())]
                {
                    continue;
                }
                self.buf.clear();
                self.buf.extend(word.iter().map(u8::to_ascii_lowercase));
                stem(&mut self.buf);
                if let Some(&k) = self.index.get(self.buf.as_slice()) {
                    mask |= 1 << k;
                }
            }
        }
        if !self.phrases_to_match.is_empty() {
            self.lower.clear();
            self.lower.extend(line.iter().map(u8::to_ascii_lowercase));
            for &k in &self.phrases_to_match {
                if self.finders[k].find(&self.lower).is_some() {
                    mask |= 1 << (self.phrase_base + k);
                }
            }
        }
        mask
    }
}

/// The score of one bitmask under `weights`.
pub fn score_mask(mask: u64, weights: &[f32]) -> f32 {
    let mut m = mask;
    let mut s = 0.0;
    while m != 0 {
        let k = m.trailing_zeros() as usize;
        s += weights[k];
        m &= m - 1;
    }
    s
}

/// Cues after which the rest of a clause names what the agent does not want.
const NEGATION_CUES: &[&str] = &[
    "ignore",
    "ignoring",
    "except",
    "excluding",
    "exclude",
    "apart from",
    "other than",
    "besides",
    "not counting",
    "aside from",
    "beyond",
];

/// The query without clauses that exclude things ("ignore the X warnings",
/// "apart from the frequent Y alerts, ..."): their words must not raise lines.
fn positive_part(query: &str) -> String {
    // ASCII lowering keeps byte offsets aligned with `query`.
    let lower = query.to_ascii_lowercase();
    let mut out = String::with_capacity(query.len());
    let mut i = 0;
    let bytes = lower.as_bytes();
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let cue = if at_word_start {
            NEGATION_CUES.iter().find(|c| {
                lower[i..].starts_with(**c)
                    && lower[i + c.len()..]
                        .chars()
                        .next()
                        .is_none_or(|ch| !ch.is_alphanumeric())
            })
        } else {
            None
        };
        if let Some(cue) = cue {
            // Skip to the end of the clause.
            let rest = &lower[i + cue.len()..];
            let end = rest
                .find([',', ';', ')', '.', '?', '!', ':'])
                .map_or(lower.len(), |e| i + cue.len() + e);
            out.push(' ');
            i = end;
            continue;
        }
        let ch_len = query[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&query[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn word_in(haystack: &str, word: &str) -> bool {
    haystack
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == word)
}

/// Text between backticks or double quotes (short spans only).
fn quoted_spans(query: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for delim in ['`', '"'] {
        let mut parts = query.split(delim);
        parts.next();
        while let Some(inside) = parts.next() {
            if !inside.is_empty() && inside.len() <= 80 {
                out.push(inside);
            }
            parts.next();
        }
    }
    out
}

/// An identifier, dotted name, path, version or hash: something to match exactly.
fn is_identifier_like(token: &str) -> bool {
    if token.len() < 3 {
        return false;
    }
    let has_alpha = token.chars().any(char::is_alphabetic);
    let has_digit = token.chars().any(|c| c.is_ascii_digit());
    let inner_punct = token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .contains(['.', '_', ':', '/', '-']);
    let camel =
        token.chars().skip(1).any(char::is_uppercase) && token.chars().any(char::is_lowercase);
    let all_caps = token.len() >= 4 && token.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    inner_punct || camel || all_caps || (has_alpha && has_digit) || (has_digit && token.len() >= 4)
}

/// Runs of ASCII letters and digits, and of non-ASCII bytes (kept whole).
pub fn split_words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| !(b.is_ascii_alphanumeric() || *b >= 0x80))
        .filter(|w| !w.is_empty())
}

/// A light suffix stripper: enough that "failed", "failure" and "failures"
/// meet at "fail", and "serving" and "served" at "serv".
pub fn stem(w: &mut Vec<u8>) {
    if w.len() <= 3 || !w.iter().all(u8::is_ascii_alphabetic) {
        return;
    }
    const SUFFIXES: &[&[u8]] = &[
        b"ations", b"ation", b"ings", b"ing", b"ures", b"ure", b"ions", b"ion", b"ies", b"ied",
        b"ers", b"er", b"ed", b"ly",
    ];
    for suf in SUFFIXES {
        if w.len() >= suf.len() + 3 && w.ends_with(suf) {
            w.truncate(w.len() - suf.len());
            if *suf == b"ies" || *suf == b"ied" {
                w.push(b'y');
            }
            return;
        }
    }
    if w.ends_with(b"es") && w.len() >= 5 {
        let before = &w[..w.len() - 2];
        if before.ends_with(b"s")
            || before.ends_with(b"x")
            || before.ends_with(b"z")
            || before.ends_with(b"ch")
            || before.ends_with(b"sh")
        {
            w.truncate(w.len() - 2);
            return;
        }
    }
    if w.ends_with(b"s") && !w.ends_with(b"ss") && w.len() >= 4 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stemmed(s: &str) -> String {
        let mut w = s.as_bytes().to_vec();
        stem(&mut w);
        String::from_utf8(w).unwrap()
    }

    #[test]
    fn inflections_meet_at_one_stem() {
        assert_eq!(stemmed("failed"), stemmed("failures"));
        assert_eq!(stemmed("failure"), "fail");
        assert_eq!(stemmed("serving"), stemmed("served"));
        assert_eq!(stemmed("exceptions"), stemmed("exception"));
        assert_eq!(stemmed("warnings"), "warn");
        assert_eq!(stemmed("boxes"), "box");
        assert_eq!(stemmed("devices"), "device");
        assert_eq!(stemmed("class"), "class");
    }

    #[test]
    fn stop_words_are_dropped_and_identifiers_become_phrases() {
        let q =
            Query::parse("Where is `Context.MultipartForm` defined, and which of these failed?");
        assert!(q.wants_definition);
        assert!(q.names.contains(&"MultipartForm".to_string()));
        assert!(q.phrases.contains(&b"context.multipartform".to_vec()));
        assert!(q.words.contains(&b"fail".to_vec()));
        assert!(!q.words.contains(&b"which".to_vec()));
    }

    #[test]
    fn rare_matching_lines_outscore_common_ones() {
        let text = "timeout set\ntimeout set\ntimeout set\nsocket default timeout=socket._GLOBAL_DEFAULT_TIMEOUT\n";
        let lines = Lines::new(text);
        let q = Query::parse("which functions default to the global socket timeout?");
        let s = q.score_lines(&lines);
        assert!(s[3] > s[0] * 2.0, "{s:?}");
        assert!(s[0] > 0.0);
    }

    #[test]
    fn excluded_clauses_do_not_raise_lines() {
        let q = Query::parse("Apart from the frequent data TLB alerts, which nodes panicked (ignore gmetad warnings)?");
        assert!(!q.words.contains(&b"tlb".to_vec()));
        assert!(!q.words.contains(&b"gmetad".to_vec()));
        assert!(q.words.contains(&b"node".to_vec()));
        assert!(q.words.contains(&b"panick".to_vec()) || q.words.contains(&b"panicked".to_vec()));
    }

    #[test]
    fn an_empty_query_scores_nothing() {
        let lines = Lines::new("a\nb\n");
        assert_eq!(Query::parse("").score_lines(&lines), vec![0.0, 0.0]);
        assert!(Query::parse("what is the").is_empty());
    }

    #[test]
    fn a_commit_prefix_matches_the_full_hash() {
        let q = Query::parse("What did commit 76be8fcf15 change?");
        let lines = Lines::new("commit 76be8fcf15d3c0b6f2c3\nAuthor: x\n");
        let s = q.score_lines(&lines);
        assert!(s[0] > s[1]);
    }

    #[test]
    fn phrases_are_found_on_the_line_that_holds_them() {
        let text = "a\r\nsrc/F7.py changed\nnothing\r\nsee src/f7.py\nsrc/f7.\npy";
        let q = Query::parse("what changed in src/f7.py?");
        let lines = Lines::new(text);
        let masks = q.match_lines(&lines);
        let phrase = 1u64 << q.words.len();
        let with_phrase: Vec<usize> = (0..lines.len())
            .filter(|&i| masks[i] & phrase != 0)
            .collect();
        assert_eq!(with_phrase, vec![1, 3]);
    }

    proptest::proptest! {
        #[test]
        fn matching_all_lines_at_once_agrees_with_matching_each(
            text in "([a-zA-Z_./ ]|ing|ed|ies|Error|\r|\n){0,200}",
            query in "([a-zA-Z_./ ]|`|ing|ed|Error|\r|\n){0,40}",
        ) {
            let q = Query::parse(&query);
            let lines = Lines::new(&text);
            let each: Vec<u64> = lines.iter().map(|l| q.match_text(l)).collect();
            proptest::prop_assert_eq!(q.match_lines(&lines), each);
        }
    }
}
