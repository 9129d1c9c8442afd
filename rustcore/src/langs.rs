//! Which programming language a line of source speaks: keyword and syntax
//! signals for Python, JavaScript, TypeScript, Go, Rust, Java, C and C++,
//! counted per line by the detector over its sample.

/// Languages told apart, in the order of [`lang_signals`].
pub const LANGUAGES: [&str; 8] = [
    "python",
    "javascript",
    "typescript",
    "go",
    "rust",
    "java",
    "c",
    "cpp",
];

pub(crate) fn starts_word(t: &str, w: &str) -> bool {
    t.starts_with(w) && t[w.len()..].starts_with([' ', '(', '<', '{', ':', '*', '&'])
}

/// Which of a few trigger bytes a line holds: substring checks that need one are skipped without it.
#[derive(Clone, Copy)]
pub(crate) struct Bytes {
    dot: bool,
    colon: bool,
    paren: bool,
    dash: bool,
    amp: bool,
    bang: bool,
    eq: bool,
    upper_n: bool,
}

impl Bytes {
    pub(crate) fn of(t: &str) -> Self {
        let mut b = Bytes {
            dot: false,
            colon: false,
            paren: false,
            dash: false,
            amp: false,
            bang: false,
            eq: false,
            upper_n: false,
        };
        for &c in t.as_bytes() {
            match c {
                b'.' => b.dot = true,
                b':' => b.colon = true,
                b'(' => b.paren = true,
                b'-' => b.dash = true,
                b'&' => b.amp = true,
                b'!' => b.bang = true,
                b'=' => b.eq = true,
                b'N' => b.upper_n = true,
                _ => {}
            }
        }
        b
    }
}

/// Which languages a line speaks (python, javascript, typescript, go, rust, java, c, cpp).
pub(crate) fn lang_signals(t: &str) -> [bool; 8] {
    let has = Bytes::of(t);
    let py = starts_word(t, "def")
        || starts_word(t, "async def")
        || (starts_word(t, "class") && t.ends_with(':'))
        || (t.starts_with("import ") && !t.ends_with(';') && !t.contains(" from "))
        || (t.starts_with("from ") && t.contains(" import "))
        || starts_word(t, "elif")
        || t.starts_with("except")
        || t == "try:"
        || t == "else:"
        || t.starts_with("if __name__")
        || (t.starts_with('@') && !t.contains(' ') && !t.ends_with(';'))
        || (has.dot && t.contains("self."))
        || t.starts_with("\"\"\"")
        || (starts_word(t, "return") && !t.ends_with(';'))
        || (t.starts_with("raise ") && !t.ends_with(';'));
    let js = starts_word(t, "function")
        || (starts_word(t, "const") && t.contains(" = "))
        || (starts_word(t, "let") && t.contains(" = "))
        || starts_word(t, "var")
        || (has.dot && t.contains("module.exports"))
        || (has.paren && t.contains("require("))
        || t.starts_with("export default")
        || (has.eq && t.contains("=> {"))
        || t == "});"
        || (t.starts_with("import ") && (t.contains(" from '") || t.contains(" from \"")))
        || (has.dot && t.contains("exports."))
        || (has.dot && t.contains("prototype."))
        || (has.dot && t.contains("this."));
    let ts = js || (has.colon || has.eq || t.starts_with("interface ")) && ts_signal(t);
    let go = (starts_word(t, "package") && !t.ends_with(';'))
        || starts_word(t, "func")
        || (has.colon && t.contains(" := "))
        || t == "import ("
        || (starts_word(t, "type") && t.ends_with("struct {"))
        || (has.bang && t.contains("err != nil"))
        || starts_word(t, "defer")
        || t.starts_with("go func");
    let rs = starts_word(t, "fn")
        || t.starts_with("pub fn ")
        || t.starts_with("pub(crate) fn ")
        || (t.len() > 8 && t.contains("let mut "))
        || starts_word(t, "impl")
        || (t.starts_with("use ") && t.contains("::") && t.ends_with(';'))
        || (starts_word(t, "mod") && t.ends_with(';'))
        || t.starts_with("#[")
        || t.starts_with("pub struct ")
        || t.starts_with("pub enum ")
        || (has.amp && t.contains("&self"))
        || (has.amp && t.contains("&mut "))
        || (has.dot && t.contains(".unwrap()"));
    let java = (starts_word(t, "package") && t.ends_with(';'))
        || t.starts_with("import java")
        || (t.starts_with("import ") && t.ends_with(';') && !t.contains(" from "))
        || t.starts_with("public class ")
        || t.starts_with("public final class ")
        || t.starts_with("public interface ")
        || t.starts_with("@Override")
        || (t.starts_with("public ") && t.contains('(') && t.ends_with('{'))
        || (t.starts_with("private ") && t.ends_with(';'))
        || (has.paren && t.contains(" throws "))
        || (has.dot && t.contains("System.out"));
    let c = t.starts_with("#include")
        || t.starts_with("#define")
        || t.starts_with("#if")
        || t.starts_with("#endif")
        || starts_word(t, "typedef")
        || (starts_word(t, "struct") && !t.ends_with(':'))
        || (starts_word(t, "static") && t.ends_with(';'))
        || (has.upper_n && t.contains("NULL"))
        || (has.dash && t.contains("->"))
        || (has.paren && t.contains("malloc("))
        || (has.paren && t.contains("sizeof("));
    let cpp = c || cpp_signal(t, has);
    [py, js, ts, go, rs, java, c, cpp]
}

pub(crate) fn ts_signal(t: &str) -> bool {
    t.starts_with("interface ")
        || t.starts_with("export interface ")
        || t.starts_with("export type ")
        || (starts_word(t, "type") && t.contains(" = "))
        || t.contains(": string")
        || t.contains(": number")
        || t.contains(": boolean")
        || t.contains("readonly ")
        || t.contains(" as const")
        || t.contains(": unknown")
        || t.contains(": any")
}

pub(crate) fn cpp_signal(t: &str, has: Bytes) -> bool {
    (has.colon && t.contains("std::"))
        || starts_word(t, "namespace")
        || t.starts_with("template <")
        || t.starts_with("template<")
        || t == "public:"
        || t == "private:"
        || t == "protected:"
        || (t.len() > 7 && (t.contains("nullptr") || t.contains("constexpr")))
        || (starts_word(t, "class") && !t.ends_with(':'))
        || (has.colon && t.contains("::~"))
}

/// Generic code: a block opener (`if x:`), an assignment (`a.b = c`, `x += 1`) or a return.
pub(crate) fn is_statement(t: &str) -> bool {
    const OPENERS: &[&str] = &[
        "if", "for", "while", "with", "else", "elif", "try", "except", "finally", "switch", "case",
    ];
    let first = t.split([' ', '(', ':']).next().unwrap_or("");
    if OPENERS.contains(&first) && (t.ends_with(':') || t.ends_with('{')) {
        return true;
    }
    if let Some((lhs, _)) = t.split_once(" = ").or_else(|| t.split_once(" += ")) {
        let lhs = lhs.trim_end_matches(['+', '-', '*', '/', '|', '&', ':']);
        return !lhs.is_empty()
            && lhs.split(", ").all(|part| {
                let part = part.trim_start_matches(['*', '&']);
                !part.is_empty()
                    && part.chars().all(|c| {
                        c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"' | '\'' | '$')
                    })
            });
    }
    starts_word(t, "return") || t == "pass" || t == "break" || t == "continue"
}
