//! `docs/guia.md` is the Portuguese translation of `docs/guide.md`. The prose
//! differs; the structure must not: the same headings (levels and chapter
//! numbers) in the same order, the same code blocks byte for byte, the same
//! images (a picture of a page may have a Portuguese version, `name-pt.png`
//! beside `name.png`) and tables of the same size.

use std::path::PathBuf;

fn read_doc(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("docs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What must be equal in both guides.
#[derive(Debug, Default)]
struct Skeleton {
    /// Level (2 or 3) and chapter number (`Some(13)` for `## 13. ...`).
    headings: Vec<(usize, Option<u32>)>,
    /// Fenced and indented code blocks, in order, byte for byte.
    code_blocks: Vec<String>,
    /// Image paths, in order.
    images: Vec<String>,
    /// Number of rows of each table, in order.
    table_rows: Vec<usize>,
}

fn skeleton(text: &str) -> Skeleton {
    let mut s = Skeleton::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut previous_blank = true;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            let mut block = String::new();
            block.push_str(line);
            block.push('\n');
            i += 1;
            while i < lines.len() && !lines[i].starts_with("```") {
                block.push_str(lines[i]);
                block.push('\n');
                i += 1;
            }
            assert!(i < lines.len(), "unclosed code block: {block}");
            block.push_str(lines[i]);
            s.code_blocks.push(block);
            i += 1;
            previous_blank = false;
            continue;
        }
        if previous_blank && line.starts_with("    ") {
            let mut block = String::new();
            while i < lines.len() && (lines[i].starts_with("    ") || lines[i].is_empty()) {
                block.push_str(lines[i]);
                block.push('\n');
                i += 1;
            }
            s.code_blocks.push(block.trim_end().to_string());
            previous_blank = true;
            continue;
        }
        if line.starts_with('|') {
            let mut rows = 0;
            while i < lines.len() && lines[i].starts_with('|') {
                rows += 1;
                i += 1;
            }
            s.table_rows.push(rows);
            previous_blank = false;
            continue;
        }
        for level in [2, 3] {
            let marker = format!("{} ", "#".repeat(level));
            if let Some(title) = line.strip_prefix(&marker) {
                let number = title.split_once(". ").and_then(|(n, _)| n.parse::<u32>().ok());
                s.headings.push((level, number));
            }
        }
        let mut rest = line;
        while let Some(start) = rest.find("![") {
            rest = &rest[start..];
            let Some(open) = rest.find("](") else { break };
            let Some(close) = rest[open..].find(')') else {
                break;
            };
            s.images.push(rest[open + 2..open + close].to_string());
            rest = &rest[open + close..];
        }
        previous_blank = line.trim().is_empty();
        i += 1;
    }
    s
}

fn both() -> (Skeleton, Skeleton) {
    (skeleton(&read_doc("guide.md")), skeleton(&read_doc("guia.md")))
}

#[test]
fn guides_have_the_same_chapters_in_the_same_order() {
    let (en, pt) = both();
    assert!(en.headings.len() > 10, "guide.md: too few headings");
    for (k, (a, b)) in en.headings.iter().zip(&pt.headings).enumerate() {
        assert_eq!(a, b, "heading {} (level, number) differs", k + 1);
    }
    assert_eq!(en.headings.len(), pt.headings.len(), "number of headings");
}

#[test]
fn guides_have_the_same_code_blocks_byte_for_byte() {
    let (en, pt) = both();
    assert!(!en.code_blocks.is_empty());
    for (k, (a, b)) in en.code_blocks.iter().zip(&pt.code_blocks).enumerate() {
        assert_eq!(a, b, "code block {} differs", k + 1);
    }
    assert_eq!(en.code_blocks.len(), pt.code_blocks.len(), "number of code blocks");
}

#[test]
fn guides_have_the_same_images() {
    let (en, pt) = both();
    assert!(!en.images.is_empty());
    let english_name = |path: &String| path.replace("-pt.png", ".png");
    assert_eq!(en.images, pt.images.iter().map(english_name).collect::<Vec<_>>());
}

#[test]
fn guides_have_tables_of_the_same_size() {
    let (en, pt) = both();
    assert!(!en.table_rows.is_empty());
    assert_eq!(en.table_rows, pt.table_rows, "rows per table");
}
