//! JavaScript and TypeScript: functions (declarations, expressions, arrows, methods), classes,
//! interfaces, enums and namespaces, and the object and array literals around them.

use super::{bare_brace, ident_words, Class, Ctx, Cx, Found};
use crate::code::lex::Kind;
use crate::code::Lang;

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

impl Cx<'_> {
    pub(super) fn js_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return bare_brace(ctx);
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
        if self.lang == Lang::JavaScript || self.is(p, ":") {
            // Right after the `:` of a return type, a brace opens a type literal, not the body.
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
            // A generic `name<T>(`: back to the name.
            q = self.before_angles(q)?;
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
            return Some(Class::Function(Found::at(start, path)));
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

    /// An arrow function at `arrow` whose body is an expression, when a name is bound to it
    /// (`const f = (a) => a + 1`, a class field `f = async (a) => g(a)`, an object key): callbacks
    /// passed as arguments are no definitions.
    pub(in crate::code) fn js_expression_arrow(&self, arrow: usize, ctx: Ctx) -> Option<Found> {
        if arrow + 1 >= self.toks.len() || self.is_group(arrow + 1, b'{') {
            return None;
        }
        let Class::Function(found) = self.js_arrow(arrow, ctx) else {
            return None;
        };
        let named = !found.bound.is_empty() || !found.path.is_empty();
        (named && (found.statement || ctx == Ctx::Data || ctx == Ctx::Class)).then_some(found)
    }

    fn js_arrow(&self, arrow: usize, ctx: Ctx) -> Class {
        let Some(mut start) = self.back(arrow) else {
            return Class::Block;
        };
        // `(a): T =>` and `(a): ns.T =>` end in a name too: a return type, not a lone parameter.
        let typed = self.is_ident(start)
            && self.back(start).is_some_and(|b| {
                self.is(b, ".")
                    || self.is(b, ":") && self.back(b).is_some_and(|p| self.is_group(p, b'('))
            });
        if typed || !(self.is_group(start, b'(') || self.is_ident(start)) {
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
            let Some((target, start)) = self.typed_binding(b).or_else(|| self.assignment_target(b))
            else {
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

    /// For `=` at `eq` after a declared type (`const f: (a: A) => B = `, whose arrow the assignment
    /// target would stop at): the declared name and the keyword before it.
    fn typed_binding(&self, eq: usize) -> Option<(Vec<String>, usize)> {
        if self.lang == Lang::JavaScript {
            return None;
        }
        let mut at = eq;
        for _ in 0..48 {
            let u = self.back(at)?;
            if self.is_any(u, &[";", "="]) || self.is_group(u, b'{') {
                return None;
            }
            if self.is_any(u, &["const", "let", "var"])
                && self.is_ident(u + 1)
                && self.is(u + 2, ":")
            {
                return Some((ident_words(self.text(u + 1)), u));
            }
            at = u;
        }
        None
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
}
