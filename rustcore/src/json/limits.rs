//! How much the renderer keeps at each level, and which field names mean what.
//!
//! Level 0 is the default; each level keeps less. The field-name tables are
//! general knowledge of API responses and logs (what identifies a record, what
//! names a person, where free text lives), never tuned to one input.

/// Fields that identify a record; kept on every summarised item.
#[rustfmt::skip]
pub(super) const IDENT: &[&str] = &[
    "id", "number", "name", "full_name", "login", "username", "state", "status", "conclusion",
    "title", "html_url", "sha", "created_at", "filename", "file", "path", "event", "type",
    "version", "key", "email", "ref", "severity", "level", "result", "outcome", "tag_name",
    "timestamp", "date", "time", "code", "kind", "head_branch", "branch", "submitted_at",
    "published_at", "ts", "@timestamp", "datetime", "uuid", "guid", "slug", "cve_id", "ghsa_id",
];
/// Nested objects that stand for a person or account; summarised to their name-like fields.
#[rustfmt::skip]
pub(super) const PEOPLE: &[&str] = &[
    "user", "author", "actor", "owner", "committer", "creator", "assignee", "sender",
    "requested_reviewer", "merged_by", "closed_by", "reviewer", "head", "base",
];
/// Fields inside a nested object that name it.
#[rustfmt::skip]
pub(super) const NAME_KEYS: &[&str] = &[
    "login", "name", "full_name", "title", "id", "ref", "sha", "date", "email", "number", "key",
    "label", "state", "status",
];
/// Long free-text fields whose start a summary keeps.
#[rustfmt::skip]
pub(super) const TEXT_KEYS: &[&str] = &[
    "body", "message", "description", "text", "content", "comment", "summary", "msg", "error",
    "reason", "detail", "details",
];

/// How much to keep; higher levels keep less.

#[derive(Clone, Debug)]
pub struct Limits {
    pub full_cap: usize,
    pub summary_cap: usize,
    pub small: usize,
    pub reps: bool,
    pub list_head: usize,
    pub list_tail: usize,
    pub list_hits: usize,
    /// Strings over `.1` characters keep their first `.0`, in items kept whole.
    pub full_text: (usize, usize),
    /// The same for identifying fields of summaries.
    pub ident_text: (usize, usize),
    /// The same for free text in summaries; `None` drops it.
    pub snippet: Option<(usize, usize)>,
    pub nested_full_bytes: u32,
    /// Say the fields every record shares once, up front.
    pub note: bool,
}

/// The last level keeps the skeleton and markers only.
pub const MAX_LEVEL: u8 = 5;

impl Limits {
    pub fn for_level(level: u8) -> Limits {
        match level {
            0 => Limits {
                full_cap: 10,
                summary_cap: 15,
                small: 6,
                reps: true,
                list_head: 5,
                list_tail: 3,
                list_hits: 20,
                full_text: (600, 800),
                ident_text: (200, 300),
                snippet: Some((200, 280)),
                nested_full_bytes: 400,
                note: true,
            },
            1 => Limits {
                full_cap: 6,
                summary_cap: 6,
                small: 4,
                reps: true,
                list_head: 3,
                list_tail: 2,
                list_hits: 10,
                full_text: (400, 520),
                ident_text: (160, 240),
                snippet: Some((120, 180)),
                nested_full_bytes: 300,
                note: true,
            },
            2 => Limits {
                full_cap: 3,
                summary_cap: 3,
                small: 2,
                reps: false,
                list_head: 2,
                list_tail: 1,
                list_hits: 5,
                full_text: (240, 320),
                ident_text: (120, 180),
                snippet: None,
                nested_full_bytes: 200,
                note: true,
            },
            3 => Limits {
                full_cap: 1,
                summary_cap: 1,
                small: 0,
                reps: false,
                list_head: 1,
                list_tail: 0,
                list_hits: 2,
                full_text: (160, 200),
                ident_text: (80, 120),
                snippet: None,
                nested_full_bytes: 0,
                note: true,
            },
            4 => Limits {
                full_cap: 0,
                summary_cap: 1,
                small: 0,
                reps: false,
                list_head: 0,
                list_tail: 0,
                list_hits: 1,
                full_text: (80, 100),
                ident_text: (60, 80),
                snippet: None,
                nested_full_bytes: 0,
                note: false,
            },
            _ => Limits {
                full_cap: 0,
                summary_cap: 0,
                small: 0,
                reps: false,
                list_head: 0,
                list_tail: 0,
                list_hits: 0,
                full_text: (40, 60),
                ident_text: (40, 60),
                snippet: None,
                nested_full_bytes: 0,
                note: false,
            },
        }
    }
}
