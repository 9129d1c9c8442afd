//! Tokens for the outline: identifiers, numbers, strings, punctuation and matched brackets, with
//! comments kept apart. Each language's strings and comments are read as its compiler reads them
//! (raw strings, template literals, JSX, regular expressions, char literals against lifetimes,
//! C++ digit separators), because one quote misread shifts every bracket after it.
//!
//! C and C++ conditional compilation keeps one branch of each `#if`: the first, or the `#else` of
//! an `#if 0`. The other branches often repeat a header with its own `{`, which would unbalance
//! the braces; left out, they stay in the file as lines the outline does not look at.

mod literals;
mod preproc;
mod shell;

use super::{Lang, Source};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Ident,
    Number,
    Str,
    Punct,
    Open,
    Close,
    /// A C preprocessor line, continuation lines included.
    Directive,
}

/// No partner: an unmatched bracket.
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    /// 0-based lines of the first and the last byte.
    pub line: u32,
    pub end_line: u32,
    /// For a bracket, the index of its partner (or [`NONE`]).
    pub mate: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct Comment {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub end_line: u32,
}

pub struct Tokens {
    pub toks: Vec<Token>,
    pub comments: Vec<Comment>,
    /// Unmatched brackets and unterminated strings or comments.
    pub problems: usize,
    /// Token indexes of the unmatched brackets.
    pub unmatched: Vec<u32>,
}

const REGEX_KEYWORDS: [&[u8]; 13] = [
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
];

struct Lexer<'a> {
    b: &'a [u8],
    lang: Lang,
    pos: usize,
    toks: Vec<Token>,
    comments: Vec<Comment>,
    problems: usize,
    /// Above zero inside a nested region (template `${}`, JSX) whose tokens are skipped, not kept.
    quiet: u32,
    /// The last token read, kept or not: whether `/` starts a regular expression depends on it.
    last: Option<(Kind, usize, usize)>,
    /// C conditional compilation: one entry per open `#if` whose kept branch is being read.
    conds: u32,
    /// For each open `(`: whether it opens an `if`/`while`/`for`/`with` header (JavaScript).
    parens: Vec<bool>,
    /// The last token is a `)` closing such a header: a `/` after it starts a regular expression.
    control_close: bool,
}

/// Byte classes, looked up rather than compared: blanks and identifier bytes are most of any source.
const BLANK: u8 = 1;
const IDENT: u8 = 2;
const IDENT_START: u8 = 4;

const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c) {
            table[c] = BLANK;
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80 {
            table[c] = IDENT | IDENT_START;
        } else if b.is_ascii_digit() {
            table[c] = IDENT;
        }
        c += 1;
    }
    table
};

fn is_ident_start(c: u8) -> bool {
    CLASSES[c as usize] & IDENT_START != 0
}

fn is_ident_char(c: u8) -> bool {
    CLASSES[c as usize] & IDENT != 0
}

/// The end of the run of blanks starting at `i`.
fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    // Indentation: eight spaces at a time.
    while i + 8 <= b.len() && b[i..i + 8] == *b"        " {
        i += 8;
    }
    while i < b.len() && CLASSES[b[i] as usize] & BLANK != 0 {
        i += 1;
    }
    i
}

