//! The one term splitter: how text and queries are cut into search terms, for every caller (the
//! BM25 ranker of `rank.rs`, the store's full-text index through `rustcore.index_terms`, the line
//! compressors' query matching in `query.rs`, the JSON compressor's question terms).
//!
//! A word is a run of letters and digits joined across `. _ : / -`, so `Session.get`, `0.26.0` and
//! `src/flask/app.py` stay whole; every word also yields its parts, split on those joiners and on
//! camelCase, lowercased and stemmed. A query yields such terms (stop words dropped, judged before
//! stemming) and phrases matched as substrings: quoted or backticked text and hash-like words.
//!
//! Letters and digits are Unicode's (`char::is_alphanumeric`).

use std::borrow::Cow;

use rustc_hash::FxHashMap;

/// Words that carry no topic in a question about tool output: function words, and the words people
/// use to talk about the output itself ("which line shows", "what happened"). Dropped from queries
/// only (never from indexed text, so chunk lengths stay honest); sorted, for binary search.
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "anyone",
    "anything", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down", "during", "e",
    "each", "eg", "etc", "ever", "exactly", "few", "find", "for", "from", "further", "give",
    "got", "had", "happen", "happened", "happens", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "how", "i", "ie", "if", "in", "into", "is", "it", "its", "itself",
    "just", "know", "let", "line", "lines", "list", "look", "many", "me", "more", "most", "much",
    "my", "near", "need", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "ones",
    "only", "or", "other", "our", "ours", "out", "output", "over", "own", "please", "same", "see",
    "she", "should", "show", "shown", "so", "some", "something", "still", "such", "tell", "than",
    "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "thing", "things",
    "this", "those", "through", "to", "too", "under", "until", "up", "us", "very", "want", "was",
    "way", "ways", "we", "were", "what", "whatever", "when", "where", "whether", "which", "while",
    "who", "whom", "whose", "why", "will", "with", "within", "would", "yes", "you", "your",
    "yours",
];

/// Whether `word` (lowercase, unstemmed) is a stop word.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

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
    pub fn next_span(&mut self) -> Option<(usize, usize)> {
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

/// A light suffix stripper, no dictionary: the inflected and derived forms of a word meet at one
/// stem (`fail`, `failed`, `failing`, `failures`; `configure`, `configured`, `configuration`;
/// `validate`, `validation`; `stop`, `stopped`; `server`, `serving`). A stem is always a prefix of
/// the lowercase word, except that `-ies`/`-ied` become `-y` (see [`probe`]).
pub fn stem(word: &str) -> String {
    let mut s = word.to_string();
    stem_in_place(&mut s);
    s
}

/// Suffixes stripped after the plural, longest first, each with the characters it must leave;
/// `undouble`: a doubled final consonant left behind is one (`stopped` → `stop`).
const SUFFIXES: &[(&str, usize, bool)] = &[
    ("ation", 4, false),
    ("ing", 3, true),
    ("ion", 3, false),
    ("ed", 3, true),
    ("er", 4, true),
    ("e", 3, false),
    ("ur", 4, false), // what `-ure` leaves: failure → failur → fail
    ("at", 4, false), // what `-ate` leaves: validate → validat → valid
];

/// [`stem`] written into `out` (cleared first), reusing its allocation.
pub fn stem_into(word: &str, out: &mut String) {
    out.clear();
    out.push_str(word);
    stem_in_place(out);
}

fn stem_in_place(s: &mut String) {
    if char_len(s) < 4 || !s.chars().all(char::is_alphabetic) {
        return;
    }
    // Only ASCII suffixes change, so the characters beyond one byte stay as many.
    let wide = s.len() - char_len(s);
    let chars = |s: &String| s.len() - wide;
    if (s.ends_with("ies") || s.ends_with("ied")) && chars(s) > 4 {
        s.truncate(s.len() - 3);
        s.push('y');
        return;
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|x| s.ends_with(x))
    {
        s.truncate(s.len() - 2);
    } else if s.ends_with('s') && !["ss", "us", "is"].iter().any(|x| s.ends_with(x)) {
        s.truncate(s.len() - 1);
    }
    // Two rounds: a derived form may carry two suffixes (valid-at-ed, config-ur-ation), but a final
    // `e` goes once (`btree` is not `btr`).
    let mut last = "";
    for _ in 0..2 {
        let Some(&(suffix, _, undouble)) = SUFFIXES.iter().find(|(suffix, keep, _)| {
            !(*suffix == "e" && last == "e")
                && s.ends_with(suffix)
                && chars(s) >= suffix.len() + keep
                // `-eed` is a word of its own (need, speed, proceed), not a past tense.
                && !(*suffix == "ed" && s[..s.len() - 2].ends_with('e'))
        }) else {
            return;
        };
        s.truncate(s.len() - suffix.len());
        last = suffix;
        let b = s.as_bytes();
        let n = b.len();
        if undouble
            && chars(s) >= 4
            && b[n - 1] == b[n - 2]
            && !b"aeioulsz".contains(&b[n - 1])
            && b[n - 1].is_ascii_alphabetic()
        {
            s.truncate(n - 1);
        }
    }
}

/// Where a term comes from in its word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    /// The whole word, when joiners make it a compound (`session.get`).
    Compound,
    /// A piece between joiners that camelCase splits further (`getusername`).
    Piece,
    /// A part, stemmed; `stop` when its unstemmed form is a stop word, `camel` when camelCase cut
    /// it from its piece.
    Part { stop: bool, camel: bool },
}

