/**
 * The timeline's grouped grid: where each tile and heading goes follows from the counts alone, the rows
 * in view are found without walking every group, and the keys move as a person expects across months.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupAtY, groupedLayout, groupedMove, groupedScrollToReveal, groupedTilePosition, locate, visibleGroupRows } from '../../../src/renderer/grid/layout.js';

describe('the grouped grid', () => {
  // 1,000 px wide: 6 columns of 150 px with 6 px gaps.
  const layout = groupedLayout(1000, [
    { key: '2024-06', count: 8 },
    { key: '2024-05', count: 3 },
    { key: '2023-12', count: 13 },
    { key: 'undated', count: 1 },
  ]);

  it('places headings and rows from the counts', () => {
    assert.equal(layout.columns, 6);
    assert.deepEqual(
      layout.groups.map((g) => [g.first, g.rows]),
      [
        [0, 2],
        [8, 1],
        [11, 3],
        [24, 1],
      ],
    );
    assert.equal(layout.count, 25);
    assert.equal(layout.groups[1]!.top, layout.groups[0]!.rowsTop + 2 * layout.rowHeight);
    assert.equal(layout.height, layout.groups[3]!.rowsTop + layout.rowHeight + layout.padding);
    assert.deepEqual(groupedTilePosition(layout, 2, 7), { x: layout.padding + 1 * (layout.tile + layout.gap), y: layout.groups[2]!.rowsTop + layout.rowHeight });
  });

  it('finds a tile’s group and the group at a height', () => {
    assert.deepEqual(locate(layout, 0), { group: 0, at: 0 });
    assert.deepEqual(locate(layout, 10), { group: 1, at: 2 });
    assert.deepEqual(locate(layout, 24), { group: 3, at: 0 });
    assert.equal(groupAtY(layout, 0), 0);
    assert.equal(groupAtY(layout, layout.groups[2]!.top + 1), 2);
    assert.equal(groupAtY(layout, layout.height + 1000), 3);
  });

  it('renders only the rows in view, wherever the scroll is, in a layout of a million tiles', () => {
    const months = Array.from({ length: 600 }, (_, i) => ({ key: String(i), count: 1000 + (i % 7) * 300 }));
    const big = groupedLayout(1280, months);
    assert.ok(big.count > 1_000_000);
    const viewport = 700;
    for (const scrollTop of [0, big.height / 3, big.height / 2, big.height - viewport]) {
      const rows = visibleGroupRows(big, scrollTop, viewport);
      const shown = rows.reduce((n, r) => n + (r.last - r.first), 0);
      assert.ok(shown > 0 && shown <= Math.ceil(viewport / big.rowHeight) + 6, `${shown} rows at ${scrollTop}`);
      for (const r of rows) {
        const g = big.groups[r.group]!;
        assert.ok(g.rowsTop + r.last * big.rowHeight >= scrollTop - 2 * big.rowHeight);
        assert.ok(g.rowsTop + r.first * big.rowHeight <= scrollTop + viewport + 2 * big.rowHeight);
      }
    }
  });

  it('moves up and down by column across months, and left and right through every tile', () => {
    assert.equal(groupedMove(layout, 1, 'down'), 7, 'the second row of June');
    assert.equal(groupedMove(layout, 7, 'down'), 9, 'into May, in the same column');
    assert.equal(groupedMove(layout, 16, 'up'), 10, 'a column May lacks ends on its last photo');
    assert.equal(groupedMove(layout, 4, 'down'), 7, "to June's last photo: its second row is short");
    assert.equal(groupedMove(layout, 10, 'down'), 13, "into December's first row, same column");
    assert.equal(groupedMove(layout, 13, 'up'), 10);
    assert.equal(groupedMove(layout, 8, 'up'), 6, "into June's last row, same column");
    assert.equal(groupedMove(layout, 23, 'down'), 24, 'into the photos without a date');
    assert.equal(groupedMove(layout, 24, 'down'), 24, 'nothing below');
    assert.equal(groupedMove(layout, 2, 'up'), 2, 'nothing above');
    assert.equal(groupedMove(layout, 7, 'right'), 8);
    assert.equal(groupedMove(layout, 8, 'left'), 7);
    assert.equal(groupedMove(layout, 5, 'end'), 24);
  });

  it('scrolls a tile into view with its heading when it is the first row of its month', () => {
    const viewport = 300;
    const target = groupedScrollToReveal(layout, 11, layout.height, viewport);
    assert.equal(target, layout.groups[2]!.top);
    assert.equal(groupedScrollToReveal(layout, 0, 0, viewport), null);
    const below = groupedScrollToReveal(layout, 24, 0, viewport)!;
    assert.equal(below, layout.groups[3]!.rowsTop + layout.rowHeight - viewport);
  });
});