fn utf8_len(c: u8) -> usize {
    match c {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.last = Some((kind, start, end));
        self.control_close = false;
        if self.quiet == 0 {
            self.toks.push(Token {
                kind,
                start: start as u32,
                end: end as u32,
                line: 0,
                end_line: 0,
                mate: NONE,
            });
        }
    }

    fn comment(&mut self, start: usize, end: usize) {
        if self.quiet == 0 {
            self.comments.push(Comment {
                start: start as u32,
                end: end as u32,
                line: 0,
                end_line: 0,
            });
        }
    }

    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.b[from.min(self.b.len())..]).map_or(self.b.len(), |i| from + i)
    }

    /// Reads tokens to the end, or (when `nested`) to the `}` that closes the region it is in.
    fn run(&mut self, nested: bool) {
        let mut depth = 0u32;
        while self.pos < self.b.len() {
            // Blanks (indentation above all) in a tight loop rather than one dispatch each.
            self.pos = skip_blanks(self.b, self.pos);
            let Some(&c) = self.b.get(self.pos) else {
                break;
            };
            let start = self.pos;
            match c {
                b'#' if self.lang == Lang::Python => {
                    self.pos = self.line_end(start);
                    self.comment(start, self.pos);
                }
                b'#' if self.lang.is_c() && self.starts_line(start) => self.directive(),
                b'/' if self.lang != Lang::Python && self.at(start + 1) == b'/' => {
                    let mut end = self.line_end(start);
                    if self.at(end.saturating_sub(1)) == b'\r' {
                        end -= 1;
                    }
                    self.pos = self.line_end(start);
                    self.comment(start, end);
                }
                b'/' if self.lang != Lang::Python && self.at(start + 1) == b'*' => {
                    self.block_comment()
                }
                b'/' if self.lang.is_js() && self.regex_allowed() && self.regex() => {}
                b'"' | b'\'' => self.quote(start, c),
                b'`' if self.lang == Lang::Go => {
                    match memchr::memchr(b'`', &self.b[start + 1..]) {
                        Some(i) => self.pos = start + i + 2,
                        None => {
                            self.problems += 1;
                            self.pos = self.b.len();
                        }
                    }
                    self.push(Kind::Str, start, self.pos);
                }
                b'`' if self.lang.is_js() => {
                    self.template();
                    self.push(Kind::Str, start, self.pos);
                }
                b'0'..=b'9' => self.number(),
                b'.' if self.at(start + 1).is_ascii_digit() => self.number(),
                b'<' if self.jsx_allowed() && self.jsx() => self.push(Kind::Str, start, self.pos),
                b'{' | b'(' | b'[' => {
                    if c == b'{' {
                        depth += 1;
                    }
                    if c == b'(' && self.lang.is_js() {
                        let control = matches!(self.last, Some((Kind::Ident, s, e))
                            if matches!(&self.b[s..e], b"if" | b"while" | b"for" | b"with"));
                        self.parens.push(control);
                    }
                    self.pos += 1;
                    self.push(Kind::Open, start, self.pos);
                }
                b'}' | b')' | b']' => {
                    if c == b'}' {
                        if nested && depth == 0 {
                            self.pos += 1;
                            return;
                        }
                        depth = depth.saturating_sub(1);
                    }
                    self.pos += 1;
                    self.push(Kind::Close, start, self.pos);
                    if c == b')' && self.lang.is_js() {
                        self.control_close = self.parens.pop().unwrap_or(false);
                    }
                }
                _ if is_ident_start(c) => self.word(),
                _ => self.punct(),
            }
        }
    }

    fn starts_line(&self, at: usize) -> bool {
        self.b[..at]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|c| c.is_ascii_whitespace())
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let nested = self.lang == Lang::Rust;
        let mut depth = 0usize;
        let mut i = start;
        loop {
            match memchr::memchr2(b'*', b'/', &self.b[i..]) {
                None => {
                    self.problems += 1;
                    i = self.b.len();
                    break;
                }
                Some(k) => {
                    let j = i + k;
                    if self.b[j] == b'/' && self.at(j + 1) == b'*' && (nested || depth == 0) {
                        depth += 1;
                        i = j + 2;
                    } else if self.b[j] == b'*' && self.at(j + 1) == b'/' {
                        i = j + 2;
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i = j + 1;
                    }
                }
            }
        }
        self.pos = i;
        self.comment(start, i);
    }

    fn number(&mut self) {
        let start = self.pos;
        let c_like = self.lang.is_c();
        let mut i = start + 1;
        while i < self.b.len() {
            let c = self.b[i];
            let exponent =
                (c == b'+' || c == b'-') && matches!(self.b[i - 1], b'e' | b'E' | b'p' | b'P');
            // C++14 digit separators: `1'000'000`.
            let separator = c == b'\'' && c_like && self.at(i + 1).is_ascii_alphanumeric();
            if !(is_ident_char(c) || c == b'.' || exponent || separator) {
                break;
            }
            i += 1;
        }
        self.pos = i;
        self.push(Kind::Number, start, i);
    }

    /// An identifier, or the prefix of a string literal (`r"..."`, `b'x'`, `u8R"(...)"`, `f"..."`).
    fn word(&mut self) {
        let start = self.pos;
        let mut i = start + 1;
        while i < self.b.len() && is_ident_char(self.b[i]) {
            i += 1;
        }
        let word = &self.b[start..i];
        let next = self.at(i);
        if next == b'"' || next == b'\'' || (next == b'#' && self.lang == Lang::Rust) {
            if let Some(raw) = self.string_prefix(word, next) {
                self.pos = i;
                let fstring =
                    self.lang == Lang::Python && word.iter().any(|c| c.eq_ignore_ascii_case(&b'f'));
                match (self.lang, raw) {
                    (Lang::Rust, true) => self.rust_raw(start),
                    (Lang::C | Lang::Cpp, true) => self.cpp_raw(start),
                    _ => self.quote_with(start, next, fstring),
                }
                return;
            }
        }
        self.pos = i;
        self.push(Kind::Ident, start, i);
    }

    /// Whether `word` right before a quote is a string prefix, and whether the string is raw.
    fn string_prefix(&self, word: &[u8], next: u8) -> Option<bool> {
        let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
        match self.lang {
            Lang::Python => {
                let ok = word.len() <= 2 && lower.iter().all(|c| b"rbuf".contains(c));
                ok.then(|| lower.contains(&b'r'))
            }
            Lang::Rust => match word {
                b"r" | b"br" | b"cr" => Some(true),
                b"b" | b"c" if next != b'#' => Some(false),
                _ => None,
            },
            Lang::C | Lang::Cpp => match word {
                b"L" | b"u" | b"U" | b"u8" => Some(false),
                b"R" | b"LR" | b"uR" | b"UR" | b"u8R" if next == b'"' => Some(true),
                _ => None,
            },
            _ => None,
        }
    }

    fn punct(&mut self) {
        let start = self.pos;
        let rest = &self.b[start..self.b.len().min(start + 3)];
        let len =
            if rest.starts_with(b"===") || rest.starts_with(b"!==") || rest.starts_with(b"...") {
                3
            } else if rest.len() >= 2
                && matches!(
                    &rest[..2],
                    b"=>"
                        | b"->"
                        | b"::"
                        | b"||"
                        | b"&&"
                        | b":="
                        | b"=="
                        | b"!="
                        | b"<="
                        | b">="
                        | b"++"
                        | b"--"
                        | b"??"
                        | b"?."
                )
            {
                2
            } else {
                utf8_len(rest[0]).min(rest.len())
            };
        self.pos = start + len;
        self.push(Kind::Punct, start, self.pos);
    }
}

