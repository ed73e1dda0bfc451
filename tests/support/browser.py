"""What a person sees in the browser, measured: the contrast of a text
against the background it is drawn on."""
from __future__ import annotations

# The WCAG contrast ratio of an element's text colour against the first
# opaque background behind it (the page's white when none is set).
_CONTRAST_JS = """
element => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  let node = element, background = [255, 255, 255];
  while (node && node.nodeType === 1) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { background = colour.slice(0, 3); break; }
    node = node.parentElement;
  }
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def contrast(locator) -> float:
    """1 for text the colour of its background, 21 for black on white."""
    return locator.evaluate(_CONTRAST_JS)
