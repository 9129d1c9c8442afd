//! BM25 ranking of chunks (lines, sentences) against a query, over identifier-aware terms.
//!
//! The same term model as the store's full-text index (`ccr/_retrieval.py`,
//! whose `terms`, `query_terms` and `query_phrases` a Python test keeps in step
//! with these): a word is a run of letters and digits, joined across
//! `. _ : / -` so `Session.get`, `0.26.0` and `src/flask/app.py` stay whole;
//! every word also yields its parts, split on those joiners and on camelCase,
//! lowercased and lightly stemmed. A query yields such terms (stop words
//! dropped) and phrases matched as substrings: quoted or backticked text and
//! hash-like words, each weighing [`PHRASE_WEIGHT`] times a word.
//!
//! Letters and digits are Unicode's (`char::is_alphanumeric`); Python's regex
//! engine agrees except on combining vowel signs and a few symbols, which
//! Python treats as word breaks and this module keeps inside the word.
//!
//! Only chunks holding a query word or phrase as a substring are looked at
//! closely; past [`EXACT_CANDIDATES`] such chunks (a common word in a huge
//! log) every frequency is counted as substring occurrences instead.

use std::borrow::Cow;

use memchr::memmem::Finder;
use rustc_hash::FxHashMap;

pub const K1: f64 = 1.2;
/// Weak length normalisation: lines differ in length mostly by boilerplate (timestamps, paths), not topic.
pub const B: f64 = 0.3;
pub const EXACT_CANDIDATES: usize = 20_000;
pub const PHRASE_WEIGHT: f64 = 2.0;

/// Function words dropped from queries (never from chunks, so chunk lengths stay honest); sorted.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "done", "down", "during", "e", "each", "eg", "etc", "few",
    "find", "for", "from", "further", "give", "got", "had", "has", "have", "having", "he", "her",
    "here", "hers", "him", "his", "how", "i", "ie", "if", "in", "into", "is", "it", "its",
    "itself", "just", "let", "list", "look", "me", "more", "most", "my", "no", "nor", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "please",
    "same", "see", "she", "should", "show", "shown", "so", "some", "such", "tell", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "whatever",
    "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "would", "you", "your", "yours",
];

/// A letter or digit (what Python's `[^\W_]` means, up to the difference noted above).
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// White space as Python's `str.isspace` and `\s` see it (Unicode's, plus the four ASCII separators).
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `s` lowercased as Python's `str.lower` does it.
pub fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Length in characters (Python's `len`).
#[inline]
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Runs of letters and digits, joined across separator characters: `joiner` says which, and `runs`
/// whether a run of them may join (`a..b`) or only one (`a.b`).
pub struct Words<'a> {
    text: &'a str,
    at: usize,
    joiner: fn(char) -> bool,
    runs: bool,
    ascii: bool,
}

impl<'a> Words<'a> {
    pub fn new(text: &'a str, joiner: fn(char) -> bool, runs: bool) -> Self {
        Words {
            text,
            at: 0,
            joiner,
            runs,
            ascii: text.is_ascii(),
        }
    }

    /// The next word's byte span in the text.
    fn next_span(&mut self) -> Option<(usize, usize)> {
        let (start, end) = if self.ascii {
            self.next_ascii()?
        } else {
            self.next_unicode()?
        };
        self.at = end;
        Some((start, end))
    }

