//! Line templates: a line with its variable fields (numbers, ids, hex,
//! addresses, timestamps, paths) masked, so that lines which differ only in
//! those share a key. Logs use them to count repeats and spot rare lines.

/// 64-bit FNV-1a, for template keys (stable across runs, unlike std's hasher).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

fn is_field_delim(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b','
            | b';'
            | b'='
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b'"'
            | b'\''
            | b'|'
    )
}

/// Whether a field is variable data (a number, id, address, hex, path or timestamp).
fn is_variable(field: &[u8]) -> bool {
    if field.iter().any(u8::is_ascii_digit) {
        return true;
    }
    if field.len() > 1 && (field.contains(&b'/') || field.contains(&b'\\')) {
        return true;
    }
    field.len() >= 8 && field.iter().all(u8::is_ascii_hexdigit)
}

/// The template of a line: its fields with variable data masked as `<*>`
/// (runs of masked fields merged), so lines that differ only in numbers, ids,
/// addresses, timestamps or paths share one template.
pub fn template_key(line: &str) -> u64 {
    let mut h = Fnv::default();
    for_each_template_part(line, |part| h.write(part));
    h.finish()
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

fn for_each_template_part(line: &str, mut f: impl FnMut(&[u8])) {
    let bytes = line.as_bytes();
    let mut last_masked = false;
    for (a, b) in field_spans(bytes) {
        let field = &bytes[a..b];
        if is_variable(field) {
            if !last_masked {
                f(b"<*>");
            }
            last_masked = true;
        } else {
            f(field);
            last_masked = false;
        }
    }
}

/// Where each field of `bytes` lies, as `start..end`: runs between field
/// delimiters, trimmed by [`trimmed_span`], empty ones skipped.
fn field_spans(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        while i < bytes.len() && is_field_delim(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !is_field_delim(bytes[i]) {
            i += 1;
        }
        if start == i {
            return None;
        }
        // A `key:value` or `host:port` field keeps its key when only the value varies.
        let (a, b) = trimmed_span(&bytes[start..i]);
        if a < b {
            return Some((start + a, start + b));
        }
    })
}

/// The span of a field without leading and trailing `:.!?*#@`.
fn trimmed_span(field: &[u8]) -> (usize, usize) {
    let edge = |c: u8| matches!(c, b':' | b'.' | b'!' | b'?' | b'*' | b'#' | b'@');
    let mut a = 0;
    let mut b = field.len();
    while a < b && edge(field[a]) {
        a += 1;
    }
    while b > a && edge(field[b - 1]) {
        b -= 1;
    }
    (a, b)
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
}
