//! The agent's question turned into terms, and where those terms occur in raw JSON text.
//!
//! Terms are lowercased words with the one term splitter's stop words dropped
//! and its stemmer applied (`terms.rs`), so `failed`/`failure`/`fail` and
//! `approve`/`APPROVED` meet. Quoted parts of the
//! question and compound tokens (`0.26.0`, URLs, `owner/repo`) are matched as
//! phrases. Words of the text are read escape-aware, so `\nSo` in a JSON string
//! yields `So`, not `nSo`.

use crate::terms::{is_stopword, stem, stem_into};

/// Which end of a numeric field the question asks for ("most stars", "oldest").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extreme {
    Max,
    Min,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    Word,
    Number,
    Phrase,
    /// A function word of the question (`once`, `which`): it names only a key spelled exactly
    /// like it (`"once": {...}`, a package), never a word of a value.
    Key,
}

#[derive(Clone, Debug)]
pub struct Term {
    pub text: String,
    pub kind: TermKind,
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    pub extreme: Option<Extreme>,
    /// List positions the question names (`item 16`, `element 3`): 0-based as JSON tools count.
    pub positions: Vec<usize>,
}

/// Words that name a list element by its position when a number follows.
const POSITION_WORDS: &[&str] = &["item", "element", "entry", "index"];

/// One occurrence of a term in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub pos: u32,
    pub term: u16,
    /// How much the place it occurs in counts, in quarters (4 = once).
    pub weight: u8,
}

/// `Hit::weight` of an ordinary occurrence.
pub const WEIGHT_ONE: u8 = 4;

#[rustfmt::skip]
const MAX_WORDS: &[&str] = &[
    "most", "largest", "max", "maximum", "highest", "biggest", "top", "greatest", "latest",
    "newest", "longest", "heaviest", "slowest", "costliest", "best",
];
#[rustfmt::skip]
const MIN_WORDS: &[&str] = &[
    "least", "smallest", "min", "minimum", "lowest", "fewest", "oldest", "earliest", "shortest",
    "lightest", "fastest", "cheapest", "worst",
];

/// Characters that join the parts of a compound token such as `0.26.0` or `owner/repo`.
fn is_joiner(c: char) -> bool {
    matches!(
        c,
        '.' | '/' | ':' | '-' | '_' | '@' | '#' | '=' | '?' | '&' | '~' | '+'
    )
}

fn opening_quote(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '\'' => Some('\''),
        '`' => Some('`'),
        '\u{201c}' => Some('\u{201d}'),
        '\u{2018}' => Some('\u{2019}'),
        _ => None,
    }
}