    fn next_ascii(&self) -> Option<(usize, usize)> {
        let b = self.text.as_bytes();
        let start = self.at + b[self.at..].iter().position(u8::is_ascii_alphanumeric)?;
        let run_end = |from: usize| {
            from + b[from..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count()
        };
        let mut end = run_end(start);
        loop {
            let mut joined = end;
            while joined < b.len() && (self.joiner)(b[joined] as char) {
                joined += 1;
                if !self.runs {
                    break;
                }
            }
            if joined > end && b.get(joined).is_some_and(u8::is_ascii_alphanumeric) {
                end = run_end(joined);
            } else {
                return Some((start, end));
            }
        }
    }

    fn next_unicode(&self) -> Option<(usize, usize)> {
        let text = self.text;
        let run_end = |from: usize| {
            text[from..]
                .char_indices()
                .find(|&(_, c)| !is_alnum(c))
                .map_or(text.len(), |(k, _)| from + k)
        };
        let (offset, _) = text[self.at..].char_indices().find(|&(_, c)| is_alnum(c))?;
        let start = self.at + offset;
        let mut end = run_end(start);
        loop {
            let mut joined = end;
            for c in text[end..].chars() {
                if !(self.joiner)(c) {
                    break;
                }
                joined += c.len_utf8();
                if !self.runs {
                    break;
                }
            }
            match text[joined..].chars().next() {
                Some(c) if joined > end && is_alnum(c) => end = run_end(joined),
                _ => return Some((start, end)),
            }
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.next_span().map(|(a, b)| &self.text[a..b])
    }
}

fn retrieval_joiner(c: char) -> bool {
    matches!(c, '.' | '_' | ':' | '/' | '-')
}

/// The words the index and the query are cut into (before splitting into parts).
pub fn words(text: &str) -> Words<'_> {
    Words::new(text, retrieval_joiner, true)
}

/// Reusable buffers for cutting words into terms without allocating per word.
#[derive(Default)]
pub struct TermScratch {
    term: String,
    /// (byte offset, class) of each character of a piece: b'U', b'L', b'D' (ASCII upper, lower,
    /// digit) or b'O' (any other letter or digit).
    classes: Vec<(usize, u8)>,
    parts: Vec<(usize, usize)>,
}

fn class_of(c: char) -> u8 {
    match c {
        'A'..='Z' => b'U',
        'a'..='z' => b'L',
        '0'..='9' => b'D',
        _ => b'O',
    }
}

/// camelCase parts of a run of letters and digits, as byte spans: split where case changes
/// (`HTTPServer`, `getUserName`), never between letters and digits (`utf8`, `Base64` stay whole);
/// a part that starts with a letter outside ASCII runs to the end of the piece.
fn camel_parts(piece: &str, classes: &mut Vec<(usize, u8)>, out: &mut Vec<(usize, usize)>) {
    classes.clear();
    if piece.is_ascii() {
        classes.extend(
            piece
                .bytes()
                .enumerate()
                .map(|(k, b)| (k, class_of(b as char))),
        );
    } else {
        classes.extend(piece.char_indices().map(|(k, c)| (k, class_of(c))));
    }
    let n = classes.len();
    let class = |i: usize| classes.get(i).map_or(0, |&(_, c)| c);
    let offset = |i: usize| classes.get(i).map_or(piece.len(), |&(o, _)| o);
    let run =
        |from: usize, of: &[u8]| (from..n).find(|&k| !of.contains(&class(k))).unwrap_or(n) - from;
    out.clear();
    let mut p = 0;
    while p < n {
        let uppers = run(p, b"U");
        let len = if uppers >= 2 && class(p + uppers) == b'L' {
            uppers - 1 // HTTP|Server: the last capital starts the next part
        } else if class(p) == b'U' && matches!(class(p + 1), b'L' | b'D') {
            1 + run(p + 1, b"LD")
        } else if matches!(class(p), b'L' | b'D') {
            run(p, b"LD")
        } else {
            match run(p, b"UD") {
                r if r >= 1 && class(p + r) != b'L' => r,
                r if r >= 2 => r - 1,
                _ => n - p, // any other letters and digits: the rest of the piece
            }
        };
        out.push((offset(p), offset(p + len)));
        p += len;
    }
}

/// `s` lowercased into `buf`.
fn lower_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&s.to_lowercase());
    }
}

/// A light suffix stripper: enough to make plural, past and -ing forms meet, no dictionary.
pub fn stem(word: &str) -> String {
    let mut s = word.to_string();
    stem_in_place(&mut s);
    s
}

