//! README samples: output shown in a README is what a real run prints. `cargo xtask check` runs
//! each one again and compares, so that a sample cannot go stale.
//!
//! A sample is a fenced block marked `text` whose first line is the command, as typed:
//!
//! ````markdown
//! ```text
//! $ cargo xtask demo 4 reverse_echo
//! ...
//! [     0.7 ms] client: send "café\n"
//! ...
//! ```
//! ````
//!
//! The command is `cargo xtask diff …`, `list`, `demo …` or `verify N`. It runs from the
//! workspace root with stdin closed, which every demo takes as `--auto`: where a terminal would
//! see something else, write `-- --auto` in the command. A `verify N` sample runs on a copy of
//! its own (never the participant's), whose exercises are written as a comment just above the
//! block says: `<!-- sample copy: run_tasks=reference gather=xtask/samples/….rs -->`. The rest of the block is what it prints (stdout, then
//! stderr), line by line, trailing spaces aside, except that:
//!
//! - a line `...` stands for any number of lines, none included;
//! - what varies from run to run is compared by kind, not value: a timestamp (`[  12.3 ms]`), a
//!   duration (`517ms`, `0.7 s`, `254µs`), a percentage (`12.1%`), the port of an IPv4 address
//!   (`127.0.0.1:56928`);
//! - a number written `~850` stands for any number: a count that varies, such as turns of a loop;
//! - the bar of a `--stat` line (`|  24 ++-`) is compared by place, not length: it is scaled to the
//!   longest line of the summary, which changes with every other file.
//!
//! A `text` block whose first line starts with `$ ` but is not such a command is a problem: a
//! sample nobody checks would be worse than none.

use std::env;
use std::fs;
use std::time::Duration;

use crate::demo::{self, Outcome, Run};
use crate::exercise::here::Here;
use crate::exercise::{self, copy, locate, revise};
use crate::verify::{self, Screen};
use crate::{Error, WIDTH, Workspace, print_out, steps};

/// How a sample's first line starts.
pub const PROMPT: &str = "$ cargo xtask ";

/// What a line `...` in a sample stands for: any number of output lines.
pub const GAP: &str = "...";

/// The `xtask` subcommands a sample may run: those that print and end, and run nothing else.
pub const COMMANDS: [&str; 4] = ["demo", "diff", "list", "verify"];

/// How the line just above a `verify` sample's block starts: the copy it runs on.
pub const COPY: &str = "<!-- sample copy:";

/// One sample of a README: the command and the lines it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The README line of the command (from 1); the output follows on the next lines.
    pub line: usize,
    /// The words after `cargo xtask`.
    pub command: Vec<String>,
    /// The lines shown under the command.
    pub expected: Vec<String>,
    /// For `verify`, the exercises written in the copy it runs on: each `NAME=reference` (the
    /// reference's body) or `NAME=PATH` (a body in a file of the workspace); the others are
    /// `todo!()`. From a comment just above the block (`<!-- sample copy: … -->`), which
    /// Markdown does not show.
    pub copy: Vec<(String, String)>,
}

/// The samples of a Markdown text, in order, each one or what is wrong with it (`LINE: …`).
pub fn find(markdown: &str) -> Vec<Result<Sample, String>> {
    let mut samples = Vec::new();
    let mut lines = markdown.lines().enumerate();
    let mut before = "";
    while let Some((at, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            if !line.trim().is_empty() {
                before = line;
            }
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, line)| line)
            .take_while(|line| !line.trim_start().starts_with("```"))
            .collect();
        // The line just above this block, never one above an earlier block.
        let above = std::mem::take(&mut before);
        let Some(first) = body.first().filter(|_| info.trim() == "text") else {
            continue;
        };
        let line = at + 2;
        if let Some(command) = first.strip_prefix(PROMPT) {
            let copy = above.trim().strip_prefix(COPY);
            samples.push(sample(line, command, &body[1..]).and_then(|s| with_copy(s, copy)));
        } else if first.starts_with("$ ") {
            samples.push(Err(format!(
                "{line}: a sample runs `cargo xtask …`, not `{first}`"
            )));
        }
    }
    samples
}

