//! Each training example is its program: the file a student opens builds
//! its network, compiles it and fits it, in that order, and Practice I fits
//! in 60 lines as the course's Keras listing does.

use std::path::Path;

fn source(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{name}.rs"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The position of the first of `needles` in `text`, naming the file.
fn first(file: &str, text: &str, needles: &[&str]) -> usize {
    needles
        .iter()
        .filter_map(|n| text.find(n))
        .min()
        .unwrap_or_else(|| panic!("{file}.rs: none of {needles:?} (the program must be in the file itself)"))
}

#[test]
fn each_training_example_builds_compiles_and_fits_its_network_itself() {
    for file in ["perceptron", "mlp", "cnn", "custom_op"] {
        let text = source(file);
        let data = first(file, &text, &["practice.mnist()"]);
        let network = first(file, &text, &["Dense::new(", "Linear::new(", "Conv2d::new("]);
        let model = first(file, &text, &["Model::functional(", "Model::new("]);
        let compile = first(file, &text, &["model.compile("]);
        let fit = first(file, &text, &["practice.fit(&mut model"]);
        let evaluate = first(file, &text, &["practice.evaluate_and_report(model"]);
        assert!(
            data < network && network < model && model < compile && compile < fit && fit < evaluate,
            "{file}.rs: the steps must read in the course's order (data, network, model, compile, fit, evaluate)"
        );
    }
}

#[test]
fn practice_i_is_at_most_60_lines_and_reads_like_the_keras_listing() {
    let text = source("perceptron");
    let lines = text.lines().count();
    assert!(lines <= 60, "perceptron.rs has {lines} lines");
    for keras in [
        "inputs = Input(shape=(784,))",
        "outputs = Dense(10, activation='sigmoid')(inputs)",
        "model = Model(inputs, outputs)",
    ] {
        assert!(text.contains(keras), "perceptron.rs does not quote the course's `{keras}`");
    }
    for sinapse in [
        "let inputs = Input::seeded(&[784], practice.seed());",
        "let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);",
        "let mut model = Model::functional(&inputs, &outputs);",
    ] {
        assert!(text.contains(sinapse), "perceptron.rs lacks `{sinapse}`");
    }
}

#[test]
fn the_guides_perceptron_program_is_the_compiled_one() {
    // Chapter 12's Rust block: every line of it is a line of perceptron.rs,
    // in order, so the guide shows code the tests compile and run.
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/guide.md")).unwrap();
    let chapter = &guide[guide.find("## 12. ").unwrap()..guide.find("## 13. ").unwrap()];
    let block = chapter.split("```rust\n").nth(1).expect("chapter 12 has a Rust block").split("```").next().unwrap();
    let file = source("perceptron");
    let mut lines = file.lines().map(str::trim);
    for wanted in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(lines.any(|l| l == wanted), "guide chapter 12: `{wanted}` is not in perceptron.rs (in this order)");
    }
}

#[test]
fn no_library_module_runs_an_example_in_its_place() {
    // The library's one `run` prepares a training practice and hands it to
    // the example's program (practice.rs); every program lives in its file
    // under examples/.
    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, found);
            } else if std::fs::read_to_string(&path).unwrap().contains("pub fn run(") {
                found.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut found = Vec::new();
    visit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
    found.sort();
    assert_eq!(found, ["practice.rs"]);
}