fn stem_in_place(s: &mut String) {
    if char_len(s) < 4 || !s.chars().all(char::is_alphabetic) {
        return;
    }
    // Only ASCII suffixes change, so the characters beyond one byte stay as many.
    let wide = s.len() - char_len(s);
    let chars = |s: &String| s.len() - wide;
    if s.ends_with("ies") && chars(s) > 4 {
        s.truncate(s.len() - 3);
        s.push('y');
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|x| s.ends_with(x))
    {
        s.truncate(s.len() - 2);
    } else if s.ends_with('s') && !["ss", "us", "is"].iter().any(|x| s.ends_with(x)) {
        s.truncate(s.len() - 1);
    }
    for suffix in ["ing", "ed", "ure"] {
        if s.ends_with(suffix) && chars(s) >= suffix.len() + 3 {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    if s.ends_with('e') && chars(s) > 3 {
        s.truncate(s.len() - 1);
    }
}

/// Calls `emit` with each term of one word, in order: the whole compound (lowercased), then for each
/// piece the piece (when camelCase splits it) and its stemmed parts.
pub fn for_each_term(word: &str, scratch: &mut TermScratch, emit: &mut dyn FnMut(&str)) {
    let TermScratch {
        term,
        classes,
        parts,
    } = scratch;
    if word.chars().any(|c| !is_alnum(c)) {
        lower_into(word, term);
        emit(term);
    }
    let mut pieces = Words::new(word, |_| false, false);
    while let Some((a, b)) = pieces.next_span() {
        let piece = &word[a..b];
        camel_parts(piece, classes, parts);
        if parts.len() > 1 {
            lower_into(piece, term);
            emit(term);
        }
        for &(pa, pb) in parts.iter() {
            lower_into(&piece[pa..pb], term);
            stem_in_place(term);
            emit(term);
        }
    }
}

/// The terms of one word, in order (see [`for_each_term`]).
pub fn word_terms(word: &str, out: &mut Vec<String>) {
    for_each_term(word, &mut TermScratch::default(), &mut |t| {
        out.push(t.to_string())
    });
}

/// The index terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut scratch = TermScratch::default();
    for word in words(text) {
        for_each_term(word, &mut scratch, &mut |t| out.push(t.to_string()));
    }
    out
}

/// What a query asks for: distinct terms (stop words dropped) and lowercased phrases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<String>,
    pub phrases: Vec<String>,
}

