//! C preprocessor lines: one token each, and conditional compilation that keeps one branch of
//! each `#if` (the first, or the `#else` of an `#if 0`).

use super::{trim_cr, Kind, Lexer};

impl<'a> Lexer<'a> {
    /// A preprocessor line at `#`: one token to its end (backslash continuations and block comments
    /// included). `#if` keeps its first branch and skips the others; `#if 0` keeps its `#else`.
    pub(super) fn directive(&mut self) {
        let start = self.pos;
        let end = self.directive_end(start);
        self.pos = end;
        let (name, name_end) = self.directive_name(start);
        self.push(Kind::Directive, start, trim_cr(self.b, end));
        match name {
            b"if" | b"ifdef" | b"ifndef" => {
                let arg = self.b[name_end..end].trim_ascii();
                let dead = name == b"if"
                    && (arg == b"0" || arg.starts_with(b"0 ") || arg.starts_with(b"0/"));
                if !dead {
                    self.conds += 1;
                } else if self.skip_branch(true) {
                    // Dead code: its `#else` (if any) is the branch to read.
                    self.conds += 1;
                }
            }
            b"elif" | b"elifdef" | b"elifndef" | b"else" if self.conds > 0 => {
                self.conds -= 1;
                self.skip_branch(false);
            }
            b"endif" => self.conds = self.conds.saturating_sub(1),
            _ => {}
        }
    }

    fn directive_end(&self, start: usize) -> usize {
        let mut i = start;
        loop {
            let end = self.line_end(i);
            // A block comment that starts on this line may carry the directive onto later lines.
            let line = &self.b[i..end];
            if let Some(k) = memchr::memmem::find(line, b"/*") {
                let from = i + k + 2;
                if let Some(close) = memchr::memmem::find(&self.b[from..], b"*/") {
                    let close = from + close + 2;
                    if close > end {
                        i = close;
                        continue;
                    }
                }
            }
            let body = trim_cr(self.b, end);
            if body > i && self.b[body - 1] == b'\\' && end < self.b.len() {
                i = end + 1;
                continue;
            }
            return end;
        }
    }

    /// The name of the directive at `#` (`if`, `define`...) and where it ends.
    fn directive_name(&self, start: usize) -> (&'a [u8], usize) {
        let mut i = start + 1;
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        let from = i;
        while self.at(i).is_ascii_alphabetic() {
            i += 1;
        }
        (&self.b[from..i], i)
    }

    /// Skips lines to the end of the current branch. With `stop_at_else`, stops after an `#else` or
    /// `#elif` of this `#if` (true: a branch to read follows); otherwise runs to its `#endif`.
    fn skip_branch(&mut self, stop_at_else: bool) -> bool {
        let mut depth = 0u32;
        let mut i = self.pos;
        while i < self.b.len() {
            let end = self.line_end(i);
            let mut j = i;
            while matches!(self.at(j), b' ' | b'\t') {
                j += 1;
            }
            if self.at(j) == b'#' {
                let dend = self.directive_end(j);
                let (name, _) = self.directive_name(j);
                match name {
                    b"if" | b"ifdef" | b"ifndef" => depth += 1,
                    b"endif" if depth == 0 => {
                        self.pos = dend;
                        return false;
                    }
                    b"endif" => depth -= 1,
                    b"else" | b"elif" | b"elifdef" | b"elifndef" if depth == 0 && stop_at_else => {
                        self.pos = dend;
                        return true;
                    }
                    _ => {}
                }
                i = dend + 1;
                continue;
            }
            i = end + 1;
        }
        self.pos = self.b.len();
        false
    }
}
