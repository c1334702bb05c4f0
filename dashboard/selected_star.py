"""The selected point's star on the latent maps, drawn in the browser over the charts instead of inside them.

A star inside the figure changed the figure on every click, and a changed figure is a new chart to Streamlit:
both WebGL maps were sent again and redrawn from scratch (most of a click's time in the browser, ~0.5 s at p95
on software WebGL). With the star outside, a click leaves both figures as they were and only the selection panel
and the star change. The star follows each chart's pan, zoom and resize (Plotly's afterplot and relayout
events) and comes back when a chart is drawn anew (another highlight, another dataset).
"""

from __future__ import annotations

from collections.abc import Mapping
from math import cos, pi, sin

import streamlit as st

STAR_CLASS = "selected-star"  # browser tests find the stars by this class; `data-row` holds the selected row
_JS = """
export default function({ data }) {
  window.__selectedStars = data.stars;  // chart key -> [x, y, row] in the chart's data coordinates
  if (!window.__selectedStarsInstalled) {
    window.__selectedStarsInstalled = true;
    new MutationObserver((changes) => {  // a chart drawn anew (another figure) needs its star again
      // a new chart or a chart drawn anew: only new <div>s can be one (a redraw adds thousands of SVG nodes)
      const chart = (n) => n instanceof HTMLDivElement && !n.classList.contains('STAR')
        && (n.matches('.js-plotly-plot, .svg-container') || n.querySelector('.js-plotly-plot, .svg-container'));
      if (changes.some((c) => [...c.addedNodes].some(chart))) window.__placeSelectedStars();
    }).observe(document.body, { childList: true, subtree: true });
  }
  window.__placeSelectedStars = () => {
    document.querySelectorAll('.STAR').forEach((star) => {
      const key = star.dataset.key;
      if (!window.__selectedStars[key] || !star.closest('.st-key-' + key)) star.remove();
    });
    for (const [key, point] of Object.entries(window.__selectedStars)) place(key, point, 40);
  };
  window.__placeSelectedStars();
}

function place(key, point, tries) {
  const gd = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const ready = gd && gd.on && gd._fullLayout && gd._fullLayout._size && gd._fullLayout.xaxis;
  if (!ready) {  // not drawn yet: the chart appears a moment after the rerun that made it
    if (tries > 0) setTimeout(() => place(key, point, tries - 1), 50);
    return;
  }
  const container = gd.querySelector('.svg-container');
  let star = container.querySelector('.STAR');
  if (!star) {
    star = document.createElement('div');
    star.className = 'STAR';
    star.dataset.key = key;
    star.style.cssText = 'position:absolute;width:20px;height:20px;margin:-10px 0 0 -10px;'
      + 'pointer-events:none;z-index:5';
    star.innerHTML = '<svg viewBox="-10 -10 20 20" width="20" height="20"><polygon points="STAR_POINTS" '
      + 'fill="#ffd400" stroke="#d62728" stroke-width="1.2"/></svg>';
    container.appendChild(star);
  }
  star.dataset.point = JSON.stringify(point);
  star.dataset.row = point[2];
  move(gd, star);
  if (!gd.__selectedStarListens) {
    gd.__selectedStarListens = true;
    const follow = () => {  // a redraw may have replaced the chart's container, star and all
      const star = gd.querySelector('.STAR'), point = window.__selectedStars[key];
      if (star) move(gd, star);
      else if (point) place(key, point, 0);
    };
    for (const event of ['plotly_afterplot', 'plotly_relayout', 'plotly_relayouting']) gd.on(event, follow);
  }
}

function move(gd, star) {
  const [x, y] = JSON.parse(star.dataset.point), layout = gd._fullLayout, size = layout._size;
  const left = layout.xaxis.l2p(x), top = layout.yaxis.l2p(y);
  star.style.left = `${size.l + left}px`;
  star.style.top = `${size.t + top}px`;
  star.style.display = left >= 0 && left <= size.w && top >= 0 && top <= size.h ? 'block' : 'none';
}
"""


def _star_points(outer: float = 9.0, inner: float = 3.8) -> str:
    """A five-pointed star, point up, as SVG polygon points around the origin."""
    corners = [(outer if i % 2 == 0 else inner, pi / 2 + i * pi / 5) for i in range(10)]
    return " ".join(f"{r * cos(a):.2f},{-r * sin(a):.2f}" for r, a in corners)


_star = st.components.v2.component(
    "latent_explorer_selected_star", html="", js=_JS.replace("STAR_POINTS", _star_points()).replace("STAR", STAR_CLASS)
)


def star_points(coords: Mapping[str, object], row: int | None) -> dict[str, list[float]]:
    """Chart key -> [x, y, row] of the selected row in that chart's coordinates (an (N, 2) array per key)."""
    if row is None:
        return {}
    return {key: [float(c[row][0]), float(c[row][1]), row] for key, c in coords.items()}


def mark_selected(stars: dict[str, list[float]]) -> None:
    """Place (or remove) the star on each keyed chart; charts not named lose theirs."""
    _star(key="selected_star", data={"stars": stars})