impl Query {
    pub fn parse(query: &str) -> Self {
        Query {
            terms: query_terms(query),
            phrases: query_phrases(query),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty()
    }
}

fn push_unique(out: &mut Vec<String>, term: String) {
    if !out.contains(&term) {
        out.push(term);
    }
}

/// The distinct terms of `query` worth looking for, in first-seen order.
pub fn query_terms(query: &str) -> Vec<String> {
    let all = terms(query);
    let mut out = Vec::new();
    for term in &all {
        // A lone letter is a fragment of a split word ("CPython" gives "c"), not something asked about.
        let worth = char_len(term) > 1 || term.chars().all(char::is_numeric);
        if worth && STOPWORDS.binary_search(&term.as_str()).is_err() {
            push_unique(&mut out, term.clone());
        }
    }
    if out.is_empty() {
        // A query made only of function words ("what is this") still deserves some signal.
        for term in all {
            push_unique(&mut out, term);
        }
    }
    out
}

fn is_hexlike(word: &str) -> bool {
    (7..=64).contains(&word.len())
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Parts of `query` matched as substrings, lowercased: quoted or backticked text (a quote opens after
/// a space or bracket and closes before one, so "Gson's" and "don't" are not quotes) and hash-like
/// words (often a prefix of the full hash).
pub fn query_phrases(query: &str) -> Vec<String> {
    let chars: Vec<char> = query.chars().collect();
    let n = chars.len();
    let closes = |k: usize| k == n || is_space(chars[k]) || ").,;:?!]".contains(chars[k]);
    let mut out = Vec::new();
    let mut i = 0;
    'scan: while i < n {
        let opens = i == 0 || is_space(chars[i - 1]) || matches!(chars[i - 1], '(' | '[');
        let quote = chars[i];
        if opens && matches!(quote, '`' | '\'' | '"') {
            // The shortest quoted text of 2 to 120 characters on one line.
            for len in 1..=120 {
                let close = i + 1 + len;
                if close > n || chars[close - 1] == '\n' {
                    break;
                }
                if len >= 2 && close < n && chars[close] == quote && closes(close + 1) {
                    let inner: String = chars[i + 1..close].iter().collect();
                    let phrase = lower(inner.trim_matches(is_space)).into_owned();
                    if char_len(&phrase) >= 2 {
                        push_unique(&mut out, phrase);
                    }
                    i = close + 1;
                    continue 'scan;
                }
            }
        }
        i += 1;
    }
    for word in words(query) {
        let low = lower(word);
        if is_hexlike(&low) {
            push_unique(&mut out, low.into_owned());
        }
    }
    out
}

/// A substring every chunk holding `term` must contain (stemming only cuts suffixes, or turns -ies into -y).
fn probe(term: &str) -> &str {
    match term.strip_suffix('y') {
        Some(rest) if !rest.is_empty() => rest,
        _ => term,
    }
}

fn idf(n: usize, df: usize) -> f64 {
    (1.0 + ((n - df) as f64 + 0.5) / (df as f64 + 0.5)).ln()
}

/// BM25 score of each chunk for `query`, in chunk order; 0.0 where a chunk shares nothing with it.
///
/// Length normalisation counts characters. Term frequencies come in the order the terms first occur
/// in a chunk, then the phrases', so scores are reproducible to the last bit.
pub fn rank<S: AsRef<str>>(chunks: &[S], query: &Query) -> Vec<f64> {
    rank_with_limit(chunks, query, EXACT_CANDIDATES)
}

/// [`rank`], counting frequencies as substrings once more than `exact_candidates` chunks can match.
pub fn rank_with_limit<S: AsRef<str>>(
    chunks: &[S],
    query: &Query,
    exact_candidates: usize,
) -> Vec<f64> {
    let n = chunks.len();
    let mut scores = vec![0.0; n];
    if n == 0 || query.is_empty() {
        return scores;
    }
    let probes: Vec<&str> = query
        .terms
        .iter()
        .map(|t| probe(t))
        .chain(query.phrases.iter().map(String::as_str))
        .collect();
    // Every chunk lowercased into one buffer, a line break after each (no probe holds one), so each
    // probe is looked for in one pass over everything.
    let mut lowered = String::new();
    let mut spans = Vec::with_capacity(n);
    let mut total_len = 0usize;
    for chunk in chunks {
        let chunk = chunk.as_ref();
        total_len += char_len(chunk);
        let start = lowered.len();
        if chunk.is_ascii() {
            lowered.push_str(chunk);
            lowered[start..].make_ascii_lowercase();
        } else {
            lowered.push_str(&chunk.to_lowercase());
        }
        spans.push((start, lowered.len()));
        lowered.push('\n');
    }
    let n_words = query.terms.len();
    let mut holds = vec![false; n];
    // Where the word probes occur in `lowered`, as sorted (start, end): a word can hold a query term
    // only when one of these lies inside it.
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (k, p) in probes.iter().enumerate() {
        let finder = Finder::new(p.as_bytes());
        let mut at = 0;
        while let Some(m) = finder.find(&lowered.as_bytes()[at..]) {
            let start = at + m;
            let chunk = spans.partition_point(|&(_, end)| end <= start);
            holds[chunk] = true;
            if k < n_words {
                found.push((start, start + p.len()));
                at = start + 1;
            } else {
                // A phrase only marks its chunk here (it is counted below); on to the next chunk.
                at = spans[chunk].1;
            }
        }
    }
    found.sort_unstable();
    let candidates: Vec<(usize, &str)> = (0..n)
        .filter(|&i| holds[i])
        .map(|i| (i, &lowered[spans[i].0..spans[i].1]))
        .collect();
    let avg_len = if total_len == 0 {
        1.0
    } else {
        total_len as f64 / n as f64
    };
    let norm = |chunk: &str| K1 * (1.0 - B + B * char_len(chunk) as f64 / avg_len);
    if candidates.len() > exact_candidates {
        return rank_by_substrings(chunks, &candidates, query, &probes, norm);
    }
    let counter = TermCounter {
        wanted: query
            .terms
            .iter()
            .enumerate()
            .map(|(k, t)| (t.as_str(), k))
            .collect(),
        probes: &probes[..n_words],
        found: &found,
    };
    let phrase_finders: Vec<Finder<'_>> = probes[n_words..]
        .iter()
        .map(|p| Finder::new(p.as_bytes()))
        .collect();
    // (chunk, [(term or phrase index, frequency)] in first-seen order)
    let mut hits: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut df = vec![0usize; probes.len()];
    for &(i, low) in &candidates {
        let mut tf = counter.count(chunks[i].as_ref(), low, spans[i].0);
        for (k, finder) in phrase_finders.iter().enumerate() {
            let count = count_matches(finder, low);
            if count > 0 {
                tf.push((n_words + k, count));
            }
        }
        if !tf.is_empty() {
            for &(k, _) in &tf {
                df[k] += 1;
            }
            hits.push((i, tf));
        }
    }
    let weights: Vec<f64> = (0..probes.len())
        .map(|k| {
            let weight = if k < n_words { 1.0 } else { PHRASE_WEIGHT };
            if df[k] > 0 {
                weight * idf(n, df[k])
            } else {
                0.0
            }
        })
        .collect();
    for (i, tf) in hits {
        let norm = norm(chunks[i].as_ref());
        scores[i] = tf.iter().fold(0.0, |sum, &(k, f)| {
            sum + weights[k] * f as f64 * (K1 + 1.0) / (f as f64 + norm)
        });
    }
    scores
}

/// Counts the query's terms among the terms of candidate chunks.
struct TermCounter<'q> {
    wanted: FxHashMap<&'q str, usize>,
    /// A substring of each wanted term, as it must appear in a word holding the term.
    probes: &'q [&'q str],
    /// Where the probes occur in the lowered chunks (sorted by start).
    found: &'q [(usize, usize)],
}

