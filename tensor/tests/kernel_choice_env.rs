//! `SINAPSE_KERNELS` is read once, at the first kernel call of a process
//! that has not chosen with `set_kernel_choice`. Each test here runs in a
//! process that never calls the setter: this binary, and copies of it
//! started with the variable set.

use std::process::Command;

use sinapse_tensor::{kernel_choice, KernelChoice, Tensor};

/// What the environment of this process selects.
fn expected() -> KernelChoice {
    match std::env::var("SINAPSE_KERNELS") {
        Ok(v) if v.eq_ignore_ascii_case("reference") => KernelChoice::Reference,
        _ => KernelChoice::Fast,
    }
}

#[test]
fn the_choice_follows_the_environment() {
    // A kernel call first, as in a program: it reads the variable.
    let _ = Tensor::<f32>::ones(&[1, 1, 2, 2]).max_pool2d((2, 2), (2, 2), (0, 0));
    assert_eq!(kernel_choice(), expected());
}

#[test]
fn a_process_started_with_the_variable_runs_the_reference_kernels() {
    for (value, choice) in [("reference", "Reference"), ("REFERENCE", "Reference"), ("fast", "Fast"), ("", "Fast")] {
        let out = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", "the_choice_follows_the_environment", "--test-threads", "1"])
            .env("SINAPSE_KERNELS", value)
            .output()
            .expect("the test binary runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "SINAPSE_KERNELS={value:?} should select {choice}:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
