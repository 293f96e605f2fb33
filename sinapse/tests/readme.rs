//! The README's first program is `examples/quickstart.rs`, word for word,
//! and it trains: the README cannot show code that does not build or learn.

#[allow(dead_code)] // `main` trains on all 60,000 images; the test calls `train_mlp` on fewer.
#[path = "../examples/quickstart.rs"]
mod quickstart;

// `sinapse/README.md` links to the workspace README, so the path holds in a
// checkout and in the packaged crate alike.
const README: &str = include_str!("../README.md");
const QUICKSTART: &str = include_str!("../examples/quickstart.rs");

/// The first fenced Rust block of the README.
fn first_rust_block(text: &str) -> &str {
    let start = text.find("```rust\n").expect("the README has a ```rust block") + "```rust\n".len();
    let len = text[start..].find("```\n").expect("the block is closed");
    &text[start..start + len]
}

#[test]
fn readme_shows_the_quickstart_program() {
    assert_eq!(
        first_rust_block(README),
        QUICKSTART,
        "the README's first Rust block differs from sinapse/examples/quickstart.rs; copy the file into the README"
    );
}

#[test]
fn quickstart_trains_the_mlp() {
    // 5,000 images for two epochs keeps the test to seconds; the full run
    // (60,000 images, 5 epochs) reaches about 97%.
    let accuracy = quickstart::train_mlp(5_000, 2).expect("MNIST ships with the repository");
    assert!(accuracy > 0.85, "test accuracy {accuracy} after two epochs on 5,000 images");
}
