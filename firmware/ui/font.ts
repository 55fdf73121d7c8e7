// A small bitmap font for a 200x200 e-paper screen: 5x7 glyphs for printable
// ASCII (32..126), drawn for this project, one pixel of spacing. Scaled by an
// integer factor for headings and amounts (scale 2 gives 16 characters a line,
// scale 4 gives 8). The glyph art below is parsed once into a 665-byte table;
// each table byte is one glyph row, bit 4 the leftmost column.
import type { Framebuffer } from './framebuffer.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character at scale 1 (glyph plus one blank column). */
export const ADVANCE = GLYPH_WIDTH + 1;
const FIRST = 32;
const LAST = 126;
const FALLBACK = '?'.charCodeAt(0);

// Bands of ten glyphs in code order; '#' is ink. Lines starting with '# ' are labels.
const ART = `
# 32..41
..... ..#.. .#.#. .#.#. ..#.. ##... .##.. ..#.. ...#. .#...
..... ..#.. .#.#. .#.#. .#### ##..# #..#. ..#.. ..#.. ..#..
..... ..#.. .#.#. ##### #.#.. ...#. #.#.. .#... .#... ...#.
..... ..#.. ..... .#.#. .###. ..#.. .#... ..... .#... ...#.
..... ..#.. ..... ##### ..#.# .#... #.#.# ..... .#... ...#.
..... ..... ..... .#.#. ####. #..## #..#. ..... ..#.. ..#..
..... ..#.. ..... .#.#. ..#.. ...## .##.# ..... ...#. .#...
# 42..51
..... ..... ..... ..... ..... ..... .###. ..#.. .###. #####
..#.. ..#.. ..... ..... ..... ....# #...# .##.. #...# ...#.
#.#.# ..#.. ..... ..... ..... ...#. #..## ..#.. ....# ..#..
.###. ##### ..... ##### ..... ..#.. #.#.# ..#.. ...#. ...#.
#.#.# ..#.. .##.. ..... ..... .#... ##..# ..#.. ..#.. ....#
..#.. ..#.. ..#.. ..... .##.. #.... #...# ..#.. .#... #...#
..... ..... .#... ..... .##.. ..... .###. .###. ##### .###.
# 52..61
...#. ##### ..##. ##### .###. .###. ..... ..... ...#. .....
..##. #.... .#... ....# #...# #...# .##.. .##.. ..#.. .....
.#.#. ####. #.... ...#. #...# #...# .##.. .##.. .#... #####
#..#. ....# ####. ..#.. .###. .#### ..... ..... #.... .....
##### ....# #...# .#... #...# ....# .##.. .##.. .#... #####
...#. #...# #...# .#... #...# ...#. .##.. ..#.. ..#.. .....
...#. .###. .###. .#... .###. .##.. ..... .#... ...#. .....
# 62..71
.#... .###. .###. .###. ####. .###. ###.. ##### ##### .###.
..#.. #...# #...# #...# #...# #...# #..#. #.... #.... #...#
...#. ....# ....# #...# #...# #.... #...# #.... #.... #....
....# ...#. .##.# ##### ####. #.... #...# ####. ####. #.###
...#. ..#.. #.#.# #...# #...# #.... #...# #.... #.... #...#
..#.. ..... #.#.# #...# #...# #...# #..#. #.... #.... #...#
.#... ..#.. .###. #...# ####. .###. ###.. ##### #.... .####
# 72..81
#...# .###. ..### #...# #.... #...# #...# .###. ####. .###.
#...# ..#.. ...#. #..#. #.... ##.## #...# #...# #...# #...#
#...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...# #...# #...#
##### ..#.. ...#. ##... #.... #.#.# #.#.# #...# ####. #...#
#...# ..#.. ...#. #.#.. #.... #...# #..## #...# #.... #.#.#
#...# ..#.. #..#. #..#. #.... #...# #...# #...# #.... #..#.
#...# .###. .##.. #...# ##### #...# #...# .###. #.... .##.#
# 82..91
####. .#### ##### #...# #...# #...# #...# #...# ##### .###.
#...# #.... ..#.. #...# #...# #...# #...# #...# ....# .#...
#...# #.... ..#.. #...# #...# #...# .#.#. #...# ...#. .#...
####. .###. ..#.. #...# #...# #.#.# ..#.. .#.#. ..#.. .#...
#.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#... .#...
#..#. ....# ..#.. #...# .#.#. #.#.# #...# ..#.. #.... .#...
#...# ####. ..#.. .###. ..#.. .#.#. #...# ..#.. ##### .###.
# 92..101
..... .###. ..#.. ..... .#... ..... #.... ..... ....# .....
#.... ...#. .#.#. ..... ..#.. ..... #.... ..... ....# .....
.#... ...#. #...# ..... ...#. .###. #.##. .###. .##.# .###.
..#.. ...#. ..... ..... ..... ....# ##..# #.... #..## #...#
...#. ...#. ..... ..... ..... .#### #...# #.... #...# #####
....# ...#. ..... ..... ..... #...# #...# #...# #...# #....
..... .###. ..... ##### ..... .#### ####. .###. .#### .###.
# 102..111
..##. ..... #.... ..#.. ...#. #.... .##.. ..... ..... .....
.#..# .#### #.... ..... ..... #.... ..#.. ..... ..... .....
.#... #...# #.##. .##.. ..##. #..#. ..#.. ##.#. #.##. .###.
###.. #...# ##..# ..#.. ...#. #.#.. ..#.. #.#.# ##..# #...#
.#... .#### #...# ..#.. ...#. ##... ..#.. #.#.# #...# #...#
.#... ....# #...# ..#.. #..#. #.#.. ..#.. #...# #...# #...#
.#... .###. #...# .###. .##.. #..#. .###. #...# #...# .###.
# 112..121
..... ..... ..... ..... .#... ..... ..... ..... ..... .....
..... ..... ..... ..... .#... ..... ..... ..... ..... .....
####. .##.# #.##. .###. ###.. #...# #...# #...# #...# #...#
#...# #..## ##..# #.... .#... #...# #...# #...# .#.#. #...#
####. .#### #.... .###. .#... #...# #...# #.#.# ..#.. .####
#.... ....# #.... ....# .#..# #..## .#.#. #.#.# .#.#. ....#
#.... ....# #.... ####. ..##. .##.# ..#.. .#.#. #...# .###.
# 122..126
..... ...#. ..#.. .#... .....
..... ..#.. ..#.. ..#.. .....
##### ..#.. ..#.. ..#.. .#...
...#. .#... ..#.. ...#. #.#.#
..#.. ..#.. ..#.. ..#.. ...#.
.#... ..#.. ..#.. ..#.. .....
##### ...#. ..#.. .#... .....
`;