/// A sample from its command and the lines under it.
fn sample(line: usize, command: &str, output: &[&str]) -> Result<Sample, String> {
    let command: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if command.iter().any(|word| word.contains(['"', '\''])) {
        return Err(format!("{line}: a sample's command takes no quotes"));
    }
    if !command
        .first()
        .is_some_and(|word| COMMANDS.contains(&word.as_str()))
    {
        let valid = COMMANDS.join(", ");
        return Err(format!("{line}: a sample runs one of {valid}"));
    }
    Ok(Sample {
        line,
        command,
        expected: output.iter().map(|line| (*line).to_owned()).collect(),
        copy: Vec::new(),
    })
}

/// A `verify` sample with its copy, read from the comment above it (`copy`, after
/// [`COPY`]): one is needed, and only there.
fn with_copy(mut sample: Sample, copy: Option<&str>) -> Result<Sample, String> {
    let line = sample.line;
    let verify = sample.command.first().is_some_and(|c| c == "verify");
    match (verify, copy) {
        (false, None) => Ok(sample),
        (false, Some(_)) => Err(format!("{line}: only a verify sample has a copy")),
        (true, None) => Err(format!(
            "{line}: a verify sample says its copy just above: {COPY} NAME=reference -->"
        )),
        (true, Some(copy)) => {
            let copy = copy.trim().strip_suffix("-->").unwrap_or(copy);
            for word in copy.split_whitespace() {
                let (name, body) = word.split_once('=').ok_or_else(|| {
                    format!("{line}: `{word}` is not NAME=reference or NAME=PATH")
                })?;
                sample.copy.push((name.to_owned(), body.to_owned()));
            }
            Ok(sample)
        }
    }
}

/// A line with what varies from run to run replaced by its kind: `[time]`, `<duration>`,
/// `<percent>`, `<port>`; a number written `~850` becomes `~#`, which [`line_matches`] takes as
/// any number. Trailing spaces go too.
pub fn normalise(line: &str) -> String {
    let line = line.trim_end();
    let line = without_stat_bar(line);
    let line = line.as_str();
    let (mut out, rest) = match timestamp(line) {
        Some(rest) => ("[time]".to_owned(), rest),
        None => (String::new(), line),
    };
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let after_word = i > 0 && is_word(chars[i - 1]);
        if !chars[i].is_ascii_digit() || after_word {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The longest run of digits, dots and colons, without a final dot or colon.
        let mut end = i;
        while chars
            .get(end)
            .is_some_and(|&c| c.is_ascii_digit() || c == '.' || c == ':')
        {
            end += 1;
        }
        while !chars[end - 1].is_ascii_digit() {
            end -= 1;
        }
        let run: String = chars[i..end].iter().collect();
        let (kind, used) = match out.ends_with('~') && is_number(&run) {
            true => ("#".to_owned(), 0),
            false => classify(&run, &chars[end..]),
        };
        out.push_str(&kind);
        i = end + used;
    }
    out
}

/// A `--stat` line (`src/net.rs |  149 +++++`) with its bar of `+` and `-` written `<bar>`.
fn without_stat_bar(line: &str) -> String {
    let Some((file, counts)) = line.rsplit_once(" | ") else {
        return line.to_owned();
    };
    match counts.trim_start().split_once(' ') {
        Some((count, bar)) if is_number(count) && bar.chars().all(|c| c == '+' || c == '-') => {
            format!("{file} | {count} <bar>")
        }
        _ => line.to_owned(),
    }
}