/// Quoted parts of the question: `"ofClear uses..."`, `'KirinDave'`. An apostrophe
/// inside a word (`didn't`) opens nothing.
fn quoted_phrases(q: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let prev_is_word = i > 0 && chars[i - 1].1.is_alphanumeric();
        if let (Some(close), false) = (opening_quote(c), prev_is_word) {
            let body_start = at + c.len_utf8();
            let mut j = i + 1;
            while j < chars.len() {
                let (cj, ch) = chars[j];
                let next_is_word = chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
                if ch == close && !(close == '\'' && next_is_word) {
                    let body = q[body_start..cj].trim();
                    if body.chars().count() >= 3 {
                        out.push(body.to_lowercase());
                    }
                    break;
                }
                j += 1;
            }
            if j < chars.len() {
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut query = Query::default();
        let mut seen = std::collections::BTreeSet::new();
        let mut add = |query: &mut Query, text: String, kind: TermKind| {
            if seen.insert((text.clone(), kind.clone())) && query.terms.len() < u16::MAX as usize {
                query.terms.push(Term { text, kind });
            }
        };
        for phrase in quoted_phrases(q) {
            add(&mut query, phrase, TermKind::Phrase);
        }
        // A version, date or path is one term: its numeric fragments (`13`, `7`, `0` of
        // `13.7.0`) would match nearly everything on their own.
        let tokens: Vec<&str> = q.split_whitespace().collect();
        for pair in tokens.windows(2) {
            let word = pair[0].to_ascii_lowercase();
            let number = pair[1].trim_end_matches(|c: char| !c.is_ascii_digit());
            if POSITION_WORDS.contains(&word.as_str()) {
                if let Ok(n) = number.parse::<usize>() {
                    query.positions.push(n);
                }
            }
        }
        let mut words: Vec<(&str, bool)> = Vec::new();
        for token in q.split_whitespace() {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric());
            let parts: Vec<&str> = token
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect();
            let compound =
                parts.len() > 1 && token.chars().all(|c| c.is_alphanumeric() || is_joiner(c));
            if compound {
                add(&mut query, token.to_lowercase(), TermKind::Phrase);
            }
            words.extend(parts.into_iter().map(|p| (p, compound)));
        }
        let mut function_words = Vec::new();
        for (word, in_compound) in words {
            if in_compound && word.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let lower = word.to_lowercase();
            if MAX_WORDS.contains(&lower.as_str()) {
                query.extreme.get_or_insert(Extreme::Max);
                continue;
            }
            if MIN_WORDS.contains(&lower.as_str()) {
                query.extreme.get_or_insert(Extreme::Min);
                continue;
            }
            if is_stopword(&lower) {
                if lower.len() >= 2 && lower.chars().all(|c| c.is_ascii_alphabetic()) {
                    function_words.push(lower);
                }
                continue;
            }
            if lower.chars().all(|c| c.is_ascii_digit()) {
                add(&mut query, lower, TermKind::Number);
            } else if lower.chars().count() >= 2 {
                add(&mut query, stem(&lower), TermKind::Word);
            }
        }
        for word in function_words {
            add(&mut query, word, TermKind::Key);
        }
        query
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.positions.is_empty()
    }

    /// Whether a word of the text (lowercased, and its stem) stands for term `t`.
    fn word_matches(&self, t: &Term, lower: &str, stemmed: &str) -> bool {
        match t.kind {
            TermKind::Number => lower == t.text,
            TermKind::Word => {
                stemmed == t.text || (prefix_term(&t.text) && lower.starts_with(&t.text))
            }
            TermKind::Phrase | TermKind::Key => false,
        }
    }

    /// Which terms a field name stands for: `stargazers_count` for "stars", `head_branch` for "branch".
    pub fn name_matches(&self, name: &str) -> bool {
        let mut parts = Vec::new();
        for piece in name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            parts.extend(split_camel(piece));
        }
        // Field names are short words, so a three-letter stem may already name one ("fil" → filename).
        parts.iter().any(|p| {
            let lower = p.to_lowercase();
            let stemmed = stem(&lower);
            self.terms.iter().any(|t| {
                self.word_matches(t, &lower, &stemmed)
                    || (t.kind == TermKind::Word && t.text.len() >= 3 && lower.starts_with(&t.text))
            })
        })
    }

    /// Every occurrence of every term in `text`, by position.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let mut out = Vec::new();
        if self.terms.is_empty() {
            return out;
        }
        // A word can only match a term that starts with the same (lowercased) character:
        // each term with that character, whether it matches as a prefix, and its index.
        let words: Vec<(char, bool, u16, &Term)> = self
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind != TermKind::Phrase)
            .filter_map(|(i, t)| {
                let first = t.text.chars().next()?;
                Some((first, prefix_term(&t.text), i as u16, t))
            })
            .collect();
        if !words.is_empty() {
            // No term matches a word shorter than itself (stems and prefixes only shorten).
            let shortest = words.iter().map(|w| w.3.text.len()).min().unwrap_or(0);
            let mut lower = String::new();
            let mut stemmed = String::new();
            for_each_word(text, |pos, word| {
                let Some(first) = word.chars().next().map(|c| {
                    if c.is_ascii() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_lowercase().next().unwrap_or(c)
                    }
                }) else {
                    return;
                };
                if !words.iter().any(|w| w.0 == first) {
                    return;
                }
                lower.clear();
                if word.is_ascii() {
                    if word.len() < shortest {
                        return;
                    }
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    // Not char by char: a final sigma lowers differently.
                    lower.push_str(&word.to_lowercase());
                }
                stem_into(&lower, &mut stemmed);
                for &(term_first, prefix, i, t) in &words {
                    if term_first != first {
                        continue;
                    }
                    let hit = match t.kind {
                        TermKind::Number | TermKind::Key => lower == t.text,
                        _ => stemmed == t.text || (prefix && lower.starts_with(&t.text)),
                    };
                    if hit {
                        out.push(Hit {
                            pos,
                            term: i,
                            weight: WEIGHT_ONE,
                        });
                    }
                }
            });
        }
        let phrases: Vec<(u16, &Term)> = self
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == TermKind::Phrase)
            .map(|(i, t)| (i as u16, t))
            .collect();
        if !phrases.is_empty() {
            for (i, t) in phrases {
                let needle = t.text.to_ascii_lowercase();
                find_caseless(text.as_bytes(), needle.as_bytes(), |at| {
                    out.push(Hit {
                        pos: at as u32,
                        term: i,
                        weight: WEIGHT_ONE,
                    });
                });
            }
            out.sort_unstable();
        }
        out
    }
}

