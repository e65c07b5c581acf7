/* The spiral playground (book/_ext/playground.py): controls switch between runs computed
   at build time. The data file (a script defining window.dlbookPlayground[name]) is loaded
   only when the widget comes near the screen or a control is touched. */
(function () {
  "use strict";
  var COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
  var NAMES = { none: "不用激活函数", relu: "ReLU", tanh: "tanh", sigmoid: "sigmoid" };
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function parseColor(css) {
    var m = /rgba?\(([^)]*)\)/.exec(css || "");
    if (!m) return [255, 255, 255];
    return m[1].split(/[ ,\/]+/).slice(0, 3).map(Number);
  }
  function unpack(b64, n) {
    var bin = atob(b64), out = new Uint8Array(n * n);
    for (var i = 0; i < bin.length; i++) {
      var b = bin.charCodeAt(i);
      out[4 * i] = b & 3; out[4 * i + 1] = (b >> 2) & 3;
      out[4 * i + 2] = (b >> 4) & 3; out[4 * i + 3] = (b >> 6) & 3;
    }
    return out;
  }
  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var name = root.dataset.playground, form = root.querySelector("form");
    var canvas = root.querySelector("canvas"), svg = root.querySelector("svg");
    var range = root.querySelector("input[type=range]");
    var widths = JSON.parse(range.dataset.values);
    var hOut = root.querySelector("output[for='" + range.id + "']");
    var status = root.querySelector(".pg-status");
    var state = "idle";
    function data() { return (window.dlbookPlayground || {})[name]; }
    function load() {
      if (state !== "idle") return;
      state = "loading";
      status.textContent = "（正在载入数据）";
      var s = document.createElement("script");
      var base = document.documentElement.dataset.content_root || "";
      s.src = base + root.dataset.src;
      s.async = true;
      s.onload = function () { state = "ready"; status.textContent = ""; draw(); };
      s.onerror = function () { state = "idle"; status.textContent = "（数据载入失败）"; };
      document.head.appendChild(s);
    }
    function setting() {
      var f = form.elements;
      return {
        activation: f.activation.value, H: widths[+range.value],
        steps: +f.steps.value, seed: +f.seed.value, lr: +f.lr.value,
      };
    }
    function find(d, want) {
      for (var i = 0; i < d.runs.length; i++) {
        var r = d.runs[i], ok = true;
        for (var k in want) if (r[k] !== want[k]) ok = false;
        if (ok) return r;
      }
      return null;
    }
    function drawMap(d, run) {
      var n = d.grid, ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
      var bg = parseColor(getComputedStyle(root).backgroundColor);
      if (getComputedStyle(root).backgroundColor === "rgba(0, 0, 0, 0)") {
        bg = parseColor(getComputedStyle(document.body).backgroundColor);
      }
      var classes = unpack(run.classes, n);
      var img = ctx.createImageData(n, n);
      for (var i = 0; i < n; i++) {          // row i of the data is y = ymin + ..., bottom
        for (var j = 0; j < n; j++) {
          var c = rgb(COLORS[classes[i * n + j]]), p = 4 * ((n - 1 - i) * n + j);
          for (var k = 0; k < 3; k++) img.data[p + k] = Math.round(0.35 * c[k] + 0.65 * bg[k]);
          img.data[p + 3] = 255;
        }
      }
      var tmp = document.createElement("canvas");
      tmp.width = n; tmp.height = n;
      tmp.getContext("2d").putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp, 0, 0, W, H);
      var e = d.extent;
      for (var q = 0; q < d.points.length; q++) {
        var pt = d.points[q];
        var x = (pt[0] - e[0]) / (e[1] - e[0]) * W, y = (1 - (pt[1] - e[2]) / (e[3] - e[2])) * H;
        ctx.beginPath();
        ctx.arc(x, y, 2.2, 0, 2 * Math.PI);
        ctx.fillStyle = COLORS[pt[2]];
        ctx.fill();
      }
    }
    function drawLoss(d, run, want) {
      var maxSteps = Math.max.apply(null, d.settings.steps), top = 0;
      d.runs.forEach(function (r) { top = Math.max(top, r.loss[0] || 0); });
      top = Math.ceil(top * 2) / 2;
      var L = 40, R = 310, T = 10, B = 170;
      var pts = run.loss.map(function (v, i) {
        var x = L + (i * d.loss_every) / maxSteps * (R - L), y = B - Math.min(v, top) / top * (B - T);
        return x.toFixed(1) + "," + y.toFixed(1);
      }).join(" ");
      var ticks = "";
      [0, top / 2, top].forEach(function (v) {
        var y = B - v / top * (B - T);
        ticks += '<line x1="' + L + '" x2="' + R + '" y1="' + y + '" y2="' + y + '" class="pg-grid"/>' +
          '<text x="' + (L - 6) + '" y="' + (y + 4) + '" text-anchor="end">' + (+v.toFixed(2)) + "</text>";
      });
      [0, maxSteps / 2, maxSteps].forEach(function (v) {
        var x = L + v / maxSteps * (R - L);
        ticks += '<text x="' + x + '" y="' + (B + 18) + '" text-anchor="middle">' + v + "</text>";
      });
      svg.innerHTML = ticks + '<polyline fill="none" stroke="currentColor" stroke-width="2" points="' + pts + '"/>' +
        '<text x="' + R + '" y="' + (B + 30) + '" text-anchor="end">步</text>';
      svg.setAttribute("aria-label", "训练损失曲线：" + run.loss.length + " 个点，从 " +
        run.loss[0].toFixed(3) + " 到 " + run.loss[run.loss.length - 1].toFixed(3));
    }
    function draw() {
      var want = setting();
      hOut.textContent = want.H;
      range.setAttribute("aria-valuetext", "H = " + want.H);
      var d = data();
      if (!d) { load(); return; }
      var run = find(d, want);
      if (!run) { status.textContent = "（没有这组设置的结果）"; return; }
      status.textContent = "";
      drawMap(d, run);
      drawLoss(d, run, want);
      root.querySelector(".pg-train").textContent = run.train_acc.toFixed(3);
      root.querySelector(".pg-test").textContent = run.test_acc.toFixed(3);
      canvas.setAttribute("aria-label", "决策区域：" + NAMES[want.activation] + "，H = " + want.H +
        "，" + want.steps + " 步，种子 " + want.seed + "，测试准确率 " + run.test_acc.toFixed(3));
      root.dataset.shown = [want.activation, want.H, want.steps, want.seed].join("/");
    }
    form.addEventListener("input", draw);
    form.addEventListener("change", draw);
    form.addEventListener("focusin", load);
    form.addEventListener("pointerdown", load);
    if ("IntersectionObserver" in window) {
      var io = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { io.disconnect(); load(); }
      }, { rootMargin: "400px 0px" });
      io.observe(root);
    } else {
      load();
    }
    // the theme's colour mode: redraw the regions over the new background
    new MutationObserver(function () { if (data()) draw(); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }
  document.querySelectorAll(".dlbook-playground").forEach(setup);
})();
