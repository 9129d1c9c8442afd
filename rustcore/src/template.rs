//! Line templates: a line with its variable fields (numbers, ids, hex,
//! addresses, timestamps, paths) masked, so that lines which differ only in
//! those share a key. Logs use them to count repeats and spot rare lines.

use std::hash::Hasher;

use rustc_hash::FxHasher;

/// A stable 64-bit hash of `bytes` (the same on every run and machine), for
/// telling exact repeats apart.
pub fn line_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// What a byte is to the field scanner: a field delimiter, a digit, a path
/// separator, a hex digit, or punctuation trimmed from a field's edges.
const DELIM: u8 = 1;
const DIGIT: u8 = 2;
const SLASH: u8 = 4;
const HEX: u8 = 8;
const EDGE: u8 = 16;

static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let delims = b" \t,;=()[]{}<>\"'|";
    let mut k = 0;
    while k < delims.len() {
        t[delims[k] as usize] |= DELIM;
        k += 1;
    }
    let edges = b":.!?*#@";
    k = 0;
    while k < edges.len() {
        t[edges[k] as usize] |= EDGE;
        k += 1;
    }
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] |= DIGIT | HEX;
        c += 1;
    }
    c = b'a';
    while c <= b'f' {
        t[c as usize] |= HEX;
        t[(c - 32) as usize] |= HEX;
        c += 1;
    }
    t[b'/' as usize] |= SLASH;
    t[b'\\' as usize] |= SLASH;
    t
}

fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

/// Whether a field is variable data (a number, id, address, hex, path or timestamp).
fn is_variable(field: &[u8]) -> bool {
    let mut any = 0u8;
    let mut all = HEX;
    for &b in field {
        let c = class(b);
        any |= c;
        all &= c;
    }
    any & DIGIT != 0
        || (field.len() > 1 && any & SLASH != 0)
        || (field.len() >= 8 && all & HEX != 0)
}

/// Computes template keys, reusing one buffer for the masked line.
#[derive(Default)]
pub struct Templates {
    buf: Vec<u8>,
}

impl Templates {
    /// The key of `line`'s template (see [`template_key`]).
    pub fn key(&mut self, line: &str) -> u64 {
        self.buf.clear();
        let buf = &mut self.buf;
        for_each_template_part(line, |part| buf.extend_from_slice(part));
        line_hash(buf)
    }
}

/// The template of a line: its fields with variable data masked as `<*>`
/// (runs of masked fields merged), so lines that differ only in numbers, ids,
/// addresses, timestamps or paths share one template.
pub fn template_key(line: &str) -> u64 {
    Templates::default().key(line)
}

/// The template as text, for showing which lines a count stands for: the
/// line with each run of variable fields (and the punctuation between them)
/// replaced by `<*>`.
pub fn template_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending = String::new();
    let mut last_masked = false;
    for_each_template_span(line, |between, field, variable| {
        pending.push_str(between);
        if variable && last_masked {
            pending.clear();
            return;
        }
        out.push_str(&pending);
        pending.clear();
        out.push_str(if variable { "<*>" } else { field });
        last_masked = variable;
    });
    out.push_str(pending.trim_end());
    out
}

/// The parts [`Templates::key`] hashes, as byte spans of `line`: each
/// constant field, and each run of variable fields (from the first one's
/// start to the last one's end) flagged `variable`.
pub fn for_each_part_span(line: &str, mut f: impl FnMut(usize, usize, bool)) {
    let bytes = line.as_bytes();
    let mut run: Option<(usize, usize)> = None;
    for (a, b) in field_spans(bytes) {
        if is_variable(&bytes[a..b]) {
            run = Some(run.map_or((a, b), |(start, _)| (start, b)));
        } else {
            if let Some((start, end)) = run.take() {
                f(start, end, true);
            }
            f(a, b, false);
        }
    }
    if let Some((start, end)) = run {
        f(start, end, true);
    }
}

/// The fields of a line as the template sees them: `(text before, field, is variable)`.
fn for_each_template_span<'a>(line: &'a str, mut f: impl FnMut(&'a str, &'a str, bool)) {
    let bytes = line.as_bytes();
    let mut prev_end = 0;
    for (a, b) in field_spans(bytes) {
        f(&line[prev_end..a], &line[a..b], is_variable(&bytes[a..b]));
        prev_end = b;
    }
    f(&line[prev_end..], "", false);
}

