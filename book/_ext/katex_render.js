// Build-time math for book/_ext/katex_math.py: reads a JSON list of {tex, display} on stdin,
// writes a JSON list of {html} or {error} (one per formula) on stdout. KaTeX is pinned in
// package.json; its output is HTML + CSS (fonts served from the site) with MathML for screen readers.
"use strict";
const katex = require(process.argv[2] || "katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, {
        displayMode: display, throwOnError: true, strict: "error", output: "htmlAndMathml", trust: false,
      }) };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
