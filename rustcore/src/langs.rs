//! Which programming language a line of source speaks: keyword and syntax
//! signals for Python, JavaScript, TypeScript, Go, Rust, Java, C and C++,
//! counted per line by the detector over its sample.

/// Languages told apart, in the order of [`Signals::langs`].
pub const LANGUAGES: [&str; 9] = [
    "python",
    "javascript",
    "typescript",
    "go",
    "rust",
    "java",
    "c",
    "cpp",
    "bash",
];

pub(crate) fn starts_word(t: &str, w: &str) -> bool {
    t.starts_with(w) && t[w.len()..].starts_with([' ', '(', '<', '{', ':', '*', '&'])
}

/// A line with the bytes and byte pairs it holds, so that most of the many
/// substring checks per line are answered "no" by a few bit tests, without
/// searching (lines are short and the patterns many: setting up a search
/// costs more than the search).
pub(crate) struct Line<'a> {
    pub text: &'a str,
    bytes: [u64; 4],
    pairs: [u64; 4],
}

/// The bit of the pair `a b` in [`Line::pairs`].
const fn pair_bit(a: u8, b: u8) -> usize {
    ((a as usize).wrapping_mul(31) ^ (b as usize)) & 255
}

/// The pair bits of `pat`: a line holding `pat` has them all.
pub(crate) const fn pair_mask(pat: &[u8]) -> [u64; 4] {
    let mut m = [0u64; 4];
    let mut k = 1;
    while k < pat.len() {
        let bit = pair_bit(pat[k - 1], pat[k]);
        m[bit / 64] |= 1 << (bit % 64);
        k += 1;
    }
    m
}

impl<'a> Line<'a> {
    pub(crate) fn of(text: &'a str) -> Self {
        let mut bytes = [0u64; 4];
        let mut pairs = [0u64; 4];
        let mut prev: Option<u8> = None;
        for &c in text.as_bytes() {
            bytes[usize::from(c) / 64] |= 1 << (c % 64);
            if let Some(p) = prev {
                let bit = pair_bit(p, c);
                pairs[bit / 64] |= 1 << (bit % 64);
            }
            prev = Some(c);
        }
        Line { text, bytes, pairs }
    }

    /// Whether the line holds byte `c`.
    pub(crate) fn has(&self, c: u8) -> bool {
        self.bytes[usize::from(c) / 64] & (1 << (c % 64)) != 0
    }

    /// Whether the line contains `pat`, whose [`pair_mask`] is `mask` (see [`holds!`]).
    pub(crate) fn holds_masked(&self, mask: [u64; 4], pat: &str) -> bool {
        let (p, h) = (pat.as_bytes(), self.text.as_bytes());
        if (0..4).any(|w| self.pairs[w] & mask[w] != mask[w]) || p.len() > h.len() {
            return false;
        }
        if p.is_empty() {
            return true;
        }
        if !self.has(p[0]) {
            return false;
        }
        memchr::memmem::find(h, p).is_some()
    }
}

/// `holds!(line, "pat")`: whether `line` (a [`Line`]) contains the literal `pat`,
/// its pair mask computed at compile time.
macro_rules! holds {
    ($line:expr, $pat:literal) => {{
        const MASK: [u64; 4] = $crate::langs::pair_mask($pat.as_bytes());
        $line.holds_masked(MASK, $pat)
    }};
}
pub(crate) use holds;

/// What one line says about its language.
pub(crate) struct Signals {
    /// Which languages it speaks (python, javascript, typescript, go, rust, java, c, cpp, bash).
    pub langs: [bool; 9],
    /// Syntax only TypeScript has ([`ts_signal`]).
    pub ts_only: bool,
    /// Syntax only C++ has ([`cpp_signal`]).
    pub cpp_only: bool,
}