/// Calls `f` with the start of every non-overlapping occurrence of `needle` (lowercase) in
/// `text`, ASCII case ignored. The text is lowered a window at a time, not copied whole.
fn find_caseless(text: &[u8], needle: &[u8], mut f: impl FnMut(usize)) {
    const WINDOW: usize = 1 << 20;
    if needle.is_empty() {
        return;
    }
    let finder = memchr::memmem::Finder::new(needle);
    let mut lowered = Vec::with_capacity(WINDOW.min(text.len()) + needle.len());
    let mut free_from = 0;
    let mut at = 0;
    while at < text.len() {
        // Each window reads on into the next far enough to see an occurrence that starts in it.
        let end = (at + WINDOW + needle.len() - 1).min(text.len());
        lowered.clear();
        lowered.extend(text[at..end].iter().map(u8::to_ascii_lowercase));
        for k in finder.find_iter(&lowered) {
            if k >= WINDOW {
                break;
            }
            if at + k >= free_from {
                f(at + k);
                free_from = at + k + needle.len();
            }
        }
        at += WINDOW;
    }
}

/// Whether a word term also matches words it starts (`fail` in `failover`): long alphabetic ones.
fn prefix_term(term: &str) -> bool {
    term.len() >= 4 && term.chars().all(char::is_alphabetic)
}

/// Calls `f(byte offset, word)` for every run of letters and digits, skipping JSON escapes.
fn for_each_word(text: &str, mut f: impl FnMut(u32, &str)) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c.is_ascii_alphanumeric() {
                start.get_or_insert(i);
                i += 1;
                continue;
            }
            if let Some(s) = start.take() {
                f(s as u32, &text[s..i]);
            }
            if c == b'\\' {
                // `\n`, `\"`, `\u00e9`: the escape letter is not part of a word.
                i += if b.get(i + 1) == Some(&b'u') { 6 } else { 2 };
                continue;
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            if ch.is_alphanumeric() {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                f(s as u32, &text[s..i]);
            }
            i += ch.len_utf8();
        }
    }
    if let Some(s) = start {
        f(s as u32, &text[s..b.len().min(text.len())]);
    }
}

