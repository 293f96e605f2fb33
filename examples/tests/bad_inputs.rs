//! Bad inputs given to the real example programs, as a user would give
//! them: data folders, flags, output folders and streams, checkpoints, and
//! model files. Each case checks the exit status, that the message names the
//! cause and the file, and that nothing the user had saved changed.
//! `docs/bad-inputs.md` lists the cases and the behaviour of each.
//!
//! The programs are the example binaries that `cargo test` builds next to
//! this test; each runs with a cache folder of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a case may take before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(180);

/// The MNIST shipped in the repository.
fn shipped_mnist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/data/mnist")
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("examples").join(name);
    assert!(
        path.is_file(),
        "{} is not built: run the tests with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// What a finished run left.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    /// Asserts the run failed the way every example fails (status 2, one
    /// `error:` line, no panic) and that its message contains each of `needles`.
    fn refused(&self, needles: &[&str]) {
        assert_eq!(self.code, Some(2), "status {:?}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr);
        assert!(!self.stderr.contains("panicked"), "it panicked:\n{}", self.stderr);
        assert!(self.stderr.starts_with("error: "), "{}", self.stderr);
        for needle in needles {
            assert!(self.stderr.contains(needle), "the message does not name '{needle}':\n{}", self.stderr);
        }
    }

    fn succeeded(&self) {
        assert_eq!(self.code, Some(0), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
    }
}

/// One program run in a scratch folder with its own cache.
struct Case {
    scratch: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case { scratch: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    /// Runs example `name` with `args`, standard output to `stdout`.
    fn run_to(&self, name: &str, args: &[&str], stdout: Stdio) -> Ran {
        let mut child = Command::new(example(name))
            .args(args)
            .env("SINAPSE_CACHE", self.path("cache"))
            .env_remove("SINAPSE_DATA")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let began = Instant::now();
        // Read stdout on a thread so a chatty child never blocks on a full pipe.
        let out_reader = child.stdout.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut s, &mut text).ok();
                text
            })
        });
        let mut err = child.stderr.take().unwrap();
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut err, &mut text).ok();
            text
        });
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if began.elapsed() > TIMEOUT {
                child.kill().ok();
                panic!("{name} {args:?} hung for {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Ran {
            code: status.code(),
            stdout: out_reader.map(|r| r.join().unwrap()).unwrap_or_default(),
            stderr: err_reader.join().unwrap(),
        }
    }

    fn run(&self, name: &str, args: &[&str]) -> Ran {
        self.run_to(name, args, Stdio::piped())
    }

    /// A quick training run of `name` into `out` (one epoch unless `extra`
    /// says otherwise), with `extra` flags.
    fn train(&self, name: &str, out: &Path, extra: &[&str]) -> Ran {
        let mut args = vec!["--train-limit", "256", "--test-limit", "64", "--quiet"];
        if !extra.contains(&"--epochs") {
            args.extend_from_slice(&["--epochs", "1"]);
        }
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        args.extend_from_slice(extra);
        self.run(name, &args)
    }

    /// A folder holding a copy of the four shipped MNIST files.
    fn mnist_copy(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(shipped_mnist()).unwrap() {
            let from = entry.unwrap().path();
            if from.extension().is_some_and(|e| e == "gz") {
                std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
            }
        }
        dir
    }
}

/// Every file under `dir` with its bytes, to show that nothing changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(snapshot(&path));
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn assert_unchanged(before: &BTreeMap<PathBuf, Vec<u8>>, dir: &Path) {
    let after = snapshot(dir);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "files were added or removed");
    for (path, bytes) in before {
        assert!(after[path] == *bytes, "{} changed", path.display());
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn fashion_installed() -> bool {
    let present = Path::new("/usr/share/datasets/fashion-mnist").is_dir();
    if !present && std::env::var("SINAPSE_REQUIRE_FASHION").is_ok_and(|v| v == "1") {
        panic!("SINAPSE_REQUIRE_FASHION=1 but Fashion-MNIST is not installed");
    }
    present
}

/// A corrupt file in `--data-dir` is read even when the cache holds a
/// good copy made from the intact file; so are MNIST files passed as
/// Fashion-MNIST.
#[test]
fn corrupt_data_dir_fails_even_with_a_warm_cache() {
    let case = Case::new();
    let data = case.mnist_copy("data");
    let out = case.path("out");
    case.train("mlp", &out, &["--data-dir", s(&data)]).succeeded();
    let saved = snapshot(&out);

    let labels = data.join("train-labels-idx1-ubyte.gz");
    let mut bytes = std::fs::read(&labels).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 8].copy_from_slice(&[0xA5; 8]);
    std::fs::write(&labels, &bytes).unwrap();
    case.train("mlp", &out, &["--data-dir", s(&data)]).refused(&[s(&labels)]);
    assert_unchanged(&saved, &out);

    let mnist = case.mnist_copy("mnist-as-fashion");
    case.train("mlp", &out, &["--data-dir", s(&mnist), "--dataset", "fashion"]).refused(&[
        "SHA-256 mismatch",
        "not the Fashion-MNIST",
        s(&mnist),
    ]);
    assert_unchanged(&saved, &out);
}