fn trim_cr(b: &[u8], end: usize) -> usize {
    if end > 0 && b.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// The tokens and comments of `text` in `lang`, brackets matched, lines filled in.
pub fn lex(src: &Source, lang: Lang) -> Tokens {
    let text = src.text;
    let mut lx = Lexer {
        b: text.as_bytes(),
        lang,
        pos: 0,
        toks: Vec::with_capacity(text.len() / 5),
        comments: Vec::new(),
        problems: 0,
        quiet: 0,
        last: None,
        conds: 0,
        parens: Vec::new(),
        control_close: false,
    };
    if text.starts_with("#!") && lang != Lang::Python {
        // A shebang line (`#!/usr/bin/env node`) is not code.
        lx.pos = lx.line_end(0);
    }
    if lang == Lang::Shell {
        lx.shell();
    }
    while lx.pos < lx.b.len() {
        lx.run(false);
        if lx.pos < lx.b.len() {
            // A `}` closing nothing at the top: keep it as a bracket and go on.
            let start = lx.pos;
            lx.pos += 1;
            lx.push(Kind::Close, start, lx.pos);
        }
    }
    let mut toks = Tokens {
        toks: lx.toks,
        comments: lx.comments,
        problems: lx.problems,
        unmatched: Vec::new(),
    };
    fill_lines(src, &mut toks);
    match_brackets(text.as_bytes(), &mut toks);
    toks
}

/// Fills in each token's and comment's lines from the line starts (both lists are in text order).
fn fill_lines(src: &Source, toks: &mut Tokens) {
    fn fill(src: &Source, spans: &mut dyn Iterator<Item = (u32, u32, &mut u32, &mut u32)>) {
        let mut line = 0usize;
        let lines = src.len();
        for (start, end, first, last) in spans {
            while line + 1 < lines && src.line_start(line + 1) <= start as usize {
                line += 1;
            }
            *first = line as u32;
            let stop = (end as usize).max(start as usize + 1) - 1;
            let mut l = line;
            while l + 1 < lines && src.line_start(l + 1) <= stop {
                l += 1;
            }
            *last = l as u32;
        }
    }
    fill(
        src,
        &mut toks
            .toks
            .iter_mut()
            .map(|t| (t.start, t.end, &mut t.line, &mut t.end_line)),
    );
    fill(
        src,
        &mut toks
            .comments
            .iter_mut()
            .map(|c| (c.start, c.end, &mut c.line, &mut c.end_line)),
    );
}

fn partner(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn match_brackets(b: &[u8], toks: &mut Tokens) {
    let mut stack: Vec<u32> = Vec::new();
    for i in 0..toks.toks.len() {
        let t = toks.toks[i];
        match t.kind {
            Kind::Open => stack.push(i as u32),
            Kind::Close => {
                let c = b[t.start as usize];
                // The nearest opener of this kind, unless it lies under more than a few others.
                let found = stack
                    .iter()
                    .rev()
                    .take(4)
                    .position(|&o| partner(b[toks.toks[o as usize].start as usize]) == c);
                match found {
                    Some(k) => {
                        for _ in 0..k {
                            let o = stack.pop().unwrap_or(0);
                            toks.unmatched.push(o);
                        }
                        let o = stack.pop().unwrap_or(0);
                        toks.toks[o as usize].mate = i as u32;
                        toks.toks[i].mate = o;
                    }
                    None => toks.unmatched.push(i as u32),
                }
            }
            _ => {}
        }
    }
    toks.unmatched.extend(stack);
    toks.unmatched.sort_unstable();
    toks.problems += toks.unmatched.len();
}