/// The parts [`template_key`] hashes: each field, or `<*>` for a run of variable ones.
///
/// The same fields as [`field_spans`] with [`is_variable`], in one pass over
/// the bytes: the hot loop of the log compressor.
fn for_each_template_part(line: &str, mut f: impl FnMut(&[u8])) {
    let bytes = line.as_bytes();
    let mut last_masked = false;
    let mut i = 0;
    loop {
        while i < bytes.len() && class(bytes[i]) & DELIM != 0 {
            i += 1;
        }
        let start = i;
        let mut any = 0u8;
        let mut hex = 0usize;
        while i < bytes.len() {
            let c = class(bytes[i]);
            if c & DELIM != 0 {
                break;
            }
            any |= c;
            hex += usize::from(c & HEX != 0);
            i += 1;
        }
        if start == i {
            return;
        }
        let (mut a, mut b) = (start, i);
        while a < b && class(bytes[a]) & EDGE != 0 {
            a += 1;
        }
        while b > a && class(bytes[b - 1]) & EDGE != 0 {
            b -= 1;
        }
        if a == b {
            continue;
        }
        // Edge bytes are neither digits, separators nor hex, so the run's counts are the field's.
        let len = b - a;
        let variable =
            any & DIGIT != 0 || (len > 1 && any & SLASH != 0) || (len >= 8 && hex == len);
        if variable {
            if !last_masked {
                f(b"<*>");
            }
            last_masked = true;
        } else {
            f(&bytes[a..b]);
            last_masked = false;
        }
    }
}

/// Where each field of `bytes` lies, as `start..end`: runs between field
/// delimiters without their leading and trailing `:.!?*#@` (so a `key:value`
/// or `host:port` field keeps its key when only the value varies), empty ones
/// skipped.
fn field_spans(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        while i < bytes.len() && class(bytes[i]) & DELIM != 0 {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && class(bytes[i]) & DELIM == 0 {
            i += 1;
        }
        if start == i {
            return None;
        }
        let (mut a, mut b) = (start, i);
        while a < b && class(bytes[a]) & EDGE != 0 {
            a += 1;
        }
        while b > a && class(bytes[b - 1]) & EDGE != 0 {
            b -= 1;
        }
        if a < b {
            return Some((a, b));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_differing_in_numbers_ids_and_paths_share_a_template() {
        let a = "081110 111732 9557 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_783 terminating";
        let b = "081110 111826 9879 INFO dfs.DataNode$PacketResponder: PacketResponder 2 for block blk_-534 terminating";
        assert_eq!(template_key(a), template_key(b));
        assert_ne!(
            template_key(a),
            template_key("081110 111826 9879 WARN something else")
        );
        assert_eq!(
            template_key("open /a/b.txt failed"),
            template_key("open /c/d.txt failed")
        );
        assert_eq!(template_text("x=1 y=2 done"), "x=<*> y=<*> done");
        assert_eq!(
            template_text("2024-03-01 10:06:17,204 INFO [worker-3] http.Access: GET /a/1 200 40ms"),
            "<*> INFO [<*>] http.Access: GET <*>"
        );
    }

    /// The parts as `field_spans` and `is_variable` give them, one step at a time.
    fn parts_step_by_step(line: &str) -> Vec<Vec<u8>> {
        let bytes = line.as_bytes();
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut last_masked = false;
        for (a, b) in field_spans(bytes) {
            let variable = is_variable(&bytes[a..b]);
            if !(variable && last_masked) {
                out.push(if variable {
                    b"<*>".to_vec()
                } else {
                    bytes[a..b].to_vec()
                });
            }
            last_masked = variable;
        }
        out
    }

    #[test]
    fn hex_ids_and_paths_are_variable_but_words_are_not() {
        assert!(is_variable(b"deadbeefcafe"));
        assert!(is_variable(b"/var/log"));
        assert!(is_variable(b"x1"));
        assert!(!is_variable(b"decade"));
        assert!(!is_variable(b"/"));
        assert!(!is_variable(b"handler"));
    }

    proptest::proptest! {
        #[test]
        fn part_spans_are_the_parts_the_key_hashes(
            line in "([a-fA-F0-9xyz/\\\\:.!?*#@ ,;=()\\[\\]{}<>\"'|\t-]|\\PC){0,60}",
        ) {
            let mut spans: Vec<Vec<u8>> = Vec::new();
            for_each_part_span(&line, |a, b, variable| {
                spans.push(if variable { b"<*>".to_vec() } else { line.as_bytes()[a..b].to_vec() });
            });
            proptest::prop_assert_eq!(spans, parts_step_by_step(&line));
        }

        #[test]
        fn the_one_pass_scan_gives_the_fields_step_by_step_does(
            line in "([a-fA-F0-9xyz/\\\\:.!?*#@ ,;=()\\[\\]{}<>\"'|\t-]|\\PC){0,60}",
        ) {
            let mut parts: Vec<Vec<u8>> = Vec::new();
            for_each_template_part(&line, |p| parts.push(p.to_vec()));
            proptest::prop_assert_eq!(parts, parts_step_by_step(&line));
        }
    }
}
