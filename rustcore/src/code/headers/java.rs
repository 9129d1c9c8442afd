//! Java: methods, constructors, lambdas, classes, interfaces, enums and records, array initializers.

use super::{bare_brace, ident_words, Class, Ctx, Cx, Found};

const JAVA_CONTROL: &[&str] = &[
    "if",
    "for",
    "while",
    "switch",
    "catch",
    "synchronized",
    "try",
];

impl Cx<'_> {
    pub(super) fn java_brace(&self, o: usize, ctx: Ctx) -> Class {
        let Some(p) = self.back(o) else {
            return bare_brace(ctx);
        };
        if self.is(p, "->") {
            let Some(params) = self.back(p) else {
                return Class::Block;
            };
            return Class::Function(Found::at(params, Vec::new()));
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
                        return Class::Function(Found::at(start, ident_words(self.text(q))));
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
            return Class::Container(Found::at(start, path));
        }
        if self.is(p, "=") || self.is_group(p, b'[') || ctx == Ctx::Data && self.is(p, ",") {
            return Class::Data;
        }
        Class::Block
    }
}
