//! Lines of build, lint, install and package-manager output recognised by
//! their shape: the source excerpt and location under a compiler diagnostic,
//! a linter's headline, a tool's progress line, an echoed command line.
//!
//! Detection uses these to tell such output from source code and prose (a
//! rustc excerpt holds code, an apt log reads like sentences); the log
//! compressor uses them to keep a diagnostic's location with its headline.
//! Each check looks at a line's first bytes or fields, never the whole text.

/// What a line of tool output is, by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A source excerpt under a diagnostic: `12 |     code`, `   |   ^^^`, `   = note: ...`.
    Gutter,
    /// Where a diagnostic points: `  --> src/lib.rs:3:5`, `::: path:1:2`.
    Location,
    /// A diagnostic's headline that names its rule or file by position:
    /// `path:3:5: E501 ...`, `path(3,5): error TS2322: ...`, `F401 [*] ...`,
    /// `  3:5  error  ...  no-undef`, `In x.sh line 12:`, `^-- SC2086 (info): ...`.
    Diagnostic,
    /// A tool's progress line: `Compiling x v1.0`, `Setting up x (1.2) ...`,
    /// `checking for gcc... yes`, `make[1]: Entering directory`, `  CC   lib/a.o`.
    Status,
    /// An echoed command line: `gcc -O2 -Wall -c x.c -o x.o`.
    Command,
}

/// The shape of `line` (ANSI codes stripped, not trimmed), if it has one of tool output.
pub fn shape(line: &str) -> Option<Shape> {
    let t = line.trim();
    if t.is_empty() {
        return None;
    }
    if is_gutter(line, t) {
        return Some(Shape::Gutter);
    }
    if is_location(t) {
        return Some(Shape::Location);
    }
    if is_diagnostic(line, t) {
        return Some(Shape::Diagnostic);
    }
    if is_status(line, t) {
        return Some(Shape::Status);
    }
    if is_command(t) {
        return Some(Shape::Command);
    }
    None
}

/// The level of a linter's diagnostic headline that names no level in a log's
/// words (`F401 [*] ...`, `path:3:5: E501 ...`, `In x.sh line 12:`,
/// `^-- SC2086 (info): ...`, `  3:5  error  ... no-undef`): `Some(true)` when it
/// says it is an error, `Some(false)` for any other finding, None when `line`
/// is no such headline.
pub fn diagnostic_error(line: &str) -> Option<bool> {
    let t = line.trim();
    if t.is_empty() || !is_diagnostic(line, t) {
        return None;
    }
    Some(t.split([' ', '(', ')', ':']).any(|w| w == "error"))
}

/// Whether `line` says where a diagnostic points (`  --> src/lib.rs:3:5`).
pub fn is_location_line(line: &str) -> bool {
    is_location(line.trim())
}

/// Whether `line` is part of a diagnostic's body (its location or a line of its
/// source excerpt): what only means something under the diagnostic's headline.
pub fn is_detail(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && (is_gutter(line, t) || is_location(t))
}

