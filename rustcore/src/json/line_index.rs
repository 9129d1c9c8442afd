//! Line numbers of byte offsets, counted the way the store counts them: split on `\n`, a
//! trailing newline starting no further line, a `\r` before it part of its line.

/// Line numbers of byte offsets.
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|k| k as u32 + 1));
        if starts.len() > 1 && *starts.last().unwrap_or(&0) as usize == text.len() {
            starts.pop();
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    /// The 1-based line holding byte `pos`.
    pub fn line_of(&self, pos: u32) -> u32 {
        self.starts.partition_point(|&s| s <= pos) as u32
    }

    /// Where lines `a..=b` (1-based) lie, as `start..end`, the last line's terminator included.
    pub fn span_of(&self, a: u32, b: u32) -> (u32, u32) {
        let start = self.starts[(a - 1) as usize];
        let end = self.starts.get(b as usize).copied().unwrap_or(self.len);
        (start, end)
    }

    #[cfg(test)]
    pub fn count(&self) -> u32 {
        self.starts.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_lines() {
        let text = "a\nbb\r\nccc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.count(), 3);
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(6), 3);
        assert_eq!(idx.span_of(2, 2), (2, 6));
        assert_eq!(idx.span_of(1, 3), (0, text.len() as u32));
    }
}
