//! A 3x5 pixel font for captions: digits and a few symbols, enough to write
//! a label ("7") or a label and a prediction ("7/1") under a picture.

/// Width of a glyph in font pixels.
pub(crate) const GLYPH_W: usize = 3;
/// Height of a glyph in font pixels.
pub(crate) const GLYPH_H: usize = 5;

/// The rows of `c`'s glyph, top first; bit 2 is the left column. Characters
/// the font lacks are drawn as `?`.
pub(crate) fn glyph(c: char) -> [u8; GLYPH_H] {
    match c {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b011, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        ' ' => [0; GLYPH_H],
        '/' => [0b001, 0b001, 0b010, 0b100, 0b100],
        '-' => [0b000, 0b000, 0b111, 0b000, 0b000],
        ':' => [0b000, 0b010, 0b000, 0b010, 0b000],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        '=' => [0b000, 0b111, 0b000, 0b111, 0b000],
        _ => [0b111, 0b001, 0b011, 0b000, 0b010],
    }
}

/// Whether font pixel (`x`, `y`) of `c` is ink.
pub(crate) fn ink(c: char, x: usize, y: usize) -> bool {
    x < GLYPH_W && y < GLYPH_H && glyph(c)[y] & (0b100 >> x) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_distinct() {
        let glyphs: Vec<_> = ('0'..='9').map(glyph).collect();
        for i in 0..10 {
            for j in 0..i {
                assert_ne!(glyphs[i], glyphs[j], "{i} and {j} look alike");
            }
        }
        assert!(ink('1', 1, 0) && !ink('1', 0, 0) && !ink('1', 3, 0));
    }
}