/// A `--data-dir` that cannot be used is an error naming it, never a
/// fall back to the shipped copy; a usable one is what the run reports.
#[test]
fn unusable_data_dir_never_falls_back_and_the_source_is_reported() {
    let case = Case::new();
    let out = case.path("out");
    let empty = case.path("empty");
    std::fs::create_dir(&empty).unwrap();
    case.train("mlp", &out, &["--data-dir", s(&empty)]).refused(&[s(&empty), "no train-images-idx3-ubyte"]);

    let data = case.mnist_copy("data");
    std::fs::remove_file(data.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    case.train("mlp", &out, &["--data-dir", s(&data)]).refused(&[s(&data), "no t10k-labels-idx1-ubyte"]);

    std::fs::create_dir(data.join("t10k-labels-idx1-ubyte")).unwrap();
    case.train("mlp", &out, &["--data-dir", s(&data)]).refused(&["t10k-labels-idx1-ubyte is a folder"]);

    std::fs::remove_dir(data.join("t10k-labels-idx1-ubyte")).unwrap();
    let fifo = data.join("t10k-labels-idx1-ubyte.gz");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    case.train("mlp", &out, &["--data-dir", s(&data)]).refused(&[s(&fifo), "is a FIFO"]);
    assert!(!out.join("model.safetensors").exists(), "a refused run wrote a model");

    // A usable folder: the run says so on the console and in metrics.json.
    let good = case.mnist_copy("good");
    let ran = case.train("mlp", &out, &["--data-dir", s(&good)]);
    ran.succeeded();
    let line = ran.stdout.lines().find(|l| l.starts_with("data: ")).expect("a line saying where the data came from");
    assert!(
        line.contains(&format!("{} (the folder given)", good.display())) && line.contains("SHA-256 verified"),
        "{line}"
    );
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["data"]["train"]["dir"], s(&good));
    assert_eq!(metrics["data"]["test"]["place"], "the folder given");
    assert_eq!(metrics["data"]["train"]["verified"], true);
}

/// `--resume` refuses a state saved by another network, data set or
/// recipe, naming both sides; a new learning rate needs an explicit flag.
#[test]
fn resume_refuses_another_network_data_set_or_recipe() {
    let case = Case::new();
    let out = case.path("out");
    case.train("mlp", &out, &[]).succeeded();
    let saved = snapshot(&out);
    fn resume<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut flags = vec!["--resume", "--epochs", "2"];
        flags.extend_from_slice(extra);
        flags
    }

    case.train("custom_op", &out, &resume(&[])).refused(&[
        "training_state.safetensors",
        "was saved by a different run",
        "architecture: saved mlp, this run swish-mlp",
    ]);
    assert_unchanged(&saved, &out);

    if fashion_installed() {
        case.train("mlp", &out, &resume(&["--dataset", "fashion"]))
            .refused(&["dataset: saved mnist, this run fashion", "give it another --out folder"]);
        assert_unchanged(&saved, &out);
    }

    case.train("mlp", &out, &resume(&["--lr", "0.05"]))
        .refused(&["learning_rate: saved 0.1, this run 0.05", "--allow-recipe-change"]);
    assert_unchanged(&saved, &out);
    case.train("mlp", &out, &resume(&["--lr", "0.05", "--allow-recipe-change"])).succeeded();
}

/// Writes a copy of the checkpoint `from` to `to` with element `index` of
/// tensor `name` set to NaN.
fn poison(from: &Path, to: &Path, name: &str, index: usize) {
    let mut ckpt = sinapse_nn::Checkpoint::<f32>::load(from).unwrap();
    let w = ckpt.tensors.get_mut(name).unwrap_or_else(|| panic!("{} has no tensor '{name}'", from.display()));
    let mut values = w.to_vec();
    values[index] = f32::NAN;
    *w = sinapse_tensor::Tensor::from_vec(values, w.shape()).unwrap();
    ckpt.save(to).unwrap();
}

