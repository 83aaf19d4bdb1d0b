//! README samples: how they are found in Markdown, what varies from run to run and is compared
//! by kind, how `...` skips lines; and every sample of the real READMEs names a command that
//! exists, so that `cargo test` catches a typo before `cargo xtask check` runs it.

use xtask::samples::{Mismatch, Sample, compare, find, line_matches, normalise};
use xtask::{demo, steps};

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[test]
fn a_sample_is_a_text_block_that_starts_with_the_command() {
    let markdown = "\
# Title

```sh
$ cargo xtask demo 1 talk
```

```text
$ cargo xtask diff 3 4 --stat
 src/lib.rs |  24 ++-
...
```

```text
while !ready() {}
```
";
    let expected = Sample {
        line: 8,
        command: vec!["diff".into(), "3".into(), "4".into(), "--stat".into()],
        expected: lines(" src/lib.rs |  24 ++-\n..."),
        copy: Vec::new(),
    };
    assert_eq!(find(markdown), [Ok(expected)]);
}

#[test]
fn a_sample_of_another_command_is_a_problem_not_a_silence() {
    let markdown = "```text\n$ nc 127.0.0.1 7878\nhello\n```\n\
                    ```text\n$ cargo xtask tour\n```\n\
                    ```text\n$ cargo xtask demo 4 echo_server -- --name \"a b\"\n```\n";
    let found = find(markdown);
    assert_eq!(found.len(), 3);
    let problems: Vec<String> = found.into_iter().map(Result::unwrap_err).collect();
    assert!(
        problems[0].starts_with("2: a sample runs `cargo xtask …`"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("6: a sample runs one of demo, diff, list, verify"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("9: a sample's command takes no quotes"),
        "{problems:?}"
    );
}

#[test]
fn a_verify_sample_says_the_copy_it_runs_on() {
    let markdown = "With one written:\n\n\
                    <!-- sample copy: run_tasks=reference gather=xtask/samples/g.rs -->\n\
                    ```text\n$ cargo xtask verify 3\nverify step 3\n```\n\n\
                    ```text\n$ cargo xtask verify 3\n```\n\n\
                    <!-- sample copy: a=reference -->\n```text\n$ cargo xtask list\n```\n";
    let found = find(markdown);
    let copy = vec![
        ("run_tasks".to_owned(), "reference".to_owned()),
        ("gather".to_owned(), "xtask/samples/g.rs".to_owned()),
    ];
    assert_eq!(
        found[0],
        Ok(Sample {
            line: 5,
            command: vec!["verify".into(), "3".into()],
            expected: lines("verify step 3"),
            copy,
        })
    );
    let problem = found[1].clone().expect_err("no copy");
    assert!(
        problem.starts_with("10: a verify sample says its copy just above"),
        "{problem}"
    );
    let problem = found[2].clone().expect_err("a copy for list");
    assert!(
        problem.starts_with("15: only a verify sample has a copy"),
        "{problem}"
    );
}

#[test]
fn what_varies_from_run_to_run_is_compared_by_kind() {
    let cases = [
        (
            "[     0.7 ms] client: got  \"éfac\"",
            "[time] client: got  \"éfac\"",
        ),
        (
            "[  1001.2 ms] idle: 501ms of wall time, 254µs of CPU",
            "[time] idle: <duration> of wall time, <duration> of CPU",
        ),
        (
            "main: ended at 5.0 s, CPU used: 0.00 s",
            "main: ended at <duration>, CPU used: <duration>",
        ),
        (
            "main: 10000 tasks done in 1s",
            "main: 10000 tasks done in <duration>",
        ),
        (
            "main: CPU time: 63ms, 12.1% of the wall time",
            "main: CPU time: <duration>, <percent> of the wall time",
        ),
        (
            "server: client 127.0.0.1:49590: \"a\" -> \"a\"",
            "server: client 127.0.0.1:<port>: \"a\" -> \"a\"",
        ),
        (
            "server: listening on 127.0.0.1:45643, lines up to 65536 bytes",
            "server: listening on 127.0.0.1:<port>, lines up to 65536 bytes",
        ),
    ];
    for (line, normalised) in cases {
        assert_eq!(normalise(line), normalised, "{line}");
    }
}

#[test]
fn numbers_that_do_not_vary_stay_as_they_are() {
    for line in [
        " 18 files changed, 1315 insertions(+), 315 deletions(-)",
        "step03-round-robin → step04-sockets",
        "@@ -8,14 +8,15 @@",
        "main: poll #3 -> Ready(2)",
        "x86_64 5 steps, 2 seconds, 3 hours",
        "version 1.2.3 at 12:30",
    ] {
        assert_eq!(normalise(line), line);
    }
    // Trailing spaces go: editors strip them, and a diff's empty context line is one space.
    assert_eq!(normalise(" "), "");
}

#[test]
fn a_stat_bar_is_compared_by_place_not_length() {
    let sample = normalise(" src/net.rs               | 149 +++++++++++++++++++++++++");
    assert_eq!(sample, " src/net.rs               | 149 <bar>");
    assert_eq!(
        normalise(" src/net.rs               | 149 ++++++++++++"),
        sample
    );
    assert_eq!(normalise(" src/lib.rs | 24 +-"), " src/lib.rs | 24 <bar>");
    // The count still counts: a file that changed by another number of lines differs.
    assert_ne!(normalise(" src/net.rs               | 150 ++++"), sample);
}

#[test]
fn a_number_written_with_a_tilde_is_any_number() {
    let sample = normalise("main: the loop made ~850 turns");
    assert_eq!(sample, "main: the loop made ~# turns");
    assert!(line_matches(
        &sample,
        &normalise("main: the loop made 861 turns")
    ));
    assert!(line_matches(&sample, "main: the loop made 10001 turns"));
    assert!(!line_matches(&sample, "main: the loop made many turns"));
    assert!(!line_matches(&sample, "main: the loop made 861 loops"));
}

#[test]
fn an_exact_sample_must_show_every_line() {
    let sample = lines("a\nb");
    assert_eq!(compare(&sample, &lines("a\nb")), Ok(()));
    let missing = Mismatch {
        line: 1,
        expected: Some("b".into()),
        got: None,
    };
    assert_eq!(compare(&sample, &lines("a")), Err(missing));
    let extra = Mismatch {
        line: 2,
        expected: None,
        got: Some("c".into()),
    };
    assert_eq!(compare(&sample, &lines("a\nb\nc")), Err(extra));
    let changed = Mismatch {
        line: 0,
        expected: Some("a".into()),
        got: Some("z".into()),
    };
    assert_eq!(compare(&sample, &lines("z\nb")), Err(changed));
}

#[test]
fn a_gap_stands_for_any_number_of_lines() {
    let output = lines("first\nsecond\nthird\nfourth\nlast");
    for sample in [
        "first\n...",
        "...\nlast",
        "...\nthird\n...",
        "first\n...\nthird\nfourth\n...\nlast",
        "first\nsecond\n...\nthird\nfourth\nlast",
        "...",
    ] {
        assert_eq!(compare(&lines(sample), &output), Ok(()), "{sample}");
    }
    for sample in [
        "second\n...",
        "...\nfourth",
        "...\nfourth\nthird\n...",
        "first\n...\nmissing",
    ] {
        assert!(compare(&lines(sample), &output).is_err(), "{sample}");
    }
    let not_found = Mismatch {
        line: 1,
        expected: Some("missing".into()),
        got: None,
    };
    assert_eq!(
        compare(&lines("...\nmissing\n..."), &output),
        Err(not_found)
    );
}

#[test]
fn a_sample_with_timestamps_matches_another_run() {
    let sample = lines(
        "...\n\
         [     0.7 ms] client: send \"café\\n\"\n\
         [     0.8 ms] server: client 127.0.0.1:56928: \"café\" -> \"éfac\"\n\
         ...",
    );
    let output = lines(
        "[     0.0 ms] server: listening on 127.0.0.1:45643\n\
         [    11.9 ms] client: send \"café\\n\"\n\
         [   101.7 ms] server: client 127.0.0.1:49590: \"café\" -> \"éfac\"\n\
         [   101.8 ms] client: got  \"éfac\"",
    );
    assert_eq!(compare(&sample, &output), Ok(()));
}

/// Every sample of the workspace's READMEs is well formed, and a `demo` sample names a step and
/// a demo that exist: what `cargo xtask check` would otherwise find only by running them.
#[test]
fn the_readme_samples_name_commands_that_exist() {
    let root = xtask::workspace_root();
    let steps = steps::discover(&root).unwrap();
    let mut readmes = vec!["README.md".to_owned()];
    readmes.extend(steps.iter().map(|step| format!("{}/README.md", step.name)));
    let mut count = 0;
    for readme in readmes {
        let text = std::fs::read_to_string(root.join(&readme)).unwrap();
        for sample in find(&text) {
            let sample = sample.unwrap_or_else(|problem| panic!("{readme}:{problem}"));
            if let [verb, step, name, ..] = &sample.command[..] {
                if verb == "demo" {
                    let step = steps::find(&steps, step).unwrap();
                    let at = sample.line;
                    demo::find(step, name).unwrap_or_else(|e| panic!("{readme}:{at}: {e}"));
                }
            }
            count += 1;
        }
    }
    assert!(count > 0, "no README sample found");
}
