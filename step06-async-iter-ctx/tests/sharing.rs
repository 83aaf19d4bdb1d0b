//! Several tasks waiting for one thing — a listener, a stream, a one-shot, a waiter — are all
//! woken; and a task that stops waiting leaves nothing behind.

use std::future::{Future, poll_fn};
use std::io;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use shared::testing::bounded;
use step06_async_iter_ctx::timeout;
use step06_async_iter_ctx::{AioListener, AioStream, Loop, OneShot, Waiter, gather, sleep};

/// A short pause, long enough for every other task to be waiting by its end.
const SETTLE: Duration = Duration::from_millis(20);

/// How many tasks are waiting on a one-shot, as its `Debug` says.
fn waiting<T>(shot: &OneShot<T>) -> String {
    let debug = format!("{shot:?}");
    let (_, waiting) = debug
        .split_once("waiting: ")
        .expect("Debug shows the waiting tasks");
    waiting.trim_end_matches(" }").to_owned()
}

/// Two tasks accept on one listener, both waiting before any client comes: each gets a client.
#[test]
fn two_tasks_accepting_on_one_listener_both_get_a_client() {
    bounded(|| {
        let listener = Rc::new(AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap());
        let addr = listener.local_addr().unwrap();
        let accept = |listener: Rc<AioListener>| async move {
            let (_client, peer) = listener.accept().await?;
            io::Result::Ok(peer)
        };
        let peers = Loop::new().unwrap().run_task(async move {
            Loop::current().unwrap().add_task(async move {
                sleep(SETTLE).await; // both acceptors wait by now
                let _first = AioStream::connect(addr).await.unwrap();
                let _second = AioStream::connect(addr).await.unwrap();
            });
            gather([accept(Rc::clone(&listener)), accept(listener)]).await
        });
        let peers: Vec<_> = peers.unwrap().into_iter().map(Result::unwrap).collect();
        assert_ne!(peers[0], peers[1], "one client each");
    });
}

/// Two tasks read from one stream, both waiting before any byte comes: each gets what was sent
/// while it waited; neither is left behind.
#[test]
fn two_tasks_reading_one_stream_both_get_bytes() {
    bounded(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let read = |stream: Rc<AioStream>| async move {
            let mut buf = [0; 16];
            let received = stream.recv(&mut buf).await?;
            io::Result::Ok(buf[..received].to_vec())
        };
        let received = Loop::new().unwrap().run_task(async move {
            Loop::current().unwrap().add_task(async move {
                let client = AioStream::connect(addr).await.unwrap();
                for byte in [b"a", b"b"] {
                    sleep(SETTLE).await; // the readers wait by now
                    client.send_all(byte).await.unwrap();
                }
            });
            let (stream, _) = listener.accept().await.unwrap();
            let stream = Rc::new(stream);
            gather([read(Rc::clone(&stream)), read(stream)]).await
        });
        let mut received: Vec<_> = received.unwrap().into_iter().map(Result::unwrap).collect();
        received.sort();
        assert_eq!(received, [b"a", b"b"]);
    });
}

/// Two tasks await clones of one waiter: its `set` resumes both.
#[test]
fn two_tasks_awaiting_one_waiter_both_resume() {
    bounded(|| {
        let waiter = Waiter::new();
        let setter = waiter.clone();
        let resumed = Loop::new().unwrap().run_task(async move {
            Loop::current().unwrap().add_task(async move {
                sleep(SETTLE).await; // both wait by now
                setter.set();
            });
            let wait = |waiter: Waiter| async move {
                waiter.await;
                "resumed"
            };
            gather([wait(waiter.clone()), wait(waiter)]).await
        });
        assert_eq!(resumed.unwrap(), ["resumed", "resumed"]);
    });
}

/// A thousand tasks give up waiting on a long-lived one-shot (a `timeout` beats it): none of
/// them leaves its waker behind.
#[test]
fn tasks_that_stop_waiting_on_a_one_shot_leave_no_waker_behind() {
    bounded(|| {
        let shutdown = OneShot::<()>::new();
        let _setter = shutdown.clone(); // kept, as a server keeps the handle that sets it
        let event_loop = Loop::new().unwrap();
        for _ in 0..1000 {
            let shutdown = shutdown.clone();
            event_loop.add_task(async move {
                let waited = timeout(Duration::from_millis(1), async {
                    shutdown.await;
                    Ok(())
                });
                assert!(waited.await.is_err(), "nobody sets it");
            });
        }
        event_loop.run().unwrap();
        assert_eq!(waiting(&shutdown), "0");
    });
}

/// A task polled again while it waits on a one-shot replaces its waker: one task, one waker;
/// and once it drops its handle, none.
#[test]
fn a_task_polled_again_keeps_one_waker_on_a_one_shot() {
    bounded(|| {
        let shot = OneShot::<()>::new();
        let watched = shot.clone();
        let event_loop = Loop::new().unwrap();
        let seen = event_loop.run_task(async move {
            let mut awaiting = shot.clone();
            let mut polls = 0;
            poll_fn(|cx| {
                // Poll the one-shot, then ask to be polled again: ten times over.
                let _ = Pin::new(&mut awaiting).poll(cx);
                polls += 1;
                if polls < 10 {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Ready(())
            })
            .await;
            let while_awaiting = waiting(&shot);
            drop(awaiting);
            (while_awaiting, waiting(&shot))
        });
        assert_eq!(
            seen.unwrap(),
            ("1".into(), "0".into()),
            "ten polls, one waker; then none"
        );
        assert_eq!(waiting(&watched), "0");
    });
}
