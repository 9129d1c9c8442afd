//! Configuration files: YAML (Kubernetes manifests, Helm values and
//! templates, CI workflows), TOML, INI, `.env` and `.properties`
//! (`key=value`), Dockerfiles, and several of them concatenated by
//! `head`/`tail` (`==> path <==`).
//!
//! Each line is read as a key (`key: value`, `key = value`, `KEY=value`,
//! `- key: value`), a sequence item, a section (`[tool.ruff]`), a document
//! separator (`---`), a Dockerfile instruction, a comment or other text, and
//! hung under its parent: by indentation in YAML, under its section in
//! INI/TOML (a dotted section under the section it extends), under its
//! stage (`FROM`) in a Dockerfile, under its file's header in concatenated
//! output. A key's path is then its parents' names joined by dots, so a
//! question naming `a.b.c` finds the `c:` under `b:` under `a:`.
//! [`crate::outline`] keeps every file header, section and document break,
//! the keys the query points at with their parents, then the structure
//! breadth first (top-level keys, the first keys below each). A long run of
//! flat keys (`.env`, `.properties`) is shown by the first key of each
//! prefix group (`DB_`, `spring.datasource.`), each group's other keys
//! counted in a marker.

use crate::lines::{Costs, Lines, Piece};
use crate::listing::file_header;
use crate::outline::{self, Outline, Role, NONE, P_NOTABLE};
use crate::query::Query;

/// Dockerfile instructions (upper case at the start of a line).
const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];
/// A run of flat sibling keys longer than this is shown by prefix group.
const FLAT_RUN: usize = 24;
/// The deepest prefix level whose groups' first keys rank in a flat run.
const SUBGROUP_LEVELS: usize = 4;
/// The priority of a level-2 group's first key: after the structure, before nothing else.
const P_SUBGROUP: u32 = 480;

