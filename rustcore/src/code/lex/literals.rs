//! The literals that hide brackets: quoted strings (triple-quoted, raw, Python f-string fields),
//! JavaScript templates, regular expressions and JSX, read as each language reads them.

use super::{is_ident_char, utf8_len, Kind, Lang, Lexer, REGEX_KEYWORDS};

impl Lexer<'_> {
    pub(super) fn regex_allowed(&self) -> bool {
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
    pub(super) fn regex(&mut self) -> bool {
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

    pub(super) fn jsx_allowed(&self) -> bool {
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
    pub(super) fn jsx(&mut self) -> bool {
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

    pub(super) fn template(&mut self) {
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

    /// Rust `r#"..."#`: as many `#` close it as opened it. `r#ident` is a raw identifier.
    pub(super) fn rust_raw(&mut self, start: usize) {
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
    pub(super) fn cpp_raw(&mut self, start: usize) {
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

    pub(super) fn quote(&mut self, start: usize, q: u8) {
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
    pub(super) fn quote_with(&mut self, start: usize, q: u8, fstring: bool) {
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
}
