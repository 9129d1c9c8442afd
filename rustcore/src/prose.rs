//! Prose, Markdown, reStructuredText and plain text: the outline and the sentences that matter.
//!
//! [`blocks`] reads the structure from line shapes, [`units`] cuts it into what is kept or dropped
//! (sentences, list items, table rows, fenced blocks) and scores them, [`entries`] finds the entries
//! of documentation (options, functions, stanzas), [`select`] chooses lines within
//! a token target and the runs left out. Lines are 0-based here; the caller renders kept lines
//! verbatim and one marker per run.

pub mod blocks;
pub mod entries;
pub mod select;
pub mod units;

pub use blocks::{Block, Kind, Section};
pub use entries::{Entry, EntryKind};
pub use select::{gaps, select, Gap, Options, Selection, Signal};
pub use units::{Unit, UnitKind};

/// A text parsed for selection: its blocks, sections, units and section paths.
pub struct Doc {
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
    pub units: Vec<Unit>,
    /// Each section's titles from the outermost down, joined by ` / `.
    pub paths: Vec<String>,
    /// Documentation entries (options, functions, stanzas): see [`entries`].
    pub entries: Vec<Entry>,
}

impl Doc {
    pub fn parse(lines: &[&str]) -> Self {
        let (blocks, sections) = blocks::parse(lines);
        let units = units::units(lines, &blocks, &sections);
        let paths = sections.iter().map(|s| s.path(&sections)).collect();
        Doc {
            blocks,
            sections,
            units,
            paths,
            entries: entries::entries(lines),
        }
    }

    /// What the sentence signals score: each unit's text, then each section's path (a section whose
    /// heading matches the question lends its units some of that relevance).
    pub fn texts(&self) -> Vec<&str> {
        self.units
            .iter()
            .map(|u| u.text.as_str())
            .chain(self.paths.iter().map(String::as_str))
            .collect()
    }
}
