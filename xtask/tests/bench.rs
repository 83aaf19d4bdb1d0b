//! `cargo xtask bench` on what needs no benchmark to run: its help, bad flags, which must fail
//! at once with one clear line, before anything is built, and whether every runtime's benchmark
//! names every workload. (The pipeline itself runs in CI, as `cargo xtask bench --tiny`.)

use std::fs;
use std::process::{Command, Output, Stdio};

use xtask::bench::WORKLOADS;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the xtask binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_names_the_flags_and_fits_a_projector() {
    for flag in ["--help", "-h"] {
        let output = xtask(&["bench", flag]);
        assert!(output.status.success(), "{flag}");
        let help = text(&output.stdout);
        assert!(help.starts_with("usage: cargo xtask bench"), "{help}");
        assert!(
            help.contains("--quick") && help.contains("--tiny"),
            "{help}"
        );
        assert!(help.lines().all(|l| l.chars().count() <= 100), "{help}");
    }
    let usage = text(&xtask(&["--help"]).stdout);
    assert!(usage.contains("  bench   "), "{usage}");
}

#[test]
fn a_bad_flag_is_one_line_and_exit_code_2() {
    for bad in [&["bench", "--bogus"][..], &["bench", "3"]] {
        let output = xtask(bad);
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {err}");
        assert_eq!(
            text(&output.stdout),
            "",
            "{bad:?}: nothing built, nothing measured"
        );
        assert_eq!(err.lines().count(), 1, "{bad:?}: {err}");
        assert!(err.contains("valid options are --quick, --tiny"), "{err}");
    }
}

#[test]
fn every_benchmark_names_every_workload() {
    // A workload a runtime does not name would show as `—` with no reason given: each one runs
    // it, or skips it and says why.
    let root = xtask::workspace_root();
    let mut files = vec![
        root.join("bench/asyncio_bench.py"),
        root.join("bench/peers/benches/on_tokio.rs"),
        root.join("bench/peers/benches/on_smol.rs"),
    ];
    let steps = xtask::steps::discover(&root).expect("the steps");
    files.extend(steps.iter().map(|s| s.dir.join("benches/runtime.rs")));
    files.retain(|file| file.is_file());
    assert!(files.len() > 3, "no step has benchmarks: {files:?}");
    for file in files {
        let source = fs::read_to_string(&file).expect("read a benchmark");
        for (name, _) in WORKLOADS {
            let named = source.contains(&format!("\"{name}\""));
            assert!(named, "{} does not name `{name}`", file.display());
        }
    }
}