impl TermCounter<'_> {
    /// `(term, frequency)` in the order the terms first occur in `chunk`, whose lowercase `low` starts
    /// at `base` in the lowered buffer.
    fn count(&self, chunk: &str, low: &str, base: usize) -> Vec<(usize, usize)> {
        let mut tf: Vec<(usize, usize)> = Vec::new();
        let mut next = self.found.partition_point(|&(s, _)| s < base);
        if self
            .found
            .get(next)
            .is_none_or(|&(s, _)| s >= base + low.len())
        {
            return tf; // only phrases matched here
        }
        let mut scratch = TermScratch::default();
        let mut words = words(chunk);
        // Lowercasing ASCII keeps every offset, so the probes found tell which words hold them.
        let same_offsets = chunk.is_ascii();
        while let Some((a, b)) = words.next_span() {
            let word = &chunk[a..b];
            let holds = if same_offsets {
                let (a, b) = (base + a, base + b);
                while self.found.get(next).is_some_and(|&(s, _)| s < a) {
                    next += 1;
                }
                self.found[next..]
                    .iter()
                    .take_while(|&&(s, _)| s < b)
                    .any(|&(_, e)| e <= b)
            } else {
                let low_word = lower(word);
                self.probes
                    .iter()
                    .any(|p| contains(low_word.as_bytes(), p.as_bytes()))
            };
            if !holds {
                continue;
            }
            for_each_term(word, &mut scratch, &mut |term| {
                if let Some(&k) = self.wanted.get(term) {
                    match tf.iter_mut().find(|(t, _)| *t == k) {
                        Some((_, f)) => *f += 1,
                        None => tf.push((k, 1)),
                    }
                }
            });
        }
        tf
    }
}

/// Whether `needle` occurs in `hay`; a plain scan, since words are short.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    hay.len() >= needle.len()
        && (0..=hay.len() - needle.len()).any(|i| {
            hay[i] == first
                && hay[i + 1..i + needle.len()]
                    .iter()
                    .zip(rest)
                    .all(|(a, b)| a == b)
        })
}

/// Non-overlapping occurrences of the finder's needle in `haystack` (Python's `str.count`).
fn count_matches(finder: &Finder<'_>, haystack: &str) -> usize {
    let needle = finder.needle().len().max(1);
    let bytes = haystack.as_bytes();
    let mut count = 0;
    let mut at = 0;
    while let Some(k) = finder.find(&bytes[at..]) {
        count += 1;
        at += k + needle;
    }
    count
}

