//! Beyond memory: storage, the network, and the whole hierarchy from
//! registers to disk.
pub mod network;
pub mod storage;
pub mod tiers;
