// flamepipe flame graph interaction (spec section 9): hover details, click to zoom, Reset Zoom,
// search by regular expression with "Matched: P%", ignore case, zoom and search kept in the URL.
// The writer's prelude defines nametype, fontsize, fontwidth, xpad and inverted; everything else
// is read from the DOM once, in init(): frames are the children of #frames, with <title>, <rect>
// and <text>. Geometry is kept in typed arrays so a zoom never reads layout back from the page.

var fg = null;

function init(evt) {
	var frames = document.getElementById("frames");
	if (fg || !frames) return;
	fg = fgCollect(frames);
	frames.addEventListener("mouseover", fgHover);
	frames.addEventListener("mouseout", fgLeave);
	fg.svg.addEventListener("click", fgClick);
	window.addEventListener("keydown", fgKey);
	fgRestoreState();
}

// Reads every frame's geometry once. Names, fills, labels and label positions are read on first
// use (fgName, fgOriginal), so opening a large graph costs little more than parsing it.
function fgCollect(frames) {
	var svg = frames.ownerSVGElement, vb = svg.viewBox && svg.viewBox.baseVal;
	var width = vb && vb.width ? vb.width : parseFloat(svg.getAttribute("width"));
	var s = {
		svg: svg, root: frames, full: width - 2 * xpad, rooty: NaN, n: 0,
		el: [], rect: [], text: [], info: [], xs: [], ys: [], ws: [], marked: [], dots: -1,
		details: document.getElementById("details"), unzoom: document.getElementById("unzoom"),
		search: document.getElementById("search"), ic: document.getElementById("ignorecase"),
		matched: document.getElementById("matched"),
		term: null, active: false, icase: false
	};
	for (var el = frames.firstElementChild; el; el = el.nextElementSibling) {
		var rect = null, text = null, info = null;
		for (var c = el.firstElementChild; c; c = c.nextElementSibling) {
			var tag = c.localName;
			if (tag === "rect") rect = rect || c;
			else if (tag === "text") text = text || c;
			else if (tag === "title") info = info || c;
		}
		if (!rect) continue;
		el.fgIndex = s.n++;
		s.el.push(el); s.rect.push(rect); s.text.push(text); s.info.push(info);
		s.xs.push(rect.getAttribute("x")); s.ys.push(rect.getAttribute("y"));
		s.ws.push(rect.getAttribute("width"));
	}
	var n = s.n;
	s.name = fgSlots(n); s.fill = fgSlots(n); s.label = fgSlots(n); s.cur = fgSlots(n);
	s.tx = fgSlots(n);
	s.x = new Float64Array(n); s.y = new Float64Array(n); s.w = new Float64Array(n);
	s.cx = new Float64Array(n); s.cw = new Float64Array(n);
	s.state = new Uint8Array(n); // 0 shown, 1 parent, 2 hidden
	s.moved = new Uint8Array(n); // geometry or label differ from the original
	s.tw = new Float64Array(n).fill(-1); // measured width of the full name, -1 unknown
	for (var j = 0; j < n; j++) {
		var y = parseFloat(s.ys[j]);
		s.x[j] = s.cx[j] = parseFloat(s.xs[j]);
		s.w[j] = s.cw[j] = parseFloat(s.ws[j]);
		s.y[j] = y;
		if (isNaN(s.rooty) || (inverted ? y < s.rooty : y > s.rooty)) s.rooty = y;
	}
	return s;
}

// n empty (undefined) slots, in a dense array.
function fgSlots(n) {
	return new Array(n).fill(undefined);
}

// The title text of frame j.
function fgInfo(j) {
	return fg.info[j] ? fg.info[j].textContent : "";
}

// The name of frame j (cached).
function fgName(j) {
	var name = fg.name[j];
	if (name === undefined) name = fg.name[j] = fgFrameName(fgInfo(j));
	return name;
}

// Remembers frame j's original fill, label and label x before the script first changes them.
function fgOriginal(j) {
	var s = fg;
	if (s.fill[j] !== undefined) return;
	s.fill[j] = s.rect[j].getAttribute("fill");
	s.label[j] = s.cur[j] = s.text[j] ? s.text[j].textContent : "";
	s.tx[j] = s.text[j] ? s.text[j].getAttribute("x") : null;
}

