//! An example whose standard output is closed by its reader (`| head`)
//! stops quietly with the status of a command killed by `SIGPIPE`, instead
//! of panicking with a backtrace hint that looks like a bug.
//!
//! The test binary re-executes itself as a child that prints through
//! `cli::run` for ever into a pipe; the parent reads one line and closes it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const CHILD: &str = "SINAPSE_TEST_CLOSED_PIPE_CHILD";
const TEST_NAME: &str = "closing_the_reader_of_stdout_stops_an_example_quietly";

#[test]
fn closing_the_reader_of_stdout_stops_an_example_quietly() {
    if std::env::var_os(CHILD).is_some() {
        sinapse_examples::cli::run(|| -> Result<(), String> {
            for epoch in 0.. {
                println!("epoch {epoch}: a line of training progress");
            }
            Ok(())
        });
        unreachable!("the loop only ends when stdout is closed");
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The harness's own lines come first; wait for the child's printing.
    while !line.starts_with("epoch ") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the child ended before printing");
    }
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "the child panicked:\n{stderr}");
    assert_eq!(status.code(), Some(141), "stderr:\n{stderr}");
}