fn write_png(path: &Path, w: u32, h: u32, color: png::ColorType, depth: png::BitDepth, palette: bool) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, w, h);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if palette {
        encoder.set_palette((0..=255u8).flat_map(|v| [v, v, v]).collect::<Vec<u8>>());
    }
    let mut writer = encoder.write_header().unwrap();
    let bytes_per_pixel = if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    // A white vertical bar on black: some digit-like ink.
    let data: Vec<u8> = (0..h * w)
        .flat_map(|i| {
            let ink = (12..16).contains(&(i % w)) && (4..24).contains(&(i / w));
            vec![if ink { 255u8 } else { 0 }; bytes_per_pixel]
        })
        .collect();
    writer.write_image_data(&data).unwrap();
}

/// NaN and infinity never reach a printed answer: a model or a training
/// state holding NaN is refused naming the file and the parameter, a
/// diverging fit stops with the cause, and NaN flags are refused.
#[test]
fn nan_never_reaches_an_answer() {
    let case = Case::new();
    let out = case.path("out");
    case.train("perceptron", &out, &[]).succeeded();
    let digit = case.path("digit.png");
    write_png(&digit, 28, 28, png::ColorType::Grayscale, png::BitDepth::Eight, false);
    let model = out.join("model.safetensors");
    case.run("predict", &[s(&digit), "--model", s(&model)]).succeeded();

    let broken = case.path("broken.safetensors");
    poison(&model, &broken, "dense.weight", 0);
    case.run("predict", &[s(&digit), "--model", s(&broken)])
        .refused(&[s(&broken), "parameter 'dense.weight' holds NaN at element 0"]);

    // A training state with a NaN weight: refused on resume, not trained
    // until the loss is NaN and then blamed on the learning rate.
    let state = out.join("training_state.safetensors");
    poison(&state, &state, "model.dense.weight", 3);
    let saved = snapshot(&out);
    let ran = case.train("perceptron", &out, &["--resume", "--epochs", "2"]);
    ran.refused(&["training_state.safetensors", "'dense.weight' holds NaN at element 3"]);
    assert!(!ran.stderr.contains("learning rate"), "advice for another cause: {}", ran.stderr);
    assert_unchanged(&saved, &out);

    let plots = case.path("plots");
    case.run("overfitting", &["--lr", "1e30", "--epochs", "50", "--out", s(&plots)])
        .refused(&["diverged", "lower --lr"]);
    case.run("derivatives", &["--lr", "nan", "--out", s(&plots)]).refused(&["--lr", "nan"]);
    case.run("derivatives", &["--lr", "5", "--steps", "200", "--out", s(&plots)]).refused(&["diverged", "--lr 5"]);
}

/// A full standard output is an error with status 2, not a panic.
#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    let case = Case::new();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = case.path("out");
    let mut args = vec!["--epochs", "1", "--train-limit", "256", "--test-limit", "64", "--out", s(&out)];
    case.run_to("mlp", &args, Stdio::from(full.try_clone().unwrap())).refused(&[
        "could not write",
        "standard output",
        "No space left on device",
    ]);
    args.push("--quiet");
    case.run_to("mlp", &args, Stdio::from(full.try_clone().unwrap())).refused(&["standard output"]);
    let plots = case.path("plots");
    case.run_to("derivatives", &["--out", s(&plots)], Stdio::from(full)).refused(&["standard output"]);
}