/// The rest of a line after its `[  12.3 ms] ` timestamp, if it has one.
fn timestamp(line: &str) -> Option<&str> {
    let (stamp, rest) = line.strip_prefix('[')?.split_once(']')?;
    let millis = stamp.trim().strip_suffix(" ms")?;
    is_number(millis).then_some(rest)
}

/// What a run of digits, dots and colons is, given what follows it: its kind and how many of
/// the following characters (a unit, `%`) the kind includes; or itself.
fn classify(run: &str, after: &[char]) -> (String, usize) {
    if let Some((ip, port)) = run.split_once(':') {
        let ipv4 = ip.split('.').count() == 4 && ip.split('.').all(is_number);
        if ipv4 && is_number(port) && !port.contains('.') {
            return (format!("{ip}:<port>"), 0);
        }
        return (run.to_owned(), 0);
    }
    if !is_number(run) {
        return (run.to_owned(), 0);
    }
    if after.first() == Some(&'%') {
        return ("<percent>".to_owned(), 1);
    }
    match unit(after) {
        Some(used) => ("<duration>".to_owned(), used),
        None => (run.to_owned(), 0),
    }
}

/// How many characters of `after` are a time unit (`ms`, ` s`, `µs`, …) that ends a word.
fn unit(after: &[char]) -> Option<usize> {
    let space = usize::from(after.first() == Some(&' '));
    let rest = &after[space..];
    ["min", "ms", "µs", "us", "ns", "s", "h"]
        .iter()
        .map(|unit| unit.chars().collect::<Vec<char>>())
        .find(|unit| rest.starts_with(unit) && !rest.get(unit.len()).copied().is_some_and(is_word))
        .map(|unit| space + unit.len())
}

/// Digits, with at most one dot between digits: `12`, `0.7`.
fn is_number(text: &str) -> bool {
    let mut parts = text.split('.');
    let whole = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_some_and(whole) && parts.next().is_none_or(whole) && parts.next().is_none()
}

/// Letters, digits and `_`: what a number inside a word (`step03`, `x86_64`) follows.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether an output line, normalised, is what a sample line, normalised, shows: the same text,
/// where each `~#` of the sample is any number in the output.
pub fn line_matches(sample: &str, output: &str) -> bool {
    let Some((before, after)) = sample.split_once("~#") else {
        return sample == output;
    };
    let Some(rest) = output.strip_prefix(before) else {
        return false;
    };
    let digits = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    digits > 0 && line_matches(after, &rest[digits..])
}

/// Where an output first parts from its sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The line of the sample (from 0, the line under the command) that the output lacks.
    pub line: usize,
    /// That line, or `None` when the output goes on after the last line shown.
    pub expected: Option<String>,
    /// The output line found in its place, or `None` when there is none.
    pub got: Option<String>,
}

/// Checks an output against a sample's lines: `Ok` if it shows them, `...` lines aside.
pub fn compare(sample: &[String], output: &[String]) -> Result<(), Mismatch> {
    let sample: Vec<String> = sample.iter().map(|line| normalise(line)).collect();
    let output: Vec<String> = output.iter().map(|line| normalise(line)).collect();
    let is_gap = |line: &String| line.trim() == GAP;
    let (open_start, open_end) = (
        sample.first().is_some_and(is_gap),
        sample.last().is_some_and(is_gap),
    );
    // The runs of shown lines between gaps, each with where it starts in the sample.
    let mut runs: Vec<(usize, &[String])> = Vec::new();
    let mut start = 0;
    for end in (0..=sample.len()).filter(|&i| i == sample.len() || is_gap(&sample[i])) {
        if end > start {
            runs.push((start, &sample[start..end]));
        }
        start = end + 1;
    }
    let mut next = 0;
    for (k, &(start, run)) in runs.iter().enumerate() {
        let at = if k == 0 && !open_start {
            0
        } else if k + 1 == runs.len() && !open_end {
            output.len().saturating_sub(run.len()).max(next)
        } else {
            let last = output.len().saturating_sub(run.len());
            let found = (next..=last).find(|&at| difference(run, &output[at..]).is_none());
            found.ok_or_else(|| Mismatch {
                line: start,
                expected: Some(run[0].clone()),
                got: None,
            })?
        };
        if let Some(i) = difference(run, output.get(at..).unwrap_or_default()) {
            return Err(Mismatch {
                line: start + i,
                expected: Some(run[i].clone()),
                got: output.get(at + i).cloned(),
            });
        }
        next = at + run.len();
    }
    match output.get(next) {
        Some(extra) if !open_end => Err(Mismatch {
            line: sample.len(),
            expected: None,
            got: Some(extra.clone()),
        }),
        _ => Ok(()),
    }
}

