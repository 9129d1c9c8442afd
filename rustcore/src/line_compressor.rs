//! The shape every line compressor shares (text, query, budget in tokens, per-line costs in,
//! pieces out), and what their tests share.

use crate::lines::{Costs, Piece};
use crate::query::Query;

pub type Compressor = fn(&str, &Query, usize, Costs) -> Vec<Piece>;

/// A run as the binding makes it (exact o200k costs, 25-token markers) and a plain rendering of
/// its pieces.
#[cfg(test)]
pub(crate) mod testing {
    use super::Compressor;
    use crate::lines::{Costs, Lines, Piece};
    use crate::query::Query;
    use crate::tokens::Encoding;

    pub(crate) fn pieces(
        compress: Compressor,
        text: &str,
        query: &str,
        budget: usize,
    ) -> Vec<Piece> {
        let lines = Lines::new(text);
        compress(
            text,
            &Query::parse(query),
            budget,
            Costs::new(lines.len(), Encoding::O200kBase, 25),
        )
    }

    /// `pieces` rendered plainly (`lines::testing::plain`).
    pub(crate) fn run(compress: Compressor, text: &str, query: &str, budget: usize) -> String {
        crate::lines::testing::plain(&pieces(compress, text, query, budget))
    }
}
