//! The documented search order: explicit directory, SINAPSE_DATA, the
//! repository copy, the cache, the system location.

mod common;

use std::path::{Path, PathBuf};

use sinapse_datasets::{DataSource, DatasetKind, Found, Mnist, PlaceKind, Split};

/// Five roots, each holding a raw copy of the MNIST test split (the
/// explicit one directly, the others under `mnist/`), linked to one copy so
/// the test writes 8 MB once.
struct Roots {
    _tmp: tempfile::TempDir,
    explicit: PathBuf,
    env: PathBuf,
    repo: PathBuf,
    cache: PathBuf,
    system: PathBuf,
}

fn roots() -> Roots {
    let tmp = tempfile::tempdir().unwrap();
    let master = tmp.path().join("master");
    common::write_raw_test_split(&master);
    let root = |name: &str| tmp.path().join(name);
    let (explicit, env, repo, cache, system) =
        (root("explicit"), root("env"), root("repo"), root("cache"), root("system"));
    for dir in [explicit.clone(), env.join("mnist"), repo.join("mnist"), cache.join("mnist"), system.join("mnist")] {
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            std::os::unix::fs::symlink(master.join(name), dir.join(name)).unwrap();
        }
    }
    Roots { _tmp: tmp, explicit, env, repo, cache, system }
}

fn source(r: &Roots) -> DataSource {
    DataSource {
        explicit: Some(r.explicit.clone()),
        env_root: Some(r.env.clone()),
        repo_root: Some(r.repo.clone()),
        cache_root: Some(r.cache.clone()),
        system_root: Some(r.system.clone()),
    }
}

fn origin(src: &DataSource) -> PlaceKind {
    Mnist::load(Split::Test, src).unwrap().origin().unwrap().kind
}

#[test]
fn first_place_with_the_files_wins() {
    let r = roots();
    let mut src = source(&r);
    assert_eq!(origin(&src), PlaceKind::Explicit);
    src.explicit = None;
    assert_eq!(origin(&src), PlaceKind::Env);
    src.env_root = None;
    assert_eq!(origin(&src), PlaceKind::Repository);
    src.repo_root = None;
    assert_eq!(origin(&src), PlaceKind::Cache);
    src.cache_root = None;
    assert_eq!(origin(&src), PlaceKind::System);
}

#[test]
fn a_place_with_only_one_file_is_skipped_when_no_folder_is_named() {
    let r = roots();
    std::fs::remove_file(r.env.join("mnist/t10k-images-idx3-ubyte")).unwrap();
    let src = DataSource { explicit: None, ..source(&r) };
    assert_eq!(origin(&src), PlaceKind::Repository);
}

#[test]
fn a_named_folder_is_the_only_place_searched() {
    let r = roots();
    std::fs::remove_file(r.explicit.join("t10k-labels-idx1-ubyte")).unwrap();
    let e = Mnist::load(Split::Test, &source(&r)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("{} (Explicit): no t10k-labels-idx1-ubyte (raw or .gz)", r.explicit.display())),
        "{msg}"
    );
    assert!(!msg.contains("(Env)") && !msg.contains("(Repository)"), "other places were searched: {msg}");
    let places = source(&r).places(DatasetKind::Mnist);
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].kind, PlaceKind::Explicit);
}

#[test]
fn raw_is_preferred_to_gzip_in_one_place() {
    let r = roots();
    let gz = r.explicit.join("t10k-labels-idx1-ubyte.gz");
    std::fs::write(&gz, common::gzip(b"not even looked at")).unwrap();
    let (_, _, labels) = source(&r).locate(DatasetKind::Mnist, Split::Test).unwrap();
    assert_eq!(labels, Found::Raw(r.explicit.join("t10k-labels-idx1-ubyte")));
    std::fs::remove_file(r.explicit.join("t10k-labels-idx1-ubyte")).unwrap();
    let (_, _, labels) = source(&r).locate(DatasetKind::Mnist, Split::Test).unwrap();
    assert_eq!(labels, Found::Gzip(gz));
}

#[test]
fn without_a_named_folder_places_are_listed_in_order_and_fashion_is_not_in_the_repository() {
    let r = roots();
    let src = DataSource { explicit: None, ..source(&r) };
    let kinds = |k| src.places(k).into_iter().map(|p| (p.kind, p.dir)).collect::<Vec<_>>();
    assert_eq!(
        kinds(DatasetKind::Mnist),
        vec![
            (PlaceKind::Env, r.env.join("mnist")),
            (PlaceKind::Repository, r.repo.join("mnist")),
            (PlaceKind::Cache, r.cache.join("mnist")),
            (PlaceKind::System, r.system.join("mnist")),
        ]
    );
    assert_eq!(
        kinds(DatasetKind::FashionMnist),
        vec![
            (PlaceKind::Env, r.env.join("fashion-mnist")),
            (PlaceKind::Cache, r.cache.join("fashion-mnist")),
            (PlaceKind::System, r.system.join("fashion-mnist")),
        ]
    );
}

#[test]
fn standard_source_points_at_the_shipped_copy_and_the_system_root() {
    let src = DataSource::standard();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    assert_eq!(src.repo_root.as_deref(), Some(repo.as_path()));
    assert_eq!(src.system_root.as_deref(), Some(Path::new("/usr/share/datasets")));
    assert_eq!(src.explicit, None);
    assert_eq!(DataSource::dir("/x").explicit.as_deref(), Some(Path::new("/x")));
    let only = DataSource::only("/x");
    assert_eq!((only.env_root, only.repo_root, only.cache_root, only.system_root), (None, None, None, None));
}
