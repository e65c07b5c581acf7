/*
 * Chinese search for readers who type questions without spaces.
 *
 * zh_search.py puts this file into language_data.js (the zh search language's
 * js_splitter_code), with the DATA placeholder below replaced by the jieba user dictionary's
 * words, the glossary's synonym groups and the question particles.  It works with
 * Sphinx 7.4's searchtools.js:
 *
 *  - splitQuery() segments each run of Chinese characters with the index's own
 *    vocabulary (the words jieba put into searchindex.js) plus the user dictionary:
 *    the segmentation with the longest words wins (sum of squared lengths), characters
 *    no word covers are dropped (the index never holds single characters), and so are
 *    question particles (怎么, 为什么, ...).  Latin words and code names are cut exactly
 *    as the index cuts them ([A-Za-z0-9_]+), so "item()" -> "item", "AlexNet" stays
 *    whole.  A synonym becomes the book's term (批量归一化 -> 批归一化).
 *  - Search._performSearch is replaced by rank(): one result per page; a page scores
 *    for every query term it holds, weighted by how rare the term is in the book, and
 *    much more when the term is in its title or a section title (the result then links
 *    to that section).  Terms a page lacks cost nothing, so a question with a word the
 *    book does not use still finds the page.  A page's score depends only on the page and
 *    on how many pages hold each query term (rarity and length are measured against a
 *    fixed reference book, not against all pages): a new page that holds no query term
 *    changes no other page's score.  Scores within NEAR of each other count as a tie,
 *    broken by the book's reading order (_toc.yml, shipped in the index by zh_search.py),
 *    so every browser orders the results alike.
 *  - Search.makeSearchSummary shows the sentence of the page (or section) holding the
 *    most query terms, with every term (and its synonyms) highlighted.
 *
 * Nothing here runs before a query: the index (searchindex.js) may load late.
 */