/// The first line of `run` that the lines of `output` (from the same place) do not show.
fn difference(run: &[String], output: &[String]) -> Option<usize> {
    (0..run.len()).find(|&i| {
        !output
            .get(i)
            .is_some_and(|line| line_matches(&run[i], line))
    })
}

/// Runs the samples of the root README, then of each step's, and hands each outcome to `each`:
/// `Ok(what)` for a sample that matches, `Err(problem)` for one that does not (its details are
/// printed after it).
pub fn check(
    ws: &Workspace,
    limit: Duration,
    mut each: impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut readmes = vec!["README.md".to_owned()];
    readmes.extend(
        ws.steps
            .iter()
            .map(|step| format!("{}/README.md", step.name)),
    );
    for readme in readmes {
        // A missing README is for the repository check to report.
        let Ok(text) = fs::read_to_string(ws.root.join(&readme)) else {
            continue;
        };
        for sample in find(&text) {
            match sample {
                // Without python3, the talk's Python section of `check` says so, once.
                Ok(sample) if crate::python::skips(&sample.command) => {}
                Ok(sample) => check_one(ws, &readme, &sample, limit, &mut each)?,
                Err(problem) => each(Err(format!("{readme}:{problem}")))?,
            }
        }
    }
    Ok(())
}

/// Runs one sample's command and compares what it printed with what the README shows.
fn check_one(
    ws: &Workspace,
    readme: &str,
    sample: &Sample,
    limit: Duration,
    each: &mut impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    let label = format!("{readme}:{} `{}`", sample.line, sample.command.join(" "));
    if sample.command.first().is_some_and(|c| c == "verify") {
        let output = match verify(ws, sample) {
            Ok(output) => output,
            Err(problem) => return each(Err(format!("{label}: {problem}"))),
        };
        return match compare(&sample.expected, &output) {
            Ok(()) => each(Ok(label)),
            Err(mismatch) => differs(&label, sample, &mismatch, "", each),
        };
    }
    let logs = format!("{}-{}", readme.replace('/', "-"), sample.line);
    let run = match run(ws, &sample.command, &logs, limit) {
        Ok(run) if run.outcome == Outcome::TimedOut => {
            let secs = run.duration.as_secs();
            return each(Err(format!(
                "{label}: still running after {secs} s, killed"
            )));
        }
        Ok(run) => run,
        Err(problem) => return each(Err(format!("{label}: {problem}"))),
    };
    let mut output = demo::lines(&run.stdout);
    output.extend(demo::lines(&run.stderr));
    let Err(mismatch) = compare(&sample.expected, &output) else {
        return each(Ok(label));
    };
    let all = format!("all of it: {}", run.stdout.display());
    differs(&label, sample, &mismatch, &all, each)
}

/// Reports where a sample's output differs from the README.
fn differs(
    label: &str,
    sample: &Sample,
    mismatch: &Mismatch,
    all: &str,
    each: &mut impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    let at = sample.line + 1 + mismatch.line;
    each(Err(format!("{label}: the output differs at line {at}")))?;
    let shown = |line: &Option<String>, none: &str| line.clone().unwrap_or_else(|| none.to_owned());
    let details = [
        format!("README: {}", shown(&mismatch.expected, "(nothing more)")),
        format!("run:    {}", shown(&mismatch.got, "(no such line)")),
        all.to_owned(),
    ];
    let cut = |line: &String| line.chars().take(WIDTH - 8).collect::<String>();
    let text: String = details
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| format!("      | {}\n", cut(l)))
        .collect();
    print_out(&text)
}

