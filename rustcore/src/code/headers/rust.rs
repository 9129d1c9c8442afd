//! Rust: `fn` items, closures, `impl`/`trait`/`mod`/`struct`/`enum`/`union` containers (macro bodies are not
//! looked into).

use super::{Class, Ctx, Cx, Found};
use crate::code::lex::Kind;

const RUST_STOPS: &[&str] = &[
    "if", "while", "loop", "match", "else", "unsafe", "async", "=>", "=", "let", "return", "in",
    ";", "struct", "enum", "union", "const", "static", "move", "type",
];

impl Cx<'_> {
    pub(super) fn rust_brace(&self, o: usize, _ctx: Ctx) -> Class {
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
            if self.is_any(u, &["impl", "trait", "mod", "struct", "enum", "union"]) {
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
            } else if self.is_group(b, b'[') && self.back(b).is_some_and(|h| self.is(h, "#")) {
                // An outer attribute (`#[derive(Debug)]`) belongs to the item, as a decorator does.
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
        Class::Function(Found::at(start, path))
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
        let mut found = Found::at(start, Vec::new());
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
                i = self.skip_angles(i, o);
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
        Class::Container(Found::at(start, path))
    }
}