/// Calls `emit` with each term of one word, in order: the whole compound (lowercased), then for each
/// piece the piece (when camelCase splits it) and its stemmed parts.
pub fn for_each_term(word: &str, scratch: &mut TermScratch, emit: &mut dyn FnMut(&str)) {
    for_each_term_kind(word, scratch, &mut |term, _| emit(term));
}

/// [`for_each_term`], saying where each term comes from.
pub fn for_each_term_kind(
    word: &str,
    scratch: &mut TermScratch,
    emit: &mut dyn FnMut(&str, TermKind),
) {
    let TermScratch {
        term,
        classes,
        parts,
    } = scratch;
    if word.chars().any(|c| !is_alnum(c)) {
        lower_into(word, term);
        emit(term, TermKind::Compound);
    }
    let mut pieces = Words::new(word, |_| false, false);
    while let Some((a, b)) = pieces.next_span() {
        piece_terms(&word[a..b], term, classes, parts, emit);
    }
}

/// The terms of one piece (a run of letters and digits): the piece when camelCase splits it, then
/// its stemmed parts.
fn piece_terms(
    piece: &str,
    term: &mut String,
    classes: &mut Vec<(usize, u8)>,
    parts: &mut Vec<(usize, usize)>,
    emit: &mut dyn FnMut(&str, TermKind),
) {
    camel_parts(piece, classes, parts);
    if parts.len() > 1 {
        lower_into(piece, term);
        emit(term, TermKind::Piece);
    }
    let camel = parts.len() > 1;
    for &(pa, pb) in parts.iter() {
        lower_into(&piece[pa..pb], term);
        let stop = is_stopword(term);
        stem_in_place(term);
        emit(term, TermKind::Part { stop, camel });
    }
}

/// The span of the run of letters and digits around byte `at` of `text` (a character boundary).
fn piece_around(text: &str, at: usize) -> (usize, usize) {
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_alnum(c))
        .map_or(0, |(k, c)| k + c.len_utf8());
    let end = text[at..]
        .char_indices()
        .find(|&(_, c)| !is_alnum(c))
        .map_or(text.len(), |(k, _)| at + k);
    (start, end)
}