/// Which languages a line speaks, and whether it has TypeScript- or C++-only syntax.
pub(crate) fn lang_signals(l: &Line<'_>) -> Signals {
    let t = l.text;
    let py = starts_word(t, "def")
        || starts_word(t, "async def")
        || (starts_word(t, "class") && t.ends_with(':'))
        || (t.starts_with("import ") && !t.ends_with(';') && !holds!(l, " from "))
        || (t.starts_with("from ") && holds!(l, " import "))
        || starts_word(t, "elif")
        || t.starts_with("except")
        || t == "try:"
        || t == "else:"
        || t.starts_with("if __name__")
        || (t.starts_with('@') && !t.contains(' ') && !t.ends_with(';'))
        || holds!(l, "self.")
        || t.starts_with("\"\"\"")
        || (starts_word(t, "return") && !t.ends_with(';'))
        || (t.starts_with("raise ") && !t.ends_with(';'));
    let js = starts_word(t, "function")
        || (starts_word(t, "const") && holds!(l, " = "))
        || (starts_word(t, "let") && holds!(l, " = "))
        || starts_word(t, "var")
        || holds!(l, "module.exports")
        || holds!(l, "require(")
        || t.starts_with("export default")
        || holds!(l, "=> {")
        || t == "});"
        || (t.starts_with("import ") && (holds!(l, " from '") || holds!(l, " from \"")))
        || holds!(l, "exports.")
        || holds!(l, "prototype.")
        || holds!(l, "this.");
    let ts_only = ts_signal(l);
    let ts = js || (l.has(b':') || l.has(b'=') || t.starts_with("interface ")) && ts_only;
    let go = (starts_word(t, "package") && !t.ends_with(';'))
        || starts_word(t, "func")
        || holds!(l, " := ")
        || t == "import ("
        || (starts_word(t, "type") && t.ends_with("struct {"))
        || holds!(l, "err != nil")
        || starts_word(t, "defer")
        || t.starts_with("go func");
    let rs = starts_word(t, "fn")
        || t.starts_with("pub fn ")
        || t.starts_with("pub(crate) fn ")
        || (t.len() > 8 && holds!(l, "let mut "))
        || starts_word(t, "impl")
        || (t.starts_with("use ") && holds!(l, "::") && t.ends_with(';'))
        || (starts_word(t, "mod") && t.ends_with(';'))
        || t.starts_with("#[")
        || t.starts_with("pub struct ")
        || t.starts_with("pub enum ")
        || holds!(l, "&self")
        || holds!(l, "&mut ")
        || holds!(l, ".unwrap()");
    let java = (starts_word(t, "package") && t.ends_with(';'))
        || t.starts_with("import java")
        || (t.starts_with("import ") && t.ends_with(';') && !holds!(l, " from "))
        || t.starts_with("public class ")
        || t.starts_with("public final class ")
        || t.starts_with("public interface ")
        || t.starts_with("@Override")
        || (t.starts_with("public ") && t.contains('(') && t.ends_with('{'))
        || (t.starts_with("private ") && t.ends_with(';'))
        || (l.has(b'(') && holds!(l, " throws "))
        || holds!(l, "System.out");
    let c = t.starts_with("#include")
        || t.starts_with("#define")
        || t.starts_with("#if")
        || t.starts_with("#endif")
        || starts_word(t, "typedef")
        || (starts_word(t, "struct") && !t.ends_with(':'))
        || (starts_word(t, "static") && t.ends_with(';'))
        || holds!(l, "NULL")
        || holds!(l, "->")
        || holds!(l, "malloc(")
        || holds!(l, "sizeof(");
    let cpp_only = cpp_signal(l);
    let cpp = c || cpp_only;
    let sh = shell_signal(l);
    Signals {
        langs: [py, js, ts, go, rs, java, c, cpp, sh],
        ts_only,
        cpp_only,
    }
}

