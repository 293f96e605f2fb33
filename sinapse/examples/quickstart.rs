//! Trains the course's multilayer perceptron on MNIST and prints its test
//! accuracy.

use sinapse::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let accuracy = train_mlp(60_000, 5)?;
    println!("test accuracy: {:.1}%", 100.0 * accuracy);
    Ok(())
}

/// Trains 784 -> 128 ReLU -> 10 on the first `images` MNIST training
/// images for `epochs` epochs and returns the accuracy on the 10,000 test
/// images.
pub fn train_mlp(images: usize, epochs: usize) -> Result<f64, Box<dyn std::error::Error>> {
    // MNIST ships with the repository; `DataSource` also looks in
    // `SINAPSE_DATA`, the cache and /usr/share/datasets.
    let source = DataSource::standard();
    let train = Mnist::load(Split::Train, &source)?;
    let test = Mnist::load(Split::Test, &source)?;
    // Pixels / 255 as [N, 784] rows, labels as one-hot [N, 10] rows.
    let train = Subset::from_range(&train, 0..images)?.batch_all(ImageLayout::Flat);
    let test = test.all().batch_all(ImageLayout::Flat);

    let mut rng = seeded_rng(42);
    let net = Sequential::new().add(Linear::new(784, 128, &mut rng)).add(ReLU).add(Linear::new(128, 10, &mut rng));

    let mut model = Model::new(net);
    model.compile(Sgd::new(0.1), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    model.fit(&train.images, &train.one_hot, &FitConfig::new(epochs).batch_size(64).seed(42))?;
    let result = model.evaluate(&test.images, &test.one_hot, 1000);
    Ok(result.accuracy().expect("accuracy was compiled as a metric"))
}
