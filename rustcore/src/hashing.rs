//! Content handles for the CCR store.
//!
//! One producer, one format: every original, marker and retrieval key is the
//! first [`HASH_HEX_LEN`] hex digits of the BLAKE3 digest of the exact bytes.
//! 64 bits keep markers short (about 8 tokens) while a local store would need
//! around four billion originals before a collision became likely; the store
//! still compares bytes on insert, so a collision is reported, never merged.

/// Length of a handle in hex digits (64 bits).
pub const HASH_HEX_LEN: usize = 16;

/// The handle of `data`: lowercase hex, [`HASH_HEX_LEN`] digits.
pub fn content_hash(data: &[u8]) -> String {
    let digest = blake3::hash(data);
    let mut out = digest.to_hex().to_string();
    out.truncate(HASH_HEX_LEN);
    out
}

/// Whether `s` has the shape of a handle (does not say whether it is stored).
pub fn is_hash(s: &str) -> bool {
    s.len() == HASH_HEX_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fixed_length_lowercase_hex() {
        for data in [
            &b""[..],
            b"a",
            &[0u8, 255, 10, 13][..],
            &vec![7u8; 1 << 20][..],
        ] {
            let h = content_hash(data);
            assert!(is_hash(&h), "{h}");
        }
    }

    #[test]
    fn hash_matches_blake3_prefix() {
        let full = blake3::hash(b"hello world").to_hex().to_string();
        assert_eq!(content_hash(b"hello world"), full[..HASH_HEX_LEN]);
    }

    #[test]
    fn different_bytes_give_different_handles() {
        assert_ne!(content_hash(b"line\n"), content_hash(b"line\r\n"));
    }

    #[test]
    fn is_hash_rejects_other_shapes() {
        assert!(!is_hash("ABCDEF0123456789"));
        assert!(!is_hash("abc"));
        assert!(!is_hash("zzzzzzzzzzzzzzzz"));
    }
}
