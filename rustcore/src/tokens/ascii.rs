//! Hand-written pre-tokenizers for pure-ASCII text, equivalent to the
//! `o200k_base` and `cl100k_base` regular expressions restricted to ASCII.
//!
//! Tool output is overwhelmingly ASCII, and the general regex pre-tokenizer
//! (a DFA over Unicode classes plus a look-ahead emulation) costs far more
//! than the byte-pair counting that follows it. On ASCII the Unicode classes
//! collapse to a few byte tests: letters are `A-Z`/`a-z` (no titlecase,
//! modifier, other-letter or mark characters exist there), numbers are
//! `0-9`, and `\s` is space, `\t`, `\n`, `\x0b`, `\x0c` and `\r` (the
//! Unicode White_Space property, which excludes `\x1c`-`\x1f`).
//!
//! Each function returns the end of the piece the regex would match at
//! `start`, following its leftmost-first alternation and backtracking
//! exactly; the property tests in `tokens.rs` compare every piece boundary
//! with `tiktoken-rs`.

#[inline]
fn is_upper(b: u8) -> bool {
    b.is_ascii_uppercase()
}

#[inline]
fn is_lower(b: u8) -> bool {
    b.is_ascii_lowercase()
}

#[inline]
fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

#[inline]
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

#[inline]
fn is_newline(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `[^\s\p{L}\p{N}]`: punctuation, symbols and control characters.
#[inline]
fn is_punct(b: u8) -> bool {
    !is_space(b) && !is_letter(b) && !is_digit(b)
}

/// `[^\r\n\p{L}\p{N}]`: what may lead a word as a one-character prefix.
#[inline]
fn is_word_prefix(b: u8) -> bool {
    !is_newline(b) && !is_letter(b) && !is_digit(b)
}

#[inline]
fn run_end(b: &[u8], mut i: usize, class: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && class(b[i]) {
        i += 1;
    }
    i
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: where it ends, or `i` when absent.
#[inline]
fn contraction_end(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&b'\'') {
        return i;
    }
    let lower = |k: usize| b.get(k).map(u8::to_ascii_lowercase);
    match lower(i + 1) {
        Some(b's' | b't' | b'm' | b'd') => i + 2,
        Some(b'r' | b'v') if lower(i + 2) == Some(b'e') => i + 3,
        Some(b'l') if lower(i + 2) == Some(b'l') => i + 3,
        _ => i,
    }
}

/// The whitespace alternatives shared by both encodings:
/// `\s*[\r\n]+ | \s+(?!\S) | \s+`, at a whitespace byte.
#[inline]
fn whitespace_end(b: &[u8], start: usize) -> usize {
    let end = run_end(b, start, is_space);
    // `\s*[\r\n]+`: the greedy `\s*` backs off to the last newline of the run.
    if let Some(last_newline) = b[start..end].iter().rposition(|&c| is_newline(c)) {
        return start + last_newline + 1;
    }
    // `\s+(?!\S)`: the whole run at the end of the text, else all but its last
    // byte; a single byte before a non-space falls through to `\s+`.
    if end == b.len() || end - start < 2 {
        end
    } else {
        end - 1
    }
}

/// The `o200k_base` letter alternatives after an optional prefix ending at `j`:
/// `[Upper]*[lower]+'x?` or else `[Upper]+[lower]*'x?`. `None` when neither matches.
#[inline]
fn o200k_word_end(b: &[u8], j: usize) -> Option<usize> {
    let upper_end = run_end(b, j, is_upper);
    if upper_end < b.len() && is_lower(b[upper_end]) {
        return Some(contraction_end(b, run_end(b, upper_end, is_lower)));
    }
    // The uppercase run is not followed by a lowercase letter, so the second
    // alternative's `[lower]*` matches nothing.
    (upper_end > j).then(|| contraction_end(b, upper_end))
}

/// End of the `o200k_base` piece starting at `start` (`start < b.len()`).
pub fn o200k_piece_end(b: &[u8], start: usize) -> usize {
    let c = b[start];
    if is_letter(c) {
        if let Some(end) = o200k_word_end(b, start) {
            return end;
        }
    } else if is_word_prefix(c) && start + 1 < b.len() && is_letter(b[start + 1]) {
        if let Some(end) = o200k_word_end(b, start + 1) {
            return end;
        }
    }
    if is_digit(c) {
        return (start + 3).min(run_end(b, start, is_digit));
    }
    if let Some(end) = punct_end(b, start, |x| is_newline(x) || x == b'/') {
        return end;
    }
    whitespace_end(b, start)
}

/// ` ?[^\s\p{L}\p{N}]+` followed by a greedy run of `tail` bytes, or `None`.
#[inline]
fn punct_end(b: &[u8], start: usize, tail: impl Fn(u8) -> bool) -> Option<usize> {
    let run_start = if b[start] == b' ' { start + 1 } else { start };
    if run_start >= b.len() || !is_punct(b[run_start]) {
        return None;
    }
    Some(run_end(b, run_end(b, run_start, is_punct), tail))
}

/// End of the `cl100k_base` piece starting at `start` (`start < b.len()`).
pub fn cl100k_piece_end(b: &[u8], start: usize) -> usize {
    let contraction = contraction_end(b, start);
    if contraction > start {
        return contraction;
    }
    let c = b[start];
    if is_letter(c) {
        return run_end(b, start, is_letter);
    }
    if is_word_prefix(c) && start + 1 < b.len() && is_letter(b[start + 1]) {
        return run_end(b, start + 1, is_letter);
    }
    if is_digit(c) {
        return (start + 3).min(run_end(b, start, is_digit));
    }
    if let Some(end) = punct_end(b, start, is_newline) {
        return end;
    }
    whitespace_end(b, start)
}
