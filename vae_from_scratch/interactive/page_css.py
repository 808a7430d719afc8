"""The explorers' stylesheet, scoped under ``.vfs-explorer``.

Text and axes take the page's own colour (``color: inherit``), greys are half-transparent, and
the one accent colour (#3b82f6) has at least 3:1 contrast on white and on near-black, so an
explorer reads on light and dark themes (JupyterLab, the book's dark mode) alike. Captions too
inherit the explorer's colour: the book's dark theme greys figcaptions for a dark page, but draws
HTML outputs on a light panel.
"""

CSS = """
.vfs-explorer{box-sizing:border-box;max-width:44rem;margin:1rem 0;padding:.75rem 1rem;\
border:1px solid rgba(128,128,128,.55);border-radius:.5rem;color:inherit;background:transparent;\
font-size:.95rem;line-height:1.4}
.vfs-explorer *{box-sizing:border-box}
.vfs-explorer .vfs-title{font-weight:600;margin:0 0 .5rem}
.vfs-explorer .vfs-body{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.vfs-explorer .vfs-controls{flex:1 1 14rem;min-width:12rem}
.vfs-explorer .vfs-slider{display:flex;align-items:center;gap:.5rem;margin:.2rem 0}
.vfs-explorer .vfs-slider label{display:flex;align-items:center;gap:.5rem;flex:1 1 auto}
.vfs-explorer .vfs-name{flex:0 0 var(--vfs-name-width,3ch)}
.vfs-explorer input[type=range]{flex:1 1 auto;min-width:6rem;margin:0;accent-color:#3b82f6}
.vfs-explorer select{flex:0 1 auto;font:inherit;color:inherit;background:transparent;\
border:1px solid rgba(128,128,128,.8);border-radius:.25rem;padding:.1rem .3rem}
.vfs-explorer select option{color:#000;background:#fff}
.vfs-explorer output{min-width:3.5rem;text-align:right;font-variant-numeric:tabular-nums}
.vfs-explorer .vfs-views{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start;flex:1 1 16rem;min-width:14rem}
.vfs-explorer figure{margin:0;text-align:center}
.vfs-explorer figcaption{font-size:.85rem;margin-top:.25rem;color:inherit}
.vfs-explorer canvas{display:block;max-width:100%;border:1px solid rgba(128,128,128,.55)}
.vfs-explorer canvas.vfs-pixels{image-rendering:crisp-edges;\
image-rendering:pixelated;background:#000}
.vfs-explorer canvas.vfs-panel{cursor:crosshair;touch-action:none}
.vfs-explorer .vfs-bars{flex:1 1 100%}
.vfs-explorer .vfs-bar-row{display:flex;align-items:center;gap:.5rem;margin:.2rem 0}
.vfs-explorer .vfs-bar-name{flex:0 0 8rem;overflow-wrap:anywhere}
.vfs-explorer .vfs-bar-track{position:relative;flex:1 1 auto;height:1.1rem;\
background:rgba(128,128,128,.15);border-radius:2px}
.vfs-explorer .vfs-bar{position:absolute;top:0;bottom:0;background:#3b82f6}
.vfs-explorer .vfs-bar-zero{position:absolute;top:-3px;bottom:-3px;width:1px;background:currentColor}
.vfs-explorer .vfs-bar-row output{flex:0 0 5rem}
.vfs-explorer .vfs-note{font-size:.85rem;margin:.5rem 0 0}
"""