/// Runs a `verify` sample: on a copy of its own, made as `cargo xtask exercise` makes one and
/// written as the sample's comment says, seen from a root of its own (so that its paths read
/// `workshop/…` as a participant's do), built where every copy builds.
fn verify(ws: &Workspace, sample: &Sample) -> Result<Vec<String>, String> {
    let [_, step] = &sample.command[..] else {
        return Err("a verify sample runs `verify N`".into());
    };
    let step = steps::find(&ws.steps, step).map_err(|e| e.to_string())?;
    let exercises = exercise::listed(step).map_err(|e| e.to_string())?;
    let root = ws
        .target
        .clone()
        .join("xtask-check")
        .join("samples")
        .join("verify");
    let dir = copy::dir(&root, step);
    let _ = fs::remove_dir_all(&root);
    copy::create(&ws.root, step, &exercises, &dir).map_err(|e| e.to_string())?;
    for (name, body) in &sample.copy {
        let exercise = exercise::named(step, &exercises, name).map_err(|e| e.to_string())?;
        let body = match body.as_str() {
            "reference" => revise::reference_body(step, exercise).map_err(|e| e.to_string())?,
            path => body_in(&ws.root.join(path))?,
        };
        let file = dir.join(&step.name).join(&exercise.file);
        let source = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let found = locate::find(&source, &exercise.item)?;
        copy::write(&file, &found.with_body(&source, &body)).map_err(|e| e.to_string())?;
    }
    let here = Here::at(&root, &root);
    let mut screen = Screen::keep();
    let target = verify::target_dir(ws);
    verify::verify_copy(&here, step, &dir, &target, &mut screen, verify::LIMITS)
        .map_err(|e| e.to_string())?;
    Ok(screen.kept().lines().map(str::to_owned).collect())
}

/// The body in a file: from its first line that opens a block to the end, comments above left
/// out.
fn body_in(path: &std::path::Path) -> Result<String, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let start = text
        .lines()
        .position(|l| l.starts_with('{'))
        .ok_or_else(|| format!("{}: no line opens a block", path.display()))?;
    Ok(text.lines().skip(start).collect::<Vec<_>>().join("\n"))
}

/// Runs a sample's command with stdin closed, under the time limit, its output in files named
/// after `logs`. A demo runs as its built binary, as `check` runs every demo; `diff` and `list`
/// run through this very program.
fn run(ws: &Workspace, command: &[String], logs: &str, limit: Duration) -> Result<Run, String> {
    let dir = ws.target.clone().join("xtask-check").join("samples");
    match command {
        [verb, step, name, args @ ..] if verb == "demo" && !crate::python::asks_for_twin(args) => {
            let step = steps::find(&ws.steps, step).map_err(|e| e.to_string())?;
            let name = demo::find(step, name).map_err(|e| e.to_string())?;
            demo::build(&ws.root, step, &["--example", &name]).map_err(|e| e.to_string())?;
            // Everything after the name is the demo's; a `--` before it is optional.
            let args = match args {
                [dash, rest @ ..] if dash == "--" => rest,
                args => args,
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let binary = demo::binary(ws, &name);
            demo::run_with_limit(&ws.root, &binary, &args, &dir, logs, limit)
        }
        _ => {
            let xtask = env::current_exe().map_err(|e| format!("cannot find xtask: {e}"))?;
            let args: Vec<&str> = command.iter().map(String::as_str).collect();
            demo::run_with_limit(&ws.root, &xtask, &args, &dir, logs, limit)
        }
    }
}
