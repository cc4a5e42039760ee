// The query page, enhanced: YASGUI's editor (syntax highlighting, completion of prefixes and
// variables) and result viewer in place of the plain form, which keeps working without script.
// Everything comes from this server: no prefix.cc, no LOV, no CDN.
"use strict";

(function () {
  const mount = document.getElementById("editeur");
  const form = document.getElementById("formulaire-requete");
  if (!mount || !form || !window.Yasgui) {
    return;
  }
  const english = mount.dataset.lang === "en";
  const words = english
    ? { chart: "Chart", run: "Run", editor: "SPARQL query editor" }
    : { chart: "Graphique", run: "Exécuter", editor: "Éditeur de requête SPARQL" };
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = ["integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "unsignedLong", "unsignedInt"].map((t) => XSD + t);
  const SVG = "http://www.w3.org/2000/svg";

  // The columns of an aggregate result: a text (or IRI) column to label the bars, numeric
  // columns to measure them. The same rule as the server's chart (serving/rendering/sparql_results.py).
  function chartColumns(results) {
    if (!results || results.getType() !== "json" || !results.getVariables) {
      return null;
    }
    const rows = results.getBindings() || [];
    if (rows.length < 2 || rows.length > 60) {
      return null;
    }
    const vars = results.getVariables();
    const all = (name, test) => rows.every((row) => row[name] && test(row[name]));
    const numeric = vars.filter((v) => all(v, (c) => c.type !== "uri" && NUMERIC.includes(c.datatype)));
    const texts = vars.filter((v) => !numeric.includes(v) && all(v, (c) => c.type === "literal" || c.type === "typed-literal"));
    const iris = vars.filter((v) => !numeric.includes(v) && all(v, (c) => c.type === "uri"));
    const label = texts[0] || iris[0];
    return label && numeric.length ? { label, value: numeric[0], rows } : null;
  }

  function svgElement(name, attributes, text) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) {
      element.setAttribute(key, String(value));
    }
    if (text !== undefined) {
      element.textContent = text; // text, never markup
    }
    return element;
  }

  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = words.chart;
    }
    canHandleResults() {
      return chartColumns(this.yasr.results) !== null;
    }
    getIcon() {
      const icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "▤";
      return icon;
    }
    draw() {
      const columns = chartColumns(this.yasr.results);
      if (!columns) {
        return;
      }
      const bars = columns.rows.map((row) => [row[columns.label].value, Number(row[columns.value].value)]);
      const top = Math.max(...bars.map(([, v]) => v), 0);
      const [labelWidth, barWidth, valueWidth, barHeight, gap] = [260, 380, 110, 22, 6];
      const width = labelWidth + barWidth + valueWidth;
      const height = bars.length * (barHeight + gap) + gap;
      const svg = svgElement("svg", { class: "graphique", role: "img", viewBox: `0 0 ${width} ${height}`,
        width, height, "aria-label": `${columns.value} / ${columns.label}` });
      bars.forEach(([label, value], i) => {
        const y = gap + i * (barHeight + gap);
        const length = top > 0 ? Math.max(value, 0) * barWidth / top : 0;
        const middle = y + barHeight / 2;
        const shown = label.length > 40 ? label.slice(0, 39) + "…" : label;
        const number = value.toLocaleString(english ? "en" : "fr");
        svg.appendChild(svgElement("text", { x: labelWidth - 8, y: middle, "text-anchor": "end",
          "dominant-baseline": "middle" }, shown));
        const rect = svgElement("rect", { x: labelWidth, y, width: length.toFixed(1), height: barHeight });
        rect.appendChild(svgElement("title", {}, `${label} : ${number}`));
        svg.appendChild(rect);
        svg.appendChild(svgElement("text", { x: (labelWidth + length + 6).toFixed(1), y: middle,
          "dominant-baseline": "middle" }, number));
      });
      this.yasr.resultsEl.replaceChildren(svg);
    }
  }
  window.Yasgui.Yasr.registerPlugin("graphique", BarChart);

  const endpoint = mount.dataset.endpoint;
  const textarea = form.querySelector("textarea");
  const editorArea = document.createElement("div");
  const resultsArea = document.createElement("div");
  resultsArea.id = "resultats-editeur";
  mount.append(editorArea, resultsArea);
  // shown before the editor is made: CodeMirror measures its gutter when it starts
  form.hidden = true;
  mount.hidden = false;
  const yasqe = new window.Yasgui.Yasqe(editorArea, {
    value: textarea.value,
    requestConfig: { endpoint, method: "POST" },
    persistenceId: null,
    autocompleters: ["prefixes", "variables"], // the class and property completers ask LOV, online
    prefixCcApi: null,
    createShareableLink: null,
    showQueryButton: true,
    resizeable: true,
    editorHeight: "22rem",
  });
  yasqe.getInputField().setAttribute("aria-label", words.editor);
  const yasr = new window.Yasgui.Yasr(resultsArea, {
    persistenceId: null,
    pluginOrder: ["table", "graphique", "response"],
    defaultPlugin: "table",
    plugins: { table: { dynamicConfig: { compact: true } } }, // values without datatype noise
    prefixes: () => yasqe.getPrefixesFromQuery(), // IRIs shown with the query's own prefixes
  });
  yasqe.on("queryResponse", (_editor, response, duration) => yasr.setResponse(response, duration));

  // an example's "run" link loads it into the editor and runs it, instead of leaving the page
  for (const link of document.querySelectorAll("a.executer")) {
    link.addEventListener("click", (event) => {
      const code = link.closest("section")?.querySelector("pre code");
      if (!code) {
        return;
      }
      event.preventDefault();
      yasqe.setValue(code.textContent);
      mount.scrollIntoView();
      yasqe.query();
    });
  }
})();
