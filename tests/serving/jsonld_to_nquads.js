// A second, independent JSON-LD processor for the tests: jsonld.js (npm `jsonld`, web/package.json).
// Reads a JSON-LD document on stdin and writes the RDF it expands to as N-Quads on stdout.
// A remote @context is fetched only from the test server: usage `node jsonld_to_nquads.js SERVER BASE`
// maps a URL under BASE (the data's base URI) to the same path on SERVER. `safe` mode makes any
// key or value the context cannot expand an error instead of a silent loss.
"use strict";
const jsonld = require("jsonld");

const [server, base] = process.argv.slice(2);

async function documentLoader(url) {
  if (!server || !url.startsWith(base)) {
    throw new Error(`refusing to fetch ${url}: not under ${base}`);
  }
  const response = await fetch(server + url.slice(base.length));
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return { contextUrl: null, documentUrl: url, document: await response.json() };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  try {
    const nquads = await jsonld.toRDF(JSON.parse(input), {
      format: "application/n-quads", documentLoader, safe: true,
    });
    process.stdout.write(nquads);
  } catch (error) {
    process.stderr.write(`${error.name}: ${error.message}\n${JSON.stringify(error.details || {})}\n`);
    process.exit(1);
  }
});
