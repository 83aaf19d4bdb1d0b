//! Streams over sockets: the lines of a TCP stream as an async iterator, Python's
//! `async for line in reader`. The talk's `async for` meets the network.

use std::io;
use std::time::Duration;

use shared::echo::{LineSplitter, RECV_SIZE};

use crate::{AioStream, AsyncIterator, generator, sleep, timeout};

impl AioStream {
    /// The lines of this stream as they arrive, each without its `\n`. They end after the peer's
    /// clean end; or with one error, then the end: a line over `max_line` bytes
    /// (`InvalidData`), a peer silent for `idle` (`TimedOut`), a connection cut in the middle
    /// of a line (`UnexpectedEof`), a failed read.
    ///
    /// A generator does the work: the state machine that `ARangeIterator` spells out by hand,
    /// the compiler writes here from two loops.
    pub fn lines(
        &self,
        max_line: usize,
        idle: Duration,
    ) -> impl AsyncIterator<Item = io::Result<Vec<u8>>> + Unpin + '_ {
        generator(move |mut co| async move {
            let mut splitter = LineSplitter::new(max_line);
            let mut buf = vec![0; RECV_SIZE];
            let error = loop {
                let received = match timeout(idle, self.recv(&mut buf)).await {
                    Ok(0) => match splitter.finish() {
                        Ok(()) => return, // the peer's clean end, between two lines
                        Err(err) => break err,
                    },
                    Ok(received) => received,
                    Err(err) => break err,
                };
                splitter.push(&buf[..received]);
                loop {
                    match splitter.next_line() {
                        Ok(Some(line)) => co.yield_(Ok(line)).await,
                        Ok(None) => break,
                        Err(err) => {
                            co.yield_(Err(err)).await;
                            return;
                        }
                    }
                }
                // A peer that keeps sending finds its socket always ready, and a task that never
                // has to wait never yields: give the others a turn after each batch. Not with
                // `interrupt()`: asked again at once (as `ready_chunks` does), it is over
                // already; and a task that wakes itself keeps the loop from asking the sockets,
                // which it does once no task is ready. A sleep of zero is not ready until the
                // loop's next turn.
                sleep(Duration::ZERO).await;
            };
            co.yield_(Err(error)).await;
        })
    }
}
