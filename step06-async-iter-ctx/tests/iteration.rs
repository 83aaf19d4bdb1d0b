//! Async iteration: `ARange` by hand and `arange` as a generator hand out the same items at the
//! same times; both answer the end again after the end; `collect` is the comprehension; a
//! generator's cleanup runs when it is dropped; a yielder used outside its generator says so.

use std::cell::Cell;
use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use shared::testing::{LATENESS, bounded};
use step06_async_iter_ctx::{ARange, AsyncIterator, Co, Loop, arange, generator, sleep};

/// A talk second, shortened.
const TICK: Duration = Duration::from_millis(50);

/// What an async iterator handed out, in order: each item and then `None` (the end), whether it
/// had to wait for it (its first poll was `Pending`), and when it came, since the start.
type Seen = Vec<(Option<u64>, bool, Duration)>;

/// Takes every item of `items`, and the end; see [`Seen`].
async fn timed(mut items: impl AsyncIterator<Item = u64> + Unpin) -> Seen {
    let start = Instant::now();
    let mut seen = Vec::new();
    loop {
        let first_poll = poll_fn(|cx| Poll::Ready(Pin::new(&mut items).poll_next(cx))).await;
        let (next, waited) = match first_poll {
            Poll::Ready(next) => (next, false),
            Poll::Pending => (items.next().await, true),
        };
        seen.push((next, waited, start.elapsed()));
        if next.is_none() {
            return seen;
        }
    }
}

/// Checks what `ARange(5)` or `arange(5)` handed out: 0 to 4, each after a sleep of its own
/// (never shorter than a tick, late by little), then the end at once: no sleep after the last.
#[track_caller]
fn assert_one_per_tick(seen: &Seen) {
    let shape: Vec<(Option<u64>, bool)> = seen
        .iter()
        .map(|&(next, waited, _)| (next, waited))
        .collect();
    let mut expected: Vec<(Option<u64>, bool)> = (0..5).map(|i| (Some(i), true)).collect();
    expected.push((None, false));
    assert_eq!(shape, expected, "(item, waited for it)");
    let mut before = Duration::ZERO;
    for &(item, _, at) in &seen[..5] {
        let waited = at - before;
        assert!(
            waited >= TICK,
            "{item:?} came {waited:?} after the one before (or the start): too soon"
        );
        assert!(
            waited <= TICK + LATENESS,
            "{item:?} came {waited:?} after the one before (or the start)"
        );
        before = at;
    }
}

#[test]
fn arange_5_hands_out_0_to_4_one_per_tick_with_no_sleep_after_the_last() {
    let seen = bounded(|| {
        Loop::new()
            .unwrap()
            .run_task(timed(ARange::new(5, TICK).aiter()))
    });
    assert_one_per_tick(&seen.unwrap());
}

#[test]
fn the_generator_hands_out_what_the_iterator_does_when_it_does() {
    let (by_hand, generated) = bounded(|| {
        let event_loop = Loop::new().unwrap();
        let by_hand = event_loop.run_task(timed(ARange::new(5, TICK).aiter()));
        let generated = event_loop.run_task(timed(arange(5, TICK)));
        (by_hand.unwrap(), generated.unwrap())
    });
    assert_one_per_tick(&by_hand);
    assert_one_per_tick(&generated);
}

#[test]
fn an_arange_can_be_iterated_again_each_time_from_zero() {
    let twice = bounded(|| {
        let numbers = ARange::new(3, Duration::ZERO);
        Loop::new().unwrap().run_task(async move {
            (
                numbers.aiter().collect().await,
                numbers.aiter().collect().await,
            )
        })
    });
    assert_eq!(twice.unwrap(), (vec![0, 1, 2], vec![0, 1, 2]));
}

#[test]
fn after_the_end_both_answer_the_end_again() {
    let ends = bounded(|| {
        Loop::new().unwrap().run_task(async {
            let mut by_hand = ARange::new(1, Duration::ZERO).aiter();
            let mut generated = arange(1, Duration::ZERO);
            let mut ends = Vec::new();
            for _ in 0..3 {
                ends.push((by_hand.next().await, generated.next().await));
            }
            ends
        })
    });
    assert_eq!(
        ends.unwrap(),
        [(Some(0), Some(0)), (None, None), (None, None)]
    );
}

#[test]
fn collect_is_the_comprehension() {
    let squares = bounded(|| {
        let squares = generator(|mut co| async move {
            for i in 1..=4 {
                co.yield_(i * i).await;
            }
        });
        Loop::new().unwrap().run_task(squares.collect())
    });
    assert_eq!(squares.unwrap(), [1, 4, 9, 16]);
}

