//! Groups of log lines that share a template, mined in the manner of Drain
//! (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree",
//! ICWS 2017): lines are first masked (numbers, ids, addresses, paths and
//! timestamps become `<*>`, see [`crate::template`]); masked templates of the
//! same kind and length are then merged when they agree on most of their
//! words, the positions where they differ becoming wildcards too. So
//! `Failed password for invalid user admin from <*>` and `... user oracle
//! from <*>` form one group, while `Connection accepted` and `Connection
//! refused` (too few words in common) stay apart.
//!
//! Each masked template is a *variant* of its group: in a group with few
//! variants, a variant seen once among thousands of lines is a broken pattern
//! (the one `root` among many `cyrus` sessions), which the log compressor keeps.
//!
//! The grouping is a pure function of the text, computed in one order (first
//! appearance), so the compressor and a later `template=T` retrieval over the
//! same original agree on every line.

use rustc_hash::FxHashMap as HashMap;

use crate::template::{for_each_part_span, line_hash, Templates};

/// No group: a blank line.
pub const NONE: u32 = u32::MAX;
/// A wildcard among a template's parts.
const WILD: u64 = 0;
/// How many groups of the same kind and length a new variant is compared with.
const CANDIDATES: usize = 48;
/// Words two templates must share, at least, to merge.
const MIN_SHARED: usize = 3;

/// A group of lines: its public id (`template=T` names it, 8 hex digits),
/// how many lines and variants it has, and where it first and last occurs.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: u32,
    pub count: u32,
    pub variants: u32,
    pub first: u32,
    pub last: u32,
}

/// A masked template and the group it joined.
#[derive(Debug, Clone)]
pub struct Variant {
    pub count: u32,
    pub group: u32,
}

/// Every line's group and variant.
pub struct Grouping {
    /// Per line: its variant, or [`NONE`] for a blank line.
    pub variant_of: Vec<u32>,
    pub variants: Vec<Variant>,
    pub groups: Vec<Group>,
}

impl Grouping {
    /// The group of line `i` (0-based), if it has one.
    pub fn group_of(&self, i: usize) -> Option<&Group> {
        let v = self.variant_of[i];
        (v != NONE).then(|| &self.groups[self.variants[v as usize].group as usize])
    }

    /// The index of line `i`'s group, or [`NONE`].
    pub fn group_index(&self, i: usize) -> u32 {
        let v = self.variant_of[i];
        if v == NONE {
            NONE
        } else {
            self.variants[v as usize].group
        }
    }
}

/// A variant as first seen: its kind, its parts (a hash per word, [`WILD`]
/// for a masked run) and its first line.
struct Seen {
    kind: u8,
    parts: Vec<u64>,
    first: u32,
    last: u32,
    count: u32,
}

/// Collects lines one at a time, then groups them ([`Miner::finish`]).
#[derive(Default)]
pub struct Miner {
    templates: Templates,
    by_key: HashMap<u64, u32>,
    seen: Vec<Seen>,
    variant_of: Vec<u32>,
}

impl Miner {
    /// Adds the next line: `kind` is what the caller classified it as (lines of
    /// different kinds never share a group), `line` its trimmed, ANSI-stripped
    /// text, None for a blank line.
    pub fn add(&mut self, kind: u8, line: Option<&str>) {
        let Some(line) = line else {
            self.variant_of.push(NONE);
            return;
        };
        let at = self.variant_of.len() as u32;
        let key = self.templates.key(line) ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let next = self.seen.len() as u32;
        let v = *self.by_key.entry(key).or_insert(next);
        if v == next {
            let mut parts = Vec::new();
            for_each_part_span(line, |a, b, variable| {
                parts.push(if variable {
                    WILD
                } else {
                    line_hash(&line.as_bytes()[a..b]) | 1
                });
            });
            self.seen.push(Seen {
                kind,
                parts,
                first: at,
                last: at,
                count: 0,
            });
        }
        let s = &mut self.seen[v as usize];
        s.count += 1;
        s.last = at;
        self.variant_of.push(v);
    }

    /// Groups the variants, in the order they first appeared.
    pub fn finish(self) -> Grouping {
        let mut clusters: Vec<Cluster> = Vec::new();
        let mut buckets: HashMap<(u8, usize), Vec<u32>> = HashMap::default();
        let mut cluster_of = Vec::with_capacity(self.seen.len());
        for s in &self.seen {
            let bucket = buckets.entry((s.kind, s.parts.len())).or_default();
            let best = bucket
                .iter()
                .rev()
                .take(CANDIDATES)
                .filter_map(|&c| clusters[c as usize].fit(&s.parts).map(|shared| (shared, c)))
                .max_by_key(|&(shared, c)| (shared, std::cmp::Reverse(c)));
            let c = match best {
                Some((_, c)) => {
                    clusters[c as usize].merge(&s.parts);
                    c
                }
                None => {
                    let c = clusters.len() as u32;
                    clusters.push(Cluster {
                        kind: s.kind,
                        parts: s.parts.clone(),
                    });
                    bucket.push(c);
                    c
                }
            };
            cluster_of.push(c);
        }
        // A group per distinct id: two clusters that ended alike are one group.
        let mut group_of_id: HashMap<u32, u32> = HashMap::default();
        let mut groups: Vec<Group> = Vec::new();
        let group_of_cluster: Vec<u32> = clusters
            .iter()
            .map(|c| {
                let id = c.id();
                *group_of_id.entry(id).or_insert_with(|| {
                    groups.push(Group {
                        id,
                        count: 0,
                        variants: 0,
                        first: u32::MAX,
                        last: 0,
                    });
                    (groups.len() - 1) as u32
                })
            })
            .collect();
        let variants: Vec<Variant> = self
            .seen
            .iter()
            .zip(&cluster_of)
            .map(|(s, &c)| {
                let group = group_of_cluster[c as usize];
                let g = &mut groups[group as usize];
                g.count += s.count;
                g.variants += 1;
                g.first = g.first.min(s.first);
                g.last = g.last.max(s.last);
                Variant {
                    count: s.count,
                    group,
                }
            })
            .collect();
        Grouping {
            variant_of: self.variant_of,
            variants,
            groups,
        }
    }
}

