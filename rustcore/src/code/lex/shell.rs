//! Shell scripts (sh, bash, dash, ksh): quoting, `#` comments at the start of a word, here-documents
//! and `case` patterns, whose `)` closes no bracket. A here-document's body is one string token
//! from the line after its operator to its delimiter line, so a `{` in the text it feeds to a
//! command is no bracket.

use super::{is_ident_char, utf8_len, Kind, Lexer};

/// A here-document waiting for the end of its operator's line: its delimiter, and whether
/// `<<-` lets tabs lead the delimiter line.
struct Pending {
    delimiter: Vec<u8>,
    tabs: bool,
}

/// Bytes after which a `#` starts a comment: a comment starts a word.
fn ends_word(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'(' | b')'
    )
}

impl Lexer<'_> {
    /// Reads a shell script to the end.
    pub(super) fn shell(&mut self) {
        let mut pending: Vec<Pending> = Vec::new();
        let mut parens = 0u32;
        // For each open `case`: the depth of `(` it stands at, where a `)` ends a pattern.
        let mut cases: Vec<u32> = Vec::new();
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            let start = self.pos;
            match c {
                b'\n' => {
                    self.pos += 1;
                    if !pending.is_empty() {
                        self.heredoc_bodies(&mut pending);
                    }
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'#' if start == 0 || ends_word(self.b[start - 1]) => {
                    let end = self.line_end(start);
                    self.pos = end;
                    self.comment(start, super::trim_cr(self.b, end));
                }
                b'\\' => {
                    self.pos = (start + 1 + utf8_len(self.at(start + 1))).min(self.b.len());
                    self.push(Kind::Punct, start, self.pos);
                }
                b'\'' => {
                    self.pos = self.single_quoted(start + 1);
                    self.push(Kind::Str, start, self.pos);
                }
                b'"' => {
                    self.pos = self.double_quoted(start + 1);
                    self.push(Kind::Str, start, self.pos);
                }
                b'`' => {
                    self.pos = self.backquoted(start + 1);
                    self.push(Kind::Str, start, self.pos);
                }
                b'$' if self.at(start + 1) == b'\'' => {
                    self.pos = self.ansi_quoted(start + 2);
                    self.push(Kind::Str, start, self.pos);
                }
                b'$' if self.at(start + 1) == b'"' => {
                    self.pos = self.double_quoted(start + 2);
                    self.push(Kind::Str, start, self.pos);
                }
                b'<' if self.at(start + 1) == b'<' && self.at(start + 2) != b'<' => {
                    self.pos = start + 2;
                    if let Some(doc) = self.heredoc_operator() {
                        pending.push(doc);
                    }
                    self.push(Kind::Punct, start, self.pos);
                }
                b'(' => {
                    parens += 1;
                    self.pos += 1;
                    self.push(Kind::Open, start, self.pos);
                }
                b')' if cases.last() == Some(&parens) => {
                    // `pattern)` in a case statement.
                    self.pos += 1;
                    self.push(Kind::Punct, start, self.pos);
                }
                b')' => {
                    parens = parens.saturating_sub(1);
                    self.pos += 1;
                    self.push(Kind::Close, start, self.pos);
                }
                b'{' | b'[' => {
                    self.pos += 1;
                    self.push(Kind::Open, start, self.pos);
                }
                b'}' | b']' => {
                    self.pos += 1;
                    self.push(Kind::Close, start, self.pos);
                }
                _ if is_ident_char(c) => {
                    let mut i = start + 1;
                    while i < self.b.len() && is_ident_char(self.b[i]) {
                        i += 1;
                    }
                    self.pos = i;
                    let word = &self.b[start..i];
                    let alone = !matches!(self.at(i), b'=' | b'-' | b'.' | b'/');
                    if word == b"case" && alone && self.command_word(start) {
                        cases.push(parens);
                    } else if word == b"esac" && alone && cases.last() == Some(&parens) {
                        cases.pop();
                    }
                    self.push(Kind::Ident, start, i);
                }
                _ => {
                    self.pos = (start + utf8_len(c)).min(self.b.len());
                    self.push(Kind::Punct, start, self.pos);
                }
            }
        }
        if !pending.is_empty() {
            self.problems += 1;
        }
    }

    /// Whether the word at `at` stands where a command does: first on its line or after an
    /// operator or a keyword that a command follows.
    fn command_word(&self, at: usize) -> bool {
        let before = self.b[..at]
            .rsplit(|&c| c == b'\n')
            .next()
            .unwrap_or_default()
            .trim_ascii_end();
        before.is_empty()
            || before.ends_with(b";")
            || before.ends_with(b"&")
            || before.ends_with(b"|")
            || before.ends_with(b"(")
            || before.ends_with(b"{")
            || [&b"then"[..], b"do", b"else", b"!"]
                .iter()
                .any(|k| before.ends_with(k) && ends_word_before(before, k.len()))
    }

    fn single_quoted(&mut self, from: usize) -> usize {
        match memchr::memchr(b'\'', &self.b[from.min(self.b.len())..]) {
            Some(k) => from + k + 1,
            None => self.unterminated(),
        }
    }

    fn ansi_quoted(&mut self, mut i: usize) -> usize {
        while let Some(&c) = self.b.get(i) {
            match c {
                b'\\' => i += 2,
                b'\'' => return i + 1,
                _ => i += 1,
            }
        }
        self.unterminated()
    }

    fn backquoted(&mut self, mut i: usize) -> usize {
        while let Some(&c) = self.b.get(i) {
            match c {
                b'\\' => i += 2,
                b'`' => return i + 1,
                _ => i += 1,
            }
        }
        self.unterminated()
    }

    /// The end of a `"..."` string whose text starts at `i`: `$(...)` and `${...}` inside it may
    /// hold quotes of their own.
    fn double_quoted(&mut self, mut i: usize) -> usize {
        while let Some(&c) = self.b.get(i) {
            match c {
                b'\\' => i += 2,
                b'"' => return i + 1,
                b'`' => i = self.backquoted(i + 1),
                b'$' if matches!(self.at(i + 1), b'(' | b'{') => i = self.nested(i + 1),
                _ => i += 1,
            }
        }
        self.unterminated()
    }

    /// The end of the bracketed `$(...)` or `${...}` whose opening bracket is at `open`, quotes
    /// inside it read as quotes.
    fn nested(&mut self, open: usize) -> usize {
        let (o, c) = (self.b[open], if self.b[open] == b'(' { b')' } else { b'}' });
        let mut depth = 0usize;
        let mut i = open;
        while let Some(&b) = self.b.get(i) {
            i = match b {
                b'\\' => i + 2,
                b'\'' if o == b'(' => self.single_quoted(i + 1),
                b'"' => self.double_quoted(i + 1),
                b'`' => self.backquoted(i + 1),
                _ if b == o => {
                    depth += 1;
                    i + 1
                }
                _ if b == c => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                    i + 1
                }
                _ => i + 1,
            };
        }
        self.unterminated()
    }

    fn unterminated(&mut self) -> usize {
        self.problems += 1;
        self.b.len()
    }

    /// After `<<`: the here-document's delimiter (`-` for tabs, quotes and backslashes left out),
    /// or None for a shift (`$(( 1 << n ))`) or a delimiter no later line closes.
    fn heredoc_operator(&mut self) -> Option<Pending> {
        let tabs = self.at(self.pos) == b'-';
        let mut i = self.pos + usize::from(tabs);
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        let first = self.at(i);
        if !(first.is_ascii_alphabetic() || matches!(first, b'_' | b'\'' | b'"' | b'\\')) {
            return None;
        }
        let mut delimiter = Vec::new();
        let mut quote = 0u8;
        while let Some(&c) = self.b.get(i) {
            if quote != 0 {
                if c == quote {
                    quote = 0;
                } else if c == b'\n' {
                    return None;
                } else {
                    delimiter.push(c);
                }
            } else if c == b'\'' || c == b'"' {
                quote = c;
            } else if c == b'\\' {
            } else if ends_word(c) || matches!(c, b'<' | b'>') {
                break;
            } else {
                delimiter.push(c);
            }
            i += 1;
        }
        if delimiter.is_empty() || !self.closes_later(&delimiter, tabs, i) {
            return None;
        }
        self.pos = i;
        Some(Pending { delimiter, tabs })
    }

    /// Whether a line after `from` reads `delimiter` alone (tabs before it with `tabs`).
    fn closes_later(&self, delimiter: &[u8], tabs: bool, from: usize) -> bool {
        let mut at = self.line_end(from);
        while at < self.b.len() {
            let end = self.line_end(at + 1);
            if Self::is_delimiter_line(&self.b[at + 1..end], delimiter, tabs) {
                return true;
            }
            at = end;
        }
        false
    }

    fn is_delimiter_line(line: &[u8], delimiter: &[u8], tabs: bool) -> bool {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut k = 0;
        while tabs && line.get(k) == Some(&b'\t') {
            k += 1;
        }
        &line[k..] == delimiter
    }

    /// The bodies of the pending here-documents, from `self.pos` (a line start) on, each one
    /// string token ending with its delimiter line.
    fn heredoc_bodies(&mut self, pending: &mut Vec<Pending>) {
        for doc in pending.drain(..) {
            let start = self.pos;
            let mut at = start;
            loop {
                if at >= self.b.len() {
                    self.problems += 1;
                    break;
                }
                let end = self.line_end(at);
                if Self::is_delimiter_line(&self.b[at..end], &doc.delimiter, doc.tabs) {
                    at = end;
                    break;
                }
                at = end + 1;
            }
            self.pos = at.min(self.b.len());
            if self.pos > start {
                self.push(Kind::Str, start, super::trim_cr(self.b, self.pos));
            }
        }
    }
}

/// Whether the `len` bytes that end `before` form a whole word.
fn ends_word_before(before: &[u8], len: usize) -> bool {
    before.len() == len || ends_word(before[before.len() - len - 1])
}
