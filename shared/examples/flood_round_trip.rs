//! Run it against a reverse-echo server already listening on 127.0.0.1:PORT, for example:
//!
//! ```sh
//! cargo run --release -p step05-futures-timers --example echo_mio -- --port 7878 --quiet &
//! cargo run --release -p shared --example flood_round_trip -- --port 7878
//! ```
//!
//! How long a quiet client waits for its answers while another client floods the same server
//! with short lines: what a server that lets one client's task run on and on, without giving the
//! others a turn, costs everyone else. One client writes `ab\n` lines, 60 kB at a time, as fast
//! as the server takes them (and reads the answers, as fast as they come); meanwhile another
//! sends one short line every few milliseconds and times each answer. It prints the quiet
//! client's round trips (median, 90th percentile, worst) and how many flood lines were answered.
//!
//! A measurement, not a test: the figures depend on the machine and on what else runs on it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use shared::demo::{self, Flags};

const HELP: &str = "usage: flood_round_trip --port P [OPTIONS]: a quiet client's round trips
while another client floods the reverse-echo server on 127.0.0.1:P with short lines
  --port P       the server's port (required)
  --rounds N     round trips the quiet client times (default 500)
  --every MS     milliseconds between two of its lines (default 5)
  --warm-up MS   milliseconds of flood before the first one (default 500)";

/// What the flooding client writes at a time: `ab\n`, 20,000 times.
const FLOOD_WRITE: usize = 60_000;

/// How long a read or a write may wait before the measurement gives up on the server.
const PATIENCE: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let flags = Flags::parse(HELP, &["port", "rounds", "every", "warm-up"], &[]);
    let Some(port) = flags.value::<u16>("port") else {
        eprintln!("error: --port is required (see --help)");
        return ExitCode::from(2);
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let rounds = flags.value("rounds").unwrap_or(500);
    let every = Duration::from_millis(flags.value("every").unwrap_or(5));
    let warm_up = Duration::from_millis(flags.value("warm-up").unwrap_or(500));
    demo::exit_code(measure(addr, rounds, every, warm_up))
}

/// Floods, waits `warm_up`, times `rounds` round trips of the quiet client, and prints them.
fn measure(addr: SocketAddr, rounds: usize, every: Duration, warm_up: Duration) -> io::Result<()> {
    let flood = Flood::start(addr)?;
    thread::sleep(warm_up);
    let answered_before = flood.answered();
    let started = Instant::now();
    let mut times = quiet_client(addr, rounds, every)?;
    let flood_rate = (flood.answered() - answered_before) as f64 / started.elapsed().as_secs_f64();
    flood.stop()?;
    times.sort();
    let at = |fraction: f64| times[((times.len() - 1) as f64 * fraction).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "quiet client, {} round trips: median {:.2} ms, p90 {:.2} ms, worst {:.2} ms",
        times.len(),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(1.0))
    );
    println!("flood meanwhile: {flood_rate:.0} lines answered per second");
    Ok(())
}

/// Sends `rounds` lines, one every `every`, each after the answer to the one before; returns
/// how long each answer took.
fn quiet_client(addr: SocketAddr, rounds: usize, every: Duration) -> io::Result<Vec<Duration>> {
    let stream = connect(addr)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut times = Vec::with_capacity(rounds);
    let mut answer = String::new();
    for _ in 0..rounds {
        thread::sleep(every);
        let sent = Instant::now();
        writer
            .write_all(b"hello\n")
            .map_err(|err| context(err, "the quiet client's write"))?;
        answer.clear();
        let read = reader.read_line(&mut answer);
        read.map_err(|err| context(err, "the quiet client's wait for its answer"))?;
        times.push(sent.elapsed());
        if answer != "olleh\n" {
            let message = format!("the quiet client got {answer:?}, not \"olleh\\n\"");
            return Err(io::Error::other(message));
        }
    }
    Ok(times)
}

/// A client that writes short lines as fast as the server takes them, on a thread, and reads
/// the answers on another.
struct Flood {
    /// Set to stop the writer.
    stop: Arc<AtomicBool>,
    /// Answer lines read so far.
    answered: Arc<AtomicU64>,
    /// The writer thread: how it ended.
    writer: thread::JoinHandle<io::Result<()>>,
    /// The reader thread: how it ended.
    reader: thread::JoinHandle<io::Result<()>>,
}

impl Flood {
    /// Connects and starts flooding.
    fn start(addr: SocketAddr) -> io::Result<Flood> {
        let stream = connect(addr)?;
        let (stop, answered) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let mut reading = stream.try_clone()?;
        let counted = Arc::clone(&answered);
        let reader = thread::spawn(move || {
            let mut buf = vec![0; 64 * 1024];
            loop {
                let read = reading.read(&mut buf);
                match read.map_err(|err| context(err, "the flood's wait for its answers"))? {
                    0 => return Ok(()),
                    n => {
                        let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
                        counted.fetch_add(lines as u64, Ordering::Relaxed);
                    }
                }
            }
        });
        let (stopping, mut writing) = (Arc::clone(&stop), stream);
        let writer = thread::spawn(move || {
            let lines = b"ab\n".repeat(FLOOD_WRITE / 3);
            while !stopping.load(Ordering::Relaxed) {
                let written = writing.write_all(&lines);
                written.map_err(|err| context(err, "the flood's write"))?;
            }
            writing.shutdown(std::net::Shutdown::Write)
        });
        Ok(Flood {
            stop,
            answered,
            writer,
            reader,
        })
    }

    /// Answer lines read so far.
    fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }

    /// Stops writing, and waits for the last answers and the server's end of the connection.
    fn stop(self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        let joined = |thread: thread::JoinHandle<io::Result<()>>| {
            thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a flood thread panicked")))
        };
        joined(self.writer)?;
        joined(self.reader)
    }
}

/// `err`, saying where it happened (a time-out is "resource temporarily unavailable").
fn context(err: io::Error, what: &str) -> io::Error {
    io::Error::new(err.kind(), format!("{what}: {err}"))
}

/// A blocking connection that gives up on a silent server after [`PATIENCE`].
fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}
