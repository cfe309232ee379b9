//! The frame probe: what each call-screen frame costs, by thread, printed when the demo ends.

use crate::app::Screen;
use bevy::prelude::*;
use std::collections::HashMap;

/// What each call-screen frame costs, reported when the demo ends: the main world's update
/// (wall time, UI included), and the CPU time the app's threads used from one frame's end to the
/// next, leaving out Mesa's llvmpipe threads, the software stand-in for a GPU. Wall time alone
/// overstates the cost on a 2-core machine, where llvmpipe preempts the app.
#[derive(Resource, Default)]
pub struct FrameProbe {
    started: Option<std::time::Instant>,
    call_frames: Vec<std::time::Duration>,
    call_cpu_ns: Vec<u64>,
    clocks: ThreadClocks,
    /// CPU time on the call screen by thread name, and the frames it was summed over.
    call_cpu_by_thread: std::collections::BTreeMap<String, u64>,
}

/// The CPU clocks of this process's threads but llvmpipe's, from `/proc/self/task/*/schedstat`.
/// The files stay open and are read in place, and the thread list is walked again only once a
/// second: walking `/proc` every frame cost more than a tenth of a millisecond, which the probe
/// then counted as the app's.
#[derive(Default)]
struct ThreadClocks {
    /// Per thread id: its name, its open schedstat file, and its clock when last read.
    threads: HashMap<String, (String, std::fs::File, Option<u64>)>,
    reads: u32,
}

impl ThreadClocks {
    fn relist(&mut self) {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return;
        };
        let mut alive = HashMap::new();
        for task in tasks.flatten() {
            let id = task.file_name().to_string_lossy().into_owned();
            if let Some(known) = self.threads.remove(&id) {
                alive.insert(id, known);
                continue;
            }
            // A thread may end between the listing and the open: skip it.
            let dir = task.path();
            let Ok(name) = std::fs::read_to_string(dir.join("comm")) else {
                continue;
            };
            if name.starts_with("llvmpipe") {
                continue;
            }
            if let Ok(file) = std::fs::File::open(dir.join("schedstat")) {
                alive.insert(id, (name.trim().to_string(), file, None));
            }
        }
        self.threads = alive;
    }

    /// The CPU time each thread used since the last read (ns), by thread name; `None` where there
    /// is no `/proc` (not Linux).
    fn advance(&mut self, mut used: impl FnMut(&str, u64)) -> Option<()> {
        if self.reads.is_multiple_of(60) {
            self.relist();
        }
        self.reads += 1;
        if self.threads.is_empty() {
            return None;
        }
        let mut text = [0u8; 96];
        for (name, file, last) in self.threads.values_mut() {
            let Some(read) = read_from_start(file, &mut text) else {
                continue;
            };
            let now = std::str::from_utf8(&text[..read])
                .ok()
                .and_then(|stat| stat.split_whitespace().next())
                .and_then(|ns| ns.parse::<u64>().ok());
            if let (Some(now), Some(before)) = (now, *last) {
                used(name, now.saturating_sub(before));
            }
            *last = now;
        }
        Some(())
    }
}

/// Reads a `/proc` file again from its start without reopening it.
#[cfg(unix)]
fn read_from_start(file: &std::fs::File, buffer: &mut [u8]) -> Option<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, 0).ok()
}

#[cfg(not(unix))]
fn read_from_start(_file: &std::fs::File, _buffer: &mut [u8]) -> Option<usize> {
    None
}

impl FrameProbe {
    pub fn report(&self) -> Option<String> {
        let mut frames = self.call_frames.clone();
        if frames.is_empty() {
            return None;
        }
        frames.sort();
        let at = |q: f64| frames[((frames.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        let mut cpu = self.call_cpu_ns.clone();
        cpu.sort_unstable();
        let cpu_at = |q: f64| cpu[((cpu.len() - 1) as f64 * q) as usize] as f64 / 1e6;
        let cpu_text = if cpu.is_empty() {
            String::new()
        } else {
            let mut by_thread: Vec<(&String, &u64)> = self.call_cpu_by_thread.iter().collect();
            by_thread.sort_by_key(|(_, ns)| std::cmp::Reverse(**ns));
            let threads: Vec<String> = by_thread
                .iter()
                .take(4)
                .map(|(name, ns)| format!("{name} {:.2}", **ns as f64 / 1e6 / cpu.len() as f64))
                .collect();
            format!(
                "; app CPU per frame (all threads but llvmpipe) median {:.2} ms, p95 {:.2} ms, mean by thread (ms): {}",
                cpu_at(0.5),
                cpu_at(0.95),
                threads.join(", ")
            )
        };
        Some(format!(
            "call screen: {} frames, main-world update median {:.2} ms, p95 {:.2} ms{cpu_text}",
            frames.len(),
            at(0.5),
            at(0.95)
        ))
    }
}

pub fn start_frame(mut probe: ResMut<FrameProbe>) {
    probe.started = Some(std::time::Instant::now());
}

pub fn end_frame(mut probe: ResMut<FrameProbe>, screen: Res<State<Screen>>) {
    let on_call = *screen.get() == Screen::Call;
    if let Some(started) = probe.started.take()
        && on_call
    {
        probe.call_frames.push(started.elapsed());
    }
    let probe = &mut *probe;
    let mut frame_ns = 0;
    let by_thread = &mut probe.call_cpu_by_thread;
    let read = probe.clocks.advance(|name, ns| {
        if on_call {
            frame_ns += ns;
            *by_thread.entry(name.to_string()).or_default() += ns;
        }
    });
    // The first read after a thread list change has no earlier clock for new threads; a frame
    // is counted only from the second read on.
    if read.is_some() && on_call && probe.clocks.reads > 1 {
        probe.call_cpu_ns.push(frame_ns);
    }
}
