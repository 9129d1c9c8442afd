//! Memory the process holds but no longer needs, handed back to the system.
//!
//! Two kinds matter to a long-running server:
//! - the token ranks `bpe-openai` compiles into this library (32 MB for `o200k_base`, 15 MB for
//!   `cl100k_base`) are read once, into the tokenizer's own tables; the pages of the library they were read
//!   from stay resident and count in the process's RSS although nothing reads them again. They are pages of a
//!   read-only file mapping, so the kernel may drop them and read them back from the file on the next touch:
//!   nothing is lost, and nothing here ever touches them again.
//! - memory freed by the allocator that it keeps for reuse (onnxruntime's buffers of a batch of embeddings,
//!   a large compression's temporaries) until it is trimmed.
//!
//! Both are requests: an older kernel or another allocator declines them, and nothing changes.

/// Asks the kernel to reclaim the resident pages of this library's read-only data (see the module doc);
/// returns how many bytes of mappings it was asked about (0 where this is not Linux or they were not found).
pub fn page_out_read_only_data() -> usize {
    #[cfg(target_os = "linux")]
    {
        linux::page_out_read_only_data()
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Returns the allocator's free memory to the system (glibc's `malloc_trim`); false where that is not
/// available or nothing was returned.
pub fn trim_heap() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> core::ffi::c_int;
        }
        // SAFETY: malloc_trim only releases free memory of the allocator's own arenas; it takes no pointers.
        unsafe { malloc_trim(0) != 0 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use core::ffi::{c_int, c_void};

    /// `MADV_DONTNEED`: drop these pages from the process. Lossless only for a mapping holding no private
    /// copies (its pages are then the file's, read back on the next touch), which `Anonymous: 0 kB` in
    /// `/proc/self/smaps` shows; a read-only mapping cannot gain one.
    const MADV_DONTNEED: c_int = 4;
    /// `MADV_PAGEOUT` (Linux 5.4): reclaim these pages now, never discarding data (a page written since it was
    /// mapped, as relocated read-only data is, is kept or swapped). Only for a file its process may write.
    const MADV_PAGEOUT: c_int = 21;

    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }

    struct Mapping {
        start: usize,
        end: usize,
        perms: String,
        file: String, // "device inode" of the mapped file
        anonymous_kb: Option<u64>,
    }

    fn mappings() -> Vec<Mapping> {
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return Vec::new();
        };
        let mut out: Vec<Mapping> = Vec::new();
        for line in smaps.lines() {
            if let Some(value) = line.strip_prefix("Anonymous:") {
                if let Some(last) = out.last_mut() {
                    last.anonymous_kb = value.trim().trim_end_matches("kB").trim().parse().ok();
                }
                continue;
            }
            let mut fields = line.split_ascii_whitespace();
            let (Some(range), Some(perms), Some(_offset), Some(device), Some(inode)) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                continue;
            };
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue; // a "Key: value kB" line
            };
            out.push(Mapping {
                start,
                end,
                perms: perms.to_string(),
                file: format!("{device} {inode}"),
                anonymous_kb: None,
            });
        }
        out
    }

    pub(super) fn page_out_read_only_data() -> usize {
        let all = mappings();
        // This function's own code lies in a mapping of the file this library was loaded from.
        let here = page_out_read_only_data as *const () as usize;
        let Some(own) = all
            .iter()
            .find(|m| m.start <= here && here < m.end && !m.file.ends_with(" 0"))
        else {
            return 0;
        };
        let mut asked = 0;
        for m in all
            .iter()
            .filter(|m| m.file == own.file && m.perms == "r--p")
        {
            let advice = if m.anonymous_kb == Some(0) {
                MADV_DONTNEED
            } else {
                MADV_PAGEOUT
            };
            // SAFETY: the range is a whole read-only mapping of this process; DONTNEED only where it holds no
            // private pages (see above), so either advice leaves its contents as they were. Failure (an old
            // kernel, a file this process may not write) is ignored.
            let _ = unsafe { madvise(m.start as *mut c_void, m.end - m.start, advice) };
            asked += m.end - m.start;
        }
        asked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{count, Encoding};

    #[test]
    fn counts_are_unchanged_after_the_library_read_only_data_is_paged_out() {
        let text = "fn main() { println!(\"héllo wörld\"); } // tokens 1234567";
        let before = count(text, Encoding::O200kBase);
        page_out_read_only_data();
        assert_eq!(count(text, Encoding::O200kBase), before);
        assert_eq!(
            count(text, Encoding::Cl100kBase),
            count(text, Encoding::Cl100kBase)
        );
    }

    #[test]
    fn the_read_only_data_of_this_binary_is_found_on_linux() {
        let asked = page_out_read_only_data();
        assert_eq!(asked > 0, cfg!(target_os = "linux"));
    }

    #[test]
    fn trimming_the_heap_leaves_allocations_intact() {
        let kept: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 * 1024]).collect();
        drop((0..64).map(|_| vec![0u8; 256 * 1024]).collect::<Vec<_>>());
        trim_heap();
        assert!(kept
            .iter()
            .enumerate()
            .all(|(i, v)| v.iter().all(|&b| b == i as u8)));
    }
}
