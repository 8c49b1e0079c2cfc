// Layout faults a reader sees on a narrow screen, found in the rendered page:
// `broken`: a word (a run of non-space characters) laid out on more than one line,
//   i.e. cut mid-word, hyphenated names included;
// `overflow`: an element wider than the viewport, or whose content is wider than its
//   box without being a deliberate scroll box;
// `styles`: elements that allow breaking inside words (overflow-wrap: anywhere,
//   word-break: break-all / break-word).
(() => {
  const out = { broken: [], overflow: [], styles: [] };
  const where = (el) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""}>`;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("svg, script, style, title, head")) continue;
    if (!el.getClientRects().length) continue; // not rendered
    for (const m of node.data.matchAll(/\S+/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) out.broken.push(`${m[0]} in ${where(el)}`);
    }
  }
  const width = document.documentElement.clientWidth;
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    const cs = getComputedStyle(el);
    if (cs.display === "none") continue;
    if (cs.overflowWrap === "anywhere" || cs.wordBreak === "break-all" || cs.wordBreak === "break-word")
      out.styles.push(`${where(el)} overflow-wrap:${cs.overflowWrap} word-break:${cs.wordBreak}`);
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 1 || r.left < -1))
      out.overflow.push(`${where(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} of ${width}px`);
    const scrolls = ["auto", "scroll"].includes(cs.overflowX);
    if (!scrolls && cs.display !== "inline" && el.clientWidth && el.scrollWidth > el.clientWidth + 1)
      out.overflow.push(`${where(el)} content ${el.scrollWidth}px in a ${el.clientWidth}px box`);
  }
  if (document.documentElement.scrollWidth > width + 1)
    out.overflow.push(`page is ${document.documentElement.scrollWidth}px wide in ${width}px`);
  return JSON.stringify(out);
})()