/// The span of the word (as [`words`] cuts them) holding the piece `piece` of `text`.
fn word_around(text: &str, piece: (usize, usize)) -> (usize, usize) {
    let (mut start, mut end) = piece;
    loop {
        // Joiners before the start, with a letter or digit before them, join that piece on.
        let joined = text[..start]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| retrieval_joiner(c))
            .last()
            .map_or(start, |(k, _)| k);
        match text[..joined].chars().next_back() {
            Some(c) if joined < start && is_alnum(c) => {
                start = piece_around(text, joined - c.len_utf8()).0
            }
            _ => break,
        }
    }
    loop {
        let joined = end
            + text[end..]
                .chars()
                .take_while(|&c| retrieval_joiner(c))
                .map(char::len_utf8)
                .sum::<usize>();
        match text[joined..].chars().next() {
            Some(c) if joined > end && is_alnum(c) => end = piece_around(text, joined).1,
            _ => break,
        }
    }
    (start, end)
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

/// What a query asks for: distinct terms (stop words dropped), lowercased phrases, and the keys its
/// function words may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerms {
    pub terms: Vec<String>,
    pub phrases: Vec<String>,
    /// `"word":` for each function word of the query ([`function_words`]): a JSON key spelled
    /// exactly like it (a package named `which` or `once`), matched as a substring at a word's weight.
    pub keys: Vec<String>,
}

