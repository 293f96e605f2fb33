//! A tiny run of the `init_and_activations` example: every configuration
//! trained, every file written and readable, the table printed, bad flags
//! refused.

use sinapse_examples::cli::parse_from;
use sinapse_examples::diagnostics::init_and_activations::{
    table, HiddenActivation, InitActivationsArgs, InitChoice, RunSummary, DEFAULTS, FIGURE_FILE, JSON_FILE,
};
use sinapse_examples::diagnostics::{DiagnosticsReport, CURVES_FILE, HISTOGRAMS_FILE, JSON_FILE as DIAG_JSON};
use sinapse_examples::programs::init_and_activations::program as run;
use std::path::Path;

fn args(out: &Path, extra: &[&str]) -> InitActivationsArgs {
    let mut argv = vec!["init_and_activations", "--quiet", "--out", out.to_str().unwrap()];
    argv.extend_from_slice(extra);
    parse_from(DEFAULTS, &argv).unwrap()
}

/// Decodes a PNG fully and returns its size.
fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

#[test]
fn tiny_run_writes_the_figure_the_json_and_each_runs_diagnostics() {
    let out = tempfile::tempdir().unwrap();
    let tiny = [
        "--epochs",
        "2",
        "--train-limit",
        "300",
        "--test-limit",
        "200",
        "--probe",
        "64",
        "--hidden",
        "16,8",
        "--inits",
        "zero,glorot-course,glorot,he",
        "--activations",
        "sigmoid,relu",
    ];
    let a = args(out.path(), &tiny);
    assert_eq!(a.hidden, [16, 8]);
    let outcome = run(&a).unwrap();

    let labels: Vec<String> = outcome.runs.iter().map(RunSummary::label).collect();
    assert_eq!(
        labels,
        [
            "zero-sigmoid",
            "glorot-course-sigmoid",
            "glorot-sigmoid",
            "he-sigmoid",
            "zero-relu",
            "glorot-course-relu",
            "glorot-relu",
            "he-relu"
        ]
    );
    for r in &outcome.runs {
        // Before training and after each of the 2 epochs.
        assert_eq!(r.test_accuracy.len(), 3, "{r:?}");
        assert_eq!(r.first_grad_norm.len(), 3);
        assert_eq!(r.initial_grad_norms.len(), 3);
        assert!(r.test_accuracy.iter().all(|a| (0.0..=1.0).contains(a)));
        assert!(r.first_grad_norm.iter().chain(&r.initial_grad_norms).all(|g| g.is_finite() && *g >= 0.0));
        assert_eq!(r.dead_fraction.is_some(), r.activation == HiddenActivation::Relu);
        assert_eq!(r.saturated_fraction.is_some(), r.activation == HiddenActivation::Sigmoid);
        if r.init == InitChoice::Zero {
            assert_eq!(r.hidden_unit_difference, 0.0, "{r:?}");
        } else {
            assert!(r.hidden_unit_difference > 0.0, "{r:?}");
        }
    }

    let (w, h) = png_size(&out.path().join(FIGURE_FILE));
    assert!(w >= 1500 && h >= 700, "{w}x{h}");
    let json: Vec<RunSummary> =
        serde_json::from_str(&std::fs::read_to_string(out.path().join(JSON_FILE)).unwrap()).unwrap();
    assert_eq!(json, outcome.runs);
    for label in &labels {
        let dir = out.path().join(label);
        let report: DiagnosticsReport =
            serde_json::from_str(&std::fs::read_to_string(dir.join(DIAG_JSON)).unwrap()).unwrap();
        assert_eq!(report.epochs.len(), 2, "{label}");
        assert_eq!(report.probe_examples, 64);
        for name in [CURVES_FILE, HISTOGRAMS_FILE] {
            let (w, h) = png_size(&dir.join(name));
            assert!(w > 500 && h > 300, "{label}/{name}: {w}x{h}");
        }
    }
    // Two summary files plus three per configuration.
    assert_eq!(outcome.files.len(), 2 + 3 * labels.len());
    assert!(outcome.files.iter().all(|f| f.is_file()), "{:?}", outcome.files);

    let printed = table(&outcome.runs);
    assert_eq!(printed.lines().count(), 1 + labels.len());
    assert!(printed.lines().nth(5).unwrap().starts_with("zero          relu"), "{printed}");
    assert!(printed.lines().nth(6).unwrap().starts_with("glorot-course relu"), "{printed}");
}

#[test]
fn defaults_and_bad_flags() {
    let out = tempfile::tempdir().unwrap();
    let a = args(out.path(), &[]);
    assert_eq!(DEFAULTS.epochs(&a.common), 3);
    assert_eq!((a.common.batch_size, a.common.lr), (64, 0.1));
    assert_eq!(a.hidden, [64, 64]);
    assert_eq!(
        a.inits,
        [
            InitChoice::Zero,
            InitChoice::Small,
            InitChoice::Large,
            InitChoice::GlorotCourse,
            InitChoice::Glorot,
            InitChoice::He
        ]
    );
    assert_eq!(a.activations, [HiddenActivation::Sigmoid, HiddenActivation::Relu]);

    for (flags, message) in [
        (&["--hidden", "64,0"][..], "--hidden"),
        (&["--probe", "0"][..], "--probe"),
        (&["--epochs", "0"][..], "--epochs"),
    ] {
        // Refused while parsing, with the rule every example applies to counts.
        let argv: Vec<&str> = ["init_and_activations"].into_iter().chain(flags.iter().copied()).collect();
        let err = parse_from::<InitActivationsArgs>(DEFAULTS, &argv).expect_err("a count of 0 must be refused");
        let err = err.to_string();
        assert!(err.contains(message) && err.contains("must be at least 1"), "{flags:?}: {err}");
    }
    let argv = ["init_and_activations", "--inits", "zero,huge"];
    assert!(parse_from::<InitActivationsArgs>(DEFAULTS, &argv).is_err());
}
