//! Pictures back out: a PNG grid of digits with their labels.

mod common;

use sinapse_datasets::{save_grid, BatchConfig, Batches, DataSource, Mnist, Split};

#[test]
fn writes_a_readable_grid() {
    let data = Mnist::load(Split::Test, &DataSource::only(common::repo_mnist())).unwrap();
    let out = std::env::var_os("SINAPSE_GRID_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("sinapse-grid-{}.png", std::process::id())));
    let tiles = data.all().tiles(&(0..20).collect::<Vec<_>>());
    assert_eq!(tiles[0].caption, "7");
    save_grid(&out, &tiles, 28, 28, 10).unwrap();

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    // 10 columns of 56 px plus 4 px gaps; 2 rows of 56 px picture + captions.
    assert_eq!((info.width, info.height), (4 + 10 * 60, 4 + 2 * (56 + 4 + 10 + 4)));
    assert_eq!(info.color_type, png::ColorType::Rgb);

    // From a batch, with predictions: wrong ones are highlighted.
    let batches = Batches::new(&data, BatchConfig::new(8)).unwrap();
    let batch = batches.epoch(0).next().unwrap();
    let preds: Vec<usize> = batch.labels.iter().map(|&l| if l == 1 { 7 } else { l }).collect();
    let tiles = batch.tiles(Some(&preds));
    assert_eq!(tiles[0].pixels.as_ref(), data.image(0), "f32 round-trips to the same bytes");
    assert_eq!((tiles[2].caption.as_str(), tiles[2].highlight), ("1/7", true));
    assert_eq!((tiles[0].caption.as_str(), tiles[0].highlight), ("7/7", false));
    save_grid(&out, &tiles, 28, 28, 4).unwrap();

    assert!(save_grid(&out, &tiles, 27, 28, 4).unwrap_err().to_string().contains("tile 0 has 784 pixels"));
    assert!(save_grid(&out, &[], 28, 28, 4).is_err());
    if std::env::var_os("SINAPSE_GRID_OUT").is_none() {
        std::fs::remove_file(&out).unwrap();
    }
}