impl QueryTerms {
    pub fn parse(query: &str) -> Self {
        let mut terms = query_terms(query);
        if terms.is_empty() {
            // A query made only of function words ("what is this") still deserves some signal.
            terms = every_term(query);
        }
        QueryTerms {
            terms,
            phrases: query_phrases(query),
            keys: function_words(query)
                .into_iter()
                .map(|w| format!("\"{w}\":"))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty()
    }
}

fn push_unique(out: &mut Vec<String>, term: &str) {
    if !out.iter().any(|t| t == term) {
        out.push(term.to_string());
    }
}

/// The distinct terms of `query` worth looking for, in first-seen order: no stop words and no lone
/// letters (a fragment of a split word: "CPython" gives "c"); numbers stay, the parts of a version
/// too (`18` of `1.7.18` finds the line that bumps it; rarity decides what a number is worth).
pub fn query_terms(query: &str) -> Vec<String> {
    query_terms_implied(query)
        .into_iter()
        .map(|(term, _)| term)
        .collect()
}

/// [`query_terms`], each with whether the query only implies it: a camelCase part of an identifier
/// it names (`payload` of `ParsePayload`) and never a word of its own. (Parts between joiners are
/// words the query says: `read/timeout/child`, `src/flask/app.py`.)
pub fn query_terms_implied(query: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut scratch = TermScratch::default();
    // Quoted text is exact: its function words and single letters count too (`"fn from(t: T)"`).
    let quotes: Vec<(usize, usize)> = quoted(query)
        .iter()
        .map(|q| {
            let start = q.as_ptr() as usize - query.as_ptr() as usize;
            (start, start + q.len())
        })
        .collect();
    let mut spans = words(query);
    while let Some((a, b)) = spans.next_span() {
        let exact = quotes.iter().any(|&(qa, qb)| qa <= a && b <= qb);
        for_each_term_kind(&query[a..b], &mut scratch, &mut |term, kind| {
            let (worth, implied) = match kind {
                TermKind::Compound | TermKind::Piece => (true, false),
                // A camelCase part is no word the query says, quoted or not (`of` of `ofClear`).
                TermKind::Part { stop: true, camel } => (exact && !camel, false),
                TermKind::Part { camel, .. } => (
                    (exact && !camel) || char_len(term) > 1 || term.chars().all(char::is_numeric),
                    camel,
                ),
            };
            if !worth {
                return;
            }
            match out.iter_mut().find(|(t, _)| t == term) {
                Some(seen) => seen.1 &= implied,
                None => out.push((term.to_string(), implied)),
            }
        });
    }
    out
}

/// The distinct stop words among the runs of ASCII letters of `query` (lowercased, two or more
/// letters), in first-seen order:
/// dropped from its terms, yet each may be a name (`which`, `once`: packages) that only a key
/// spelled exactly like it stands for, never a word of running text.
pub fn function_words(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in query.split(|c: char| !c.is_ascii_alphabetic()) {
        let lower = part.to_ascii_lowercase();
        if lower.len() >= 2 && is_stopword(&lower) && !out.contains(&lower) {
            out.push(lower);
        }
    }
    out
}

/// Every distinct term of `query`, in first-seen order.
fn every_term(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for term in terms(query) {
        push_unique(&mut out, &term);
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

/// Quoted or backticked parts of `query`, trimmed, in order (straight and typographic quotes): a
/// quote opens after a space or bracket and closes before one (so "Gson's" and "don't" are not
/// quotes), and holds 2 to 120 characters of one line (the shortest such).
pub fn quoted(query: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = query.char_indices().collect();
    let n = chars.len();
    let closes = |k: usize| k == n || is_space(chars[k].1) || ").,;:?!]".contains(chars[k].1);
    let mut out = Vec::new();
    let mut i = 0;
    'scan: while i < n {
        let opens = i == 0 || is_space(chars[i - 1].1) || matches!(chars[i - 1].1, '(' | '[');
        let quote = match chars[i].1 {
            q @ ('`' | '\'' | '"') => Some(q),
            '\u{201c}' => Some('\u{201d}'), // “ ”
            '\u{2018}' => Some('\u{2019}'), // ‘ ’
            _ => None,
        };
        if let (true, Some(quote)) = (opens, quote) {
            for len in 1..=120 {
                let close = i + 1 + len;
                if close > n || chars[close - 1].1 == '\n' {
                    break;
                }
                if len >= 2 && close < n && chars[close].1 == quote && closes(close + 1) {
                    let inner = query[chars[i + 1].0..chars[close].0].trim_matches(is_space);
                    if char_len(inner) >= 2 {
                        out.push(inner);
                    }
                    i = close + 1;
                    continue 'scan;
                }
            }
        }
        i += 1;
    }
    out
}

/// Parts of `query` matched as substrings, lowercased: quoted or backticked text ([`quoted`]) and
/// hash-like words (often a prefix of the full hash).
pub fn query_phrases(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for inner in quoted(query) {
        push_unique(&mut out, &lower(inner));
    }
    for word in words(query) {
        let low = lower(word);
        if is_hexlike(&low) {
            push_unique(&mut out, &low);
        }
    }
    out
}

/// A substring every chunk holding `term` must contain (stemming only cuts suffixes, or turns -ies into -y).
pub fn probe(term: &str) -> &str {
    match term.strip_suffix('y') {
        Some(rest) if !rest.is_empty() => rest,
        _ => term,
    }
}

/// Finds a query's terms among the terms of a text's words without cutting every word into terms:
/// each term's [`probe`] is first looked for in the lowercased text (one pass per term), and only
/// the words that hold an occurrence are cut. Shared by the ranker (per chunk) and the line
/// compressors' matching (per line).
pub struct TermMatcher<'q> {
    terms: &'q [String],
    wanted: FxHashMap<&'q str, usize>,
    probes: Vec<&'q str>,
}

impl<'q> TermMatcher<'q> {
    pub fn new(terms: &'q [String]) -> Self {
        TermMatcher {
            terms,
            wanted: terms
                .iter()
                .enumerate()
                .map(|(k, t)| (t.as_str(), k))
                .collect(),
            probes: terms.iter().map(|t| probe(t)).collect(),
        }
    }

    /// Each term's probe, in term order.
    pub fn probes(&self) -> &[&'q str] {
        &self.probes
    }

    /// Whether every probe is ASCII (then an ASCII-lowercased text finds every occurrence).
    pub fn ascii(&self) -> bool {
        self.probes.iter().all(|p| p.is_ascii())
    }

