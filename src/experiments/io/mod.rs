//! Beyond memory: storage, the network, and the whole hierarchy from
//! registers to disk, and the buses between them.
pub mod buses;
pub mod network;
pub mod storage;
pub mod tiers;