// The frame name is the title text without its trailing " (...)" statistics.
function fgFrameName(info) {
	var cut = info.charAt(info.length - 1) === ")" ? info.lastIndexOf(" (") : -1;
	return cut < 0 ? info : info.slice(0, cut);
}

// Index of the frame holding a node, or -1.
function fgFrameOf(node) {
	while (node && node.parentNode !== fg.root) node = node.parentNode;
	return node && node.fgIndex !== undefined ? node.fgIndex : -1;
}

function fgSetText(el, text) {
	if (el) el.textContent = text;
}

function fgHover(e) {
	var i = fgFrameOf(e.target);
	if (i >= 0) fgSetText(fg.details, nametype + " " + fgInfo(i));
}

function fgLeave(e) {
	var i = fgFrameOf(e.target);
	if (i >= 0 && fgFrameOf(e.relatedTarget) !== i) fgSetText(fg.details, " ");
}

function fgClick(e) {
	var i = fgFrameOf(e.target);
	if (i >= 0) {
		if (fg.el[i].localName === "a") {
			if (!e.ctrlKey && !e.metaKey) return; // a plain click follows the link
			e.preventDefault();
		}
		fgZoom(i);
		return;
	}
	var id = e.target && e.target.id;
	if (id === "unzoom") fgResetZoom();
	else if (id === "search") fgSearchKey();
	else if (id === "ignorecase") fgToggleCase();
}

function fgKey(e) {
	var k = e.key, code = e.keyCode, mod = e.ctrlKey || e.metaKey;
	if (k === "F3" || code === 114 || (mod && (k === "f" || k === "F" || code === 70))) {
		e.preventDefault();
		fgSearchKey();
	} else if (mod && (k === "i" || k === "I" || code === 73)) {
		e.preventDefault();
		fgToggleCase();
	}
}

// ---- zoom ----

function fgZoom(z) {
	var s = fg;
	if (!(s.w[z] > 0)) return;
	if (s.y[z] === s.rooty) return fgResetZoom();
	var xmin = s.x[z], xmax = xmin + s.w[z], yz = s.y[z], ratio = s.full / s.w[z];
	var shown = [];
	for (var j = 0; j < s.n; j++) {
		var x = s.x[j], y = s.y[j];
		if (inverted ? y < yz : y > yz) {
			if (x <= xmin && x + s.w[j] + 0.0001 >= xmax) {
				fgSetState(j, 1);
				fgPlace(j, xpad, s.full);
				shown.push(j);
			} else fgSetState(j, 2);
		} else if (xmin <= x && x + 0.0001 < xmax) {
			fgSetState(j, 0);
			fgPlace(j, xpad + (x - xmin) * ratio, j === z ? s.full : s.w[j] * ratio);
			shown.push(j);
		} else fgSetState(j, 2);
	}
	fgRefit(shown);
	if (s.unzoom) s.unzoom.classList.remove("hide");
	fgSetParams({ x: s.xs[z], y: s.ys[z] });
	fgReapplySearch();
}

function fgResetZoom() {
	var s = fg;
	for (var j = 0; j < s.n; j++) {
		fgSetState(j, 0);
		if (!s.moved[j]) continue;
		s.moved[j] = 0;
		s.cx[j] = s.x[j];
		s.cw[j] = s.w[j];
		s.rect[j].setAttribute("x", s.xs[j]);
		s.rect[j].setAttribute("width", s.ws[j]);
		if (s.text[j]) s.text[j].setAttribute("x", s.tx[j]);
		fgSetLabel(j, s.label[j]);
	}
	if (s.unzoom) s.unzoom.classList.add("hide");
	fgSetParams({ x: null, y: null });
	fgReapplySearch();
}

// state: 0 shown, 1 parent (stretched ancestor), 2 hidden.
function fgSetState(j, state) {
	var old = fg.state[j];
	if (old === state) return;
	var cl = fg.el[j].classList;
	if (old) cl.remove(old === 1 ? "parent" : "hide");
	if (state) cl.add(state === 1 ? "parent" : "hide");
	fg.state[j] = state;
}

function fgPlace(j, x, w) {
	var s = fg;
	if (s.cx[j] === x && s.cw[j] === w) return;
	fgOriginal(j);
	s.cx[j] = x;
	s.cw[j] = w;
	s.moved[j] = 1;
	s.rect[j].setAttribute("x", x);
	s.rect[j].setAttribute("width", w);
	if (s.text[j]) s.text[j].setAttribute("x", (x + 3).toFixed(2));
}

