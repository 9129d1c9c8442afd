//! Go: `func` declarations, methods and literals, and composite literals (a `{` after a type).

use super::{bare_brace, Class, Ctx, Cx, Found};
use crate::code::lex::Kind;

const GO_STOPS: &[&str] = &[
    "if", "for", "switch", "select", "else", "go", "defer", "case", "return", ";", "=", ":=", ",",
];

impl Cx<'_> {
    pub(super) fn go_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return bare_brace(ctx);
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
            receiver,
            ..Found::at(f, path)
        })
    }
}