/// `  12 |     code`, `     |   ^~~~`, `   = note: ...` (rustc, gcc 9+, ruff, clang's newer style).
fn is_gutter(line: &str, t: &str) -> bool {
    let b = line.as_bytes();
    let indent = b.iter().take_while(|&&c| c == b' ').count();
    let digits = b[indent..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let rest = &line[indent + digits..];
    let rest = rest.trim_start_matches(' ');
    if let Some(after) = rest.strip_prefix('|') {
        // A Markdown table row starts at the margin and ends with a bar.
        if digits == 0 && (indent == 0 || t.ends_with('|') && t.len() > 1) {
            return false;
        }
        return after.is_empty()
            || after.starts_with([' ', '|', '/', '\\', '_', '^', '~', '-', '+']);
    }
    if indent > 0 && digits == 0 {
        if let Some(after) = t.strip_prefix("= ") {
            return ["note:", "help:", "warning:", "error:", "info:"]
                .iter()
                .any(|w| after.starts_with(w));
        }
    }
    false
}

/// `--> src/lib.rs:83:9` (rustc, ruff) or `::: path:1:2` (a related span).
fn is_location(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("--> ").or_else(|| t.strip_prefix("::: ")) else {
        return false;
    };
    rest.rsplit(':')
        .next()
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A rule code as linters write them: `E501`, `F401`, `SC2086`, `C0114`, `CPY001`, `TS2322`.
fn is_rule_code(w: &str) -> bool {
    let b = w.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = b[letters..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (1..=4).contains(&letters) && (2..=5).contains(&digits) && letters + digits == b.len()
}

fn is_diagnostic(line: &str, t: &str) -> bool {
    let first = t.split(' ').next().unwrap_or("");
    // ruff's full format: `F401 [*] `os` imported but unused`.
    if is_rule_code(first) && line.starts_with(first) && t.len() > first.len() + 2 {
        return true;
    }
    // shellcheck: `In nvm.sh line 12:`, `  ^-- SC2086 (info): Double quote ...`.
    if t.starts_with("In ") && t.ends_with(':') && t.contains(" line ") {
        return true;
    }
    if t.starts_with('^') {
        let code = t.trim_start_matches(['^', '-', '~']).trim_start();
        if code.split([' ', ':']).next().is_some_and(is_rule_code) {
            return true;
        }
    }
    // eslint's stylish format: `  3:5  error  'x' is not defined  no-undef`.
    if line.starts_with(' ') {
        let mut fields = t.split_whitespace();
        if let (Some(pos), Some(level)) = (fields.next(), fields.next()) {
            let numeric_pos = pos
                .split_once(':')
                .is_some_and(|(l, c)| is_number(l) && is_number(c));
            if numeric_pos && matches!(level, "error" | "warning" | "warn" | "info") {
                return true;
            }
        }
    }
    // `path:3:5: E501 ...` (flake8, ruff concise, pylint), `path(3,5): error TS2322` (tsc).
    if let Some(at) = find_after_paren(t, ": ").or_else(|| find_after_paren(t, " - ")) {
        let head = &t[..at];
        if let Some(open) = head.rfind('(') {
            let pos = &head[open + 1..];
            if pos.split(',').all(is_number) && pos.contains(',') {
                let after = t[at + 3..].trim_start();
                return after.starts_with("error") || after.starts_with("warning");
            }
        }
    }
    let mut parts = t.splitn(4, ':');
    if let (Some(path), Some(l), Some(c), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    {
        if !path.is_empty() && !path.contains(' ') && is_number(l) && is_number(c) {
            let word = rest.trim_start().split(' ').next().unwrap_or("");
            return is_rule_code(word.trim_end_matches(':'));
        }
    }
    false
}

/// Where the first `)` followed by `after` is in `t` (a byte search for `)` first:
/// this runs on every plain line of a log).
fn find_after_paren(t: &str, after: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = t[from..].find(')') {
        let at = from + k;
        if t[at + 1..].starts_with(after) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A field a tool fills in: a path, a URL, a version or anything with a digit.
fn is_machine_token(f: &str) -> bool {
    f.bytes().any(|b| b.is_ascii_digit() || b == b'/') || f.contains("::")
}

fn is_status(line: &str, t: &str) -> bool {
    // make's own lines: `make[2]: Entering directory '/x'`, `make: *** [all] Error 1`.
    if let Some(rest) = t.strip_prefix("make") {
        let rest = match rest.strip_prefix('[') {
            Some(r) => r
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .strip_prefix(']'),
            None => Some(rest),
        };
        if rest.is_some_and(|r| r.starts_with(": ")) {
            return true;
        }
    }
    // autoconf: `checking for gcc... yes`.
    if t.starts_with("checking ") && t.contains("...") {
        return true;
    }
    // kbuild-style quiet rules: `  CC      lib/a.o`.
    if line.starts_with("  ") {
        let mut fields = t.split_whitespace();
        if let (Some(verb), Some(target), None) = (fields.next(), fields.next(), fields.next()) {
            if (2..=7).contains(&verb.len())
                && verb.bytes().all(|b| b.is_ascii_uppercase())
                && is_machine_token(target)
                && line.len() - line.trim_start().len() <= 4
                && t[verb.len()..].starts_with("  ")
            {
                return true;
            }
        }
    }
    // `Compiling time v0.3.34`, `Setting up libx11-6:amd64 (2:1.8.4-2) ...`, `Created temporary directory: /tmp/x`.
    let Some((verb, rest)) = t.split_once(' ') else {
        return false;
    };
    let b = verb.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(u8::is_ascii_lowercase)
        && (verb.ends_with("ing") || verb.ends_with("ed"))
        && !t.ends_with([';', '{', '}'])
        && (t.ends_with("...") || rest.split_whitespace().any(is_machine_token))
}

/// An echoed command: at least three `-flags`, or two after a program given by its path.
fn is_command(t: &str) -> bool {
    if t.starts_with(['-', '+', '*', '#', '>']) {
        return false;
    }
    let mut fields = t.split_whitespace();
    let Some(program) = fields.next() else {
        return false;
    };
    if program.contains('=') || program.ends_with(':') {
        return false;
    }
    let flags = fields
        .filter(|f| {
            let b = f.as_bytes();
            b.len() >= 2 && b[0] == b'-' && (b[1].is_ascii_alphabetic() || b[1] == b'-')
        })
        .count();
    flags >= 3 || (flags >= 2 && program.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_excerpts_and_locations() {
        assert_eq!(
            shape("83 |     let items = format_items"),
            Some(Shape::Gutter)
        );
        assert_eq!(shape("   |         ^^^^^"), Some(Shape::Gutter));
        assert_eq!(shape("   |"), Some(Shape::Gutter));
        assert_eq!(shape("    5 |     return a < b;"), Some(Shape::Gutter));
        assert_eq!(
            shape("   = note: `#[warn(unused)]` on by default"),
            Some(Shape::Gutter)
        );
        assert_eq!(shape("1 | / import os"), Some(Shape::Gutter));
        assert_eq!(
            shape("  --> time/src/format_description/parse/mod.rs:83:9"),
            Some(Shape::Location)
        );
        assert_eq!(shape("--> mod_0.py:1:1"), Some(Shape::Location));
        // Markdown tables and ordinary text are not excerpts.
        assert_eq!(shape("| a | b |"), None);
        assert_eq!(shape("|---|---|"), None);
        assert_eq!(shape("x = a | b"), None);
    }

    #[test]
    fn linter_headlines() {
        assert_eq!(
            shape("F401 [*] `os` imported but unused"),
            Some(Shape::Diagnostic)
        );
        assert_eq!(
            shape("CPY001 Missing copyright notice at top of file"),
            Some(Shape::Diagnostic)
        );
        assert_eq!(
            shape("src/a.py:3:1: E501 Line too long (99 > 88)"),
            Some(Shape::Diagnostic)
        );
        assert_eq!(
            shape("src/a.ts(3,5): error TS2322: Type 'string' is not assignable"),
            Some(Shape::Diagnostic)
        );
        assert_eq!(
            shape("  3:5  error  'x' is not defined  no-undef"),
            Some(Shape::Diagnostic)
        );
        assert_eq!(shape("In nvm.sh line 12:"), Some(Shape::Diagnostic));
        assert_eq!(
            shape("  ^-- SC2086 (info): Double quote to prevent globbing."),
            Some(Shape::Diagnostic)
        );
        assert_eq!(shape("HTTP is a protocol"), None);
        assert_eq!(shape("src/a.py:3:    return helper(x)"), None);
    }

    #[test]
    fn progress_and_command_lines() {
        assert_eq!(shape("   Compiling time v0.3.34"), Some(Shape::Status));
        assert_eq!(
            shape("Setting up libx11-6:amd64 (2:1.8.4-2+deb12u2) ..."),
            Some(Shape::Status)
        );
        assert_eq!(
            shape("Created temporary directory: /tmp/pip-install-0ii22eug"),
            Some(Shape::Status)
        );
        assert_eq!(shape("checking for gcc... gcc"), Some(Shape::Status));
        assert_eq!(
            shape("make[1]: Entering directory '/src'"),
            Some(Shape::Status)
        );
        assert_eq!(
            shape("make: *** [Makefile:3: all] Error 1"),
            Some(Shape::Status)
        );
        assert_eq!(shape("  CC      lib/zutil.o"), Some(Shape::Status));
        assert_eq!(
            shape("gcc -pthread -c -Wall -O2 -o Objects/a.o Objects/a.c"),
            Some(Shape::Command)
        );
        assert_eq!(
            shape("/usr/bin/install -c -m 644 ./Lib/a.py /usr/lib"),
            Some(Shape::Command)
        );
        // Prose and code keep their own shapes.
        assert_eq!(
            shape("Setting the option changes how the parser reads input."),
            None
        );
        assert_eq!(shape("Mapping m = new Mapping(1);"), None);
        assert_eq!(shape("- item with -a -b -c flags"), None);
    }

    proptest::proptest! {
        #[test]
        fn no_line_makes_it_panic(line in "(\\PC|[ |^:0-9-]){0,80}") {
            let _ = shape(&line);
        }
    }
}
