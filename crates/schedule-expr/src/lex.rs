//! Whitespace splitting that remembers where each word sits in the original
//! expression, so every error can carry a byte span into the caller's string.

use std::ops::Range;

/// One whitespace-separated word of an expression body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word<'a> {
    pub text: &'a str,
    /// Byte offset of `text` inside the whole expression.
    pub start: usize,
}

impl<'a> Word<'a> {
    pub fn span(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }

    /// Span of `text[from..to]` in the whole expression.
    pub fn sub_span(&self, from: usize, to: usize) -> Range<usize> {
        self.start + from..self.start + to
    }

    /// The part of the word at `text[from..to]`, as a word of its own.
    pub fn slice(&self, from: usize, to: usize) -> Word<'a> {
        Word { text: &self.text[from..to], start: self.start + from }
    }
}

/// Splits `body` (which starts at byte `base` of the expression) on ASCII
/// whitespace runs.
pub(crate) fn words(body: &str, base: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in body.char_indices() {
        match (c.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Word { text: &body[s..i], start: base + s });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word { text: &body[s..], start: base + s });
    }
    out
}

/// Splits a word on `sep`, keeping each part's position.
pub(crate) fn split<'a>(word: Word<'a>, sep: char) -> Vec<Word<'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, c) in word.text.char_indices() {
        if c == sep {
            out.push(word.slice(from, i));
            from = i + c.len_utf8();
        }
    }
    out.push(word.slice(from, word.text.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_offsets() {
        let w = words("  5   minutes ", 10);
        let got: Vec<_> = w.iter().map(|w| (w.text, w.span())).collect();
        assert_eq!(got, vec![("5", 12..13), ("minutes", 16..23)]);
    }

    #[test]
    fn split_keeps_empty_parts_and_offsets() {
        let w = Word { text: "1,,3", start: 4 };
        let got: Vec<_> = split(w, ',').iter().map(|w| (w.text, w.span())).collect();
        assert_eq!(got, vec![("1", 4..5), ("", 6..6), ("3", 7..8)]);
    }
}
