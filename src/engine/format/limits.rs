//! The limits of the scenario format, in one place: each is far beyond any real call, and each
//! keeps a hostile or broken file from costing unbounded time or memory. The checker reports a
//! file over a limit (E0020) before anything is built from it; README.md lists them.

/// The largest scenario file read (E0018); the size is enforced while reading.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Nodes in one call.
pub const MAX_NODES: usize = 500_000;
/// Facts in one call.
pub const MAX_FACTS: usize = 1_000;
/// Choices at one node (a rep reads them all; keys 1 to 9 pick the first nine).
pub const MAX_CHOICES: usize = 64;
/// Branches of one `chance` (each weighs at most `MAX_BRANCH_WEIGHT`, so their sum fits).
pub const MAX_BRANCHES: usize = 64;
/// The largest weight of a chance branch.
pub const MAX_BRANCH_WEIGHT: i64 = 1_000_000;
/// Conditions on one choice, and facts one line or choice reveals.
pub const MAX_LIST: usize = 64;
/// Tags of a scenario.
pub const MAX_TAGS: usize = 32;
/// Characters in one id (a node's, a fact's, a choice's, the scenario's).
pub const MAX_ID_CHARS: usize = 64;
/// Characters in one text (a line, a choice, a note, the brief).
pub const MAX_TEXT_CHARS: usize = 4_000;
/// How deep values may nest (ron's own default); deeper is a syntax error.
pub const MAX_NESTING: usize = 128;
