"""Screen rectangles for the optics passes: where each pass has to run, and the instanced
quads (``shaders/rect.vert``) that draw them.

An additive display emits nothing where it is black and world streaks are zero away from
bright rows, so the compositor runs its expensive passes over rectangles only
(:func:`lit_rects`, :func:`streak_rects`), and the plain world pass over what is left
(:func:`rect_difference`): every output pixel is written by exactly one pass. All the
rectangles have whole-pixel edges, so the passes tile the output exactly.
"""

from __future__ import annotations

import math

import moderngl
import numpy as np
import numpy.typing as npt

from hud.render.display import DisplayContent
from hud.render.uniforms import EFFECT_BITS

#: The display light is drawn over lit rectangles snapped to cells of this many output px
#: (merged into runs, so a card costs a few quads).
LIT_CELL = 8


class Rects:
    """Rectangles drawn as instances of ``rect.vert``: one buffer, grown in place, so the
    vertex arrays made on it stay valid."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.buffer = ctx.buffer(reserve=16 * 64, dynamic=True)
        self.count = 0
        #: The rectangles last set (N×4), as drawn.
        self.rects = np.zeros((0, 4), dtype="f4")
        self._vaos: dict[int, moderngl.VertexArray] = {}

    def set(self, rects: npt.NDArray[np.float32]) -> int:
        self.rects = np.ascontiguousarray(rects, dtype="f4").reshape(-1, 4)
        data = self.rects.tobytes()
        if len(data) > self.buffer.size:
            self.buffer.orphan(max(len(data), 2 * self.buffer.size))
        if data:
            self.buffer.write(data)
        self.count = len(rects)
        return self.count

    def draw(self, prog: moderngl.Program) -> None:
        if not self.count:
            return
        vao = self._vaos.get(prog.glo)
        if vao is None:
            vao = self._vaos[prog.glo] = self.ctx.vertex_array(
                prog, [(self.buffer, "4f/i", "i_rect")]
            )
        vao.render(moderngl.TRIANGLES, vertices=6, instances=self.count)

    def release(self) -> None:
        for vao in self._vaos.values():
            vao.release()
        self.buffer.release()


def lit_rects(
    content: DisplayContent | None,
    display_size: tuple[int, int],
    uniforms: dict[str, object],
    flags: int,
    rect: tuple[float, float, float, float],
) -> npt.NDArray[np.float32]:
    """Output-pixel rectangles (N×4) that cover all the display light inside ``rect``.

    Without a content record, ``rect`` itself. Otherwise each drawn quad is grown by the
    filter's reach (two texels of its mip level) and the rainbow's shift, joined by its
    ghost's copy, mapped into the eye like ``display_light.frag`` maps it, snapped out to
    cells of :data:`LIT_CELL` px and merged into runs: exactly the same pixels in the bake
    and in the compose pass, and every one the display can light.
    """
    if content is None:
        return np.array([rect], dtype="f4")
    quads = content.rects.astype(np.float64)
    if not len(quads):
        return np.zeros((0, 4), dtype="f4")
    dw, dh = display_size
    grow = 2.0 ** (content.mip_level + 1) + 1.0
    if flags & EFFECT_BITS["rainbow"]:
        # The shift is d·u_rainbow (display uv) with |d| just over 1 at the rect's edge.
        grow += 1.5 * abs(float(uniforms["u_rainbow"])) * max(dw, dh)  # type: ignore[arg-type]
    quads = quads + np.array([-grow, -grow, grow, grow])
    if flags & EFFECT_BITS["ghost"]:
        # The ghost at uv shows the display at uv - offset: content moved by +offset.
        gx, gy = _pair(uniforms["u_ghost_offset"])
        quads = np.concatenate([quads, quads + np.array([gx * dw, gy * dh] * 2)])
    cx, cy = _pair(uniforms["u_fov_center"])
    hx, hy = _pair(uniforms["u_fov_half"])
    if flags & EFFECT_BITS["eyebox"]:
        sx, sy = _pair(uniforms["u_swim"])
        cx, cy = cx + sx, cy + sy
    f = float(uniforms["u_focal"])  # type: ignore[arg-type]
    ow, oh = _pair(uniforms["u_out_size"])
    # display px -> uv -> d = 2 uv - 1 -> tan = centre + d · half -> output px
    scale = np.array([2 * hx * f / dw, 2 * hy * f / dh] * 2)
    offset = np.array([ow / 2 + (cx - hx) * f, oh / 2 + (cy - hy) * f] * 2)
    out = quads * scale + offset
    x0, y0, x1, y1 = rect
    cols = max(1, math.ceil((x1 - x0) / LIT_CELL))
    rows = max(1, math.ceil((y1 - y0) / LIT_CELL))
    c0 = np.clip(np.floor((out[:, 0] - x0) / LIT_CELL), 0, cols).astype(int)
    c1 = np.clip(np.ceil((out[:, 2] - x0) / LIT_CELL), 0, cols).astype(int)
    r0 = np.clip(np.floor((out[:, 1] - y0) / LIT_CELL), 0, rows).astype(int)
    r1 = np.clip(np.ceil((out[:, 3] - y0) / LIT_CELL), 0, rows).astype(int)
    grid = np.zeros((rows, cols), dtype=bool)
    for a, b, c, d in zip(r0, r1, c0, c1):
        grid[a:b, c:d] = True
    cells = grid_runs(grid)
    result = cells * LIT_CELL + np.array([x0, y0, x0, y0])
    result[:, 2] = np.minimum(result[:, 2], x1)
    result[:, 3] = np.minimum(result[:, 3], y1)
    return result.astype("f4")


def streak_rects(bright: npt.NDArray[np.bool_], reach: int) -> npt.NDArray[np.float32]:
    """Rectangles (streak-texture px, N×4) covering every texel within ``reach`` texels
    along the rows of a bright one: everywhere the horizontal streaks can be non-zero."""
    h, w = bright.shape
    rows = np.flatnonzero(bright.any(axis=1))
    grid = np.zeros((h, w), dtype=bool)
    if len(rows):
        # Dilate along x with a running count: c is reached if [c - reach, c + reach] has one.
        counts = np.zeros((len(rows), w + 2 * reach + 1), dtype=np.int32)
        np.cumsum(bright[rows], axis=1, out=counts[:, reach + 1 : reach + 1 + w])
        counts[:, reach + 1 + w :] = counts[:, reach + w : reach + 1 + w]
        grid[rows] = counts[:, 2 * reach + 1 :] > counts[:, :w]
    return grid_runs(grid).astype("f4")


def grid_runs(grid: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """The set cells of a boolean grid as few rectangles (N×4 x0 y0 x1 y1, in cells): runs
    along each row, merged down the rows while they stay the same."""
    cols = grid.shape[1]
    used = np.flatnonzero(grid.any(axis=1))
    padded = np.zeros((len(used), cols + 2), dtype=np.int8)
    padded[:, 1:-1] = grid[used]
    edges = np.diff(padded, axis=1)
    start_rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same order: row by row, left to right
    start_rows = used[start_rows]
    merged: list[list[int]] = []  # [x0, first row, x1, last row]
    open_runs: dict[tuple[int, int], int] = {}
    for row, a, b in zip(start_rows.tolist(), starts.tolist(), ends.tolist()):
        index = open_runs.get((a, b))
        if index is not None and merged[index][3] == row - 1:
            merged[index][3] = row
        else:
            open_runs[(a, b)] = len(merged)
            merged.append([a, row, b, row])
    result = np.array(merged, dtype=np.float64).reshape(-1, 4)
    result[:, 3] += 1
    return result


def fov_rect_px(
    uniforms: dict[str, object], size: tuple[int, int]
) -> tuple[float, float, float, float] | None:
    """Pixel rectangle that can receive display light (FOV + swim, ghost and rainbow reach)."""
    cx, cy = _pair(uniforms["u_fov_center"])
    hx, hy = _pair(uniforms["u_fov_half"])
    sx, sy = _pair(uniforms["u_swim"])
    gx, gy = _pair(uniforms["u_ghost_offset"])
    f = float(uniforms["u_focal"])  # type: ignore[arg-type]
    edge = float(uniforms["u_edge"])  # type: ignore[arg-type]
    grow_x = hx * 0.02 + abs(sx) + abs(gx) * 2 * hx + edge + 2 / f
    grow_y = hy * 0.02 + abs(sy) + abs(gy) * 2 * hy + edge + 2 / f
    x0 = size[0] / 2 + (cx - hx - grow_x) * f
    x1 = size[0] / 2 + (cx + hx + grow_x) * f
    y0 = size[1] / 2 + (cy - hy - grow_y) * f
    y1 = size[1] / 2 + (cy + hy + grow_y) * f
    x0, x1 = max(0.0, math.floor(x0)), min(float(size[0]), math.ceil(x1))
    y0, y1 = max(0.0, math.floor(y0)), min(float(size[1]), math.ceil(y1))
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1, y1)


def rect_difference(
    keep: npt.NDArray[np.float32], holes: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Disjoint rectangles (N×4) covering the pixels of ``keep`` outside every ``holes``
    rectangle. Both are N×4 x0 y0 x1 y1 with whole-pixel edges; the result's edges are
    theirs (a grid on every edge coordinate, merged into runs by :func:`grid_runs`)."""
    inside = np.asarray(keep, dtype=np.float64).reshape(-1, 4)
    outside = np.asarray(holes, dtype=np.float64).reshape(-1, 4)
    if not len(inside):
        return np.zeros((0, 4), dtype="f4")
    if not len(outside):
        return inside.astype("f4")
    both = np.concatenate([inside, outside])
    xs = np.unique(both[:, [0, 2]])
    ys = np.unique(both[:, [1, 3]])
    grid = np.zeros((len(ys) - 1, len(xs) - 1), dtype=bool)
    for rects, value in ((inside, True), (outside, False)):
        c0, c1 = np.searchsorted(xs, rects[:, 0]), np.searchsorted(xs, rects[:, 2])
        r0, r1 = np.searchsorted(ys, rects[:, 1]), np.searchsorted(ys, rects[:, 3])
        for a, b, c, d in zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist()):
            grid[a:b, c:d] = value
    cells = grid_runs(grid).astype(int)
    if not len(cells):
        return np.zeros((0, 4), dtype="f4")
    return np.stack(
        [xs[cells[:, 0]], ys[cells[:, 1]], xs[cells[:, 2]], ys[cells[:, 3]]], axis=1
    ).astype("f4")


def _pair(value: object) -> tuple[float, float]:
    seq: tuple[float, float] = value  # type: ignore[assignment]
    return float(seq[0]), float(seq[1])
