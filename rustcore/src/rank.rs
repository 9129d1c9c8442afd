//! BM25 ranking of chunks (lines, sentences) against a query, over the terms of `terms.rs` (the
//! one term splitter, which also fills the store's full-text index): a query's terms (stop words
//! dropped) and its phrases matched as substrings (quoted or backticked text, hash-like words),
//! each phrase weighing [`PHRASE_WEIGHT`] times a word.
//!
//! Only chunks holding a query word or phrase as a substring are looked at closely; past
//! [`EXACT_CANDIDATES`] such chunks (a common word in a huge log) every frequency is counted as
//! substring occurrences instead.

use memchr::memmem::Finder;

use crate::terms::{char_len, QueryTerms, TermMatcher, TermScratch};

pub const K1: f64 = 1.2;
/// Weak length normalisation: lines differ in length mostly by boilerplate (timestamps, paths), not topic.
pub const B: f64 = 0.3;
pub const EXACT_CANDIDATES: usize = 20_000;
pub const PHRASE_WEIGHT: f64 = 2.0;

fn idf(n: usize, df: usize) -> f64 {
    (1.0 + ((n - df) as f64 + 0.5) / (df as f64 + 0.5)).ln()
}

/// BM25 score of each chunk for `query`, in chunk order; 0.0 where a chunk shares nothing with it.
///
/// Length normalisation counts characters. Term frequencies come in the order the terms first occur
/// in a chunk, then the phrases', so scores are reproducible to the last bit.
pub fn rank<S: AsRef<str>>(chunks: &[S], query: &QueryTerms) -> Vec<f64> {
    rank_with_limit(chunks, query, EXACT_CANDIDATES)
}

/// [`rank`], counting frequencies as substrings once more than `exact_candidates` chunks can match.
pub fn rank_with_limit<S: AsRef<str>>(
    chunks: &[S],
    query: &QueryTerms,
    exact_candidates: usize,
) -> Vec<f64> {
    let n = chunks.len();
    let mut scores = vec![0.0; n];
    if n == 0 || query.is_empty() {
        return scores;
    }
    let matcher = TermMatcher::new(&query.terms);
    let probes: Vec<&str> = matcher
        .probes()
        .iter()
        .copied()
        .chain(query.phrases.iter().map(String::as_str))
        .chain(query.keys.iter().map(String::as_str))
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
    let phrase_finders: Vec<Finder<'_>> = probes[n_words..]
        .iter()
        .map(|p| Finder::new(p.as_bytes()))
        .collect();
    // (chunk, [(term or phrase index, frequency)] in first-seen order)
    let mut hits: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut df = vec![0usize; probes.len()];
    let mut scratch = TermScratch::default();
    for &(i, low) in &candidates {
        let mut tf: Vec<(usize, usize)> = Vec::new();
        matcher.each_match(
            chunks[i].as_ref(),
            spans[i].0,
            low.len(),
            &found,
            &mut scratch,
            &mut |_, k| match tf.iter_mut().find(|(t, _)| *t == k) {
                Some((_, f)) => *f += 1,
                None => tf.push((k, 1)),
            },
        );
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
            let weight = probe_weight(query, k);
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

/// How much probe `k` weighs: a word 1, a phrase [`PHRASE_WEIGHT`], a key a function word names 1.
fn probe_weight(query: &QueryTerms, k: usize) -> f64 {
    let words = query.terms.len();
    if k >= words && k < words + query.phrases.len() {
        PHRASE_WEIGHT
    } else {
        1.0
    }
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
    query: &QueryTerms,
    probes: &[&str],
    norm: impl Fn(&str) -> f64,
) -> Vec<f64> {
    // A probe listed twice (a word that is also a phrase) counts once, with the later weight.
    let mut unique: Vec<(&str, f64)> = Vec::new();
    for (k, p) in probes.iter().enumerate() {
        let weight = probe_weight(query, k);
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

    fn q(text: &str) -> QueryTerms {
        QueryTerms::parse(text)
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
                let shares = parsed.terms.iter().any(|t| low.contains(crate::terms::probe(t))) || parsed.phrases.iter().any(|p| low.contains(p.as_str()));
                if !shares {
                    prop_assert_eq!(*s, 0.0);
                }
            }
        }
    }
}
