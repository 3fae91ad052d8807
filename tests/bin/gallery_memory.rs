//! `amparo-gallery-memory N`: how much memory one server process's biometric gallery takes for
//! N enrolled people (ten fingers and two irises each, the synthetic templates of
//! `seed --biometric-gallery`), and how long building it takes. The gallery is built exactly as
//! the server builds it at start; the figure is the growth of the process's resident memory.
//! Prints one JSON line (see bench/gallery-memory.sh).

use std::time::Instant;

use amparo_api::biometric::{Gallery, synthetic};

/// The process's resident memory in KiB, from /proc/self/status.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> std::process::ExitCode {
    let n: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: amparo-gallery-memory [PEOPLE] (a positive whole number)");
            return std::process::ExitCode::FAILURE;
        }
    };
    let before = resident_kib();
    let started = Instant::now();
    let mut gallery = Gallery::new();
    for seed in 0..n {
        for (position, template) in synthetic::person(seed) {
            gallery.insert(seed + 1, position, &template);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = resident_kib();
    let grown = after.saturating_sub(before);
    println!(
        "{{\"people\":{n},\"references\":{},\"resident_kib_before\":{before},\"resident_kib_after\":{after},\"gallery_mib\":{:.1},\"bytes_per_person\":{:.0},\"build_seconds\":{seconds:.1}}}",
        gallery.len(),
        grown as f64 / 1024.0,
        grown as f64 * 1024.0 / n as f64
    );
    std::process::ExitCode::SUCCESS
}