/// Rough edges: each a clear error naming the flag or the file.
#[test]
fn rough_edges_are_clear_errors() {
    let case = Case::new();
    let file = case.path("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let inside = file.join("out");
    case.train("mlp", &inside, &[]).refused(&["cannot create the output folder", s(&inside)]);
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");

    let out = case.path("out");
    case.train("mlp", &out, &["--lr", "1e-50"]).refused(&["--lr", "rounds to 0 in f32"]);
    case.train("mlp", &out, &["--threads", "100000"]).refused(&["--threads", "more than 256"]);
    case.run("pooling_invariance", &["--lr", "1e-50"]).refused(&["--lr", "rounds to 0 in f32"]);
    case.run("gd_modes", &["--seconds", "nan"]).refused(&["--seconds"]);

    // Images and labels that disagree on the count say so.
    let data = case.mnist_copy("data");
    let labels = data.join("t10k-labels-idx1-ubyte.gz");
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&labels).unwrap()), &mut raw)
        .unwrap();
    raw[4..8].copy_from_slice(&9_999u32.to_be_bytes());
    raw.pop();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    std::fs::write(&labels, gz.finish().unwrap()).unwrap();
    case.train("mlp", &out, &["--data-dir", s(&data)]).refused(&["holds 10000 images but", s(&labels)]);

    // Corrupt model files: every message names the file.
    let digit = case.path("digit.png");
    write_png(&digit, 28, 28, png::ColorType::Grayscale, png::BitDepth::Eight, false);
    let model = case.path("model.safetensors");
    for (what, bytes) in [
        ("garbage", b"this is no model file at all".to_vec()),
        ("truncated", vec![8, 0, 0, 0]),
        ("huge header", [u64::MAX.to_le_bytes().to_vec(), b"{}".to_vec()].concat()),
    ] {
        std::fs::write(&model, &bytes).unwrap();
        let ran = case.run("predict", &[s(&digit), "--model", s(&model), "--arch", "perceptron"]);
        ran.refused(&[s(&model)]);
        assert_eq!(std::fs::read(&model).unwrap(), bytes, "{what}: the file was changed");
    }
}

/// The same seed gives the same model file, byte for byte.
#[test]
fn the_same_run_writes_the_same_model_bytes() {
    let case = Case::new();
    let (a, b) = (case.path("a"), case.path("b"));
    case.train("mlp", &a, &["--threads", "1"]).succeeded();
    case.train("mlp", &b, &["--threads", "1"]).succeeded();
    let read = |dir: &Path| std::fs::read(dir.join("model.safetensors")).unwrap();
    assert!(read(&a) == read(&b), "two runs with the same seed wrote different model files");
}

/// `predict` on pictures: 16-bit and palette PNGs are read, the rest are
/// refused naming the picture.
#[test]
fn predict_reads_16_bit_and_palette_pictures_and_refuses_the_rest() {
    let case = Case::new();
    let out = case.path("out");
    case.train("perceptron", &out, &[]).succeeded();
    let model = out.join("model.safetensors");
    let mut answers = Vec::new();
    for (name, color, depth, palette) in [
        ("gray8.png", png::ColorType::Grayscale, png::BitDepth::Eight, false),
        ("gray16.png", png::ColorType::Grayscale, png::BitDepth::Sixteen, false),
        ("palette.png", png::ColorType::Indexed, png::BitDepth::Eight, true),
    ] {
        let picture = case.path(name);
        write_png(&picture, 28, 28, color, depth, palette);
        let ran = case.run("predict", &[s(&picture), "--model", s(&model)]);
        ran.succeeded();
        answers.push(ran.stdout.lines().last().unwrap().to_string());
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "one picture, three encodings, answers differ: {answers:?}");

    let wrong = case.path("wide.png");
    write_png(&wrong, 40, 28, png::ColorType::Grayscale, png::BitDepth::Eight, false);
    case.run("predict", &[s(&wrong), "--model", s(&model)]).refused(&[s(&wrong), "40x28"]);
    let text = case.path("text.png");
    std::fs::write(&text, b"plain text").unwrap();
    case.run("predict", &[s(&text), "--model", s(&model)]).refused(&[s(&text), "not a readable PNG"]);
}

/// A model whose weights are finite but too large gives no NaN answer.
#[test]
fn predict_refuses_an_output_that_is_not_finite() {
    use sinapse_examples::cli::DatasetChoice;
    use sinapse_examples::models::Arch;
    use sinapse_nn::{Module, ModuleExt};
    let case = Case::new();
    let mut net = Arch::Mlp.build(0);
    let huge: BTreeMap<String, sinapse_tensor::Tensor<f32>> =
        net.state_dict().into_iter().map(|(name, t)| (name, sinapse_tensor::Tensor::full(t.shape(), 3e38))).collect();
    net.load_state_dict(&huge).unwrap();
    assert!(net.parameters().iter().all(|(_, p)| p.value().all_finite()));
    let model = case.path("huge.safetensors");
    sinapse_examples::report::save_model(&model, &net, Arch::Mlp, DatasetChoice::Mnist).unwrap();
    let digit = case.path("digit.png");
    write_png(&digit, 28, 28, png::ColorType::Grayscale, png::BitDepth::Eight, false);
    case.run("predict", &[s(&digit), "--model", s(&model)]).refused(&[s(&model), "not finite numbers"]);
}
