//! Helpers the crates' integration tests and benches share, so each is written once:
//! decompression-bomb pictures (`bombs`), sound made and measured by tools independent of ours
//! (`sound`), a server program started and its announced address read (`process`), and play
//! timers of a few milliseconds straight in a store (`timers`). A dev-dependency only.

pub mod bombs;
pub mod process;
pub mod sound;
pub mod timers;