    /// For each occurrence of a probe in `lowered` (`text` lowercased byte for byte, as ASCII
    /// lowering does), the bitmask of the terms (at most 64) that the word holding it yields:
    /// `emit(occurrence start, mask)`, in order of probe, then of place. Each piece's terms are
    /// worked out once per call (tool output repeats its words). A capital beyond ASCII stays a
    /// capital in `lowered`, so a probe beyond ASCII may miss it: the caller reads such text itself
    /// when [`TermMatcher::ascii`] is false.
    ///
    /// Occurrences are looked for without overlap: two overlapping ones lie in one word (what
    /// joins them is letters, digits and joiners), so nothing is missed.
    pub fn masks_in<'t>(&self, text: &'t str, lowered: &[u8], emit: &mut dyn FnMut(usize, u64)) {
        let compound: u64 = (0..self.probes.len().min(64))
            .filter(|&k| self.terms[k].chars().any(|c| !is_alnum(c)))
            .fold(0, |m, k| m | 1 << k);
        let mut cache: FxHashMap<&'t str, u64> = FxHashMap::default();
        let mut scratch = TermScratch::default();
        let mut whole = String::new();
        let mut last: Option<((usize, usize), u64)> = None;
        let found = self.probes.iter().flat_map(|p| {
            memchr::memmem::find_iter(lowered, p.as_bytes()).map(move |at| (at, at + p.len()))
        });
        for (at, end) in found {
            if !text.is_char_boundary(at) || !text[at..].starts_with(|c: char| is_alnum(c)) {
                continue;
            }
            let piece = piece_around(text, at);
            let mut mask = match last {
                Some((span, mask)) if span == piece => mask,
                _ => {
                    let key = &text[piece.0..piece.1];
                    let mask = *cache.entry(key).or_insert_with(|| {
                        let TermScratch {
                            term,
                            classes,
                            parts,
                        } = &mut scratch;
                        let mut mask = 0u64;
                        piece_terms(key, term, classes, parts, &mut |t, _| {
                            if let Some(&k) = self.wanted.get(t) {
                                if k < 64 {
                                    mask |= 1 << k;
                                }
                            }
                        });
                        mask & !compound
                    });
                    last = Some((piece, mask));
                    mask
                }
            };
            if compound != 0 && end > piece.1 {
                // Only a compound term reaches past its piece: it must be the whole word.
                let (a, b) = word_around(text, piece);
                lower_into(&text[a..b], &mut whole);
                if let Some(&k) = self.wanted.get(whole.as_str()) {
                    if k < 64 && compound & (1 << k) != 0 {
                        mask |= 1 << k;
                    }
                }
            }
            emit(at, mask);
        }
    }