var ZhSearch = (function () {
  "use strict";

  const DATA = __ZH_SEARCH_DATA__;
  const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
  const IS_HAN = new RegExp("[" + HAN + "]");
  // a run of Chinese characters, or a Latin word cut as Sphinx's zh indexer cuts it;
  // a leading "-" (at the start or after a space) excludes the word, as in Sphinx
  const TOKEN = new RegExp("(^|\\s)?(-?)([" + HAN + "]+|[A-Za-z0-9_]+)", "g");
  const PARTICLES = new Set(DATA.particles);
  const INTENT = new Set(DATA.intent);
  const SECONDARY = new Set(DATA.secondary || []);
  let lastChars = new Set();  // characters of the last query that no word covered
  const SENTENCE_END = /[^。！？；!?;\n]+[。！？；!?;]?/g;

  // ------------------------------------------------------------ vocabulary
  let cache = { index: undefined, vocab: null, maxLen: 0, syn: null };

  /** Terms the index holds (body and titles), lower case. */
  function indexTerms(index) {
    if (!index) return new Set();
    return new Set(Object.keys(index.terms || {}).concat(Object.keys(index.titleterms || {})));
  }

  /** {vocab: Set of words for segmentation, syn: Map word -> book's terms in the index}. */
  function build(index) {
    const inIndex = indexTerms(index);
    const have = (w) => !index || inIndex.has(w);
    const vocab = new Set();
    for (const w of inIndex) if (IS_HAN.test(w)) vocab.add(w);
    for (const w of DATA.words) vocab.add(w);
    const syn = new Map();
    for (const group of DATA.synonyms) {
      const present = group.filter(have);
      for (const w of group) {
        vocab.add(w);
        const others = present.filter((p) => p !== w);
        if (others.length) syn.set(w, others);
      }
    }
    let maxLen = 0;
    for (const w of vocab) maxLen = Math.max(maxLen, w.length);
    const pages = (w) => (index ? docsOf(index.terms, w).length + docsOf(index.titleterms, w).length : 0);
    return { index, vocab, inIndex, syn, maxLen, have, pages };
  }

  function current() {
    const index = typeof Search !== "undefined" && Search._index ? Search._index : null;
    if (cache.index !== index) cache = build(index);
    return cache;
  }

  // ------------------------------------------------------------ segmentation
  /**
   * Cut a run of Chinese characters into vocabulary words: of all the ways to cover
   * it with words (characters left over are skipped), the one with the largest sum
   * of squared word lengths; pages(word), if given, breaks ties.  Returns {words, rest}
   * (rest: the skipped characters).
   */
  function segment(run, vocab, maxLen, pages) {
    // ties (不下|降 vs 不|下降) go to the words more pages of the book use
    const tie = (w) => (pages ? 0.01 * Math.log(1 + pages(w)) : 0);
    const n = run.length;
    const best = [{ score: 0, words: [], rest: [] }];
    for (let i = 1; i <= n; i++) {
      const skip = best[i - 1];
      let pick = { score: skip.score, words: skip.words, rest: skip.rest.concat(run[i - 1]) };
      for (let len = 2; len <= Math.min(maxLen, i); len++) {
        const w = run.slice(i - len, i);
        if (!vocab.has(w)) continue;
        const from = best[i - len];
        const score = from.score + len * len + tie(w);
        if (score > pick.score) pick = { score, words: from.words.concat(w), rest: from.rest };
      }
      best.push(pick);
    }
    return { words: best[n].words, rest: best[n].rest };
  }

  /** A word as the index knows it: itself, the book's term for a synonym, or its parts. */
  function toIndex(word, ctx) {
    if (ctx.have(word)) return [word];
    const syn = ctx.syn.get(word);
    if (syn) return [syn[0]];
    // a dictionary word the book never uses: its parts that the index holds
    const inner = new Set([...ctx.vocab].filter((w) => ctx.have(w) && w.length < word.length));
    return segment(word, inner, word.length - 1).words;
  }

  /** Split a query into the terms to look up (Sphinx calls this for every query). */
  function splitQuery(query) {
    const ctx = current();
    const text = String(query).normalize("NFKC");
    const out = [];
    lastChars = new Set();
    for (const m of text.matchAll(TOKEN)) {
      const exclude = m[2] === "-" && (m.index === 0 || m[1] !== undefined);
      const token = m[3];
      let terms;
      if (IS_HAN.test(token[0])) {
        const { words, rest } = segment(token, ctx.vocab, ctx.maxLen, ctx.pages);
        rest.filter((c) => !PARTICLES.has(c)).forEach((c) => lastChars.add(c));
        terms = words.filter((w) => !PARTICLES.has(w)).flatMap((w) => toIndex(w, ctx));
      } else {
        terms = [token];
      }
      for (const t of terms) out.push(exclude ? "-" + t : t);
    }
    return [...new Set(out)];
  }

  // ------------------------------------------------------------ ranking
  // body: BM25 of the term on the page (counts from zh_search.py's "zh" index entry);
  // a term in the page title adds PAGE x its rarity, the best section title SECTION x;
  // a question character no word covered adds CHAR when a title holds it.
  const WEIGHT = { page: 3, section: 1.5, partial: 0.4, intent: 0.3, char: 0.3, secondary: 0.5, k1: 1.2, b: 0.75 };
  // BM25 measures a term's rarity against the number of pages and a page's length against
  // their average: then a new page, even one without any query term, would change every
  // score (and flip near ties).  Both are measured against this reference book instead.
  const REFERENCE = { pages: 14, words: 2600 };
  const NEAR = 0.01;  // scores less than 1 % apart: a tie, broken by reading order

  function docsOf(map, term) {
    const v = map[term];
    if (v === undefined) return [];
    return typeof v === "number" ? [v] : v;
  }

  /** Alternatives of one query term: itself and the synonyms the index holds. */
  function alternatives(term, ctx) {
    return [term].concat(ctx.syn.get(term) || []);
  }

  /**
   * Pages holding a term: {counts: Map doc -> count, weak: Set of docs that only hold it
   * in part}.  A page lacking a Chinese word but holding all its index parts (交叉熵 and
   * 损失 for 交叉熵损失) holds it weakly, and so does a page with a longer index term
   * containing a Latin word (crossentropyloss for crossentropy).
   */
  function termCounts(index, alts) {
    const tf = (index.zh && index.zh.tf) || {};
    const counts = new Map();
    const weak = new Set();
    const pagesOf = (key) => {
      const pages = [...new Set(docsOf(index.terms, key).concat(docsOf(index.titleterms, key)))];
      return pages.sort((a, b) => a - b).map((d, i) => [d, (tf[key] && tf[key][i]) || 1]);
    };
    const add = (key) => pagesOf(key).forEach(([d, c]) => counts.set(d, (counts.get(d) || 0) + c));
    alts.forEach(add);
    const term = alts[0];
    if (IS_HAN.test(term) && term.length > 2) {
      const ctx = current();
      const inner = new Set([...ctx.inIndex].filter((w) => w.length < term.length && term.includes(w)));
      const parts = segment(term, inner, term.length - 1).words;
      if (parts.length > 1 && parts.join("") === term) {
        const partCounts = parts.map((p) => new Map(pagesOf(p)));
        for (const [d, c] of partCounts[0]) {
          if (counts.has(d) || !partCounts.every((m) => m.has(d))) continue;
          counts.set(d, Math.min(c, ...partCounts.map((m) => m.get(d))));
          weak.add(d);
        }
      }
    } else if (!counts.size && term.length > 2) {
      const keys = new Set(Object.keys(index.terms).concat(Object.keys(index.titleterms)));
      for (const key of keys) if (key.includes(term)) add(key);
      counts.forEach((c, d) => weak.add(d));
    }
    return { counts, weak };
  }

  function inText(text, alts) {
    const lower = text.toLowerCase();
    return alts.some((a) => lower.includes(a));
  }

  /**
   * Score the pages for the query terms (chars: question characters no word covered).
   * Returns Sphinx result rows [docname, title, anchor, descr, score, filename], best
   * first: one row per page, linking to the section whose title holds the most terms.
   */
  function rank(index, terms, excluded, chars) {
    const ctx = current();
    const n = index.docnames.length;
    const lengths = (index.zh && index.zh.len) || [];
    const groups = [...terms].map((t) => {
      const alts = alternatives(t, ctx);
      const found = termCounts(index, alts);
      const rarity = Math.log(1 + REFERENCE.pages / Math.max(found.counts.size, 1));
      const idf = rarity * (INTENT.has(t) ? WEIGHT.intent : 1);
      return { alts, counts: found.counts, weak: found.weak, idf, intent: INTENT.has(t) };
    });
    // the terms a title holds; a question word (作用, 区别) only beside a subject word:
    // "批归一化的作用" is not about the page titled "激活函数有哪些作用"
    const onlyIntent = groups.every((g) => g.intent);
    const inTitle = (title, doc) => {
      const held = groups.filter((g) => g.counts.has(doc) && inText(title, g.alts));
      return onlyIntent || held.some((g) => !g.intent) ? held : [];
    };
    const sections = new Map();  // doc -> [[title, anchor], ...]
    for (const [title, places] of Object.entries(index.alltitles || {})) {
      for (const [doc, anchor] of places) {
        if (anchor === null) continue;
        if (!sections.has(doc)) sections.set(doc, []);
        sections.get(doc).push([title, anchor]);
      }
    }
    const banned = new Set();
    for (const t of excluded) termCounts(index, alternatives(t, ctx)).counts.forEach((c, d) => banned.add(d));
    const charsIn = (text) => [...(chars || [])].filter((c) => text.includes(c)).length;

    const results = [];
    const positions = new Map();  // row -> reading order of its page
    for (let doc = 0; doc < n; doc++) {
      if (banned.has(doc)) continue;
      const pageTitle = index.titles[doc] || "";
      const norm = 1 - WEIGHT.b + WEIGHT.b * ((lengths[doc] || REFERENCE.words) / REFERENCE.words);
      const titled = new Set(inTitle(pageTitle, doc));
      let score = 0;
      let held = 0;
      for (const g of groups) {
        const tf = g.counts.get(doc);
        if (!tf) continue;
        held += 1;
        const body = (g.idf * tf * (WEIGHT.k1 + 1)) / (tf + WEIGHT.k1 * norm);
        const title = titled.has(g) ? WEIGHT.page * g.idf : 0;
        score += (body + title) * (g.weak.has(doc) ? WEIGHT.partial : 1);
      }
      if (!held) continue;
      let anchor = "";
      let title = pageTitle;
      let bestSection = 0;
      for (const [secTitle, secAnchor] of sections.get(doc) || []) {
        let s = WEIGHT.char * charsIn(secTitle);
        for (const g of inTitle(secTitle, doc)) s += g.idf;
        if (s > bestSection) [bestSection, anchor, title] = [s, "#" + secAnchor, `${pageTitle} > ${secTitle}`];
      }
      score += WEIGHT.section * bestSection + WEIGHT.char * charsIn(pageTitle);
      score *= 1 + 0.5 * (held / groups.length);  // pages holding every term first
      if (SECONDARY.has(index.docnames[doc])) score *= WEIGHT.secondary;
      results.push([index.docnames[doc], title, anchor, null, Math.round(score * 100), index.filenames[doc]]);
      positions.set(results[results.length - 1], readingOrder(index, doc));
    }
    return byScoreThenReadingOrder(results, (r) => r[4], (r) => positions.get(r));
  }

  /** Where page doc comes in the book (_toc.yml order; without it, the index's order). */
  function readingOrder(index, doc) {
    const order = index.zh && index.zh.order;
    return order && Number.isFinite(order[doc]) ? order[doc] : index.docnames.length + doc;
  }

  /**
   * Rows best first; rows whose scores lie within NEAR of the first of their run are a tie
   * and go in reading order.  No string comparison (localeCompare orders Chinese titles
   * differently in different browsers).
   */
  function byScoreThenReadingOrder(rows, score, position) {
    const sorted = [...rows].sort((a, b) => score(b) - score(a) || position(a) - position(b));
    const out = [];
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && score(sorted[j]) >= score(sorted[i]) * (1 - NEAR)) j++;
      out.push(...sorted.slice(i, j).sort((a, b) => position(a) - position(b)));
      i = j;
    }
    return out;
  }

  // ------------------------------------------------------------ summary
  /** All strings to highlight for the query terms (terms and their synonyms). */
  function highlightStrings(terms) {
    const ctx = current();
    const out = new Set();
    for (const t of terms) for (const a of alternatives(String(t).toLowerCase(), ctx)) if (a) out.add(a);
    return [...out].sort((a, b) => b.length - a.length);
  }

  // TeX of inline math as a reader would read it in one line of plain text
  const TEX = { theta: "θ", eta: "η", alpha: "α", beta: "β", gamma: "γ", sigma: "σ", mu: "μ",
                lambda: "λ", epsilon: "ε", varepsilon: "ε", nabla: "∇", approx: "≈", times: "×",
                cdot: "·", le: "≤", ge: "≥", leq: "≤", geq: "≥", to: "→", infty: "∞", ln: "ln",
                log: "log", exp: "exp", sum: "∑", partial: "∂", quad: " ", ldots: "…" };
  function plainMath(text) {
    return text
      .replace(/\\[()[\]]/g, "")
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in TEX ? TEX[name] : name))
      .replace(/[{}]/g, "");
  }

  /** The sentence of text holding the most distinct terms (null if none holds any);
   * among equals, the one with the least math. */
  function bestSentence(text, strings) {
    let best = null;
    for (const m of text.matchAll(SENTENCE_END)) {
      const sentence = m[0].replace(/\s+/g, " ").trim();
      const lower = sentence.toLowerCase();
      const hits = strings.filter((s) => lower.includes(s)).length;
      const math = (sentence.match(/\\/g) || []).length;
      if (hits && (!best || hits > best.hits || (hits === best.hits && math < best.math))) {
        best = { sentence, hits, math };
      }
    }
    return best && plainMath(best.sentence);
  }

  /** Fill element el with text, every occurrence of strings wrapped in span.highlighted. */
  function highlightInto(el, text, strings) {
    const lower = text.toLowerCase();
    let at = 0;
    while (at < text.length) {
      let next = -1;
      let len = 0;
      for (const s of strings) {
        const i = lower.indexOf(s, at);
        if (i >= 0 && (next < 0 || i < next || (i === next && s.length > len))) [next, len] = [i, s.length];
      }
      if (next < 0) break;
      el.append(text.slice(at, next));
      const span = document.createElement("span");
      span.className = "highlighted";
      span.textContent = text.slice(next, next + len);
      el.append(span);
      at = next + len;
    }
    el.append(text.slice(at));
  }

  const MAX_SUMMARY = 160;

  /** At most MAX_SUMMARY characters of a sentence, from a little before its first term. */
  function clip(sentence, strings) {
    if (sentence.length <= MAX_SUMMARY) return sentence;
    const lower = sentence.toLowerCase();
    const hits = strings.map((s) => lower.indexOf(s)).filter((i) => i >= 0);
    const first = hits.length ? Math.min(...hits) : 0;
    const start = Math.max(0, Math.min(first - 40, sentence.length - MAX_SUMMARY));
    const end = start + MAX_SUMMARY;
    return (start ? "…" : "") + sentence.slice(start, end) + (end < sentence.length ? "…" : "");
  }

  /** The prose of a page (or of its section anchor): no code, outputs or headings. */
  const NOT_PROSE = "pre, .highlight, .cell_output, .headerlink, script, style, h1, h2, h3, h4, h5, h6";
  function proseText(htmlText, anchor) {
    const doc = new DOMParser().parseFromString(htmlText, "text/html");
    doc.querySelectorAll(NOT_PROSE).forEach((el) => el.remove());
    const main = doc.querySelector('[role="main"]');
    const part = anchor && main ? main.querySelector(anchor) : main;
    // sentences end at block boundaries too: give each block its own line
    part?.querySelectorAll("p, li, dt, dd, figcaption, td, th").forEach((el) => el.append("\n"));
    return part ? part.textContent : Search.htmlToText(htmlText, anchor);
  }

  function makeSearchSummary(htmlText, keywords, anchor) {
    const strings = highlightStrings(keywords);
    const section = anchor ? proseText(htmlText, anchor) : "";
    const page = proseText(htmlText);
    // no sentence holds a term (a title match): the start of the section or page
    const sentence = bestSentence(section, strings) || bestSentence(page, strings)
      || (section || page).replace(/\s+/g, " ").trim();
    const summary = document.createElement("p");
    summary.classList.add("context");
    highlightInto(summary, clip(sentence, strings), strings);
    return summary;
  }

  // ------------------------------------------------------------ install
  function install() {
    if (typeof Search === "undefined" || Search._zhInstalled) return;
    Search._zhInstalled = true;
    Search._performSearch = (query, searchTerms, excludedTerms) =>
      rank(Search._index, searchTerms, excludedTerms, lastChars).reverse();  // searchtools pops from the end
    Search.makeSearchSummary = makeSearchSummary;
  }

  return { DATA, splitQuery, leftover: () => [...lastChars], segment, rank, bestSentence, highlightStrings, install, build,
           _reset: () => { cache = { index: undefined }; } };
})();

var splitQuery = ZhSearch.splitQuery;
if (typeof Search !== "undefined") ZhSearch.install();
else if (typeof document !== "undefined") document.addEventListener("DOMContentLoaded", ZhSearch.install);
