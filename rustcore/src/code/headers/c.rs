//! C and C++: function definitions (across trailing specifiers, trailing return types and member
//! initializers), lambdas, classes, structs, unions, namespaces and initializer lists.

use super::{bare_brace, Class, Ctx, Cx, Found};
use crate::code::lex::Kind;
use crate::code::Lang;

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

impl Cx<'_> {
    pub(super) fn c_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return bare_brace(ctx);
        };
        if self.lang == Lang::Cpp {
            if let Some(l) = self.cpp_lambda(o) {
                return Class::Function(Found::at(l, Vec::new()));
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
                        return Class::Function(Found::at(start, path));
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
                return Class::Container(Found::at(start, name));
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
        let mut depth = 0;
        for j in k + 1..o {
            match self.angle(j) {
                0 if depth == 0 && (self.is(j, ":") || self.is(j, "final")) => {
                    end = j;
                    break;
                }
                step => depth += step,
            }
        }
        let mut idents: Vec<usize> = Vec::new();
        let mut j = k + 1;
        let mut depth = 0;
        while j < end {
            match self.angle(j) {
                0 if depth == 0 && (self.is_ident(j) || self.is(j, "::")) => idents.push(j),
                0 if self.is_group(j, b'(') || self.is_group(j, b'[') => j = self.mate(j),
                step => depth += step,
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
            start = self.before_angles(q)?;
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
