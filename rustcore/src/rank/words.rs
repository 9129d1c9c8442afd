//! How text and queries are cut into terms for ranking: words of letters and digits joined across
//! `. _ : / -`, split into lowercased, lightly stemmed parts (camelCase too); queries also yield
//! phrases matched as substrings (quoted text, hash-like words).

use std::borrow::Cow;

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
pub fn probe(term: &str) -> &str {
    match term.strip_suffix('y') {
        Some(rest) if !rest.is_empty() => rest,
        _ => term,
    }
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
        let parsed = Query::parse("why does `Session.get` fail at 53b8f08218 with 'not ok'");
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
        assert_eq!(Query::parse("Gson's don't").phrases, Vec::<String>::new());
        assert_eq!(Query::parse("what is this").terms, ["what", "is", "this"]);
    }

    proptest! {
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
