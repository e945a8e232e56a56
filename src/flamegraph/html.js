// flamepipe's --html flame graph (docs/flamegraph.md, "--html"). Decodes the frames packed in
// FG by the writer, draws them on a canvas that fills the window's width (sharp at any device
// pixel ratio), and handles hover, click to zoom, Reset Zoom, search, ignore case, Escape and
// the zoom and search state in the URL (?x=&y=&s=). window.flamegraph exposes frames(),
// zoom(i) and search(term) for scripts and tests.
(function () {
"use strict";
var G = FG, XPAD = 10, HIGHLIGHT = "rgb(230,0,230)";
var PROMPT = "Enter a search term (regexp allowed, eg: ^ext4_)";
var PROMPT_END = "\nPress Ctrl-i to toggle case sensitivity";

// ---- decoding ----------------------------------------------------------------------------

var DIGIT = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(
	function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

// A reader of packed integers (five bits per base-64 digit, least significant first).
function Packed(text) { this.s = text; this.p = 0; }
Packed.prototype.next = function () {
	var s = this.s, p = this.p, d = DIGIT[s.charCodeAt(p++)], v = d & 31, scale = 32;
	while (d & 32) { d = DIGIT[s.charCodeAt(p++)]; v += (d & 31) * scale; scale *= 32; }
	this.p = p;
	return v;
};
Packed.prototype.signed = function () {
	var v = this.next();
	return v % 2 ? -(v + 1) / 2 : v / 2;
};
Packed.prototype.more = function () { return this.p < this.s.length; };

var n = G.count, rows = G.rows.length;
var S = new Uint32Array(n), E = new Uint32Array(n), N = new Uint32Array(n);
var D = new Uint32Array(n), P = new Int32Array(n), F = new Uint32Array(n);
var rowStart = new Uint32Array(rows + 1);
var T, names = G.names, plain = names.map(stripAnnotation), fills = G.fills;
var deltas = null, spans = null, titles = G.titles, links = G.links;

function decode() {
	if (typeof G.ticks === "string") {
		var r = new Packed(G.ticks), list = [], t = 0;
		while (r.more()) { t += r.next(); list.push(t); }
		T = Float64Array.from(list);
	} else {
		T = Float64Array.from(G.ticks);
	}
	var f = 0, fr = new Packed(G.frames);
	for (var d = 0; d < rows; d++) {
		rowStart[d] = f;
		var end = 0;
		for (var k = G.rows[d]; k > 0; k--, f++) {
			var s = end + fr.signed();
			end = s + fr.signed();
			S[f] = s; E[f] = end; N[f] = fr.next(); D[f] = d;
		}
	}
	rowStart[rows] = f;
	var nf = new Packed(G.nameFill), byName = new Uint32Array(names.length);
	for (var i = 0; i < names.length; i++) byName[i] = nf.next();
	for (f = 0; f < n; f++) F[f] = byName[N[f]];
	var ex = new Packed(G.fillExceptions), at = 0;
	while (ex.more()) { at += ex.next(); F[at] = ex.next(); }
	if (G.spans.length) {
		spans = new Float64Array(n).fill(NaN);
		for (var k = 0, b = 0; k < G.spans.length; k += 2) {
			b += G.spans[k];
			spans[b] = G.spans[k + 1];
		}
	}
	if (G.deltas.length) {
		deltas = new Float64Array(n).fill(NaN);
		for (var j = 0, a = 0; j < G.deltas.length; j += 2) {
			a += G.deltas[j];
			deltas[a] = G.deltas[j + 1];
		}
	}
	// The parent of each frame: the frame of the row above that contains its start.
	for (f = 0; f < rowStart[1]; f++) P[f] = -1;
	for (d = 1; d < rows; d++) {
		var p = rowStart[d - 1], last = rowStart[d] - 1;
		for (f = rowStart[d]; f < rowStart[d + 1]; f++) {
			while (p < last && S[p + 1] <= S[f]) p++;
			P[f] = p;
		}
	}
}

function stripAnnotation(name) {
	return /_\[[kwij]\]$/.test(name) ? name.slice(0, -4) : name;
}

// ---- the SVG's numbers ---------------------------------------------------------------------

function start(f) { return T[S[f]]; }
function end(f) { return D[f] === 0 ? G.timemax : T[E[f]]; }
var wpt = (G.width - 2 * XPAD) / G.timemax;

function rowTop(d) {
	return G.inverted ? G.ypad1 + d * G.frameHeight
		: G.imageHeight - G.ypad2 - (d + 1) * G.frameHeight + 1;
}
function rowBottom(d) {
	return G.inverted ? G.ypad1 + d * G.frameHeight + G.frameHeight - 1
		: G.imageHeight - G.ypad2 - d * G.frameHeight;
}

// C's %.Nf for N = 1 or 2: toFixed, except that exact ties round to even.
function fixed(v, digits) {
	if (!isFinite(v)) return v !== v ? "NaN" : v > 0 ? "inf" : "-inf";
	var a = Math.abs(v), sign = v < 0 || (v === 0 && 1 / v < 0) ? "-" : "";
	var s = a.toFixed(digits), q = a * (digits === 1 ? 4 : 8);
	if (Number.isInteger(q) && q % 2 === 1 && a < 1e15) {
		var k = Math.floor(a * (digits === 1 ? 10 : 100));
		if (k % 2) k += 1;
		s = String(k).padStart(digits + 1, "0");
		s = s.slice(0, -digits) + "." + s.slice(-digits);
	}
	return sign + s;
}

// C's %.15g.
function g15(v) {
	if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
	if (!isFinite(v)) return v !== v ? "nan" : v > 0 ? "inf" : "-inf";
	var s = v.toPrecision(15), e = s.indexOf("e"), m = e < 0 ? s : s.slice(0, e);
	if (m.indexOf(".") >= 0) m = m.replace(/0+$/, "").replace(/\.$/, "");
	if (e < 0) return m;
	var x = Number(s.slice(e + 1));
	return m + "e" + (x < 0 ? "-" : "+") + String(Math.abs(x)).padStart(2, "0");
}

// Rounds half to even, as %.0f does.
function roundEven(v) {
	var r = Math.round(v);
	if (r - v === 0.5 && r % 2 !== 0) r -= 1;
	return r;
}

// %.0f with a "," every three digits.
function count(v) {
	if (!isFinite(v)) return v !== v ? "NaN" : v > 0 ? "inf" : "-inf";
	var r = roundEven(v), sign = r < 0 || (r === 0 && (v < 0 || 1 / v < 0)) ? "-" : "";
	var digits = BigInt(Math.abs(r)).toString(), out = "";
	for (var i = digits.length; i > 0; i -= 3) {
		out = digits.slice(Math.max(0, i - 3), i) + (out ? "," + out : "");
	}
	return sign + out;
}

// A tooltip's amount: "1,234 samples", or with a memory or time --units the label
// go tool pprof prints for the value ("1.50MB").
function amount(value, samples) {
	if (!G.units) return count(samples) + " " + G.countName;
	var u = G.units, sign = value < 0 ? "-" : "", base = Math.abs(value) * u.size, at = 0;
	for (var i = u.sizes.length - 1; i >= 0; i--) {
		if (base / u.sizes[i] >= 1) { at = i; break; }
	}
	var digits = fixed(base / u.sizes[at], 2);
	if (digits.slice(-3) === ".00") digits = digits.slice(0, -3);
	return digits === "0" ? "0" : sign + digits + u.names[at];
}

// The tooltip text of frame f, as the SVG's <title>.
function title(f) {
	var nm = N[f];
	if (titles.hasOwnProperty(nm)) return titles[nm];
	var scaled = G.timemax * G.factor;
	if (D[f] === 0) return "all (" + amount(scaled, scaled) + ", 100%)";
	var span = spans && spans[f] === spans[f] ? spans[f] : T[E[f]] - T[S[f]];
	var value = span * G.factor, samples = roundEven(value);
	var text = plain[nm] + " (" + amount(value, samples) + ", "
		+ fixed(100 * samples / scaled, 2) + "%";
	var d = deltas ? deltas[f] : NaN;
	if (d === d) text += d === 0 ? "; 0.00%" : "; " + (d > 0 ? "+" : "") + fixed(100 * d / scaled, 2) + "%";
	return text + ")";
}

// The name search and the hover see: the title without its statistics ("all" for the root).
function searchName(f) { return D[f] === 0 ? "all" : plain[N[f]]; }

// The SVG's label of frame f (6.5: by code points, from the unzoomed width).
function svgLabel(f) {
	var x1 = XPAD + start(f) * wpt, x2 = XPAD + end(f) * wpt;
	var chars = Math.trunc((x2 - x1) / (G.fontSize * G.fontWidth));
	if (!(chars >= 3)) return "";
	var points = Array.from(plain[N[f]]);
	return points.length > chars ? points.slice(0, chars - 2).join("") + ".." : points.join("");
}

// Frame f as the SVG shows it (unzoomed): the numbers of its <rect>, fill, title and label.
function svgFrame(f) {
	var x1 = XPAD + start(f) * wpt, x2 = XPAD + end(f) * wpt;
	var xs = fixed(x1, 1), y1 = rowTop(D[f]), y2 = rowBottom(D[f]);
	return {
		x: Number(xs), y: Number(g15(y1)),
		width: Number(fixed(Number(fixed(x2, 1)) - Number(xs), 1)),
		height: Number(fixed(y2 - y1, 1)),
		fill: fills[F[f]], title: title(f), label: svgLabel(f)
	};
}

// ---- view state ----------------------------------------------------------------------------

var canvas = document.getElementById("canvas"), ctx = canvas.getContext("2d");
var el = {};
["title", "subtitle", "details", "unzoom", "search", "ignorecase", "matched", "outline",
	"tooltip"].forEach(function (id) { el[id] = document.getElementById(id); });
var cw = G.width, dpr = 1, dprY = 1, ratio = 1;
var zoomed = -1, ancestors = [];          // the zoomed frame and its ancestors by depth
var term = null, icase = false, active = false, nameHit = null, rootHit = false;
var nameWidth = new Float64Array(names.length).fill(-1), font = "";
var hovered = -1;

// The visible time span and its scale (CSS px per time unit).
function span() {
	var s = zoomed < 0 ? 0 : start(zoomed), e = zoomed < 0 ? G.timemax : end(zoomed);
	return { s: s, e: e, depth: zoomed < 0 ? 0 : D[zoomed], scale: (cw - 2 * XPAD) / (e - s) };
}

// The frames of row d shown below or at the zoomed frame: [lo, hi).
function visibleRange(d) {
	var lo = rowStart[d], hi = rowStart[d + 1];
	if (zoomed < 0) return [lo, hi];
	return [lowerBound(lo, hi, S[zoomed]), lowerBound(lo, hi, E[zoomed])];
}

// The first frame in [lo, hi) whose start tick is >= tick.
function lowerBound(lo, hi, tick) {
	while (lo < hi) {
		var mid = (lo + hi) >>> 1;
		if (S[mid] < tick) lo = mid + 1; else hi = mid;
	}
	return lo;
}

function isHit(f) {
	return active && (D[f] === 0 ? rootHit : nameHit[N[f]] === 1);
}

// ---- drawing -------------------------------------------------------------------------------

function resize() {
	layout();
	draw();
}

// Sizes the canvas to the window's width and the device's pixel ratio; places the texts.
function layout() {
	cw = Math.max(200, document.documentElement.clientWidth);
	// device pixels per CSS px, within what a canvas can hold (tall graphs of deep stacks)
	ratio = window.devicePixelRatio || 1;
	dprY = Math.min(ratio, 16000 / G.imageHeight);
	dpr = Math.min(ratio, 6e7 / (cw * G.imageHeight * dprY));
	canvas.style.width = cw + "px";
	canvas.style.height = G.imageHeight + "px";
	canvas.width = Math.round(cw * dpr);
	canvas.height = Math.round(G.imageHeight * dprY);
	buffers();
	var fs = G.fontSize, top = function (baseline, size) { return baseline - size * 0.92 + "px"; };
	var bottom = G.imageHeight - G.ypad2 / 2;
	place(el.title, cw / 2, top(fs * 2, fs + 5), fs + 5);
	if (el.subtitle) place(el.subtitle, cw / 2, top(fs * 4, fs), fs);
	place(el.unzoom, XPAD, top(fs * 2, fs), fs);
	place(el.search, cw - 110, top(fs * 2, fs), fs);
	place(el.ignorecase, cw - 26, top(fs * 2, fs), fs);
	place(el.details, XPAD, top(bottom, fs), fs);
	place(el.matched, cw - 110, top(bottom, fs), fs);
}

function place(e, left, top, size) {
	e.style.left = left + "px";
	e.style.top = top;
	e.style.fontSize = size + "px";
	e.style.fontFamily = G.fontType;
}

// ---- pixels --------------------------------------------------------------------------------
// Frames are painted into a pixel buffer (one fill per scanline of a frame, one pixel column
// for a frame narrower than a pixel), then put on the canvas at once; labels are drawn on top.

var LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
var image = null, pixels = null, bgRows = null, fillColor = null, HIGHLIGHT_PX = 0;

function pack(r, g, b) {
	return (LITTLE ? (255 << 24 | b << 16 | g << 8 | r) : (r << 24 | g << 16 | b << 8 | 255)) >>> 0;
}
function channels(c) {
	return LITTLE ? [c & 255, c >>> 8 & 255, c >>> 16 & 255] : [c >>> 24, c >>> 16 & 255, c >>> 8 & 255];
}

// A CSS colour as a packed pixel: rgb(r,g,b) directly, anything else through a 1 px canvas.
var probe = null;
function parseColor(text) {
	var m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(text);
	if (m) return pack(Math.min(255, +m[1]), Math.min(255, +m[2]), Math.min(255, +m[3]));
	if (!probe) probe = document.createElement("canvas").getContext("2d");
	probe.clearRect(0, 0, 1, 1);
	probe.fillStyle = "#000";
	probe.fillStyle = text;
	probe.fillRect(0, 0, 1, 1);
	var d = probe.getImageData(0, 0, 1, 1).data;
	return pack(d[0], d[1], d[2]);
}

function mix(a, b, t) {
	var x = channels(a), y = channels(b);
	return pack(Math.round(x[0] + (y[0] - x[0]) * t), Math.round(x[1] + (y[1] - x[1]) * t),
		Math.round(x[2] + (y[2] - x[2]) * t));
}

// The buffer and the background gradient (stops at 5 % and 95 % of the height) per scanline.
function buffers() {
	image = ctx.createImageData(canvas.width, canvas.height);
	pixels = new Uint32Array(image.data.buffer);
	bgRows = new Uint32Array(canvas.height);
	var c1 = parseColor(G.background1), c2 = parseColor(G.background2);
	for (var y = 0; y < canvas.height; y++) {
		var t = ((y + 0.5) / canvas.height - 0.05) / 0.9;
		bgRows[y] = mix(c1, c2, Math.max(0, Math.min(1, t)));
	}
	if (!fillColor) {
		fillColor = new Uint32Array(fills.length);
		for (var i = 0; i < fills.length; i++) fillColor[i] = parseColor(fills[i]);
		HIGHLIGHT_PX = parseColor(HIGHLIGHT);
	}
}

// Paints device pixels [x0, x1) x [y0, y1); half: at half opacity over the background.
function paint(x0, x1, y0, y1, color, half) {
	var width = canvas.width, px = pixels;
	if (x0 < 0) x0 = 0;
	if (x1 > width) x1 = width;
	if (x1 <= x0) return;
	for (var y = y0; y < y1; y++) {
		var c = half ? mix(bgRows[y], color, 0.5) : color, at = y * width;
		if (x1 - x0 === 1) px[at + x0] = c; else px.fill(c, at + x0, at + x1);
	}
}

// Draws every shown frame.
function draw() {
	var k = dpr, ky = dprY, width = canvas.width, v = span(), labels = [], h = G.frameHeight - 1;
	var minRoom = 2 * G.fontSize * G.fontWidth;
	for (var y = 0; y < canvas.height; y++) pixels.fill(bgRows[y], y * width, y * width + width);
	for (var d = 0; d < rows; d++) {
		var top = rowTop(d), y0 = Math.round(top * ky), y1 = Math.round((top + h) * ky);
		if (zoomed >= 0 && d < v.depth) {
			var a = ancestors[d], right = Math.round((cw - XPAD) * k);
			paint(Math.round(XPAD * k), right - (right > 4 ? 1 : 0), y0, y1,
				isHit(a) ? HIGHLIGHT_PX : fillColor[F[a]], true);
			if (cw - 2 * XPAD - 3 >= minRoom) labels.push(a, XPAD, top, cw - 2 * XPAD, 0.5);
			continue;
		}
		var range = visibleRange(d), painted = -1;
		for (var f = range[0]; f < range[1]; f++) {
			var s = T[S[f]], x = XPAD + (s - v.s) * v.scale, w = (end(f) - s) * v.scale;
			if (!(w > 0)) continue;
			var x0 = Math.round(x * k), x1 = Math.round((x + w) * k);
			if (x1 - x0 < 1) {
				if (x0 <= painted) continue;
				x1 = x0 + 1;
			} else if (x1 - x0 >= 4) {
				x1 -= 1; // a device pixel of background between wide frames
			}
			paint(x0, x1, y0, y1, isHit(f) ? HIGHLIGHT_PX : fillColor[F[f]], false);
			painted = x1 - 1;
			if (w - 3 >= minRoom) labels.push(f, x, top, w, 1);
		}
	}
	ctx.putImageData(image, 0, 0);
	ctx.setTransform(k, 0, 0, ky, 0, 0);
	var font0 = G.fontSize + "px " + G.fontType;
	if (font0 !== font) { font = font0; nameWidth.fill(-1); charWidth = new Map(); }
	ctx.font = font;
	ctx.fillStyle = "rgb(0,0,0)";
	for (var i = 0; i < labels.length; i += 5) {
		var text = fit(labels[i], labels[i + 3] - 3);
		if (!text) continue;
		ctx.globalAlpha = labels[i + 4];
		ctx.fillText(text, labels[i + 1] + 3, 3 + labels[i + 2] + (G.frameHeight - 1) / 2);
	}
	ctx.globalAlpha = 1;
	window.flamegraph.drawn++;
}

var charWidth = new Map();
function measure(text) { return ctx.measureText(text).width; }
function charW(c) {
	var w = charWidth.get(c);
	if (w === undefined) { w = measure(c); charWidth.set(c, w); }
	return w;
}

// The label that fits in room px: the whole name, or the longest prefix followed by ".."
// (prefix widths from per-character widths).
function fit(f, room) {
	var nm = N[f], name = D[f] === 0 ? "all" : plain[nm];
	if ((D[f] === 0 && zoomed < 0) || !name) return "";
	var w = D[f] === 0 ? measure(name) : nameWidth[nm];
	if (w < 0) w = nameWidth[nm] = measure(name);
	if (w <= room) return name;
	var limit = room - charW("..") - 0.5, sum = 0, k = 0;
	for (var i = 0; i < name.length; i++) {
		var c = name.charCodeAt(i), wide = c >= 0xd800 && c < 0xdc00 ? 2 : 1;
		sum += charW(name.substr(i, wide));
		if (sum > limit) break;
		i += wide - 1;
		k = i + 1;
	}
	return k > 0 ? name.slice(0, k) + ".." : "";
}

// ---- pointer -------------------------------------------------------------------------------

// The shown frame under canvas position (x, y) in CSS px, or -1.
function frameAt(x, y) {
	var fh = G.frameHeight, d = G.inverted ? Math.floor((y - G.ypad1) / fh)
		: Math.floor((G.imageHeight - G.ypad2 - y) / fh);
	if (!(d >= 0 && d < rows) || y < rowTop(d) || y > rowBottom(d)) return -1;
	if (x < XPAD || x > cw - XPAD) return -1;
	var v = span();
	if (zoomed >= 0 && d < v.depth) return ancestors[d];
	var t = v.s + (x - XPAD) / v.scale, range = visibleRange(d), lo = range[0], hi = range[1];
	while (lo < hi) {
		var mid = (lo + hi) >>> 1;
		if (T[S[mid]] <= t) lo = mid + 1; else hi = mid;
	}
	var f = lo - 1;
	return f >= range[0] && t <= end(f) ? f : -1;
}

// Frame f's drawn rectangle [x, y, width] in CSS px.
function drawnRect(f) {
	var v = span();
	if (zoomed >= 0 && D[f] < v.depth) return [XPAD, rowTop(D[f]), cw - 2 * XPAD];
	return [XPAD + (start(f) - v.s) * v.scale, rowTop(D[f]), (end(f) - start(f)) * v.scale];
}

function onMove(e) {
	var box = canvas.getBoundingClientRect(), f = frameAt(e.clientX - box.left, e.clientY - box.top);
	if (f !== hovered) {
		hovered = f;
		if (f < 0) {
			el.details.textContent = " ";
			el.outline.style.display = el.tooltip.style.display = "none";
		} else {
			var info = title(f), r = drawnRect(f);
			el.details.textContent = G.nameType + " " + info;
			el.tooltip.textContent = info;
			var o = el.outline.style;
			o.left = r[0] + "px"; o.top = r[1] + "px";
			o.width = Math.max(1, r[2]) + "px"; o.height = G.frameHeight - 1 + "px";
			o.display = "block";
			el.tooltip.style.display = "block";
		}
	}
	if (f >= 0) {
		var tip = el.tooltip, left = e.clientX + 12, top = e.clientY + 16;
		if (left + tip.offsetWidth > window.innerWidth) left = Math.max(0, e.clientX - tip.offsetWidth - 4);
		if (top + tip.offsetHeight > window.innerHeight) top = Math.max(0, e.clientY - tip.offsetHeight - 8);
		tip.style.left = left + "px";
		tip.style.top = top + "px";
	}
}

function onLeave() {
	hovered = -1;
	el.details.textContent = " ";
	el.outline.style.display = el.tooltip.style.display = "none";
}

function onClick(e) {
	var box = canvas.getBoundingClientRect(), f = frameAt(e.clientX - box.left, e.clientY - box.top);
	if (f < 0) return;
	var link = links[N[f]];
	if (link && !(e.ctrlKey || e.metaKey)) {
		var a = document.createElement("a");
		a.href = link[0]; a.target = link[1];
		document.body.appendChild(a); a.click(); a.remove();
		return;
	}
	zoom(f);
	hovered = -1;
	onMove(e);
}

// ---- zoom ----------------------------------------------------------------------------------

function zoom(f) {
	if (D[f] === 0) { unzoom(); return; }
	if (!(end(f) > start(f))) return;
	zoomed = f;
	ancestors = [];
	for (var a = f; a >= 0; a = P[a]) ancestors[D[a]] = a;
	el.unzoom.classList.remove("hide");
	setQuery({ x: fixed(XPAD + start(f) * wpt, 1), y: g15(rowTop(D[f])) });
	refresh();
}

function unzoom() {
	zoomed = -1;
	ancestors = [];
	el.unzoom.classList.add("hide");
	setQuery({ x: null, y: null });
	refresh();
}

// Re-applies the search (the shown frames changed) and redraws.
function refresh() {
	if (term !== null) applySearch(); else draw();
}

// ---- search --------------------------------------------------------------------------------

function searchPrompt() {
	if (active) { resetSearch(); return; }
	var answer = prompt(PROMPT + (icase ? ", ignoring case" : "") + PROMPT_END, "");
	if (answer) search(answer);
}

function search(text) {
	term = text;
	applySearch();
}

function matcher() {
	try {
		var re = new RegExp(term, icase ? "i" : "");
		return function (s) { return re.test(s); };
	} catch (err) {
		var lower = term.toLowerCase();
		return icase ? function (s) { return s.toLowerCase().indexOf(lower) >= 0; }
			: function (s) { return s.indexOf(term) >= 0; };
	}
}

// Highlights the shown frames whose name matches and prints the share of the shown width
// they cover (nested matches count once).
function applySearch() {
	var test = matcher();
	nameHit = new Uint8Array(names.length);
	for (var i = 0; i < names.length; i++) nameHit[i] = test(plain[i]) ? 1 : 0;
	rootHit = test("all");
	active = true;
	var v = span(), first = zoomed < 0 ? 0 : v.depth, any = false, covered = 0;
	for (var d = 0; d < first; d++) if (isHit(ancestors[d])) { any = true; covered = v.e - v.s; }
	if (!any) {
		var inside = new Uint8Array(n);
		for (d = first; d < rows; d++) {
			var range = visibleRange(d);
			for (var f = range[0]; f < range[1]; f++) {
				var hit = d === 0 ? rootHit : nameHit[N[f]] === 1, under = d > first && inside[P[f]] === 1;
				if (hit) {
					any = true;
					if (!under) covered += end(f) - start(f);
				}
				if (hit || under) inside[f] = 1;
			}
		}
	}
	active = any;
	if (any) {
		var pct = 100 * covered / (v.e - v.s);
		el.matched.textContent = "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%";
		el.search.textContent = "Reset Search";
		el.search.classList.add("show");
		setQuery({ s: encodeURIComponent(term) });
	} else {
		showNoSearch();
	}
	draw();
}

function showNoSearch() {
	el.matched.textContent = " ";
	el.search.textContent = "Search";
	el.search.classList.remove("show");
	setQuery({ s: null });
}

function resetSearch() {
	term = null;
	active = false;
	showNoSearch();
	draw();
}

function toggleCase() {
	icase = !icase;
	el.ignorecase.classList.toggle("show", icase);
	if (term !== null) applySearch();
}

// ---- URL -----------------------------------------------------------------------------------

// Sets (or, for null, removes) query parameters in place, adding new ones at the end and
// keeping the others.
function setQuery(changes) {
	var parts = location.search.slice(1).split("&").filter(Boolean), out = [], done = {};
	parts.forEach(function (p) {
		var key = p.split("=")[0];
		if (!changes.hasOwnProperty(key)) out.push(p);
		else if (changes[key] !== null && !done[key]) { out.push(key + "=" + changes[key]); done[key] = true; }
	});
	for (var k in changes) if (changes[k] !== null && !done[k]) out.push(k + "=" + changes[k]);
	var base = location.href.split(/[?#]/)[0], query = out.length ? "?" + out.join("&") : "";
	if (query !== location.search) history.replaceState(history.state, "", base + query + location.hash);
}

function param(name) {
	var parts = location.search.slice(1).split("&");
	for (var i = 0; i < parts.length; i++) {
		var at = parts[i].indexOf("="), key = at < 0 ? parts[i] : parts[i].slice(0, at);
		if (key === name) {
			try { return decodeURIComponent(at < 0 ? "" : parts[i].slice(at + 1)); } catch (e) { return null; }
		}
	}
	return null;
}

// The frame whose SVG rect has exactly these x and y texts, or -1.
function frameAtText(x, y) {
	for (var d = 0; d < rows; d++) {
		if (g15(rowTop(d)) !== y) continue;
		var want = Number(x);
		for (var f = rowStart[d]; f < rowStart[d + 1]; f++) {
			var x1 = XPAD + start(f) * wpt;
			if (x1 > want + 0.06) break;
			if (fixed(x1, 1) === x) return f;
		}
	}
	return -1;
}

function restore() {
	var x = param("x"), y = param("y"), s = param("s");
	if (x !== null && y !== null) {
		var f = frameAtText(x, y);
		if (f > 0 && end(f) > start(f)) {
			zoomed = f;
			for (var a = f; a >= 0; a = P[a]) ancestors[D[a]] = a;
			el.unzoom.classList.remove("hide");
		}
	}
	if (s) search(s); else draw();
}

// ---- wiring --------------------------------------------------------------------------------

function onKey(e) {
	var ctrl = e.ctrlKey || e.metaKey, key = e.key;
	if (key === "F3" || (ctrl && (key === "f" || key === "F"))) {
		e.preventDefault();
		searchPrompt();
	} else if (ctrl && (key === "i" || key === "I")) {
		e.preventDefault();
		toggleCase();
	} else if (key === "Escape") {
		e.preventDefault();
		term = null;
		active = false;
		showNoSearch();
		unzoom();
	}
}

window.flamegraph = {
	drawn: 0,
	// Every frame as the SVG of the same command line draws it (unzoomed coordinates).
	frames: function () {
		var out = new Array(n);
		for (var f = 0; f < n; f++) out[f] = svgFrame(f);
		return out;
	},
	// Zooms to frame i of frames() as a click would; returns once the canvas is drawn.
	zoom: function (i) { if (i >= 0 && i < n) zoom(i); },
	// Searches for term (a regular expression's text, or a RegExp) as the prompt would; an
	// empty term resets the search. Returns once the canvas is drawn.
	search: function (re) {
		var text = re instanceof RegExp ? re.source : re === null || re === undefined ? "" : String(re);
		if (text) search(text); else resetSearch();
	},
	resetZoom: function () { unzoom(); }
};

decode();
canvas.addEventListener("mousemove", onMove);
canvas.addEventListener("mouseleave", onLeave);
canvas.addEventListener("click", onClick);
el.unzoom.addEventListener("click", unzoom);
el.search.addEventListener("click", searchPrompt);
el.ignorecase.addEventListener("click", toggleCase);
window.addEventListener("keydown", onKey);
var pending = false;
function later() {
	if (pending) return;
	pending = true;
	requestAnimationFrame(function () {
		pending = false;
		resize();
		watchDensity();
		setTimeout(settled, 250);
	});
}
// Once more if the size or the ratio changed again right after the event.
function settled() {
	var w = Math.max(200, document.documentElement.clientWidth);
	if ((window.devicePixelRatio || 1) !== ratio || w !== cw) later();
}
// A change of the device pixel ratio alone (another screen, browser zoom) redraws too.
var density = null;
function watchDensity() {
	if (density) density.removeEventListener("change", later);
	density = window.matchMedia("(resolution: " + (window.devicePixelRatio || 1) + "dppx)");
	density.addEventListener("change", later);
}
window.addEventListener("resize", later);
watchDensity();
layout();
restore();
window.flamegraph.ready = performance.now();
})();
