//! Offering and taking choices allocates nothing: a counting allocator watches thousands of
//! random calls on every shipped scenario. (Only the transcript may grow, and after one warm-up
//! pass its capacity is already there.)

use dealsim::{Session, check_paths};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; counting touches only a
// thread-local integer, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Plays `calls` random calls on one session, reusing its memory; returns the choices made.
fn play(session: &mut Session, calls: u64) -> usize {
    let mut choices = 0;
    for seed in 0..calls {
        session.reset(seed);
        let mut pick = seed as usize;
        while !session.is_over() {
            let offered = session.offered().count();
            pick = pick.wrapping_mul(31).wrapping_add(7);
            session
                .choose_offered(pick % offered)
                .expect("an offered choice");
            choices += 1;
        }
    }
    choices
}

#[test]
fn offering_and_taking_choices_does_not_allocate() {
    let reports = check_paths(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")]);
    for report in reports {
        let scenario = report.scenario.expect("shipped scenarios check");
        let fresh = allocations();
        let mut session = Session::new(&scenario, 0);
        assert!(
            allocations() > fresh,
            "the counter must see a new session's buffers"
        );
        play(&mut session, 2_000); // warm up: the transcript reaches its largest size
        let before = allocations();
        let choices = play(&mut session, 2_000);
        let allocated = allocations() - before;
        assert!(choices > 5_000, "{}: only {choices} choices", scenario.id);
        assert_eq!(
            allocated, 0,
            "{}: {allocated} allocations in {choices} choices",
            scenario.id
        );
    }
}