/// A group being mined: its kind and its template's parts so far.
struct Cluster {
    kind: u8,
    parts: Vec<u64>,
}

impl Cluster {
    /// How many words `parts` shares with this template, if it may join it:
    /// at least [`MIN_SHARED`], and the words it would turn into wildcards at
    /// most a third of those the template still has; or, for a short line, one
    /// word apart after the same first word (`Unpacking <*> (<*>)`).
    fn fit(&self, parts: &[u64]) -> Option<usize> {
        let mut shared = 0;
        let mut differ = 0;
        let mut words = 0;
        for (&mine, &theirs) in self.parts.iter().zip(parts) {
            if mine == WILD {
                continue;
            }
            words += 1;
            if mine == theirs {
                shared += 1;
            } else {
                differ += 1;
            }
        }
        // The first word, after any masked prefix (a timestamp, a counter).
        let same_start = self
            .parts
            .iter()
            .position(|&p| p != WILD)
            .is_some_and(|k| self.parts[k] == parts[k]);
        let fits = differ == 0
            || (shared >= MIN_SHARED && differ * 3 <= words)
            || (differ == 1 && same_start && words >= 2);
        fits.then_some(shared)
    }

    fn merge(&mut self, parts: &[u64]) {
        for (mine, &theirs) in self.parts.iter_mut().zip(parts) {
            if *mine != theirs {
                *mine = WILD;
            }
        }
    }

    /// The public id: 32 bits of a hash of the kind and the parts.
    fn id(&self) -> u32 {
        let mut bytes = Vec::with_capacity(1 + 8 * self.parts.len());
        bytes.push(self.kind);
        for p in &self.parts {
            bytes.extend_from_slice(&p.to_le_bytes());
        }
        let h = line_hash(&bytes);
        (h ^ (h >> 32)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(lines: &[&str]) -> Grouping {
        let mut m = Miner::default();
        for l in lines {
            let t = l.trim();
            m.add(0, (!t.is_empty()).then_some(t));
        }
        m.finish()
    }

    #[test]
    fn lines_differing_in_one_word_share_a_group() {
        let g = group(&[
            "Jun 14 15:16:01 combo sshd[19939]: Failed password for invalid user admin from 1.2.3.4 port 22 ssh2",
            "Jun 14 15:16:02 combo sshd[19940]: Failed password for invalid user oracle from 1.2.3.5 port 23 ssh2",
            "Jun 14 15:16:03 combo sshd[19941]: Failed password for invalid user test from 1.2.3.6 port 24 ssh2",
            "Jun 14 15:16:04 combo sshd[19942]: Accepted password for root from 1.2.3.6 port 24 ssh2",
        ]);
        assert_eq!(g.group_index(0), g.group_index(1));
        assert_eq!(g.group_index(0), g.group_index(2));
        assert_ne!(g.group_index(0), g.group_index(3));
        let first = &g.groups[g.group_index(0) as usize];
        assert_eq!((first.count, first.variants), (3, 3));
    }

    #[test]
    fn short_lines_group_by_their_first_word_and_kinds_stay_apart() {
        let g = group(&[
            "Unpacking libfoo (1.2-1) ...",
            "Unpacking libbar (3.4-1) ...",
            "",
            "Starting libfoo (1.2-1) ...",
        ]);
        assert_eq!(g.group_index(0), g.group_index(1));
        assert_ne!(g.group_index(0), g.group_index(3));
        assert_eq!(g.group_index(2), NONE);
        let mut m = Miner::default();
        m.add(1, Some("job 7 of batch alpha finished with status done"));
        m.add(2, Some("job 8 of batch alpha finished with status failed"));
        let g = m.finish();
        assert_ne!(g.group_index(0), g.group_index(1));
    }

    #[test]
    fn the_first_word_after_a_timestamp_is_the_first_word() {
        let g = group(&[
            "2025-06-24 14:36:54 status unpacked git-man:all 1:2.39.5-0+deb12u2",
            "2025-06-24 14:36:54 status unpacked netbase:all 6.4",
            "2025-06-24 14:36:55 startup archives unpack",
        ]);
        assert_eq!(g.group_index(0), g.group_index(1));
        assert_ne!(g.group_index(0), g.group_index(2));
    }

    proptest::proptest! {
        #[test]
        fn every_line_has_one_group_and_counts_add_up(
            lines in proptest::collection::vec("(a|b|c|user|x1|[0-9]{1,3}| |/p){0,12}", 0..60),
        ) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let g = group(&refs);
            let mut counts = vec![0u32; g.groups.len()];
            for (i, l) in refs.iter().enumerate() {
                let gi = g.group_index(i);
                proptest::prop_assert_eq!(gi == NONE, l.trim().is_empty());
                if gi != NONE {
                    counts[gi as usize] += 1;
                    let grp = &g.groups[gi as usize];
                    proptest::prop_assert!(grp.first as usize <= i && i <= grp.last as usize);
                }
            }
            for (grp, n) in g.groups.iter().zip(counts) {
                proptest::prop_assert_eq!(grp.count, n);
            }
        }
    }
}
