"""Two browser-side fixes for Plotly charts, installed once per tab by an invisible component.

- WebGL contexts: Plotly's WebGL scatter keeps its context when its chart is removed (a page switch, a new
  dataset). Chromium allows about 16 live contexts per page and then drops the oldest one, which may belong to a
  chart still on screen ("Too many active WebGL contexts"). Every context a canvas opens is noted and released
  (WEBGL_lose_context) once the canvas has been out of the document for a second.
- Touch: Plotly picks the clicked point from the last hover, and a finger does not hover, so a tap on a phone
  selected nothing. A touch on a chart first moves the (invisible) mouse there, so one tap selects a point.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function() {
  if (window.__latentExplorerChartHelpers) return;
  window.__latentExplorerChartHelpers = true;

  // Canvases holding a live WebGL context, swept twice a second: one detached for a second is released. A sweep
  // rather than watching removals also catches a canvas that gets its context after its chart was removed (a
  // chart removed mid-draw), which a removal watcher sees before there is anything to release.
  const contexts = new Map();
  const open = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = open.call(this, type, ...rest);
    if (context && String(type).startsWith('webgl')) contexts.set(this, { context, detachedAt: null });
    return context;
  };
  setInterval(() => {
    const now = performance.now();
    for (const [canvas, entry] of contexts) {
      if (canvas.isConnected) entry.detachedAt = null;  // moved, not removed
      else if (entry.detachedAt === null) entry.detachedAt = now;
      else if (now - entry.detachedAt >= 1000) {
        contexts.delete(canvas);
        const extension = entry.context.getExtension('WEBGL_lose_context');
        if (extension) extension.loseContext();
      }
    }
  }, 500);

  document.addEventListener('touchstart', (event) => {
    const target = event.target.closest && event.target.closest('.js-plotly-plot .nsewdrag');
    if (!target || event.touches.length !== 1) return;
    const { clientX, clientY } = event.touches[0];
    target.dispatchEvent(new MouseEvent('mousemove', { clientX, clientY, bubbles: true }));
  }, { capture: true, passive: true });
}
"""
_helpers = st.components.v2.component("latent_explorer_chart_helpers", html="", js=_JS)


def chart_helpers() -> None:
    """Mount before any chart, so that every chart's WebGL context is seen."""
    _helpers(key="chart_helpers")
