//! Tokens for the outline: identifiers, numbers, strings, punctuation and matched brackets, with
//! comments kept apart. Each language's strings and comments are read as its compiler reads them
//! (raw strings, template literals, JSX, regular expressions, char literals against lifetimes,
//! C++ digit separators), because one quote misread shifts every bracket after it.
//!
//! C and C++ conditional compilation keeps one branch of each `#if`: the first, or the `#else` of
//! an `#if 0`. The other branches often repeat a header with its own `{`, which would unbalance
//! the braces; left out, they stay in the file as lines the outline does not look at.

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

    fn regex_allowed(&self) -> bool {
        match self.last {
            None => true,
            Some((Kind::Ident, s, e)) => REGEX_KEYWORDS.contains(&&self.b[s..e]),
            Some((Kind::Number | Kind::Str, _, _)) => false,
            Some((Kind::Close, s, _)) => self.b[s] == b'}' || self.control_close,
            Some((Kind::Punct, s, e)) => !matches!(&self.b[s..e], b"++" | b"--"),
            _ => true,
        }
    }

    /// A regular expression literal at `/`, or false (then it is division) when none ends on this line.
    fn regex(&mut self) -> bool {
        let start = self.pos;
        let mut i = start + 1;
        let mut class = false;
        while i < self.b.len() {
            match self.b[i] {
                b'\n' => return false,
                b'\\' => i += 1,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    i += 1;
                    while i < self.b.len() && is_ident_char(self.b[i]) {
                        i += 1;
                    }
                    self.pos = i;
                    self.push(Kind::Str, start, i);
                    return true;
                }
                _ => {}
            }
            i += 1;
        }
        false
    }

    fn jsx_allowed(&self) -> bool {
        if !matches!(self.lang, Lang::JavaScript | Lang::Tsx) {
            return false;
        }
        let next = self.at(self.pos + 1);
        if !(next.is_ascii_alphabetic() || next == b'>') {
            return false;
        }
        match self.last {
            None => true,
            Some((Kind::Ident, s, e)) => {
                matches!(
                    &self.b[s..e],
                    b"return" | b"yield" | b"default" | b"case" | b"await"
                )
            }
            Some((Kind::Open, _, _)) => true,
            Some((Kind::Punct, s, e)) => matches!(
                &self.b[s..e],
                b"=" | b"," | b":" | b"?" | b"=>" | b"&&" | b"||" | b"??" | b"!"
            ),
            _ => false,
        }
    }

    /// A JSX element at `<` read to its end (nested elements and `{}` expressions included), or
    /// false when it does not close.
    fn jsx(&mut self) -> bool {
        let save = (self.pos, self.problems, self.last);
        self.quiet += 1;
        let ok = self.jsx_element();
        self.quiet -= 1;
        if !ok {
            // Where an expression starts, `<` can only open JSX: one that does not close is a problem.
            (self.pos, self.problems, self.last) = save;
            self.problems += 1;
        }
        ok
    }

    fn jsx_element(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            // At `<`: an opening, closing or self-closing tag.
            let closing = self.at(self.pos + 1) == b'/';
            if !self.jsx_tag() {
                return false;
            }
            let self_closing = self.b[self.pos - 2] == b'/';
            if closing {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            } else if !self_closing {
                depth += 1;
            }
            if depth == 0 {
                return true;
            }
            // Children: text, `{expression}`, then the next tag.
            loop {
                match self.b.get(self.pos) {
                    None => return false,
                    Some(b'<') => break,
                    Some(b'{') => {
                        self.pos += 1;
                        self.run(true);
                    }
                    Some(_) => self.pos += 1,
                }
            }
        }
    }

    /// Past one tag `<...>` (attributes with strings and `{}` values); false at the end of input.
    fn jsx_tag(&mut self) -> bool {
        self.pos += 1;
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'>' => {
                    self.pos += 1;
                    return true;
                }
                b'"' | b'\'' => match memchr::memchr(c, &self.b[self.pos + 1..]) {
                    Some(i) => self.pos += i + 2,
                    None => return false,
                },
                b'{' => {
                    self.pos += 1;
                    self.run(true);
                }
                _ => self.pos += 1,
            }
        }
        false
    }

    fn template(&mut self) {
        self.pos += 1;
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'\\' => self.pos += 2,
                b'`' => {
                    self.pos += 1;
                    return;
                }
                b'$' if self.at(self.pos + 1) == b'{' => {
                    self.pos += 2;
                    self.quiet += 1;
                    self.run(true);
                    self.quiet -= 1;
                }
                _ => self.pos += 1,
            }
        }
        self.problems += 1;
        self.pos = self.b.len();
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

    /// Rust `r#"..."#`: as many `#` close it as opened it. `r#ident` is a raw identifier.
    fn rust_raw(&mut self, start: usize) {
        let mut i = self.pos;
        let mut hashes = 0;
        while self.at(i) == b'#' {
            hashes += 1;
            i += 1;
        }
        if self.at(i) != b'"' {
            // `r#type`: a raw identifier.
            while i < self.b.len() && is_ident_char(self.b[i]) {
                i += 1;
            }
            self.pos = i;
            self.push(Kind::Ident, start, i);
            return;
        }
        i += 1;
        loop {
            match memchr::memchr(b'"', &self.b[i.min(self.b.len())..]) {
                None => {
                    self.problems += 1;
                    i = self.b.len();
                    break;
                }
                Some(k) => {
                    i += k + 1;
                    if self.b[i..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == b'#')
                        .count()
                        == hashes
                    {
                        i += hashes;
                        break;
                    }
                }
            }
        }
        self.pos = i;
        self.push(Kind::Str, start, i);
    }

    /// C++ `R"delim( ... )delim"`.
    fn cpp_raw(&mut self, start: usize) {
        let open = self.pos + 1;
        let paren = self.b[open..]
            .iter()
            .take(17)
            .position(|&c| c == b'(')
            .map(|k| open + k);
        let Some(paren) = paren else {
            self.quote_with(start, b'"', false);
            return;
        };
        let mut close = Vec::with_capacity(paren - open + 2);
        close.push(b')');
        close.extend_from_slice(&self.b[open..paren]);
        close.push(b'"');
        let end = memchr::memmem::find(&self.b[paren..], &close).map(|k| paren + k + close.len());
        if end.is_none() {
            self.problems += 1;
        }
        self.pos = end.unwrap_or(self.b.len());
        self.push(Kind::Str, start, self.pos);
    }

    fn quote(&mut self, start: usize, q: u8) {
        if q == b'\'' && self.lang == Lang::Rust && !self.rust_char_ahead(start) {
            // A lifetime or a label: `'a`.
            let mut i = start + 1;
            while i < self.b.len() && is_ident_char(self.b[i]) {
                i += 1;
            }
            self.pos = i.max(start + 1);
            self.push(Kind::Ident, start, self.pos);
            return;
        }
        self.quote_with(start, q, false);
    }

    fn rust_char_ahead(&self, start: usize) -> bool {
        let next = self.at(start + 1);
        if next == b'\\' {
            return true;
        }
        self.at(start + 1 + utf8_len(next)) == b'\''
    }

    /// A quoted literal whose opening quote is at `self.pos` (`start` may include a prefix). In a
    /// Python f-string, each `{...}` field is read as code (it may hold strings with the same quote).
    fn quote_with(&mut self, start: usize, q: u8, fstring: bool) {
        let open = self.pos;
        let triple = (self.lang == Lang::Python || (self.lang == Lang::Java && q == b'"'))
            && self.at(open + 1) == q
            && self.at(open + 2) == q;
        let mut i = open + if triple { 3 } else { 1 };
        // A backslash keeps the next character inside, raw string or not.
        loop {
            let Some(&c) = self.b.get(i) else {
                self.problems += 1;
                break;
            };
            if c == b'\\' {
                i += 2;
            } else if fstring && c == b'{' {
                if self.at(i + 1) == b'{' {
                    i += 2;
                } else {
                    self.pos = i + 1;
                    self.quiet += 1;
                    self.run(true);
                    self.quiet -= 1;
                    i = self.pos;
                }
            } else if c == q {
                if !triple {
                    i += 1;
                    break;
                }
                if self.at(i + 1) == q && self.at(i + 2) == q {
                    i += 3;
                    break;
                }
                i += 1;
            } else if c == b'\n' && !triple {
                self.problems += 1;
                break;
            } else {
                // Straight to the next byte that can end, escape or interrupt the string.
                let rest = &self.b[i + 1..];
                let skip = match (triple, fstring) {
                    (true, false) => memchr::memchr2(b'\\', q, rest),
                    (true, true) => memchr::memchr3(b'\\', q, b'{', rest),
                    (false, false) => memchr::memchr3(b'\\', q, b'\n', rest),
                    (false, true) => Some(0),
                };
                i += 1 + skip.unwrap_or(rest.len());
            }
        }
        self.pos = i.min(self.b.len());
        self.push(Kind::Str, start, self.pos);
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

    /// A preprocessor line at `#`: one token to its end (backslash continuations and block comments
    /// included). `#if` keeps its first branch and skips the others; `#if 0` keeps its `#else`.
    fn directive(&mut self) {
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