/// Says when it is dropped: a generator's `finally`.
struct Finally(Rc<Cell<bool>>);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn a_generator_left_early_cleans_up_the_moment_it_is_dropped() {
    let (before_drop, after_drop) = bounded(|| {
        Loop::new().unwrap().run_task(async {
            let cleaned = Rc::new(Cell::new(false));
            let finally = Finally(Rc::clone(&cleaned));
            let mut numbers = generator(|mut co| async move {
                let _finally = finally;
                for i in 0.. {
                    co.yield_(i).await;
                }
            });
            assert_eq!(numbers.next().await, Some(0));
            let before_drop = cleaned.get();
            drop(numbers); // `break`: Python's asyncio would run the `finally` later
            (before_drop, cleaned.get())
        })
    })
    .unwrap();
    assert!(!before_drop, "still running: it may yield more");
    assert!(after_drop, "dropped: its cleanup ran at once");
}

#[test]
fn a_generator_that_waits_is_polled_only_when_woken() {
    let polls = bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let counted = Rc::clone(&polls);
        let slow = generator(move |mut co| async move {
            for i in 0..3 {
                sleep(TICK).await;
                co.yield_(i).await;
            }
        });
        Loop::new()
            .unwrap()
            .run_task(async move {
                let mut slow = slow;
                while std::future::poll_fn(|cx| {
                    counted.set(counted.get() + 1);
                    std::pin::Pin::new(&mut slow).poll_next(cx)
                })
                .await
                .is_some()
                {}
            })
            .unwrap();
        polls.get()
    });
    // Per item: `Pending` while it sleeps, then the item once the timer woke it; then the end.
    assert_eq!(polls, 3 * 2 + 1);
}

#[test]
fn a_yielder_moved_into_another_task_fails_with_a_clear_panic() {
    let panic = bounded(|| {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            Loop::new().unwrap().run_task(async {
                let mut numbers = generator(|co: Co<u32>| async move {
                    Loop::current().unwrap().add_task(async move {
                        let mut co = co;
                        co.yield_(1).await;
                    });
                    sleep(TICK).await;
                });
                numbers.next().await
            })
        }));
        let panic = outcome.expect_err("a yield outside its generator panics");
        panic.downcast_ref::<&str>().map(|text| text.to_string())
    });
    let text = panic.expect("a message");
    assert!(text.contains("outside its generator"), "{text}");
}

/// Over an iterator that is always ready, `ready_chunks(cap)` hands out chunks of `cap` items:
/// it does not try to gather all of them, which, from an endless one, would never end.
#[test]
fn ready_chunks_of_an_always_ready_iterator_hold_at_most_cap_items() {
    let (endless, finite) = bounded(|| {
        Loop::new().unwrap().run_task(async {
            let counting = generator(|mut co| async move {
                for i in 0.. {
                    co.yield_(i).await; // never waits for anything
                }
            });
            let mut endless = counting.ready_chunks(3);
            let endless = [endless.next().await, endless.next().await];
            let finite = arange(7, Duration::ZERO).ready_chunks(3).collect().await;
            (endless, finite)
        })
    })
    .unwrap();
    assert_eq!(endless, [Some(vec![0, 1, 2]), Some(vec![3, 4, 5])]);
    // `arange` sleeps (zero seconds) before each item: each one waits, and comes alone.
    assert_eq!(finite, [[0], [1], [2], [3], [4], [5], [6]]);
}

#[test]
fn ready_chunks_of_nothing_is_a_clear_panic() {
    let panic = catch_unwind(|| drop(arange(3, TICK).ready_chunks(0))).unwrap_err();
    let text = panic.downcast_ref::<&str>().unwrap();
    assert!(text.contains("at least one item"), "{text}");
}

/// `AsyncIterator` is dyn-compatible, as `Iterator` is: iterators of different types, boxed,
/// in one list, each iterated with the same `next` (and a box is an iterator too).
#[test]
fn async_iterators_of_different_types_fit_in_one_list_of_boxes() {
    let items = bounded(|| {
        Loop::new().unwrap().run_task(async {
            let iterators: Vec<Box<dyn AsyncIterator<Item = u64> + Unpin>> = vec![
                Box::new(ARange::new(2, Duration::ZERO).aiter()),
                Box::new(arange(3, Duration::ZERO)),
                Box::new(generator(|mut co| async move { co.yield_(7).await })),
            ];
            let mut items = Vec::new();
            for mut iterator in iterators {
                while let Some(item) = iterator.next().await {
                    items.push(item);
                }
            }
            let boxed: Box<dyn AsyncIterator<Item = u64> + Unpin> = Box::new(arange(2, TICK));
            (items, boxed.collect().await)
        })
    })
    .unwrap();
    assert_eq!(items, (vec![0, 1, 0, 1, 2, 7], vec![0, 1]));
}
