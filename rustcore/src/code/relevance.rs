//! How a question in plain words points at functions: "how are mutually exclusive groups checked
//! for conflicts" names no identifier, but its words are the parts of the identifiers, comments and
//! docstrings of the code that answers it (`_check_conflict`, `mutually_exclusive_groups`).
//!
//! The question's words are cut by the one term splitter (`terms.rs`: identifiers split on `_`,
//! camelCase and digits, suffixes stemmed, stop words out), and each function scores the terms it
//! holds (name, docstring, comments, body; a term in its name counts one and a half times), each term
//! weighed by its rarity among the file's functions, so a word every function uses says little.
//! Only a function holding most of what the question asks (by weight), and more than one of its
//! words unless its name holds one, gets a score.

use super::{DefKind, Outline, Source};
use crate::terms::{self, TermMatcher};

/// A function's share of the question's weight it must hold to count as an answer.
const COVERAGE: f64 = 0.5;
/// A term in a function's name weighs this much more than one only in its lines.
const NAME_WEIGHT: f64 = 0.5;
/// A function must score this share of the best function's score.
const NEAR_BEST: f64 = 0.6;

/// The distinct terms of `words` (the question's words and names), in first-seen order: stop
/// words and lone letters out, at most 64 (what a mask holds).
pub fn question_terms<S: AsRef<str>>(words: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut parts = Vec::new();
    for word in words {
        let word = word.as_ref();
        if terms::is_stopword(&terms::lower(word)) {
            continue;
        }
        parts.clear();
        terms::word_terms(word, &mut parts);
        for term in parts.drain(..) {
            let useful = term.is_ascii()
                && terms::char_len(&term) > 1
                && !terms::is_stopword(&term)
                && !term.chars().all(|c| c.is_ascii_digit());
            if useful && !out.contains(&term) && out.len() < 64 {
                out.push(term);
            }
        }
    }
    out
}

/// Each definition's relevance to `question` (terms from [`question_terms`]) in `0..=1`: 1 for the
/// best function, 0 for containers and for functions holding less than half the question's weight.
pub fn term_scores(src: &Source, outline: &Outline, question: &[String]) -> Vec<f64> {
    let defs = &outline.definitions;
    let mut out = vec![0.0; defs.len()];
    let functions: Vec<usize> = (0..defs.len())
        .filter(|&k| defs[k].kind == DefKind::Function)
        .collect();
    if question.is_empty() || functions.is_empty() {
        return out;
    }
    let matcher = TermMatcher::new(question);
    let lowered = src.text.to_ascii_lowercase();
    let mut line_masks = vec![0u64; src.len()];
    matcher.masks_in(src.text, lowered.as_bytes(), &mut |at, mask| {
        line_masks[src.line_of(at)] |= mask;
    });
    let mut doc_first: Vec<Option<usize>> = vec![None; defs.len()];
    for run in &outline.comments {
        if let Some(k) = run.doc_for {
            doc_first[k] = Some(run.first);
        }
    }
    let held: Vec<(u64, u64)> = functions
        .iter()
        .map(|&k| {
            let d = &defs[k];
            let first = doc_first[k].map_or(d.first, |f| f.min(d.first));
            let last = d.last.min(src.len().saturating_sub(1));
            let lines = line_masks[first..=last].iter().fold(0, |m, &l| m | l);
            (lines, name_mask(&d.name, question))
        })
        .collect();
    let n = functions.len() as f64;
    let weights: Vec<f64> = (0..question.len())
        .map(|t| {
            let df = held
                .iter()
                .filter(|(lines, name)| (lines | name) >> t & 1 == 1)
                .count() as f64;
            if df == 0.0 {
                0.0
            } else {
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            }
        })
        .collect();
    let asked: f64 = weights.iter().sum();
    if asked <= 0.0 {
        return out;
    }
    let weight_of = |mask: u64| -> f64 {
        (0..question.len())
            .filter(|&t| mask >> t & 1 == 1)
            .map(|t| weights[t])
            .sum()
    };
    let raw: Vec<f64> = held
        .iter()
        .map(|&(lines, name)| {
            let all = lines | name;
            let distinct = all.count_ones() as usize;
            // One word alone in a body is weak evidence (`struct` in "which structs are defined").
            if weight_of(all) < COVERAGE * asked || (distinct < 2 && name == 0) {
                0.0
            } else {
                weight_of(all) + NAME_WEIGHT * weight_of(name)
            }
        })
        .collect();
    let best = raw.iter().copied().fold(0.0, f64::max);
    if best <= 0.0 {
        return out;
    }
    for (&k, &score) in functions.iter().zip(&raw) {
        if score >= NEAR_BEST * best {
            out[k] = score / best;
        }
    }
    out
}

/// The question's terms (as a mask) among the terms of a definition's name.
fn name_mask(name: &str, question: &[String]) -> u64 {
    let mut parts = Vec::new();
    terms::word_terms(name, &mut parts);
    question
        .iter()
        .enumerate()
        .filter(|(_, t)| parts.contains(t))
        .fold(0, |m, (k, _)| m | 1 << k)
}
