"""A small drawing pad (Streamlit custom component, inline JS): white strokes on black, returned as a PNG."""

from __future__ import annotations

import base64

import streamlit as st

SIZE = 280

_HTML = f"""
<div class="pad">
  <p class="prompt" data-testid="drawing-prompt">
    <span class="mouse">Draw a digit with the mouse; it is read when you release the button.</span>
    <span class="finger">Draw a digit with your finger; it is read when you lift it.</span>
  </p>
  <canvas width="{SIZE}" height="{SIZE}" data-testid="drawing-pad"></canvas>
  <button type="button">Clear</button>
</div>
"""

_CSS = """
.pad { display: flex; flex-direction: column; gap: 0.5rem; align-items: flex-start; }
canvas { background: #000; border-radius: 0.5rem; touch-action: none; cursor: crosshair; }
.prompt { margin: 0; }
.finger { display: none; }
@media (pointer: coarse) { .finger { display: inline; } .mouse { display: none; } }  /* touch screens */
button { padding: 0.25rem 0.75rem; border-radius: 0.5rem; border: 1px solid #ccc; background: #fff; cursor: pointer; }
"""

_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const canvas = parentElement.querySelector('canvas');
  const clear = parentElement.querySelector('button');
  const ctx = canvas.getContext('2d');
  const reset = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  reset();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  let drawing = false;
  const point = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  canvas.onpointerdown = (e) => { drawing = true; const [x, y] = point(e); ctx.beginPath(); ctx.moveTo(x, y);
                                  ctx.lineTo(x + 0.1, y + 0.1); ctx.stroke(); };
  canvas.onpointermove = (e) => { if (!drawing) return; const [x, y] = point(e); ctx.lineTo(x, y); ctx.stroke(); };
  const finish = () => { if (!drawing) return; drawing = false; setStateValue('png', canvas.toDataURL('image/png')); };
  canvas.onpointerup = finish; canvas.onpointerleave = finish;
  clear.onclick = () => { reset(); setStateValue('png', null); };
}
"""

_pad = st.components.v2.component("latent_explorer_drawing_pad", html=_HTML, css=_CSS, js=_JS)


def drawing_pad(key: str) -> bytes | None:
    """The current drawing as PNG bytes, or None before the first stroke / after Clear."""
    result = _pad(key=key, on_png_change=lambda: None)
    data_url = getattr(result, "png", None)
    if not data_url or "," not in data_url:
        return None
    return base64.b64decode(data_url.split(",", 1)[1])
