"""Free the WebGL context of every chart the page has thrown away.

Plotly's WebGL scatter keeps its context when its chart is removed (a page switch, a new dataset): Chromium
allows about 16 live contexts per page and then drops the oldest one, which may belong to a chart still on
screen ("Too many active WebGL contexts"). This invisible component runs once per tab: it notes every WebGL
context a canvas opens and releases it (WEBGL_lose_context) once the canvas has left the document for good.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function() {
  if (window.__latentExplorerJanitor) return;
  window.__latentExplorerJanitor = true;
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
}
"""
_janitor = st.components.v2.component("latent_explorer_webgl_janitor", html="", js=_JS)


def webgl_janitor() -> None:
    _janitor(key="webgl_janitor")