/// Shell syntax: the words that close its blocks, test brackets, `; then`, `case ... in`, a
/// function header (`name() {`), redirections to `/dev/null` or stderr, builtins that lead a line.
fn shell_signal(l: &Line<'_>) -> bool {
    let t = l.text;
    const CLOSERS: &[&str] = &["fi", "done", "esac", "then", "do", ";;", "fi;", "done;"];
    const LEADS: &[&str] = &[
        "if [",
        "elif [",
        "while [",
        "until [",
        "if ! [",
        "[ ",
        "[[ ",
        "if test ",
        "set -",
        "local ",
        "readonly ",
        "unset ",
        "trap ",
        "shift",
        "exit ",
        "source ",
        ". ",
    ];
    if CLOSERS.contains(&t) || LEADS.iter().any(|w| t.starts_with(w)) {
        // `[ ` and `. ` lead a line of Markdown or prose too: a test bracket closes, a sourced
        // path has no spaces.
        let open_test = t.starts_with("[ ") && !holds!(l, " ]");
        let sentence = t.starts_with(". ") && t[2..].contains(' ');
        // `exit 1;`, `shift;`, `local $x;`: a statement of Perl or C, which end theirs with `;`.
        let statement = t.ends_with(';') && !t.ends_with(";;");
        return !open_test && !sentence && !statement;
    }
    t.ends_with("; then")
        || t.ends_with("; do")
        || (t.ends_with(";;") && !t.starts_with("for"))
        || (starts_word(t, "case") && t.ends_with(" in"))
        || holds!(l, ">/dev/null")
        || holds!(l, ">&2")
        || (t.starts_with("export ") && {
            let w = t[7..].split('=').next().unwrap_or("");
            t[7..].contains('=')
                && !w.is_empty()
                && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        || t.strip_suffix("() {")
            .or_else(|| t.strip_suffix("()"))
            .is_some_and(|name| {
                let name = name.strip_prefix("function ").unwrap_or(name).trim_end();
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'))
            })
}

fn ts_signal(l: &Line<'_>) -> bool {
    let t = l.text;
    t.starts_with("interface ")
        || t.starts_with("export interface ")
        || t.starts_with("export type ")
        || (starts_word(t, "type") && holds!(l, " = "))
        || holds!(l, ": string")
        || holds!(l, ": number")
        || holds!(l, ": boolean")
        || holds!(l, "readonly ")
        || holds!(l, " as const")
        || holds!(l, ": unknown")
        || holds!(l, ": any")
}

fn cpp_signal(l: &Line<'_>) -> bool {
    let t = l.text;
    holds!(l, "std::")
        || starts_word(t, "namespace")
        || t.starts_with("template <")
        || t.starts_with("template<")
        || t == "public:"
        || t == "private:"
        || t == "protected:"
        || (t.len() > 7 && (holds!(l, "nullptr") || holds!(l, "constexpr")))
        || (starts_word(t, "class") && !t.ends_with(':'))
        || holds!(l, "::~")
}

/// The header of a function or a class on one line, as only source writes it (`def f(x):`,
/// `class A(B):`, `func (r *T) Name() {`, `fn name() -> T {`, `function name(a) {`, `name() {`):
/// the index in [`LANGUAGES`] of the language that writes it.
pub(crate) fn is_definition(t: &str) -> Option<usize> {
    let py = t.ends_with(':')
        && (((starts_word(t, "def") || starts_word(t, "async def")) && t.contains('('))
            || starts_word(t, "class"));
    if py {
        return Some(0);
    }
    if !t.ends_with('{') || !t.contains('(') {
        return None;
    }
    if starts_word(t, "function") || t.starts_with("async function ") {
        Some(1)
    } else if starts_word(t, "func") {
        Some(3)
    } else if starts_word(t, "fn") || t.starts_with("pub fn ") || t.starts_with("pub(crate) fn ") {
        Some(4)
    } else if t
        .strip_suffix("() {")
        .is_some_and(|name| !name.trim_end().is_empty() && !name.trim_end().contains(' '))
    {
        Some(8)
    } else {
        None
    }
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
    if let Some((lhs, _)) = split_at_assignment(t) {
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

/// `t.split_once(" = ").or_else(|| t.split_once(" += "))`, without a searcher per call.
fn split_at_assignment(t: &str) -> Option<(&str, &str)> {
    for op in [" = ", " += "] {
        let b = t.as_bytes();
        let anchor = op.len() - 2;
        let found = memchr::memchr_iter(op.as_bytes()[anchor], b)
            .filter(|&j| j >= anchor)
            .map(|j| j - anchor)
            .find(|&j| b[j..].starts_with(op.as_bytes()));
        if let Some(j) = found {
            return Some((&t[..j], &t[j + op.len()..]));
        }
    }
    None
}
