//! What the agent asked about, and how strongly each line mentions it.
//!
//! A query becomes a handful of terms (the one term splitter's, `terms.rs`:
//! stemmed words and their camelCase and snake_case parts, stop words dropped)
//! and phrases (identifiers, dotted names, paths, versions, hashes, quoted
//! text) matched as substrings; a line holds a term when one of its words
//! yields it, so `user` finds `getUserName` and `fail` finds `FAILED`.
//! A line's score is the sum of the inverse document frequencies, over the
//! lines of the input, of the words and phrases it contains: a word that
//! occurs on every line says nothing, a rare one says a lot. Phrases weigh
//! double because an exact identifier or path is a precise pointer.
//!
//! This is deliberately not BM25 over documents (the store's retrieval does
//! that, `rank.rs`): compressors need a per-line signal computed in one pass
//! at memory speed.

use crate::lines::Lines;
use crate::terms::{self, TermMatcher, TermScratch};

/// At most this many words and phrases are matched (one bit each per line).
const MAX_TERMS: usize = 48;

/// What a word the query only implies weighs against one it says: `ParsePayload` names a payload
/// parser, and a line about parsing in general is a weaker match than the question's own words.
const IMPLIED_WEIGHT: f32 = 0.5;

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
    /// Terms as `terms::query_terms` gives them (stemmed, lowercase).
    words: Vec<String>,
    /// Bits of the words the query only implies (parts of an identifier it names).
    implied: u64,
    /// Lowercase phrases matched as substrings.
    phrases: Vec<Vec<u8>>,
    /// Identifier names the query points at (last components of dotted names too).
    pub names: Vec<String>,
    /// The components before the name in dotted names (`Gson` in `Gson.toJson`).
    pub qualifiers: Vec<String>,
    /// The query asks where something is defined or what its signature is.
    pub wants_definition: bool,
    /// The query as asked (what names an option, `-r`, that no term holds).
    pub asked: String,
}

