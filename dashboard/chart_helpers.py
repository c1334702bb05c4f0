"""Two browser-side fixes for Plotly charts, installed once per tab by an invisible component.

- WebGL contexts: Plotly's WebGL scatter keeps its context when its chart is removed (a page switch, a new
  dataset). Chromium allows about 16 live contexts per page and then drops the oldest one, which may belong to a
  chart still on screen ("Too many active WebGL contexts"). Every context a canvas opens is noted and released
  (WEBGL_lose_context) once the canvas has left the document for good.
- Touch: Plotly picks the clicked point from the last hover, and a finger does not hover, so a tap on a phone
  selected nothing. A touch on a chart first moves the (invisible) mouse there, so one tap selects a point.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function() {
  if (window.__latentExplorerChartHelpers) return;
  window.__latentExplorerChartHelpers = true;

  const contexts = new WeakMap();
  const open = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = open.call(this, type, ...rest);
    if (context && String(type).startsWith('webgl')) contexts.set(this, context);
    return context;
  };
  const release = (canvas) => {
    const context = contexts.get(canvas);
    if (!context || canvas.isConnected) return;  // moved, not removed
    contexts.delete(canvas);
    const extension = context.getExtension('WEBGL_lose_context');
    if (extension) extension.loseContext();
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.removedNodes) {
        if (!(node instanceof Element)) continue;
        const canvases = node.tagName === 'CANVAS' ? [node] : node.querySelectorAll('canvas');
        canvases.forEach((canvas) => setTimeout(() => release(canvas), 1000));
      }
    }
  }).observe(document.body, { childList: true, subtree: true });

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
