//! A source text with its lines: `\n` ends a line (a `\r` before it belongs to the line end), as the
//! store numbers them.

pub struct Source<'a> {
    pub text: &'a str,
    pub bytes: &'a [u8],
    /// Byte offset of each line start, then the text length.
    starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 2);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        if *starts.last().unwrap_or(&0) != bytes.len() {
            starts.push(bytes.len());
        }
        Source {
            text,
            bytes,
            starts,
        }
    }

    /// How many lines the text has (a final newline starts no line).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The 0-based line holding byte `at` (clamped to the text).
    pub fn line_of(&self, at: usize) -> usize {
        let i = self.starts.partition_point(|&s| s <= at);
        i.saturating_sub(1).min(self.len().saturating_sub(1))
    }

    /// The lines of the bytes `start..end` (an empty range is on the line of `start`).
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        (
            self.line_of(start),
            self.line_of(end.saturating_sub(1).max(start)),
        )
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.len())]
    }

    /// Line `line` with its line end.
    pub fn line(&self, line: usize) -> &'a str {
        &self.text[self.starts[line]..self.starts[line + 1]]
    }

    /// Line `line` without its line end.
    pub fn body(&self, line: usize) -> &'a str {
        let l = self.line(line);
        let l = l.strip_suffix('\n').unwrap_or(l);
        l.strip_suffix('\r').unwrap_or(l)
    }

    pub fn indent(&self, line: usize) -> &'a str {
        let l = self.line(line);
        let n = l.bytes().take_while(|&c| c == b' ' || c == b'\t').count();
        &l[..n]
    }

    pub fn is_blank(&self, line: usize) -> bool {
        self.line(line).trim().is_empty()
    }

    /// The bytes of the line of `at` before it.
    pub fn before_on_line(&self, at: usize) -> &'a [u8] {
        &self.bytes[self.starts[self.line_of(at)]..at]
    }

    /// The bytes after `at` to the end of the line holding the byte before `at`.
    pub fn after_on_line(&self, at: usize) -> &'a [u8] {
        let line = self.line_of(at.saturating_sub(1));
        &self.bytes[at.min(self.starts[line + 1])..self.starts[line + 1]]
    }

    /// Nothing but blanks before `at` on its line.
    pub fn starts_line(&self, at: usize) -> bool {
        self.bytes[..at.min(self.bytes.len())]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(u8::is_ascii_whitespace)
    }

    /// Nothing after `at` on its line but blanks or a comment starting with `lead`.
    pub fn rest_is_comment(&self, at: usize, lead: &[u8]) -> bool {
        let rest = self.after_on_line(at).trim_ascii();
        rest.is_empty() || rest.starts_with(lead)
    }

    /// The indent of the first non-blank line in `first..=last`, or "".
    pub fn first_indent(&self, first: usize, last: usize) -> &'a str {
        (first..=last.min(self.len().saturating_sub(1)))
            .find(|&i| !self.is_blank(i))
            .map_or("", |i| self.indent(i))
    }
}