/// BM25 with every frequency taken as substring occurrences of the probes: for very many candidates.
fn rank_by_substrings<S: AsRef<str>>(
    chunks: &[S],
    candidates: &[(usize, &str)],
    query: &Query,
    probes: &[&str],
    norm: impl Fn(&str) -> f64,
) -> Vec<f64> {
    // A probe listed twice (a word that is also a phrase) counts once, with the later weight.
    let mut unique: Vec<(&str, f64)> = Vec::new();
    for (k, p) in probes.iter().enumerate() {
        let weight = if k < query.terms.len() {
            1.0
        } else {
            PHRASE_WEIGHT
        };
        match unique.iter_mut().find(|(q, _)| q == p) {
            Some(entry) => entry.1 = weight,
            None => unique.push((p, weight)),
        }
    }
    let norms: Vec<f64> = candidates
        .iter()
        .map(|(i, _)| norm(chunks[*i].as_ref()))
        .collect();
    let mut total = vec![0.0; candidates.len()];
    for (probe, weight) in unique {
        let finder = Finder::new(probe.as_bytes());
        let tf: Vec<f64> = candidates
            .iter()
            .map(|(_, low)| count_matches(&finder, low) as f64)
            .collect();
        let df = tf.iter().filter(|&&f| f > 0.0).count();
        if df == 0 {
            continue;
        }
        let w = weight * idf(chunks.len(), df);
        for ((t, &f), &norm) in total.iter_mut().zip(&tf).zip(&norms) {
            *t += w * f * (K1 + 1.0) / (f + norm);
        }
    }
    let mut scores = vec![0.0; chunks.len()];
    for ((i, _), t) in candidates.iter().zip(total) {
        scores[*i] = t;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(text: &str) -> Query {
        Query::parse(text)
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn compound_words_stay_whole_and_split_into_stemmed_parts() {
        assert_eq!(terms("Session.get"), ["session.get", "session", "get"]);
        assert_eq!(terms("getUserName"), ["getusername", "get", "user", "nam"]);
        assert_eq!(
            terms("HTTPServer utf8 Base64"),
            ["httpserver", "http", "server", "utf8", "base64"]
        );
        assert_eq!(
            terms("classes failed failures studies"),
            ["class", "fail", "fail", "study"]
        );
        assert_eq!(
            terms("src/flask/app.py"),
            ["src/flask/app.py", "src", "flask", "app", "py"]
        );
    }

    #[test]
    fn a_letter_outside_ascii_takes_the_rest_of_its_piece() {
        let parts = |piece: &str| {
            let (mut classes, mut spans) = (Vec::new(), Vec::new());
            camel_parts(piece, &mut classes, &mut spans);
            spans
                .iter()
                .map(|&(a, b)| piece[a..b].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(parts("fooÉclairBar"), ["foo", "ÉclairBar"]);
        assert_eq!(parts("ABc"), ["A", "Bc"]);
        assert_eq!(parts("AB1c"), ["AB", "1c"]);
        assert_eq!(parts("HTTPServer"), ["HTTP", "Server"]);
    }

    #[test]
    fn queries_drop_stopwords_and_keep_quotes_and_hashes() {
        let parsed = q("why does `Session.get` fail at 53b8f08218 with 'not ok'");
        // Stop words are dropped after stemming: "does" becomes "doe" and stays.
        assert_eq!(
            parsed.terms,
            [
                "doe",
                "session.get",
                "session",
                "get",
                "fail",
                "53b8f08218",
                "not",
                "ok"
            ]
        );
        assert_eq!(parsed.phrases, ["session.get", "not ok", "53b8f08218"]);
        assert_eq!(q("Gson's don't").phrases, Vec::<String>::new());
        assert_eq!(q("what is this").terms, ["what", "is", "this"]);
    }

    #[test]
    fn the_chunk_that_holds_the_rare_query_word_ranks_first() {
        let chunks = [
            "the cache is warm",
            "the retry loop backs off",
            "nothing here",
            "cache cache retry",
        ];
        let scores = rank(&chunks, &q("retry backoff"));
        assert_eq!(scores[2], 0.0);
        assert!(scores[1] > 0.0 && scores[3] > 0.0 && scores[0] == 0.0);
    }

    #[test]
    fn a_quoted_phrase_outweighs_its_words_apart() {
        let chunks = ["not ok at all", "ok, not that", "fine"];
        let scores = rank(&chunks, &q("'not ok'"));
        assert!(scores[0] > scores[1]);
    }

    #[test]
    fn many_candidates_are_ranked_by_substring_counts() {
        let mut chunks: Vec<String> = (0..EXACT_CANDIDATES + 5)
            .map(|i| format!("error {i}"))
            .collect();
        chunks.push("error error error".into());
        chunks.push("nothing".into());
        let scores = rank(&chunks, &q("error"));
        assert!(scores[EXACT_CANDIDATES + 5] > scores[0]);
        assert_eq!(scores[EXACT_CANDIDATES + 6], 0.0);
    }

    proptest! {
        #[test]
        fn scores_are_finite_non_negative_and_zero_without_a_shared_probe(
            chunks in proptest::collection::vec("[a-zA-Z0-9 ._:/'\"`-]{0,40}", 0..30),
            query in "[a-zA-Z0-9 ._'\"`-]{0,30}",
        ) {
            let parsed = q(&query);
            let scores = rank(&chunks, &parsed);
            prop_assert_eq!(scores.len(), chunks.len());
            for (chunk, s) in chunks.iter().zip(&scores) {
                prop_assert!(s.is_finite() && *s >= 0.0);
                let low = chunk.to_lowercase();
                let shares = parsed.terms.iter().any(|t| low.contains(probe(t))) || parsed.phrases.iter().any(|p| low.contains(p.as_str()));
                if !shares {
                    prop_assert_eq!(*s, 0.0);
                }
            }
        }

        #[test]
        fn every_term_of_an_ascii_text_lies_in_its_lowercase(text in "[ -~]{0,60}") {
            let low = text.to_lowercase();
            for word in words(&text) {
                let mut parts = Vec::new();
                word_terms(word, &mut parts);
                for term in parts {
                    prop_assert!(low.contains(probe(&term)), "{term:?} of {text:?}");
                }
            }
        }
    }
}
