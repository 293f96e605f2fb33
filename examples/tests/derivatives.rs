//! The derivatives example, run as a program: the course's activations and
//! their derivatives by autograd (the values the course's Fig. 10 shows),
//! and every picture written.

use std::path::Path;
use std::process::Command;

#[test]
fn activations_course_derivatives_of_sigmoid_tanh_and_relu() {
    let exe = std::env::current_exe().unwrap();
    let program = exe.parent().unwrap().parent().unwrap().join("examples").join("derivatives");
    assert!(program.is_file(), "{} is not built: `cargo test` builds the examples", program.display());
    let out = tempfile::tempdir().unwrap();
    let ran = Command::new(&program).args(["--out", out.path().to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&ran.stdout);
    assert!(ran.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&ran.stderr));
    // phi(0), phi'(0) and the largest phi' on [-4, 4]: sigmoid' = s (1 - s)
    // peaks at 1/4, tanh' = 1 - tanh^2 at 1, ReLU' is 0 then 1.
    let row = |name: &str| -> Vec<String> {
        let line = stdout.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} row:\n{stdout}"));
        line.split_whitespace().skip(1).map(String::from).collect()
    };
    assert_eq!(row("sigmoid "), ["0.5000", "0.2500", "0.2500"]);
    assert_eq!(row("tanh "), ["0.0000", "1.0000", "1.0000"]);
    assert_eq!(row("ReLU "), ["0.0000", "0.0000", "1.0000"]);
    for picture in ["activations.png", "paraboloid_path.png", "loss_surface.png"] {
        let path = out.path().join(picture);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", Path::new(picture).display());
    }
}
