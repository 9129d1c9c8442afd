//! What a bracketed block is, told by the tokens before it: a function body (`) {` after a name, `=>
//! {`, `fn name(...) -> T {`), a container (`class X {`, `impl T for U {`), bracketed data (`= {`,
//! `[` where an expression starts), or plain statements; and for a definition, where it starts,
//! where the statement that binds it starts, and the names it goes by.

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

pub(super) struct Cx<'a> {
    pub src: &'a Source<'a>,
    pub toks: &'a [Token],
    pub lang: Lang,
}

const JS_CONTROL: &[&str] = &["if", "for", "while", "switch", "catch", "with"];
const JS_MODIFIERS: &[&str] = &[
    "static",
    "async",
    "get",
    "set",
    "*",
    "public",
    "private",
    "protected",
    "readonly",
    "override",
    "abstract",
    "declare",
    "accessor",
];
const C_CONTROL: &[&str] = &[
    "if", "for", "while", "switch", "catch", "return", "sizeof", "decltype", "alignof", "typeof",
];
const C_SPEC_GROUPS: &[&str] = &[
    "noexcept",
    "throw",
    "__attribute__",
    "alignas",
    "decltype",
    "requires",
    "__declspec",
    "__asm__",
    "asm",
];
const C_TRAILING: &[&str] = &[
    "const", "volatile", "noexcept", "override", "final", "&", "&&", "mutable", "try",
];
const JAVA_CONTROL: &[&str] = &[
    "if",
    "for",
    "while",
    "switch",
    "catch",
    "synchronized",
    "try",
];
const RUST_STOPS: &[&str] = &[
    "if", "while", "loop", "match", "else", "unsafe", "async", "=>", "=", "let", "return", "in",
    ";", "struct", "enum", "union", "const", "static", "move", "type",
];
const GO_STOPS: &[&str] = &[
    "if", "for", "switch", "select", "else", "go", "defer", "case", "return", ";", "=", ":=", ",",
];

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
                Lang::Python => Class::Data,
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

    // --- JavaScript and TypeScript -------------------------------------------------------------

    fn js_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return if ctx == Ctx::Data {
                Class::Data
            } else {
                Class::Block
            };
        };
        if self.is(p, "=>") {
            return self.js_arrow(p, ctx);
        }
        if let Some(close) = self.js_params_close(o) {
            if let Some(class) = self.js_function(close, ctx) {
                return class;
            }
        }
        let kinds: &[&str] = if self.lang == Lang::JavaScript {
            &["class"]
        } else {
            &["class", "interface", "enum", "namespace", "module"]
        };
        if let Some(k) = self.keyword_back(o, kinds, &[";", "=>", "("], 48) {
            if !(self.is(k, "module") && self.back(k).is_some_and(|b| self.is(b, "."))) {
                return self.js_container(k, o, ctx);
            }
        }
        let data_before = [
            "=", "(", ",", "[", "?", "||", "&&", "??", "return", "...", "yield", "await", "!",
            "default", ":",
        ];
        if self.is_any(p, &data_before) {
            let in_data = matches!(ctx, Ctx::Data | Ctx::Other);
            if (self.is(p, ":") || self.is(p, ",")) && !in_data {
                return Class::Block;
            }
            return Class::Data;
        }
        Class::Block
    }

    /// The `)` of the parameters right before `{`, across a TypeScript return type.
    fn js_params_close(&self, o: usize) -> Option<usize> {
        let p = self.back(o)?;
        if self.is_group(p, b'(') {
            return Some(self.mate(p));
        }
        if self.lang == Lang::JavaScript {
            return None;
        }
        // `): Type {`: walk back over the type to a `:` right after a `)`.
        let mut at = o;
        for _ in 0..48 {
            let u = self.back(at)?;
            if self.is(u, ":") {
                let b = self.back(u)?;
                return self.is_group(b, b'(').then(|| self.mate(b));
            }
            if self.is_any(u, &[";", "=", "=>"])
                || self.is_group(u, b'{') && self.is_any(self.back(u)?, &[")"])
            {
                return None;
            }
            at = u;
        }
        None
    }

    fn js_function(&self, close: usize, ctx: Ctx) -> Option<Class> {
        let open = self.mate(close);
        let mut q = self.back(open)?;
        if self.is(q, ">") {
            // A generic `name<T>(`: back to the `<`.
            let mut depth = 0i32;
            let mut at = q + 1;
            loop {
                let u = self.back(at)?;
                if self.is(u, ">") {
                    depth += 1;
                } else if self.is(u, "<") {
                    depth -= 1;
                    if depth == 0 {
                        q = self.back(u)?;
                        break;
                    }
                }
                at = u;
            }
        }
        if self.is_any(q, JS_CONTROL)
            || (self.is(q, "await") && self.back(q).is_some_and(|b| self.is(b, "for")))
        {
            return Some(Class::Block);
        }
        let star = |u: usize| self.is(u, "*");
        if self.is(q, "function")
            || (star(q) && self.back(q).is_some_and(|b| self.is(b, "function")))
        {
            let f = if self.is(q, "function") {
                q
            } else {
                self.back(q)?
            };
            return Some(Class::Function(self.js_found(f, Vec::new(), ctx)));
        }
        let name_like = self.is_ident(q)
            || matches!(self.kind(q), Kind::Str | Kind::Number)
            || self.is_group(q, b'[');
        if !name_like {
            return None;
        }
        let before = self.back(q);
        let before_fn = before.and_then(|b| if star(b) { self.back(b) } else { Some(b) });
        if before_fn.is_some_and(|b| self.is(b, "function")) {
            let f = before_fn?;
            let path = ident_words(self.text(q));
            return Some(Class::Function(self.js_found(f, path, ctx)));
        }
        if matches!(ctx, Ctx::Class | Ctx::Data) {
            // A method: back over its modifiers and decorators.
            let mut start = q;
            while let Some(b) = self.back(start) {
                if self.is_any(b, JS_MODIFIERS) || self.is(b, "#") {
                    start = b;
                } else if let Some(d) = self.decorator_before(start) {
                    start = d;
                } else {
                    break;
                }
            }
            let path = if self.is_group(q, b'[') {
                self.words(q, self.mate(q))
            } else {
                ident_words(self.text(q))
            };
            return Some(Class::Function(Found {
                node_start: start,
                extent_start: start,
                path,
                bound: Vec::new(),
                receiver: None,
                statement: false,
            }));
        }
        None
    }

    /// The `@` of a decorator (`@name`, `@a.b(...)`) ending right before `i`.
    fn decorator_before(&self, i: usize) -> Option<usize> {
        let mut u = self.back(i)?;
        if self.is_group(u, b'(') {
            u = self.back(u)?;
        }
        while self.is_ident(u) {
            let b = self.back(u)?;
            if self.is(b, "@") {
                return Some(b);
            }
            if !self.is(b, ".") {
                return None;
            }
            u = self.back(b)?;
        }
        None
    }

    fn js_arrow(&self, arrow: usize, ctx: Ctx) -> Class {
        let Some(mut start) = self.back(arrow) else {
            return Class::Block;
        };
        if !(self.is_group(start, b'(') || self.is_ident(start)) {
            // `(a): Type => {`: back over the return type to its `)`.
            let mut at = start;
            let mut found = None;
            for _ in 0..32 {
                let Some(u) = self.back(at) else { break };
                if self.is(u, ":") {
                    found = self.back(u).filter(|&b| self.is_group(b, b'('));
                    break;
                }
                at = u;
            }
            match found {
                Some(b) => start = b,
                None => return Class::Block,
            }
        }
        if let Some(b) = self.back(start) {
            if self.is(b, "async") {
                start = b;
            }
        }
        Class::Function(self.js_found(start, Vec::new(), ctx))
    }

    /// A function or class starting at `node_start`: the statement that binds it and its names.
    fn js_found(&self, mut node_start: usize, path: Vec<String>, ctx: Ctx) -> Found {
        if let Some(b) = self.back(node_start) {
            if self.is(b, "async") && self.is(node_start, "function") {
                node_start = b;
            }
        }
        let mut extent = node_start;
        let mut bound = Vec::new();
        let mut statement = false;
        if let Some(b) = self.back(node_start) {
            if self.is(b, ":") && ctx == Ctx::Data {
                if let Some(k) = self.back(b) {
                    bound = ident_words(self.text(k));
                }
            }
        }
        // `a.b = c.d = function () {...}`: the statement starts at the first target.
        while let Some(b) = self.back(extent).filter(|&b| self.is(b, "=")) {
            let Some((target, start)) = self.assignment_target(b) else {
                break;
            };
            if bound.is_empty() {
                bound = target;
            }
            extent = start;
            statement = true;
        }
        extent = self.export_before(extent);
        Found {
            node_start,
            extent_start: extent,
            path,
            bound,
            receiver: None,
            statement,
        }
    }

    /// `export`, `export default`, `declare` before `i`.
    fn export_before(&self, mut i: usize) -> usize {
        while let Some(b) = self.back(i) {
            if self.is_any(b, &["export", "default", "declare"]) {
                i = b;
            } else {
                break;
            }
        }
        i
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

    fn js_container(&self, k: usize, o: usize, ctx: Ctx) -> Class {
        let mut start = k;
        if let Some(b) = self.back(k) {
            if self.is_any(b, &["abstract", "const"]) {
                start = b;
            }
        }
        while let Some(d) = self.decorator_before(start) {
            start = d;
        }
        let name = (k + 1..o)
            .take_while(|&i| !self.is_any(i, &["extends", "implements", "<", "{"]))
            .filter(|&i| self.is_ident(i) || self.kind(i) == Kind::Str)
            .flat_map(|i| ident_words(self.text(i)))
            .collect::<Vec<_>>();
        let mut found = self.js_found(start, name, ctx);
        if found.path.is_empty() {
            // `const A = class {`: the binding names it.
            found.path = std::mem::take(&mut found.bound);
        }
        Class::Container(found)
    }

    // --- Go ----------------------------------------------------------------------------------------

    fn go_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return if ctx == Ctx::Data {
                Class::Data
            } else {
                Class::Block
            };
        };
        if self.is_any(p, &["struct", "interface"]) {
            return Class::Block;
        }
        // Back through the statement: `func` makes it a function; a control keyword a block.
        let mut at = o;
        let mut line = self.toks[o].line;
        for _ in 0..64 {
            let Some(u) = self.back(at) else { break };
            let end = self.unit_end(u);
            if self.toks[end].end_line < line && self.go_ends_statement(end) {
                break;
            }
            if self.is(u, "func") {
                return self.go_func(u, o);
            }
            if self.is_any(u, GO_STOPS)
                || self.is_group(u, b'{')
                    && !self
                        .back(u)
                        .is_some_and(|b| self.is_any(b, &["struct", "interface"]))
            {
                break;
            }
            line = self.toks[u].line;
            at = u;
        }
        if self.go_in_control(o) {
            return Class::Block;
        }
        if ctx == Ctx::Data && (self.is_any(p, &[",", ":"]) || self.back(o).is_none()) {
            return Class::Data;
        }
        let typed = self.is_ident(p)
            && !self.is_any(
                p,
                &["else", "select", "switch", "for", "defer", "go", "return"],
            )
            || self.is(p, "]")
            || self.is_group(p, b'{');
        if typed {
            Class::Data
        } else {
            Class::Block
        }
    }

    fn go_ends_statement(&self, u: usize) -> bool {
        match self.kind(u) {
            Kind::Ident => !self.is_any(u, &["func", "struct", "interface", "map", "chan", "else"]),
            Kind::Number | Kind::Str | Kind::Close => true,
            Kind::Punct => self.is_any(u, &["++", "--"]),
            _ => false,
        }
    }

    /// Whether `{` at `o` ends an `if`/`for`/`switch`/`select` header.
    fn go_in_control(&self, o: usize) -> bool {
        let mut at = o;
        let line = self.toks[o].line;
        for _ in 0..64 {
            let Some(u) = self.back(at) else { return false };
            if self.is_any(u, &["if", "for", "switch", "select", "else"]) {
                return true;
            }
            let end = self.unit_end(u);
            if self.toks[end].end_line < line && self.go_ends_statement(end) {
                return false;
            }
            if self.is_group(u, b'{') {
                return false;
            }
            at = u;
        }
        false
    }

    fn go_func(&self, f: usize, o: usize) -> Class {
        let mut i = f + 1;
        let mut receiver = None;
        let mut path = Vec::new();
        if i < o && self.is_group(i, b'(') {
            let close = self.mate(i);
            if close + 1 < o && self.is_ident(close + 1) {
                // A method: `func (r *T) Name(`.
                let inner: Vec<usize> = (i + 1..close).filter(|&k| self.is_ident(k)).collect();
                let type_name = (i + 1..close)
                    .take_while(|&k| !self.is(k, "["))
                    .filter(|&k| self.is_ident(k))
                    .last()
                    .or_else(|| inner.last().copied());
                receiver = type_name.map(|k| String::from_utf8_lossy(self.text(k)).into_owned());
                i = close + 1;
                path.push(String::from_utf8_lossy(self.text(i)).into_owned());
            }
        } else if i < o && self.is_ident(i) {
            path.push(String::from_utf8_lossy(self.text(i)).into_owned());
        }
        Class::Function(Found {
            node_start: f,
            extent_start: f,
            path,
            bound: Vec::new(),
            receiver,
            statement: false,
        })
    }

    // --- Rust ----------------------------------------------------------------------------------

    fn rust_brace(&self, o: usize, _ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return Class::Block;
        };
        if self.is_any(p, &["|", "||"]) {
            return self.rust_closure(p);
        }
        let mut at = o;
        // `for` is no stop: `impl Trait for Type {` reads back through it to `impl`.
        for _ in 0..96 {
            let Some(u) = self.back(at) else { break };
            if self.is(u, "fn") {
                if self
                    .back(u)
                    .is_some_and(|b| self.is_any(b, &["<", ",", ":", "->", "&"]))
                {
                    break; // a function pointer type
                }
                return self.rust_fn(u);
            }
            if self.is_any(u, &["impl", "trait", "mod"]) {
                return self.rust_container(u, o);
            }
            if self.is(u, "->") {
                // `|x| -> T {`: a closure with a return type.
                if let Some(b) = self.back(u) {
                    if self.is_any(b, &["|", "||"]) {
                        return self.rust_closure(b);
                    }
                }
            }
            if self.is_any(u, RUST_STOPS) || self.is_group(u, b'{') || self.is(u, "}") {
                break;
            }
            at = u;
        }
        Class::Block
    }

    fn rust_modifiers(&self, mut start: usize) -> usize {
        while let Some(b) = self.back(start) {
            let visibility =
                self.is_group(b, b'(') && self.back(b).is_some_and(|v| self.is(v, "pub"));
            if self.is_any(b, &["pub", "const", "async", "unsafe", "extern", "default"])
                || self.kind(b) == Kind::Str && self.back(b).is_some_and(|e| self.is(e, "extern"))
            {
                start = b;
            } else if visibility {
                start = self.back(b).unwrap_or(b);
            } else {
                break;
            }
        }
        start
    }

    fn rust_fn(&self, f: usize) -> Class {
        let start = self.rust_modifiers(f);
        let path = if f + 1 < self.toks.len() && self.is_ident(f + 1) {
            vec![String::from_utf8_lossy(self.text(f + 1)).into_owned()]
        } else {
            Vec::new()
        };
        Class::Function(Found {
            node_start: start,
            extent_start: start,
            path,
            bound: Vec::new(),
            receiver: None,
            statement: false,
        })
    }

    fn rust_closure(&self, last_pipe: usize) -> Class {
        let mut start = last_pipe;
        if self.is(last_pipe, "|") {
            let mut at = last_pipe;
            for _ in 0..32 {
                let Some(u) = self.back(at) else { break };
                if self.is(u, "|") {
                    start = u;
                    break;
                }
                at = u;
            }
        }
        while let Some(b) = self.back(start) {
            if self.is_any(b, &["move", "async"]) {
                start = b;
            } else {
                break;
            }
        }
        let mut found = Found {
            node_start: start,
            extent_start: start,
            path: Vec::new(),
            bound: Vec::new(),
            receiver: None,
            statement: false,
        };
        if let Some(eq) = self.back(start).filter(|&b| self.is(b, "=")) {
            if let Some((target, first)) = self.assignment_target(eq) {
                found.bound = target;
                if self.back(first).is_some_and(|b| self.is(b, "let")) {
                    found.extent_start = self.back(first).unwrap_or(first);
                    found.statement = true;
                } else if self.is(first, "let") {
                    found.extent_start = first;
                    found.statement = true;
                }
            }
        }
        Class::Function(found)
    }

    fn rust_container(&self, k: usize, o: usize) -> Class {
        let start = self.rust_modifiers(k);
        let path = if self.is(k, "impl") {
            // The implementing type: after `for` when there is one, else after the generics.
            let mut i = k + 1;
            if i < o && self.is(i, "<") {
                let mut depth = 0i32;
                while i < o {
                    if self.is(i, "<") {
                        depth += 1;
                    } else if self.is(i, ">") {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
            }
            let type_at = (i..o).find(|&j| self.is(j, "for")).map_or(i, |j| j + 1);
            (type_at..o)
                .find(|&j| self.is_ident(j) && !self.is_any(j, &["dyn", "mut", "where"]))
                .map(|j| vec![String::from_utf8_lossy(self.text(j)).into_owned()])
                .unwrap_or_default()
        } else {
            (k + 1..o)
                .find(|&j| self.is_ident(j))
                .map(|j| vec![String::from_utf8_lossy(self.text(j)).into_owned()])
                .unwrap_or_default()
        };
        Class::Container(Found {
            node_start: start,
            extent_start: start,
            path,
            bound: Vec::new(),
            receiver: None,
            statement: false,
        })
    }

    // --- Java ------------------------------------------------------------------------------------

    fn java_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return if ctx == Ctx::Data {
                Class::Data
            } else {
                Class::Block
            };
        };
        if self.is(p, "->") {
            let Some(params) = self.back(p) else {
                return Class::Block;
            };
            return Class::Function(Found {
                node_start: params,
                extent_start: params,
                path: Vec::new(),
                bound: Vec::new(),
                receiver: None,
                statement: false,
            });
        }
        let close = if self.is_group(p, b'(') {
            Some(self.mate(p))
        } else {
            self.keyword_back(o, &["throws"], &[";", "=", "("], 24)
                .and_then(|t| self.back(t))
                .filter(|&b| self.is_group(b, b'('))
                .map(|b| self.mate(b))
        };
        if let Some(close) = close {
            let open = self.mate(close);
            if let Some(q) = self.back(open) {
                if self.is_any(q, JAVA_CONTROL) {
                    return Class::Block;
                }
                if self.is_ident(q) {
                    let mut chain = q;
                    while let Some(b) = self.back(chain) {
                        if self.is(b, ".") || self.is_ident(b) && self.is(chain, ".") {
                            chain = b;
                        } else {
                            break;
                        }
                    }
                    if self.back(chain).is_some_and(|b| self.is(b, "new")) {
                        return Class::Members;
                    }
                    if matches!(ctx, Ctx::Class) {
                        let start = self.member_start(q);
                        return Class::Function(Found {
                            node_start: start,
                            extent_start: start,
                            path: ident_words(self.text(q)),
                            bound: Vec::new(),
                            receiver: None,
                            statement: false,
                        });
                    }
                }
            }
        }
        if let Some(k) = self.keyword_back(
            o,
            &["class", "interface", "enum", "record"],
            &[";", "=", "(", "new", "."],
            48,
        ) {
            let start = self.member_start(k);
            let path = (k + 1..o)
                .find(|&j| self.is_ident(j))
                .map(|j| ident_words(self.text(j)))
                .unwrap_or_default();
            return Class::Container(Found {
                node_start: start,
                extent_start: start,
                path,
                bound: Vec::new(),
                receiver: None,
                statement: false,
            });
        }
        if self.is(p, "=") || self.is_group(p, b'[') || ctx == Ctx::Data && self.is(p, ",") {
            return Class::Data;
        }
        Class::Block
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

    // --- C and C++ -------------------------------------------------------------------------------

    fn c_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return if ctx == Ctx::Data {
                Class::Data
            } else {
                Class::Block
            };
        };
        if self.lang == Lang::Cpp {
            if let Some(l) = self.cpp_lambda(o) {
                return Class::Function(Found {
                    node_start: l,
                    extent_start: l,
                    path: Vec::new(),
                    bound: Vec::new(),
                    receiver: None,
                    statement: false,
                });
            }
        }
        if ctx != Ctx::Func && ctx != Ctx::Data {
            if let Some(close) = self.c_params_close(o) {
                let open = self.mate(close);
                if let Some(q) = self.back(open) {
                    if self.is_any(q, C_CONTROL) {
                        return Class::Block;
                    }
                    if let Some((decl_start, path)) = self.c_declarator(q) {
                        let start = self.member_start(decl_start);
                        return Class::Function(Found {
                            node_start: start,
                            extent_start: start,
                            path,
                            bound: Vec::new(),
                            receiver: None,
                            statement: false,
                        });
                    }
                }
            }
        }
        let kinds: &[&str] = if self.lang == Lang::Cpp {
            &["class", "struct", "union", "namespace"]
        } else {
            &["struct", "union"]
        };
        if let Some(k) =
            self.keyword_back(o, kinds, &[";", "=", "(", ")", "enum", "return", ","], 32)
        {
            if !self.back(k).is_some_and(|b| self.is(b, "enum")) {
                let start = self.member_start(k);
                let name = self.c_type_name(k, o);
                return Class::Container(Found {
                    node_start: start,
                    extent_start: start,
                    path: name,
                    bound: Vec::new(),
                    receiver: None,
                    statement: false,
                });
            }
        }
        if self.kind(p) == Kind::Str && self.back(p).is_some_and(|b| self.is(b, "extern")) {
            return Class::Block; // extern "C" { ... }: its declarations are the file's
        }
        if self.is_any(p, &["=", "return", "(", ","]) || ctx == Ctx::Data && self.back(o).is_none()
        {
            return if self.is(p, ",") && ctx != Ctx::Data {
                Class::Block
            } else {
                Class::Data
            };
        }
        if ctx == Ctx::Data && self.is(p, ",") {
            return Class::Data;
        }
        if self.lang == Lang::Cpp
            && ctx == Ctx::Func
            && (self.is_ident(p) && !self.is_keyword(p) && !self.is_any(p, &["else", "do", "try"])
                || self.is(p, ">"))
        {
            return Class::Data; // `T{...}`, `std::vector<int>{...}`
        }
        Class::Block
    }

    /// The name of a class, struct, union or namespace whose keyword is at `k`: the last
    /// identifier before its bases (`:`), `final` or the `{`.
    fn c_type_name(&self, k: usize, o: usize) -> Vec<String> {
        let mut end = o;
        let mut depth = 0i32;
        for j in k + 1..o {
            if self.is(j, "<") {
                depth += 1;
            } else if self.is(j, ">") {
                depth -= 1;
            } else if depth == 0 && (self.is(j, ":") || self.is(j, "final")) {
                end = j;
                break;
            }
        }
        let mut idents: Vec<usize> = Vec::new();
        let mut j = k + 1;
        let mut depth = 0i32;
        while j < end {
            if self.is(j, "<") {
                depth += 1;
            } else if self.is(j, ">") {
                depth -= 1;
            } else if depth == 0 && (self.is_ident(j) || self.is(j, "::")) {
                idents.push(j);
            } else if self.is_group(j, b'(') || self.is_group(j, b'[') {
                j = self.mate(j);
            }
            j += 1;
        }
        // `ns::Name` keeps its qualifier; macros before the name (`class FMT_API file`) do not.
        let mut out: Vec<String> = Vec::new();
        let mut last_sep = false;
        for &j in &idents {
            if self.is(j, "::") {
                last_sep = true;
                continue;
            }
            if !last_sep {
                out.clear();
            }
            out.push(String::from_utf8_lossy(self.text(j)).into_owned());
            last_sep = false;
        }
        out
    }

    /// A C++ lambda whose body opens at `o`: the `[` that starts it.
    fn cpp_lambda(&self, o: usize) -> Option<usize> {
        let mut at = o;
        for _ in 0..24 {
            let u = self.back(at)?;
            if self.is_group(u, b'[') {
                let b = self.back(u);
                let expression_start = b.is_none_or(|b| {
                    !self.ends_operand(b) && !self.is_any(b, &["operator", "delete", "new"])
                });
                let next = self.unit_end(u) + 1;
                let shape = next == o
                    || self.is_group(next, b'(')
                    || self.is_any(next, &["mutable", "->", "noexcept", "constexpr"]);
                return (expression_start && shape && !self.is_group(u + 1, b'[')).then_some(u);
            }
            if self.is_any(u, &[";", "=", "{", "}", ",", "return"]) || self.is_group(u, b'{') {
                return None;
            }
            at = u;
        }
        None
    }

    /// The `)` closing a function's parameters before its body at `o`, across trailing specifiers,
    /// a trailing return type or a constructor's member initializers.
    fn c_params_close(&self, o: usize) -> Option<usize> {
        // Member initializers: `) : a_(a), b_{b} {`. The body's `{` follows an initializer's closing
        // bracket; one right after a name (`b_{`) is itself an initializer.
        let ends_initializer = self
            .back(o)
            .is_some_and(|p| self.is_group(p, b'(') || self.is_group(p, b'{'));
        let mut at = if ends_initializer { o } else { 0 };
        for _ in 0..64 {
            let Some(u) = self.back(at) else { break };
            if self.is(u, ":") {
                let b = self.back_over(u, C_TRAILING)?;
                return self.is_group(b, b'(').then(|| self.mate(b));
            }
            if self.is_any(u, &[";", "=", "}"])
                || self.kind(u) == Kind::Directive
                || self.is_group(u, b'{') && !self.back(u).is_some_and(|b| self.is_ident(b))
            {
                break;
            }
            if !(self.is_group(u, b'(')
                || self.is_group(u, b'{')
                || self.is_ident(u)
                || self.is_any(u, &[",", "::", "<", ">", "...", "."]))
            {
                break;
            }
            at = u;
        }
        // Trailing specifiers and return type: `) const noexcept -> T {`.
        let mut at = o;
        let mut arrow = false;
        for _ in 0..48 {
            let u = self.back(at)?;
            if self.is_group(u, b'(') {
                let b = self.back(u);
                let specifier = b.is_some_and(|b| {
                    self.is_any(b, C_SPEC_GROUPS)
                        || self.is_macro(b)
                            && self.toks[b].line == self.toks[o].line
                            && self.back(b).is_some_and(|x| self.is_group(x, b'('))
                });
                if !specifier {
                    return Some(self.mate(u));
                }
                at = b.unwrap_or(u);
                continue;
            }
            if self.is(u, "->") {
                arrow = true;
            } else if self.is_any(u, C_TRAILING) || self.is_group(u, b'[') || self.is_macro(u) {
                // a specifier
            } else if !(arrow || self.is_any(u, &["::", "<", ">", ",", "*"]) || self.is_ident(u)) {
                return None;
            } else if self.is_ident(u) && !arrow && !self.is_macro(u) && !self.is_any(u, C_TRAILING)
            {
                // An identifier between `)` and `{` without `->`: only a return type may hold one.
                let mut k = u;
                let mut ok = false;
                for _ in 0..16 {
                    let Some(x) = self.back(k) else { break };
                    if self.is(x, "->") {
                        ok = true;
                        break;
                    }
                    if self.is_group(x, b'(') {
                        break;
                    }
                    k = x;
                }
                if !ok {
                    return None;
                }
            }
            at = u;
        }
        None
    }

    fn is_macro(&self, u: usize) -> bool {
        let t = self.text(u);
        self.is_ident(u)
            && t.len() > 1
            && t.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    }

    /// The declarator whose parameters follow: `name`, `Foo::bar`, `~Foo`, `operator==`,
    /// `foo<int>`; its first token and name path.
    fn c_declarator(&self, q: usize) -> Option<(usize, Vec<String>)> {
        let mut start = q;
        // `operator` forms: `operator==`, `operator()`, `operator new`, `operator bool`.
        for k in 0..3 {
            let Some(x) = q.checked_sub(k) else { break };
            if self.is(x, "operator") {
                let mut s = x;
                while let Some(b) = self.back(s) {
                    if self.is(b, "::") {
                        s = self.back(b).unwrap_or(b);
                    } else {
                        break;
                    }
                }
                let path = self.words(s, x);
                return Some((s, path));
            }
        }
        if self.is(q, ">") {
            // `foo<int>(`: back to the template name.
            let mut depth = 0i32;
            let mut at = q + 1;
            loop {
                let u = self.back(at)?;
                if self.is(u, ">") {
                    depth += 1;
                } else if self.is(u, "<") {
                    depth -= 1;
                    if depth == 0 {
                        start = self.back(u)?;
                        break;
                    }
                }
                at = u;
            }
        }
        if !self.is_ident(start) || self.is_keyword(start) {
            return None;
        }
        let mut first = start;
        while let Some(b) = self.back(first) {
            if self.is_any(b, &["::", "~"]) {
                first = b;
                if self.is(b, "::") {
                    if let Some(x) = self
                        .back(b)
                        .filter(|&x| self.is_ident(x) || self.is(x, ">"))
                    {
                        first = x;
                        continue;
                    }
                }
                continue;
            }
            break;
        }
        let path = self.words(first, q);
        Some((first, path))
    }
}
