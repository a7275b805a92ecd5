//! `network`: the communication layer you can measure without a network —
//! loopback TCP on 127.0.0.1: stream throughput and the round trip of a small
//! message. Real networks add the wire; this is the floor the OS sets.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::Headline;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::network::{ping_pong, stream};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, stats};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// The `network` result. JSON: `stream_gb_per_s`, `round_trip_us`, with the
/// sizes used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Always "network".
    pub experiment: String,
    /// Bytes streamed per run.
    pub stream_bytes: u64,
    /// Median decimal GB/s of the stream.
    pub stream_gb_per_s: f64,
    /// Bytes per ping-pong message.
    pub message_bytes: usize,
    /// Median microseconds per round trip.
    pub round_trip_us: f64,
    /// Budget used.
    pub budget: String,
}

/// Stream 64 MiB (16 MiB quick) and ping-pong a 64-byte message.
///
/// # Errors
/// [`crate::Error::Io`] when loopback TCP fails (no loopback interface, a
/// sandbox forbidding sockets).
pub fn network(machine: &Machine, budget: &Budget) -> Result<Network> {
    let _ = machine;
    let quick = budget.level == crate::measure::Level::Quick;
    let total: u64 = if quick { 16 << 20 } else { 64 << 20 };
    let rounds = if quick { 2_000 } else { 10_000 };
    let runs = budget.runs.clamp(1, 5);
    let mut progress = Progress::new("network", 2);
    progress.step(&format!("stream {} over 127.0.0.1", fmt_bytes(total)));
    let mut gb = Vec::new();
    for _ in 0..runs {
        gb.push(total as f64 / stream(total, 1 << 16)? / 1e9);
    }
    progress.step("ping-pong 64 bytes over 127.0.0.1");
    let mut rt = Vec::new();
    for _ in 0..runs {
        rt.push(ping_pong(rounds, 64)? * 1e6 / rounds as f64);
    }
    Ok(Network {
        experiment: "network".into(),
        stream_bytes: total,
        stream_gb_per_s: stats::median(&gb).unwrap_or(f64::NAN),
        message_bytes: 64,
        round_trip_us: stats::median(&rt).unwrap_or(f64::NAN),
        budget: budget.level.to_string(),
    })
}

impl Network {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Network {
    fn name(&self) -> &str {
        "network"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "loopback_rtt_us",
                "Loopback round trip",
                Some(self.round_trip_us),
                "µs",
                false,
            ),
            Headline::new(
                "loopback_stream_gbs",
                "Loopback TCP, one stream",
                Some(self.stream_gb_per_s),
                "GB/s",
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        // Time to move 1 MiB two ways: streamed, or as 64-byte request/replies.
        let streamed_us = (1u64 << 20) as f64 / (self.stream_gb_per_s * 1e9) * 1e6;
        let chatty_us = self.round_trip_us * ((1u64 << 20) as f64 / self.message_bytes as f64);
        bar_chart(
            "Loopback TCP: moving 1 MiB in one stream vs in 64-byte round trips",
            "milliseconds per MiB",
            &[
                ("one stream".to_string(), streamed_us / 1e3),
                ("64-byte round trips".to_string(), chatty_us / 1e3),
            ],
        )
    }

    fn reading(&self) -> String {
        let per_byte_stream = 1.0 / (self.stream_gb_per_s * 1e9);
        let per_byte_chat = self.round_trip_us * 1e-6 / self.message_bytes as f64;
        format!(
            "Loopback TCP streams {} GB/s, and a {}-byte round trip takes {} µs. Sent as request/reply messages, each byte costs {}× what it costs in a stream: batch your communication.",
            fmt_sig(self.stream_gb_per_s, 3),
            self.message_bytes,
            fmt_sig(self.round_trip_us, 3),
            fmt_sig(per_byte_chat / per_byte_stream, 3)
        )
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "stream {}: {} GB/s",
            fmt_bytes(self.stream_bytes),
            fmt_sig(self.stream_gb_per_s, 3)
        )?;
        writeln!(
            f,
            "round trip, {} B: {} µs",
            self.message_bytes,
            fmt_sig(self.round_trip_us, 3)
        )?;
        write!(f, "{}", self.reading())
    }
}
