//! What a bracketed block is, told by the tokens before it: a function body (`) {` after a name, `=>
//! {`, `fn name(...) -> T {`), a container (`class X {`, `impl T for U {`), bracketed data (`= {`,
//! `[` where an expression starts), or plain statements; and for a definition, where it starts,
//! where the statement that binds it starts, and the names it goes by. The navigation between
//! tokens lives here; each language family's reading of them in a module of its own.

mod c;
mod go;
mod java;
mod js;
mod rust;

use super::lex::{Kind, Token, NONE};
use super::{Lang, Source};

/// What kind of block holds a token: it decides what a `name(...) {` means there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    File,
    /// A class, struct, interface, impl, namespace body (or an anonymous class body).
    Class,
    /// A function body, or any block inside one.
    Func,
    /// Bracketed data: object and array literals, initializer lists, composite literals.
    Data,
    /// Parentheses (arguments, parameters, conditions) and other blocks outside functions.
    Other,
}

#[derive(Debug)]
pub(super) struct Found {
    /// The definition's own first token (`function`, modifiers, `[` of a lambda...).
    pub node_start: usize,
    /// The first token of the statement it stands for (export, `const x =`, decorators, template).
    pub extent_start: usize,
    /// Its own name (may be qualified: `Foo::bar`), empty for an anonymous one.
    pub path: Vec<String>,
    /// The name it is bound to: assignment target, declared variable, object key.
    pub bound: Vec<String>,
    pub receiver: Option<String>,
    /// The extent is a statement: a `;` right after the block belongs to it.
    pub statement: bool,
}

impl Found {
    /// A definition that starts its own statement at `start`, bound to no other name.
    pub fn at(start: usize, path: Vec<String>) -> Found {
        Found {
            node_start: start,
            extent_start: start,
            path,
            bound: Vec::new(),
            receiver: None,
            statement: false,
        }
    }
}

#[derive(Debug)]
pub(super) enum Class {
    Function(Found),
    Container(Found),
    /// Bracketed data whose interior may be elided when long.
    Data,
    /// Statements, members or parameters.
    Block,
    /// A class body that defines nothing by itself (`new Foo() {...}` in Java).
    Members,
    /// A macro's token tree: nothing inside is looked at.
    Opaque,
}

/// A brace that opens its group (nothing before it): data inside data, else a plain block.
fn bare_brace(ctx: Ctx) -> Class {
    if ctx == Ctx::Data {
        Class::Data
    } else {
        Class::Block
    }
}

pub(super) struct Cx<'a> {
    pub src: &'a Source<'a>,
    pub toks: &'a [Token],
    pub lang: Lang,
}

pub(super) fn ident_words(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let s = i;
            while i < text.len()
                && (text[i].is_ascii_alphanumeric() || text[i] == b'_' || text[i] == b'$')
            {
                i += 1;
            }
            out.push(String::from_utf8_lossy(&text[s..i]).into_owned());
        } else {
            i += 1;
        }
    }
    out
}