function fgSetLabel(j, label) {
	fgOriginal(j);
	if (fg.cur[j] === label || !fg.text[j]) return;
	fg.cur[j] = label;
	fg.moved[j] = 1;
	fg.text[j].textContent = label;
}

// Refits the labels of the given frames to their current widths. Writes and reads are batched
// (all writes, one layout, all measurements, all writes) so the page is laid out once.
function fgRefit(list) {
	var s = fg, min = 2 * fontsize * fontwidth, need = [], i, j;
	for (i = 0; i < list.length; i++) {
		j = list[i];
		var room = s.cw[j] - 3;
		if (!s.text[j] || room < min) fgSetLabel(j, "");
		else if (s.tw[j] >= 0 && s.tw[j] <= room) fgSetLabel(j, fgName(j));
		else need.push(j);
	}
	if (!need.length) return;
	for (i = 0; i < need.length; i++) fgSetLabel(need[i], fgName(need[i]));
	var probe = s.dots < 0 ? fgDotsProbe() : null;
	if (probe) s.dots = fgTextWidth(probe, 2);
	var out = [];
	for (i = 0; i < need.length; i++) {
		j = need[i];
		var t = s.text[j], room2 = s.cw[j] - 3;
		if (s.tw[j] < 0) s.tw[j] = fgFullWidth(t);
		out.push(s.tw[j] <= room2 ? fgName(j) : fgTruncate(t, fgName(j), room2 - s.dots));
	}
	if (probe) probe.parentNode.removeChild(probe);
	for (i = 0; i < need.length; i++) fgSetLabel(need[i], out[i]);
}

// A throw-away <text>..</text> styled like the labels, to measure the ".." suffix.
function fgDotsProbe() {
	var t = document.createElementNS("http://www.w3.org/2000/svg", "text");
	t.textContent = "..";
	fg.root.appendChild(t);
	return t;
}

function fgFullWidth(t) {
	try {
		return t.getComputedTextLength();
	} catch (err) {
		return t.textContent.length * fontsize * fontwidth;
	}
}

function fgTextWidth(t, chars) {
	try {
		return chars > 0 ? t.getSubStringLength(0, chars) : 0;
	} catch (err) {
		return chars * fontsize * fontwidth;
	}
}

// Longest prefix (at least one character) whose width fits in room, followed by "..", else "".
function fgTruncate(t, name, room) {
	var count, lo = 0, hi;
	try {
		count = t.getNumberOfChars();
	} catch (err) {
		count = name.length;
	}
	hi = Math.min(count, name.length) - 1;
	while (lo < hi) {
		var mid = (lo + hi + 1) >> 1;
		if (fgTextWidth(t, mid) <= room) lo = mid;
		else hi = mid - 1;
	}
	var code = name.charCodeAt(lo - 1);
	if (lo > 0 && code >= 0xd800 && code < 0xdc00) lo--; // never split a surrogate pair
	return lo > 0 ? name.slice(0, lo) + ".." : "";
}

// ---- search ----

function fgSearchKey() {
	if (fg.active) return fgResetSearch();
	var msg = "Enter a search term (regexp allowed, eg: ^ext4_)" +
		(fg.icase ? ", ignoring case" : "") + "\nPress Ctrl-i to toggle case sensitivity";
	var term = prompt(msg, "");
	if (term) fgSearch(term);
}