function parseArt(art: string): Uint8Array {
  const rows = art.split('\n').filter((l) => l.length > 0 && !l.startsWith('# '));
  const table = new Uint8Array((LAST - FIRST + 1) * GLYPH_HEIGHT);
  let code = FIRST;
  for (let band = 0; band < rows.length; band += GLYPH_HEIGHT) {
    const cells = rows[band]!.split(' ').length;
    for (let c = 0; c < cells; c++, code++) {
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        const cell = rows[band + r]!.split(' ')[c]!;
        let bits = 0;
        for (let k = 0; k < GLYPH_WIDTH; k++) if (cell.charCodeAt(k) === 35 /* # */) bits |= 0x10 >> k;
        table[(code - FIRST) * GLYPH_HEIGHT + r] = bits;
      }
    }
  }
  if (code !== LAST + 1) throw new Error(`font art has ${code - FIRST} glyphs, expected ${LAST - FIRST + 1}`);
  return table;
}

const TABLE = parseArt(ART);

/** The rows of a character's glyph (7 values, bit 4 leftmost); unknown characters draw as '?'. */
export function glyphRows(ch: string): number[] {
  let code = ch.charCodeAt(0);
  if (!(code >= FIRST && code <= LAST)) code = FALLBACK;
  const out: number[] = [];
  for (let r = 0; r < GLYPH_HEIGHT; r++) out.push(TABLE[(code - FIRST) * GLYPH_HEIGHT + r]!);
  return out;
}

/** Width in pixels of `text` drawn at `scale` (no trailing spacing). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale;
}

export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}

/** How many characters fit in `width` pixels at `scale`. */
export function charsThatFit(width: number, scale = 1): number {
  return Math.max(0, Math.floor((width + scale) / (ADVANCE * scale)));
}

/** Draws `text` with its top-left corner at (x, y); returns the x just after it. */
export function drawText(fb: Framebuffer, text: string, x: number, y: number, scale = 1, ink = true): number {
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (!(code >= FIRST && code <= LAST)) code = FALLBACK;
    if (code !== FIRST) {
      const base = (code - FIRST) * GLYPH_HEIGHT;
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        const bits = TABLE[base + r]!;
        if (bits === 0) continue;
        for (let k = 0; k < GLYPH_WIDTH; k++) {
          if (bits & (0x10 >> k)) fb.fillRect(x + k * scale, y + r * scale, scale, scale, ink);
        }
      }
    }
    x += ADVANCE * scale;
  }
  return x;
}

/** Draws `text` centred horizontally in [x, x + width). */
export function drawCentered(fb: Framebuffer, text: string, x: number, width: number, y: number, scale = 1, ink = true): void {
  drawText(fb, text, x + Math.floor((width - textWidth(text, scale)) / 2), y, scale, ink);
}

/**
 * Breaks text into lines of at most `maxChars` characters, at spaces where it
 * can and inside over-long words where it must. At most `maxLines` lines; the
 * last one ends with '...' when text was cut.
 */
export function wrapText(text: string, maxChars: number, maxLines = Infinity): string[] {
  if (maxChars < 1) return [];
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while (word.length > maxChars) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, maxChars));
      word = word.slice(maxChars);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= maxChars) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const last = kept[maxLines - 1]!;
    kept[maxLines - 1] = (last.length + 3 <= maxChars ? last : last.slice(0, Math.max(0, maxChars - 3))) + '...';
    return kept;
  }
  return lines;
}