/// `stargazersCount` → `stargazers`, `Count`.
fn split_camel(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for w in 1..chars.len() {
        let (at, c) = chars[w];
        let prev = chars[w - 1].1;
        if c.is_uppercase() && prev.is_lowercase() {
            out.push(&s[start..at]);
            start = at;
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term_texts(q: &Query) -> Vec<&str> {
        q.terms
            .iter()
            .filter(|t| t.kind != TermKind::Key)
            .map(|t| t.text.as_str())
            .collect()
    }

    #[test]
    fn function_words_are_kept_as_key_names_only() {
        let q = Query::parse("Which version of once does the tree hold?");
        let keys: Vec<&str> = q
            .terms
            .iter()
            .filter(|t| t.kind == TermKind::Key)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(keys, vec!["which", "of", "once", "does", "the"]);
        assert_eq!(term_texts(&q), vec!["vers", "tre", "hold"]);
        assert!(!q.name_matches("once"), "a function word names no field");
        let text = r#"{"once": {"version": "1.4.0"}, "note": "run once"}"#;
        let once: Vec<u32> = q
            .hits(text)
            .iter()
            .filter(|h| q.terms[h.term as usize].text == "once")
            .map(|h| h.pos)
            .collect();
        let at = [text.find("once").unwrap(), text.rfind("once").unwrap()].map(|p| p as u32);
        assert_eq!(once, at, "found as a word; only the key will count");
    }

    #[test]
    fn function_words_go_and_inflections_meet() {
        let q = Query::parse("Which runs failed, and on which branch?");
        assert_eq!(term_texts(&q), vec!["run", "fail", "branch"]);
        let text = r#"{"conclusion": "failure", "head_branch": "main"}"#;
        let hit_terms: Vec<u16> = q.hits(text).iter().map(|h| h.term).collect();
        assert_eq!(hit_terms, vec![1, 2]);
    }

    #[test]
    fn quoted_parts_and_compound_tokens_are_phrases() {
        let q = Query::parse("Is \"ofClear uses inconsistent arguments\" fixed in 0.26.0? Ask 'KirinDave', didn't he");
        let phrases: Vec<&str> = q
            .terms
            .iter()
            .filter(|t| t.kind == TermKind::Phrase)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(
            phrases,
            vec!["ofclear uses inconsistent arguments", "kirindave", "0.26.0"]
        );
    }

    #[test]
    fn superlatives_set_the_extreme_and_are_not_terms() {
        let q = Query::parse("Which repository has the most stars?");
        assert_eq!(q.extreme, Some(Extreme::Max));
        assert_eq!(term_texts(&q), vec!["repository", "star"]);
        assert!(q.name_matches("stargazers_count"));
        assert!(!q.name_matches("forks_count"));
        assert_eq!(
            Query::parse("the oldest open issue").extreme,
            Some(Extreme::Min)
        );
    }

    #[test]
    fn escapes_do_not_glue_letters_to_words() {
        let q = Query::parse("soap");
        let text = r#""Did a bit.\n\nSoap, when""#;
        assert_eq!(q.hits(text).len(), 1);
    }

    #[test]
    fn a_version_is_one_term_not_its_numbers() {
        let q = Query::parse("when was 13.7.0 published on node.js?");
        assert_eq!(
            term_texts(&q),
            vec!["13.7.0", "node.js", "publish", "nod", "js"]
        );
    }

    #[test]
    fn numbers_match_whole_numbers_only() {
        let q = Query::parse("issue #28");
        let text = r#"{"number": 28, "id": 2812, "url": "/issues/28"}"#;
        let numbers: Vec<u32> = q
            .hits(text)
            .iter()
            .filter(|h| q.terms[h.term as usize].kind == TermKind::Number)
            .map(|h| h.pos)
            .collect();
        assert_eq!(numbers.len(), 2);
    }

    #[test]
    fn short_stems_need_an_exact_stem_match() {
        let q = Query::parse("files added");
        let text = "address added adds";
        let hits = q.hits(text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert!(q.name_matches("filename"));
    }

    #[test]
    fn stemmer_meets_common_inflections() {
        for (a, b) in [
            ("failed", "failure"),
            ("approve", "approved"),
            ("merged", "merge"),
            ("closed", "close"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("add"), "add");
        assert_eq!(stem("added"), "add");
    }
}