function fgRegExp(term, icase) {
	var flags = icase ? "i" : "";
	try {
		return new RegExp(term, flags);
	} catch (err) {
		return new RegExp(term.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&"), flags);
	}
}

function fgSearch(term) {
	var s = fg, re = fgRegExp(term, s.icase), hits = [];
	fgClearMarks();
	s.term = term;
	for (var j = 0; j < s.n; j++) {
		if (s.state[j] === 2 || !re.test(fgName(j))) continue;
		fgOriginal(j);
		hits.push(j);
		s.rect[j].setAttribute("fill", "rgb(230,0,230)");
	}
	s.marked = hits;
	s.active = hits.length > 0;
	if (!s.active) {
		fgSearchIdle();
		return;
	}
	if (s.search) {
		s.search.textContent = "Reset Search";
		s.search.classList.add("show");
	}
	var pct = fgMatchedPercent(hits);
	fgSetText(s.matched, "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%");
	fgSetParams({ s: term });
}

// Share of the widest displayed frame covered by the matches, nested matches counted once.
function fgMatchedPercent(hits) {
	var s = fg, widest = 0, byX = new Map(), j, x;
	for (j = 0; j < s.n; j++) if (s.state[j] !== 2 && s.cw[j] > widest) widest = s.cw[j];
	for (var i = 0; i < hits.length; i++) {
		j = hits[i];
		if (!(byX.get(s.cx[j]) >= s.cw[j])) byX.set(s.cx[j], s.cw[j]);
	}
	var xs = Array.from(byX.keys()).sort(function (a, b) { return a - b; });
	var sum = 0, end = -Infinity;
	for (var k = 0; k < xs.length; k++) {
		x = xs[k];
		if (x < end - 0.0001) continue;
		sum += byX.get(x);
		end = x + byX.get(x);
	}
	return widest > 0 ? 100 * sum / widest : 0;
}

function fgClearMarks() {
	var s = fg;
	for (var i = 0; i < s.marked.length; i++) {
		var j = s.marked[i];
		s.rect[j].setAttribute("fill", s.fill[j]);
	}
	s.marked = [];
}

function fgSearchIdle() {
	var s = fg;
	s.active = false;
	if (s.search) {
		s.search.textContent = "Search";
		s.search.classList.remove("show");
	}
	fgSetText(s.matched, "");
	fgSetParams({ s: null });
}

function fgResetSearch() {
	fgClearMarks();
	fg.term = null;
	fgSearchIdle();
}

function fgReapplySearch() {
	if (fg.term !== null) fgSearch(fg.term);
}

function fgToggleCase() {
	var s = fg;
	s.icase = !s.icase;
	if (s.ic) s.ic.classList.toggle("show", s.icase);
	fgReapplySearch();
}

// ---- URL state: ?x=..&y=.. (zoom) and s=.. (search), other parameters kept ----

function fgDecode(text) {
	try {
		return decodeURIComponent(text);
	} catch (err) {
		return text;
	}
}

// The query as [raw pair, decoded key, decoded value] triples, in order.
function fgParams() {
	var q = location.search.slice(1), out = [];
	if (!q) return out;
	var parts = q.split("&");
	for (var i = 0; i < parts.length; i++) {
		if (!parts[i]) continue;
		var eq = parts[i].indexOf("="), key = eq < 0 ? parts[i] : parts[i].slice(0, eq);
		out.push([parts[i], fgDecode(key), eq < 0 ? "" : fgDecode(parts[i].slice(eq + 1))]);
	}
	return out;
}

function fgGetParam(params, key) {
	for (var i = 0; i < params.length; i++) if (params[i][1] === key) return params[i][2];
	return null;
}

// Sets (string) or removes (null) the given parameters and replaces the current history entry.
function fgSetParams(changes) {
	var params = fgParams(), out = [], key, i;
	for (i = 0; i < params.length; i++) {
		key = params[i][1];
		if (!Object.prototype.hasOwnProperty.call(changes, key)) out.push(params[i][0]);
		else if (changes[key] !== null) {
			out.push(encodeURIComponent(key) + "=" + encodeURIComponent(changes[key]));
			changes[key] = null;
		}
	}
	for (key in changes) {
		if (changes[key] !== null) out.push(encodeURIComponent(key) + "=" + encodeURIComponent(changes[key]));
	}
	var base = location.href.split(/[?#]/)[0], query = out.length ? "?" + out.join("&") : "";
	try {
		history.replaceState(history.state, "", base + query + location.hash);
	} catch (err) {
		// Some viewers (file URLs in older browsers) refuse; the state is simply not kept.
	}
}

function fgRestoreState() {
	var s = fg, params = fgParams(), x = fgGetParam(params, "x"), y = fgGetParam(params, "y");
	if (x !== null && y !== null) {
		for (var j = 0; j < s.n; j++) {
			if (s.xs[j] === x && s.ys[j] === y) {
				fgZoom(j);
				break;
			}
		}
	}
	var term = fgGetParam(params, "s");
	if (term) fgSearch(term);
}
