// Run the search's language_data.js outside a browser: `node zh_search_run.js LANGUAGE_DATA
// SEARCHINDEX` reads a JSON list of queries on stdin and prints, per query, what the search
// page computes from it: the split terms and the ranked pages.  The query goes through the
// same steps as Sphinx 7.4's Search._parseQuery (lower case, stopwords, digits, stemmer);
// SEARCHINDEX may be "-" for no index (splitting with the built-in dictionary only).
"use strict";
const fs = require("fs");
const vm = require("vm");

const [languageData, searchIndex] = process.argv.slice(2);
const context = { console, Search: { _index: null, setIndex(ix) { this._index = ix; } } };
vm.createContext(context);
if (searchIndex !== "-") vm.runInContext(fs.readFileSync(searchIndex, "utf8"), context);
vm.runInContext(fs.readFileSync(languageData, "utf8"), context);
vm.runInContext(
  `var parseQuery = (query) => {
     const stemmer = new Stemmer();
     const terms = new Set(), excluded = new Set();
     splitQuery(query.trim()).forEach((t) => {
       const lower = t.toLowerCase();
       if (stopwords.indexOf(lower) !== -1 || lower.match(/^\\d+$/)) return;
       const word = stemmer.stemWord(lower);
       if (word[0] === "-") excluded.add(word.substr(1)); else terms.add(word);
     });
     return [terms, excluded];
   };`,
  context,
);

const queries = JSON.parse(fs.readFileSync(0, "utf8"));
const out = queries.map((q) => {
  context.q = q;
  return vm.runInContext(
    `(() => {
       const split = splitQuery(q);
       const [terms, excluded] = parseQuery(q);  // splits again: leftover() is this query's
       const ranked = Search._index ? ZhSearch.rank(Search._index, terms, excluded, ZhSearch.leftover()) : [];
       return { query: q, split, terms: [...terms], excluded: [...excluded],
                pages: ranked.map((r) => r[0]), titles: ranked.map((r) => r[1]),
                scores: ranked.map((r) => r[4]) };
     })()`,
    context,
  );
});
process.stdout.write(JSON.stringify(out));