impl<'a> Cx<'a> {
    pub fn text(&self, i: usize) -> &'a [u8] {
        let t = &self.toks[i];
        &self.src.bytes[t.start as usize..t.end as usize]
    }

    pub fn is(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.text(i) == s.as_bytes()
    }

    pub fn is_any(&self, i: usize, set: &[&str]) -> bool {
        i < self.toks.len() && set.iter().any(|s| self.text(i) == s.as_bytes())
    }

    pub fn kind(&self, i: usize) -> Kind {
        self.toks[i].kind
    }

    pub fn is_ident(&self, i: usize) -> bool {
        self.toks[i].kind == Kind::Ident
    }

    /// An opening bracket `c` with a partner.
    pub fn is_group(&self, i: usize, c: u8) -> bool {
        let t = &self.toks[i];
        t.kind == Kind::Open && t.mate != NONE && self.src.bytes[t.start as usize] == c
    }

    pub fn mate(&self, i: usize) -> usize {
        self.toks[i].mate as usize
    }

    /// The unit before token `i`: the previous token, or the opener of the group that ends there;
    /// None at the start of the enclosing group.
    pub fn back(&self, i: usize) -> Option<usize> {
        let k = i.checked_sub(1)?;
        let t = &self.toks[k];
        match t.kind {
            Kind::Close if t.mate != NONE && (t.mate as usize) < k => Some(t.mate as usize),
            Kind::Open => None,
            _ => Some(k),
        }
    }

    /// The last token of unit `u` (its closing bracket for a group).
    pub fn unit_end(&self, u: usize) -> usize {
        let t = &self.toks[u];
        if t.kind == Kind::Open && t.mate != NONE && t.mate as usize > u {
            t.mate as usize
        } else {
            u
        }
    }

    /// How token `i` changes the nesting of generic brackets: +1 for `<`, -1 for `>`, else 0. The
    /// lexer makes no groups of them (either may be a comparison), so generics are matched by counting.
    fn angle(&self, i: usize) -> i32 {
        if self.is(i, "<") {
            1
        } else if self.is(i, ">") {
            -1
        } else {
            0
        }
    }

    /// The token after the generic brackets that open at `open` (a `<`): past its matching `>`, or
    /// `end` when none closes before it.
    fn skip_angles(&self, open: usize, end: usize) -> usize {
        let mut depth = 0;
        let mut i = open;
        while i < end {
            depth += self.angle(i);
            i += 1;
            if depth == 0 {
                break;
            }
        }
        i
    }

    /// The unit before the generic brackets that close at `close` (a `>`: `name<T>(`); None when
    /// the enclosing group starts first.
    fn before_angles(&self, close: usize) -> Option<usize> {
        let mut depth = 0;
        let mut at = close + 1;
        loop {
            let u = self.back(at)?;
            depth -= self.angle(u);
            if depth == 0 {
                return self.back(u);
            }
            at = u;
        }
    }

    fn words(&self, from: usize, to: usize) -> Vec<String> {
        if from > to || to >= self.toks.len() {
            return Vec::new();
        }
        let s = self.toks[from].start as usize;
        let e = self.toks[to].end as usize;
        ident_words(&self.src.bytes[s..e])
    }

    /// The unit before `i` that is not one of `skip`.
    fn back_over(&self, mut i: usize, skip: &[&str]) -> Option<usize> {
        loop {
            let u = self.back(i)?;
            if !self.is_any(u, skip) {
                return Some(u);
            }
            i = u;
        }
    }

    /// A keyword of `kinds` among the units before `i` in the same statement (at most `limit`
    /// units back; none of `stops` in between).
    fn keyword_back(
        &self,
        i: usize,
        kinds: &[&str],
        stops: &[&str],
        limit: usize,
    ) -> Option<usize> {
        let mut at = i;
        for _ in 0..limit {
            let u = self.back(at)?;
            if self.is_any(u, kinds) {
                return Some(u);
            }
            if self.is_any(u, stops) || self.is_group(u, b'{') || self.kind(u) == Kind::Directive {
                return None;
            }
            at = u;
        }
        None
    }

    /// Whether `u` can end an expression (so a bracket after it indexes or calls it).
    fn ends_operand(&self, u: usize) -> bool {
        match self.kind(u) {
            Kind::Ident => !self.is_keyword(u),
            Kind::Number | Kind::Str | Kind::Close => true,
            Kind::Open => self.unit_end(u) != u,
            _ => false,
        }
    }

    fn is_keyword(&self, u: usize) -> bool {
        const KEYWORDS: &[&str] = &[
            "return",
            "in",
            "of",
            "if",
            "else",
            "yield",
            "await",
            "case",
            "default",
            "throw",
            "new",
            "typeof",
            "delete",
            "void",
            "for",
            "while",
            "do",
            "instanceof",
            "sizeof",
            "co_return",
            "co_yield",
            "go",
            "defer",
            "select",
            "switch",
            "match",
            "loop",
            "let",
            "const",
            "var",
        ];
        self.is_any(u, KEYWORDS)
    }

    pub fn classify(&self, o: usize, ctx: Ctx) -> Class {
        let c = self.src.bytes[self.toks[o].start as usize];
        if self.lang == Lang::Rust && self.back(o).is_some_and(|p| self.is(p, "!")) {
            return Class::Opaque;
        }
        match c {
            b'{' => match self.lang {
                Lang::JavaScript | Lang::TypeScript | Lang::Tsx => self.js_brace(o, ctx),
                Lang::Go => self.go_brace(o, ctx),
                Lang::Rust => self.rust_brace(o, ctx),
                Lang::Java => self.java_brace(o, ctx),
                Lang::C | Lang::Cpp => self.c_brace(o, ctx),
                Lang::Python | Lang::Shell => Class::Data,
            },
            b'[' => self.bracket(o, ctx),
            _ => Class::Block,
        }
    }

    /// `[`: an array literal where an expression starts (not an index, a type or an attribute).
    fn bracket(&self, o: usize, ctx: Ctx) -> Class {
        if !matches!(
            self.lang,
            Lang::Rust | Lang::JavaScript | Lang::TypeScript | Lang::Tsx
        ) {
            return Class::Block;
        }
        // Back over unary `&`, `*`, `-`, `!`: what comes before them says whether an expression starts.
        let mut at = o;
        let mut unary = false;
        let data = loop {
            match self.back(at) {
                None => break ctx == Ctx::Data || unary,
                Some(p) if self.is_any(p, &["&", "&&", "*", "-", "!"]) => {
                    unary = true;
                    at = p;
                }
                Some(p) => {
                    break !self.ends_operand(p)
                        && !self.is_any(p, &["#", "!", ":", "->", "@", "<", ">"])
                        || unary && self.is_any(p, &["=", "(", ","]);
                }
            }
        };
        if data {
            Class::Data
        } else {
            Class::Block
        }
    }

    /// For `=` at `eq`: the assigned name (`a.b.c`, `const x`, `let x: T`) and its first token.
    fn assignment_target(&self, eq: usize) -> Option<(Vec<String>, usize)> {
        let mut at = eq;
        let mut first = None;
        let mut saw_colon = false;
        for _ in 0..24 {
            let Some(u) = self.back(at) else { break };
            // A line break ends the target, unless a `.` joins the lines (a statement may lack its `;`).
            let joined = self.is_any(u, &[".", "?."]) || self.is_any(at, &[".", "?.", "="]);
            if self.toks[self.unit_end(u)].end_line < self.toks[at].line && !joined {
                break;
            }
            if self.is_any(
                u,
                &[
                    "const", "let", "var", "static", "final", "pub", "mut", "auto",
                ],
            ) {
                first = Some(u);
                at = u;
                continue;
            }
            let word = self.is_ident(u) && !self.is_keyword(u);
            if word
                || self.is_any(u, &[".", "?.", "::", "->"])
                || self.is_group(u, b'[')
                || saw_colon && self.kind(u) != Kind::Punct
            {
                first = Some(u);
                at = u;
                continue;
            }
            if self.is(u, ":") && self.lang.is_js() && !saw_colon {
                saw_colon = true;
                at = u;
                continue;
            }
            break;
        }
        let first = first?;
        let colon = (first..eq).find(|&k| self.is(k, ":"));
        let end = colon.unwrap_or(eq);
        let words: Vec<String> = self
            .words(first, end.saturating_sub(1))
            .into_iter()
            .filter(|w| {
                ![
                    "const", "let", "var", "static", "final", "pub", "mut", "auto",
                ]
                .contains(&w.as_str())
            })
            .collect();
        (!words.is_empty()).then_some((words, first))
    }

    /// The first token of the member declared at `i`: back over its type, modifiers and annotations
    /// to the end of the previous member.
    fn member_start(&self, i: usize) -> usize {
        let mut start = i;
        let mut at = i;
        for _ in 0..64 {
            let Some(u) = self.back(at) else { break };
            if self.is_any(u, &[";", "}", "{", "=", "->", ","]) && !self.is_group(u, b'(')
                || self.is_group(u, b'{')
                || self.kind(u) == Kind::Directive
                || self.kind(u) == Kind::Close
            {
                break;
            }
            if self.is(u, ":")
                && self
                    .back(u)
                    .is_some_and(|b| self.is_any(b, &["public", "private", "protected"]))
            {
                break;
            }
            if self.toks[self.unit_end(u)].end_line + 1 < self.toks[start].line {
                break; // a blank line
            }
            start = u;
            at = u;
        }
        start
    }
}