/// What one line of a configuration file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    Blank,
    Comment,
    FileHeader(&'a str),
    /// `---` or `...` between YAML documents.
    DocSep,
    /// `[section]`, `[[array.of.tables]]`, `[remote "origin"]`: the name inside.
    Section(&'a str),
    /// A key and whether it opens a YAML sequence item (`- key: v`).
    Key {
        name: &'a str,
        item: bool,
    },
    /// `- value`: a YAML sequence item without a key.
    Item,
    /// A Dockerfile instruction.
    Instruction(&'a str),
    /// A line of template directives only (`{{- if .Values.x }}`).
    Template,
    Other,
}

/// The width of `line`'s indentation (a tab counts four).
pub fn indent(line: &str) -> usize {
    line.bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .map(|b| if b == b'\t' { 4 } else { 1 })
        .sum()
}

/// The key at the start of `t` (after any `- `): a bare or quoted name followed by `:` and a
/// space or the end (YAML, colon INI), or by `=` (INI, TOML, `.env`, `.properties`).
fn key_of(t: &str) -> Option<&str> {
    let t = t.strip_prefix("export ").unwrap_or(t);
    let b = t.as_bytes();
    let (name, rest) = match b.first()? {
        q @ (b'"' | b'\'') => {
            let end = t[1..].find(*q as char)? + 1;
            (&t[1..end], &t[end + 1..])
        }
        c if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$' || *c == b'@' => {
            let end = t
                .bytes()
                .position(|c| !(c.is_ascii_alphanumeric() || b"_-./$@[]".contains(&c)))
                .unwrap_or(t.len());
            (&t[..end], &t[end..])
        }
        _ => return None,
    };
    if name.is_empty() || name.len() > 80 {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let colon = rest
        .strip_prefix(':')
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']));
    let equals = rest.starts_with('=') && !rest.starts_with("==");
    (colon || equals).then_some(name)
}

/// Reads one line (its content, without the line end).
pub fn classify(content: &str) -> Kind<'_> {
    let t = content.trim();
    if t.is_empty() {
        return Kind::Blank;
    }
    if let Some(path) = file_header(content) {
        return Kind::FileHeader(path);
    }
    let at_start = !content.starts_with([' ', '\t']);
    if at_start && (t == "---" || t == "..." || t.starts_with("--- ")) {
        return Kind::DocSep;
    }
    if t.starts_with('#') || t.starts_with(';') || t.starts_with("//") {
        return Kind::Comment;
    }
    if at_start && t.starts_with('[') && t.ends_with(']') && t.len() > 2 {
        let inner = t.trim_start_matches('[').trim_end_matches(']').trim();
        // Outside quotes (`[target.'cfg(unix)'.dependencies]`), a name holds no brackets or `=`.
        let bare: String = inner.split(['"', '\'']).step_by(2).collect();
        if !inner.is_empty() && !bare.contains(['[', ']', '=']) {
            return Kind::Section(inner);
        }
    }
    if t.starts_with("{{") && t.ends_with("}}") {
        return Kind::Template;
    }
    let word = t.split([' ', '\t']).next().unwrap_or("");
    if INSTRUCTIONS.contains(&word) && t.len() > word.len() {
        return Kind::Instruction(word);
    }
    let (item, body) = match t.strip_prefix("- ") {
        Some(rest) => (true, rest.trim_start()),
        None if t == "-" => return Kind::Item,
        None => (false, t),
    };
    match key_of(body) {
        Some(name) => Kind::Key { name, item },
        None if item => Kind::Item,
        None => Kind::Other,
    }
}

/// Per-line reading state while building the outline.
struct Reader {
    file: u32,
    doc: u32,
    /// Open sections with their names (a dotted section extends the one it starts with).
    sections: Vec<u32>,
    /// Open YAML-style parents: (indentation, line).
    open: Vec<(usize, u32)>,
    /// The line a backslash continuation belongs to.
    continued: u32,
    stage: u32,
    /// The head of the record (a paragraph of `Field: value` lines) the line is in.
    record: u32,
}

impl Reader {
    fn container(&self) -> u32 {
        if let Some(&s) = self.sections.last() {
            s
        } else if self.stage != NONE {
            self.stage
        } else if self.record != NONE {
            self.record
        } else if self.doc != NONE {
            self.doc
        } else {
            self.file
        }
    }
}

/// Whether the text is a run of records: paragraphs separated by blank lines whose lines at the
/// margin are all `Field: value` keys (the rest indented continuations), at least two of them
/// and half or more opening with the same field (`apt-cache show`, `dpkg -s`, `/var/lib/dpkg/status`
/// and other deb822 files, `systemctl show` of several units). A record's first key is then
/// the head its other keys hang under, so a question naming one record finds all of it.
fn is_records(lines: &Lines<'_>) -> bool {
    let mut firsts: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut paragraphs = 0;
    let mut fresh = true;
    for i in 0..lines.len() {
        let content = lines.content(i);
        let kind = classify(content);
        match kind {
            Kind::Blank => {
                fresh = true;
                continue;
            }
            Kind::Comment => continue,
            _ => {}
        }
        if content.starts_with([' ', '\t']) {
            if fresh {
                return false;
            }
            continue;
        }
        let Kind::Key { name, item: false } = kind else {
            return false;
        };
        if fresh {
            paragraphs += 1;
            *firsts.entry(name).or_default() += 1;
            fresh = false;
        }
    }
    let most = firsts.values().copied().max().unwrap_or(0);
    paragraphs >= 2 && most >= 2 && 2 * most >= paragraphs
}

/// The name a record's head goes by: its value where that is one word (`Package: libc6`
/// names `libc6`), else its field.
fn record_name<'a>(content: &'a str, field: &'a str) -> &'a str {
    let start = field.as_ptr() as usize - content.as_ptr() as usize + field.len();
    let value = content[start..]
        .trim_start_matches([':', '='])
        .trim_matches([' ', '\t']);
    if value.is_empty() || value.len() > 80 || value.contains([' ', '\t']) {
        field
    } else {
        value
    }
}

/// Reads `lines` into an outline.
fn read(lines: &Lines<'_>, subgroups: bool) -> Outline {
    let n = lines.len();
    let mut o = Outline::new(n, b'.');
    let records = is_records(lines);
    let mut fresh = true;
    let mut r = Reader {
        file: NONE,
        doc: NONE,
        sections: Vec::new(),
        open: Vec::new(),
        continued: NONE,
        stage: NONE,
        record: NONE,
    };
    for i in 0..n {
        let content = lines.content(i);
        let opens = std::mem::replace(&mut fresh, content.trim().is_empty());
        if r.continued != NONE {
            o.parent[i] = r.continued;
            o.unranked[i] = true;
            if !content.trim_end().ends_with('\\') {
                r.continued = NONE;
            }
            continue;
        }
        let kind = classify(content);
        match kind {
            Kind::Blank => {
                o.role[i] = Role::Blank;
                continue;
            }
            Kind::Comment => {
                o.role[i] = Role::Comment;
                continue;
            }
            Kind::FileHeader(path) => {
                o.role[i] = Role::Header;
                o.set_name(i, content, path);
                o.absolute[i] = true;
                r = Reader {
                    file: i as u32,
                    doc: NONE,
                    sections: Vec::new(),
                    open: Vec::new(),
                    continued: NONE,
                    stage: NONE,
                    record: NONE,
                };
                continue;
            }
            Kind::DocSep => {
                // A separator says nothing by itself: it shows with the lines of its document
                // that are shown, and documents with none merge into one marker.
                o.parent[i] = r.file;
                o.unranked[i] = true;
                r.doc = i as u32;
                r.sections.clear();
                r.open.clear();
                r.stage = NONE;
                continue;
            }
            Kind::Section(name) => {
                while let Some(&s) = r.sections.last() {
                    let (a, b) = o.name[s as usize];
                    let open = &lines.content(s as usize)[a as usize..b as usize];
                    if name.len() > open.len()
                        && name.starts_with(open)
                        && name.as_bytes()[open.len()] == b'.'
                    {
                        break;
                    }
                    r.sections.pop();
                }
                o.parent[i] = r.sections.last().copied().unwrap_or(if r.doc != NONE {
                    r.doc
                } else {
                    r.file
                });
                o.set_name(i, content, name);
                o.absolute[i] = true;
                o.boost[i] = P_NOTABLE;
                r.sections.push(i as u32);
                r.open.clear();
                continue;
            }
            Kind::Instruction(word) => {
                if word == "FROM" {
                    o.parent[i] = if r.doc != NONE { r.doc } else { r.file };
                    o.boost[i] = P_NOTABLE;
                    r.stage = i as u32;
                } else {
                    o.parent[i] = r.container();
                }
                o.set_name(i, content, word);
                if content.trim_end().ends_with('\\') {
                    r.continued = i as u32;
                }
                continue;
            }
            Kind::Template => {
                o.parent[i] = r.open.last().map_or(r.container(), |&(_, p)| p);
                o.unranked[i] = true;
                continue;
            }
            Kind::Key { name, item: false } if records && opens && indent(content) == 0 => {
                o.parent[i] = if r.doc != NONE { r.doc } else { r.file };
                o.set_name(i, content, record_name(content, name));
                o.boost[i] = P_NOTABLE;
                r.record = i as u32;
                r.open.clear();
                continue;
            }
            Kind::Key { .. } | Kind::Item | Kind::Other => {}
        }
        let mut width = indent(content);
        if matches!(kind, Kind::Item | Kind::Key { item: true, .. }) {
            // A sequence may sit at its key's indentation; its items still belong to the key.
            width += 1;
        }
        while r.open.last().is_some_and(|&(w, _)| w >= width) {
            r.open.pop();
        }
        o.parent[i] = r.open.last().map_or(r.container(), |&(_, p)| p);
        if let Kind::Key { name, .. } = kind {
            o.set_name(i, content, name);
        }
        r.open.push((width, i as u32));
        if content.trim_end().ends_with('\\') {
            r.continued = i as u32;
        }
    }
    group_flat_runs(lines, &mut o, subgroups);
    o
}

/// The prefix a flat key shares with its group: up to its first `.`, `_` or `-`.
fn prefix(name: &str) -> &str {
    let end = name[1.min(name.len())..]
        .find(['.', '_', '-'])
        .map_or(name.len(), |k| k + 1);
    &name[..end]
}

/// `name` up to and including its `level`-th separator (`.`, `_` or `-`), if it has that many.
fn prefix_at(name: &str, level: usize) -> Option<&str> {
    let mut seen = 0;
    for (k, c) in name.char_indices().skip(1) {
        if matches!(c, '.' | '_' | '-') {
            seen += 1;
            if seen == level {
                return Some(&name[..=k]);
            }
        }
    }
    None
}

/// In a long run of sibling keys without children, only the first key of each prefix group
/// is ranked as structure; the group's other keys are left to the query and the markers.
/// Below that, the first key of each deeper group of two or more (`net.ipv4.`, then
/// `net.ipv4.conf.`) ranks after the structure, shallower groups first, so a budget that has
/// room shows how a long flat listing (`sysctl -a`, `.properties`) divides, not only its
/// top-level names (without a query: with one, the budget is the answer's).
fn group_flat_runs(lines: &Lines<'_>, o: &mut Outline, subgroups: bool) {
    let n = o.len();
    let mut has_children = vec![false; n];
    let mut siblings: rustc_hash::FxHashMap<u32, Vec<usize>> = Default::default();
    for i in 0..n {
        if o.role[i] != Role::Node {
            continue;
        }
        if o.parent[i] != NONE {
            has_children[o.parent[i] as usize] = true;
        }
        siblings.entry(o.parent[i]).or_default().push(i);
    }
    for run in siblings.values() {
        let leaves: Vec<usize> = run
            .iter()
            .copied()
            .filter(|&i| !has_children[i] && o.name[i].0 != o.name[i].1)
            .collect();
        if leaves.len() <= FLAT_RUN {
            continue;
        }
        let names: Vec<&str> = leaves
            .iter()
            .map(|&i| {
                let (a, b) = o.name[i];
                &lines.content(i)[a as usize..b as usize]
            })
            .collect();
        let mut sizes: rustc_hash::FxHashMap<(usize, &str), u32> = Default::default();
        for name in &names {
            for level in 2..=SUBGROUP_LEVELS {
                if let Some(p) = prefix_at(name, level) {
                    *sizes.entry((level, p)).or_default() += 1;
                }
            }
        }
        let mut last = "";
        let mut followers = Vec::new();
        let mut first: rustc_hash::FxHashSet<(usize, &str)> = Default::default();
        for (&i, name) in leaves.iter().zip(&names) {
            let p = prefix(name);
            if p.eq_ignore_ascii_case(last) {
                followers.push(i);
            }
            last = p;
            let mut boost = 0;
            for level in 2..=SUBGROUP_LEVELS {
                let Some(p) = prefix_at(name, level) else {
                    break;
                };
                if sizes[&(level, p)] >= 2 && first.insert((level, p)) && boost == 0 {
                    boost = P_SUBGROUP - 60 * (level as u32 - 2);
                }
            }
            if subgroups {
                o.boost[i] = o.boost[i].max(boost);
            }
        }
        for i in followers {
            o.unranked[i] = true;
        }
    }
}

/// The compressed configuration as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    // With a question the budget goes to what it asks; without one, to how the text divides.
    let o = read(&lines, query.is_empty());
    outline::compress(&lines, &o, query, budget, costs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_compressor::testing::{pieces, run};
    use crate::lines::testing::rows_coverage_gap;

    #[test]
    fn lines_are_read_as_keys_sections_and_documents() {
        assert_eq!(
            classify("  failurePolicy: \"\""),
            Kind::Key {
                name: "failurePolicy",
                item: false
            }
        );
        assert_eq!(
            classify("- name: web"),
            Kind::Key {
                name: "name",
                item: true
            }
        );
        assert_eq!(
            classify("single-line-if-stmt=no"),
            Kind::Key {
                name: "single-line-if-stmt",
                item: false
            }
        );
        assert_eq!(
            classify("export DB_HOST=localhost"),
            Kind::Key {
                name: "DB_HOST",
                item: false
            }
        );
        assert_eq!(
            classify("[tool.ruff.lint]"),
            Kind::Section("tool.ruff.lint")
        );
        assert_eq!(
            classify("[target.'cfg(unix)'.dependencies]"),
            Kind::Section("target.'cfg(unix)'.dependencies")
        );
        assert_eq!(classify("---"), Kind::DocSep);
        assert_eq!(
            classify("FROM python:3.12-slim AS build"),
            Kind::Instruction("FROM")
        );
        assert_eq!(classify("{{- if .Values.enabled }}"), Kind::Template);
        assert_eq!(classify("# a comment"), Kind::Comment);
        assert_eq!(classify("  - nginx"), Kind::Item);
        assert_eq!(classify("see http://example.org"), Kind::Other);
        assert_eq!(classify("==> a/b.yaml <=="), Kind::FileHeader("a/b.yaml"));
    }

    #[test]
    fn a_dotted_path_finds_the_key_under_its_parents() {
        let mut text = String::new();
        for top in ["alertmanager", "grafana", "prometheusOperator"] {
            text.push_str(&format!("{top}:\n  enabled: true\n"));
            for sub in ["admissionWebhooks", "service", "tls"] {
                text.push_str(&format!("  {sub}:\n    failurePolicy: \"{top}-{sub}\"\n    timeoutSeconds: 10\n    patch:\n      enabled: true\n"));
            }
        }
        let out = run(
            compress,
            &text,
            "What is the default of `prometheusOperator.admissionWebhooks.failurePolicy`?",
            120,
        );
        assert!(
            out.contains("    failurePolicy: \"prometheusOperator-admissionWebhooks\"\n"),
            "{out}"
        );
        assert!(
            out.contains("prometheusOperator:\n") && out.contains("  admissionWebhooks:\n"),
            "{out}"
        );
    }

    #[test]
    fn an_ini_key_comes_with_its_section() {
        let mut text = String::new();
        for s in ["MAIN", "FORMAT", "DESIGN", "TYPECHECK"] {
            text.push_str(&format!("[{s}]\n\n"));
            for i in 0..30 {
                text.push_str(&format!(
                    "# option {i} of {s}\n{}-opt-{i}=value{i}\n\n",
                    s.to_lowercase()
                ));
            }
        }
        let out = run(
            compress,
            &text,
            "What value does the example give `format-opt-17`, and in which section?",
            150,
        );
        assert!(
            out.contains("[FORMAT]\n") && out.contains("format-opt-17=value17\n"),
            "{out}"
        );
    }

    #[test]
    fn every_file_header_and_document_survives() {
        let mut text = String::new();
        for f in 0..12 {
            text.push_str(&format!("==> deploy/app{f}.yaml <==\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{f}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app{f}\n        image: registry.example/app{f}:1.{f}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app{f}\n\n"));
        }
        let out = run(compress, &text, "", 500);
        assert!(
            (0..12).all(|f| out.contains(&format!("==> deploy/app{f}.yaml <==\n"))),
            "{out}"
        );
        let asked = run(
            compress,
            &text,
            "Which image does the Deployment `app7` in `deploy/app7.yaml` run?",
            300,
        );
        assert!(
            asked.contains("        image: registry.example/app7:1.7\n"),
            "{asked}"
        );
    }

    #[test]
    fn same_shaped_documents_show_what_sets_each_apart() {
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\n  labels:\n    tier: backend\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: main\n        image: registry.example/svc-{i}:1.{i}\n        resources:\n          limits:\n            cpu: 500m\n            memory: 256Mi\n"));
        }
        let out = run(compress, &text, "", 700);
        let named = (0..30)
            .filter(|i| out.contains(&format!("  name: svc-{i}\n")))
            .count();
        // The first document shows its shape; later ones their names, not only the lines
        // every document shares.
        assert!(named >= 8, "{named} documents named:\n{out}");
        assert!(
            out.contains("kind: Deployment\n") && out.contains("cpu: 500m"),
            "{out}"
        );
        assert!(out.matches("cpu: 500m").count() < 3, "{out}");
    }

    #[test]
    fn flat_keys_without_a_query_show_a_key_of_each_group_and_count_the_rest() {
        let text: String = (0..400)
            .map(|i| {
                format!(
                    "{}_SETTING_{i}=value-{i}\n",
                    ["DB", "CACHE", "AUTH", "LOG", "MAIL"][i / 80]
                )
            })
            .collect();
        let p = pieces(compress, &text, "", 400);
        let kept: String = p
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        for group in ["DB_", "CACHE_", "AUTH_", "LOG_", "MAIL_"] {
            assert!(kept.contains(group), "no {group} key shown: {kept}");
        }
        assert!(p.iter().filter(|p| matches!(p, Piece::Omit { .. })).count() >= 5);
    }

    #[test]
    fn a_long_dotted_listing_shows_its_subgroups_when_the_budget_has_room() {
        let mut text = String::new();
        for top in ["kernel", "net", "vm"] {
            for mid in ["core", "ipv4", "ipv6", "unix"] {
                for leaf in 0..30 {
                    text.push_str(&format!("{top}.{mid}.setting_{leaf} = {leaf}\n"));
                }
            }
        }
        let kept = |budget: usize| -> String {
            pieces(compress, &text, "", budget)
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect()
        };
        let roomy = kept(600);
        for top in ["kernel", "net", "vm"] {
            for mid in ["core", "ipv4", "ipv6", "unix"] {
                let group = format!("{top}.{mid}.setting_0 = 0");
                assert!(roomy.contains(&group), "no {group}: {roomy}");
            }
        }
        assert!(!roomy.contains("setting_29"), "{roomy}");
        let tight = kept(120);
        for top in ["kernel", "net", "vm"] {
            assert!(tight.contains(&format!("{top}.core.setting_0")), "{tight}");
        }
        assert!(!tight.contains("vm.unix.setting_0"), "{tight}");
    }

    #[test]
    fn a_record_named_by_the_question_is_kept_whole() {
        let fields = [
            "Version",
            "Architecture",
            "Maintainer",
            "Depends",
            "Description",
            "Section",
        ];
        let mut text = String::new();
        for p in 0..15 {
            text.push_str(&format!("Package: pkg-{p}-tools\n"));
            for (k, f) in fields.iter().enumerate() {
                text.push_str(&format!("{f}: value {k} of pkg-{}\n", (p + 1) % 15));
            }
            text.push_str(" continued description of the record\n\n");
        }
        let out = run(
            compress,
            &text,
            "Which version of pkg-9-tools does the index hold, and what does it depend on?",
            300,
        );
        assert!(
            out.contains("Package: pkg-9-tools\nVersion: value 0 of pkg-10\n")
                && out.contains("Depends: value 3 of pkg-10\n"),
            "{out}"
        );
        // Without a question every record shows its head.
        let plain = run(compress, &text, "", 600);
        assert!(
            (0..15).all(|p| plain.contains(&format!("Package: pkg-{p}-tools\n"))),
            "{plain}"
        );
    }

    proptest::proptest! {
        #[test]
        fn every_line_is_kept_or_marked_once(
            rows in proptest::collection::vec(
                "( {0,6})(- )?([a-zA-Z_]{1,8}(: |=| = )[a-z0-9\"]{0,8}|\\[[a-z.]{1,6}\\]|---|# [a-z ]{0,10}|==> [a-z/.]{1,8} <==)",
                1..80,
            ),
            query in "[a-zA-Z_ .]{0,20}",
            budget in 30usize..400,
        ) {
            let gap = rows_coverage_gap(&rows, |text| pieces(compress, text, &query, budget));
            proptest::prop_assert_eq!(gap, None);
        }
    }
}