impl Query {
    pub fn parse(query: &str) -> Self {
        let mut q = Query {
            asked: query.to_string(),
            ..Query::default()
        };
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
        for phrase in terms::quoted(&positive) {
            q.add_phrase(phrase);
            q.add_names(phrase);
        }
        for phrase in terms::query_phrases(&positive) {
            q.add_phrase(&phrase);
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
        if q.wants_definition {
            // "Where is upload defined?": a plain word is the name asked about.
            for word in terms::words(&positive) {
                let low = word.to_lowercase();
                if terms::char_len(word) >= 3
                    && word.chars().all(terms::is_alnum)
                    && !terms::is_stopword(&low)
                    && !DEFINITION_WORDS.contains(&low.as_str())
                {
                    q.add_names(word);
                }
            }
        }
        for (term, implied) in terms::query_terms_implied(&positive) {
            // A lone character says little about a line; a compound the query also names as a
            // phrase is found as a phrase (anywhere in a word, not only as a whole word).
            if terms::char_len(&term) < 2 || q.phrases.iter().any(|p| p == term.as_bytes()) {
                continue;
            }
            if !q.words.contains(&term) && q.n_terms() < MAX_TERMS {
                if implied {
                    q.implied |= 1 << q.words.len();
                }
                q.words.push(term);
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

    /// Each term's text in bit order (the stemmed words, then the lowercase phrases), and
    /// whether it is a phrase: for callers that compare a term with a whole field or name.
    pub fn terms(&self) -> impl Iterator<Item = (&[u8], bool)> {
        let words = self.words.iter().map(|w| (w.as_bytes(), false));
        words.chain(self.phrases.iter().map(|p| (p.as_slice(), true)))
    }

    /// Which of the query's words and phrases each line contains, as bitmasks.
    pub fn match_lines(&self, lines: &Lines<'_>) -> Vec<u64> {
        let n = lines.len();
        let mut masks = vec![0u64; n];
        if self.is_empty() {
            return masks;
        }
        // ASCII lowering keeps every byte offset, so what is found in `lower` is found in the text.
        let lower = lines.text().to_ascii_lowercase();
        if !self.words.is_empty() {
            let matcher = TermMatcher::new(&self.words);
            let mut line = 0;
            matcher.masks_in(lines.text(), lower.as_bytes(), &mut |at, mask| {
                if at < lines.start(line) {
                    line = 0; // the next probe's occurrences
                }
                // Occurrences come in order and mostly close together: look a few lines on first.
                let mut step = 0;
                while step < 4 && line + 1 < n && lines.start(line + 1) <= at {
                    line += 1;
                    step += 1;
                }
                if step == 4 {
                    line = lines.line_of(at, line);
                }
                masks[line] |= mask;
            });
            if !matcher.ascii() {
                // A capital beyond ASCII stays a capital in `lower`: such lines are read word by word.
                let mut scratch = TermScratch::default();
                for i in (0..n).filter(|&i| !lines.raw(i).is_ascii()) {
                    let content = lines.content(i);
                    let mask = &mut masks[i];
                    matcher.each_match(
                        content,
                        0,
                        content.len(),
                        &[],
                        &mut scratch,
                        &mut |_, k| *mask |= 1 << k,
                    );
                }
            }
        }
        let base = self.words.len();
        for (k, phrase) in self.phrases.iter().enumerate() {
            let bit = 1 << (base + k);
            let mut line = 0;
            for at in memchr::memmem::find_iter(lower.as_bytes(), phrase) {
                line = lines.line_of(at, line);
                masks[line] |= bit;
            }
        }
        masks
    }

    /// The bitmask of one text (for callers that score blocks rather than lines).
    pub fn match_text(&self, text: &str) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let lines = Lines::new(text);
        self.match_lines(&lines).iter().fold(0, |all, m| all | m)
    }

    /// How many of `masks` have each term's bit set.
    fn document_frequency(&self, masks: &[u64]) -> Vec<u32> {
        let mut df = Vec::new();
        self.count_frequencies(masks, &mut df);
        df
    }

    /// Adds to `df` (one count per term, grown to the query's size) how many of `masks` have each
    /// term's bit set: frequencies over a text read a window at a time.
    pub fn count_frequencies(&self, masks: &[u64], df: &mut Vec<u32>) {
        df.resize(self.n_terms(), 0);
        for &m in masks {
            let mut m = m;
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                df[k] += 1;
                m &= m - 1;
            }
        }
    }

    /// Per-term weights over `masks` (inverse document frequency; phrases doubled, words the query
    /// only implies halved).
    pub fn weights(&self, masks: &[u64]) -> Vec<f32> {
        self.weights_from_frequencies(&self.document_frequency(masks), masks.len())
    }

    /// [`Query::weights`] from term frequencies `df` over `lines` lines.
    pub fn weights_from_frequencies(&self, df: &[u32], lines: usize) -> Vec<f32> {
        let n = lines.max(1) as f32;
        df.iter()
            .enumerate()
            .map(|(k, &d)| {
                let idf = ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.05);
                if k >= self.words.len() {
                    2.0 * idf
                } else if self.implied & (1 << k) != 0 {
                    IMPLIED_WEIGHT * idf
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

#[cfg(test)]
mod tests {
    use super::*;

    fn has(q: &Query, word: &str) -> bool {
        q.words.iter().any(|w| w == word)
    }

    #[test]
    fn stop_words_are_dropped_and_identifiers_become_phrases() {
        let q =
            Query::parse("Where is `Context.MultipartForm` defined, and which of these failed?");
        assert!(q.wants_definition);
        assert!(q.names.contains(&"MultipartForm".to_string()));
        assert!(q.phrases.contains(&b"context.multipartform".to_vec()));
        assert!(has(&q, "fail"));
        assert!(has(&q, "multipart") && has(&q, "form"));
        assert!(!has(&q, "which") && !has(&q, "context.multipartform"));
    }

    #[test]
    fn a_plain_word_is_the_name_a_definition_question_asks_about() {
        let q = Query::parse("Where is upload defined?");
        assert_eq!(q.names, ["upload"]);
        assert!(Query::parse("which upload failed?").names.is_empty());
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
    fn words_of_a_query_find_the_parts_of_identifiers() {
        let text = "x = getUserName()\nuser_name = 1\nusername\nother\n";
        let lines = Lines::new(text);
        let q = Query::parse("how is the user name read?");
        let s = q.score_lines(&lines);
        assert!(s[0] > 0.0 && s[1] > 0.0, "{s:?}");
        assert_eq!(s[3], 0.0);
    }

    #[test]
    fn excluded_clauses_do_not_raise_lines() {
        let q = Query::parse("Apart from the frequent data TLB alerts, which nodes panicked (ignore gmetad warnings)?");
        assert!(!has(&q, "tlb"));
        assert!(!has(&q, "gmetad"));
        assert!(has(&q, &terms::stem("nodes")));
        assert!(has(&q, &terms::stem("panicked")));
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

    #[test]
    fn words_beyond_ascii_match_in_any_case() {
        let q = Query::parse("which école failed");
        let lines = Lines::new("ÉCOLE closed\nnothing\nécoles\n");
        let s = q.score_lines(&lines);
        assert!(s[0] > 0.0 && s[2] > 0.0 && s[1] == 0.0, "{s:?}");
    }

    /// Each line's mask as the definition says: the terms of its words, the phrases in its text.
    fn naive_masks(q: &Query, text: &str) -> Vec<u64> {
        let lines = Lines::new(text);
        lines
            .iter()
            .map(|line| {
                let mut mask = 0u64;
                for t in terms::terms(line) {
                    if let Some(k) = q.words.iter().position(|w| *w == t) {
                        mask |= 1 << k;
                    }
                }
                let low = line.to_ascii_lowercase();
                for (k, p) in q.phrases.iter().enumerate() {
                    if memchr::memmem::find(low.as_bytes(), p).is_some() {
                        mask |= 1 << (q.words.len() + k);
                    }
                }
                mask
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn matching_all_lines_at_once_agrees_with_the_definition(
            text in "([a-zA-Z_./ :-]|ing|ed|ies|Error|getUser|é|É|\r|\n){0,200}",
            query in "([a-zA-Z_./ ]|`|ing|ed|Error|user|é|\r|\n){0,40}",
        ) {
            let q = Query::parse(&query);
            let lines = Lines::new(&text);
            proptest::prop_assert_eq!(q.match_lines(&lines), naive_masks(&q, &text));
        }
    }
}