    /// Calls `emit(word_start, k)` for each term `k` among the terms of each word of `text` that can
    /// hold one. `text`'s lowercase starts at `base` in the buffer `found` was located in, and runs
    /// `lowered_len` bytes there. For ASCII text the located occurrences say which words to cut;
    /// otherwise (lowercasing may change lengths) each word is lowercased and searched for a probe.
    pub fn each_match(
        &self,
        text: &str,
        base: usize,
        lowered_len: usize,
        found: &[(usize, usize)],
        scratch: &mut TermScratch,
        emit: &mut dyn FnMut(usize, usize),
    ) {
        let mut next = found.partition_point(|&(s, _)| s < base);
        let same_offsets = text.is_ascii();
        if same_offsets
            && found
                .get(next)
                .is_none_or(|&(s, _)| s >= base + lowered_len)
        {
            return;
        }
        let mut words = words(text);
        while let Some((a, b)) = words.next_span() {
            let word = &text[a..b];
            let holds = if same_offsets {
                let (a, b) = (base + a, base + b);
                while found.get(next).is_some_and(|&(s, _)| s < a) {
                    next += 1;
                }
                found[next..]
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
            for_each_term(word, scratch, &mut |term| {
                if let Some(&k) = self.wanted.get(term) {
                    emit(a, k);
                }
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn compound_words_stay_whole_and_split_into_stemmed_parts() {
        assert_eq!(terms("Session.get"), ["session.get", "sess", "get"]);
        assert_eq!(terms("getUserName"), ["getusername", "get", "user", "nam"]);
        assert_eq!(
            terms("HTTPServer utf8 Base64"),
            ["httpserver", "http", "serv", "utf8", "base64"]
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
    fn inflected_and_derived_forms_meet_at_one_stem() {
        let families: &[&[&str]] = &[
            &["fail", "failed", "failing", "fails", "failure", "failures"],
            &[
                "configure",
                "configured",
                "configuring",
                "configuration",
                "configurations",
            ],
            &["validate", "validated", "validating", "validation"],
            &["stop", "stopped", "stopping", "stops"],
            &["serve", "served", "serving", "server", "servers"],
            &["parse", "parsed", "parser", "parsing"],
            &["connect", "connected", "connection", "connections"],
            &["install", "installed", "installing", "installation"],
            &["class", "classes"],
            &["box", "boxes"],
            &["device", "devices"],
            &["apply", "applies", "applied"],
            &["warn", "warning", "warnings"],
            &["embed", "embedded", "embedding"],
            &["create", "created", "creating", "creation"],
        ];
        for family in families {
            let stems: Vec<String> = family.iter().map(|w| stem(w)).collect();
            assert!(
                stems.windows(2).all(|w| w[0] == w[1]),
                "{family:?}: {stems:?}"
            );
        }
        // Words that only look inflected stay apart from the shorter word.
        assert_eq!(stem("need"), "need");
        assert_eq!(stem("speed"), "speed");
        assert_eq!(stem("user"), "user");
        assert_eq!(stem("add"), "add");
        assert_eq!(stem("added"), "add");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("btree"), "btre");
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
        let parsed = QueryTerms::parse("why does `Session.get` fail at 53b8f08218 with 'not ok'");
        // Stop words are judged before stemming ("does" is one, though it stems to "doe"); quoted
        // text counts whole ("not").
        assert_eq!(
            parsed.terms,
            [
                "session.get",
                "sess",
                "get",
                "fail",
                "53b8f08218",
                "not",
                "ok"
            ]
        );
        assert_eq!(
            query_terms_implied("ParsePayload and payload"),
            [
                ("parsepayload".to_string(), false),
                ("pars".to_string(), true),
                ("payload".to_string(), false)
            ]
        );
        assert_eq!(parsed.phrases, ["session.get", "not ok", "53b8f08218"]);
        assert_eq!(
            QueryTerms::parse("Gson's don't").phrases,
            Vec::<String>::new()
        );
        assert_eq!(
            quoted("the page \u{201c}Escape in std\u{201d} under \u{2018}fn from\u{2019}?"),
            ["Escape in std", "fn from"]
        );
        assert_eq!(
            QueryTerms::parse("what is this").terms,
            ["what", "is", "this"]
        );
        assert!(query_terms("what is this").is_empty());
        assert_eq!(
            query_terms("what does \"fn from(t)\" do"),
            ["fn", "from", "t"]
        );
    }

    #[test]
    fn numbers_stay_terms_even_inside_a_version() {
        assert_eq!(
            query_terms("which packages pin 13.7.0 on port 8080"),
            ["packag", "pin", "13.7.0", "13", "7", "0", "port", "8080"]
        );
    }

    proptest! {
        #[test]
        fn a_stem_without_its_final_y_begins_the_word(word in "[a-zA-Z]{0,14}") {
            let low = word.to_lowercase();
            let stemmed = stem(&low);
            prop_assert!(low.starts_with(probe(&stemmed)), "{stemmed:?} of {word:?}");
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
