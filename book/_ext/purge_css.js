// Unused-rule removal for book/_ext/page_styles.py: argv = [purgecss package folder, site folder],
// the stylesheet on stdin; writes the stylesheet without the rules that no page (HTML) and no script of the
// site (_static/**/*.js, for the classes the theme's scripts add) can use. @font-face,
// @keyframes and custom properties all stay: Font Awesome names its fonts through custom
// properties, which PurgeCSS's font-face option does not follow (the icons would lose their font).
// PurgeCSS is pinned in package.json.
"use strict";
const { PurgeCSS } = require(process.argv[2]);
const site = process.argv[3];
let css = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { css += chunk; });
process.stdin.on("end", () => new PurgeCSS()
  .purge({
    css: [{ raw: css }],
    content: [`${site}/**/*.html`, `${site}/_static/**/*.js`],
  })
  .then(([result]) => process.stdout.write(result.css))
  .catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); }));
