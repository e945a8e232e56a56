// flamepipe flame graph interaction (spec section 9): hover details, click to zoom, Reset Zoom,
// search by regular expression with "Matched: P%", ignore case, zoom and search kept in the URL.
// The writer's prelude defines nametype, fontsize, fontwidth, xpad and inverted; everything else
// is read from the DOM: frames are the children of #frames, with <title>, <rect> and <text>.
// Their geometry is read once, when the page is idle after loading (or at the first click), and
// kept in typed arrays, so a zoom never reads layout back from the page.

var fg = null, fgFrames = null, fgDetails = null;

function init(evt) {
	var frames = document.getElementById("frames");
	if (fgFrames || !frames) return;
	fgFrames = frames;
	fgDetails = document.getElementById("details");
	frames.addEventListener("mouseover", fgHover);
	frames.addEventListener("mouseout", fgLeave);
	frames.ownerSVGElement.addEventListener("click", fgClick);
	window.addEventListener("keydown", fgKey);
	var params = fgParams();
	if (fgGetParam(params, "x") !== null || fgGetParam(params, "s") !== null) fgRestoreState(params);
	else if (window.requestIdleCallback) window.requestIdleCallback(fgState);
	else setTimeout(fgState, 0);
}

// The frame state, read from the DOM on first use.
function fgState() {
	if (!fg) fg = fgCollect(fgFrames);
	return fg;
}

// Reads every frame's geometry. Names, fills, labels and label positions are read on first use
// (fgName, fgOriginal, fgText), so only the <g> and <rect> of each frame are touched here.
function fgCollect(frames) {
	var svg = frames.ownerSVGElement, vb = svg.viewBox && svg.viewBox.baseVal;
	var width = vb && vb.width ? vb.width : parseFloat(svg.getAttribute("width"));
	var s = {
		root: frames, full: width - 2 * xpad, rooty: NaN, n: 0,
		el: [], rect: [], xs: [], ys: [], ws: [], marked: [], dots: -1,
		unzoom: document.getElementById("unzoom"),
		search: document.getElementById("search"), ic: document.getElementById("ignorecase"),
		matched: document.getElementById("matched"),
		term: null, active: false, icase: false
	};
	var rects = frames.getElementsByTagName("rect"), count = rects.length, last = null;
	for (var i = 0; i < count; i++) {
		var rect = rects[i], el = rect.parentNode;
		if (el.parentNode !== frames || el === last) continue; // a frame's first <rect> only
		last = el;
		el.fgIndex = s.n++;
		s.el.push(el); s.rect.push(rect);
		s.xs.push(rect.getAttribute("x")); s.ys.push(rect.getAttribute("y"));
		s.ws.push(rect.getAttribute("width"));
	}
	var n = s.n;
	s.name = fgSlots(n); s.fill = fgSlots(n); s.label = fgSlots(n); s.cur = fgSlots(n);
	s.tx = fgSlots(n); s.text = fgSlots(n);
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

// The first child element of el named tag, or null.
function fgChild(el, tag) {
	for (var c = el.firstElementChild; c; c = c.nextElementSibling) if (c.localName === tag) return c;
	return null;
}

// The title text of a frame element.
function fgInfo(el) {
	var title = fgChild(el, "title");
	return title ? title.textContent : "";
}

// The <text> (label) of frame j, or null.
function fgText(j) {
	var text = fg.text[j];
	if (text === undefined) text = fg.text[j] = fgChild(fg.el[j], "text");
	return text;
}

// The name of frame j (cached).
function fgName(j) {
	var name = fg.name[j];
	if (name === undefined) name = fg.name[j] = fgFrameName(fgInfo(fg.el[j]));
	return name;
}

// Remembers frame j's original fill, label and label x before the script first changes them.
function fgOriginal(j) {
	var s = fg;
	if (s.fill[j] !== undefined) return;
	var text = fgText(j);
	s.fill[j] = s.rect[j].getAttribute("fill");
	s.label[j] = s.cur[j] = text ? text.textContent : "";
	s.tx[j] = text ? text.getAttribute("x") : null;
}

// The frame name is the title text without its trailing " (...)" statistics.
function fgFrameName(info) {
	var cut = info.charAt(info.length - 1) === ")" ? info.lastIndexOf(" (") : -1;
	return cut < 0 ? info : info.slice(0, cut);
}

// The frame element (child of #frames) holding a node, or null.
function fgFrameOf(node) {
	while (node && node.parentNode !== fgFrames) node = node.parentNode;
	return node || null;
}

function fgSetText(el, text) {
	if (el) el.textContent = text;
}

function fgHover(e) {
	var el = fgFrameOf(e.target);
	if (el) fgSetText(fgDetails, nametype + " " + fgInfo(el));
}

function fgLeave(e) {
	var el = fgFrameOf(e.target);
	if (el && fgFrameOf(e.relatedTarget) !== el) fgSetText(fgDetails, " ");
}

function fgClick(e) {
	var el = fgFrameOf(e.target);
	if (el) {
		if (el.localName === "a") {
			if (!e.ctrlKey && !e.metaKey) return; // a plain click follows the link
			e.preventDefault();
		}
		fgState();
		if (el.fgIndex !== undefined) fgZoom(el.fgIndex);
		return;
	}
	var id = e.target && e.target.id;
	if (id !== "unzoom" && id !== "search" && id !== "ignorecase") return;
	fgState();
	if (id === "unzoom") fgResetZoom();
	else if (id === "search") fgSearchKey();
	else fgToggleCase();
}

function fgKey(e) {
	var k = e.key, code = e.keyCode, mod = e.ctrlKey || e.metaKey;
	if (k === "F3" || code === 114 || (mod && (k === "f" || k === "F" || code === 70))) {
		e.preventDefault();
		fgState();
		fgSearchKey();
	} else if (mod && (k === "i" || k === "I" || code === 73)) {
		e.preventDefault();
		fgState();
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
		s.cx[j] = s.x[j];
		s.cw[j] = s.w[j];
		s.rect[j].setAttribute("x", s.xs[j]);
		s.rect[j].setAttribute("width", s.ws[j]);
		if (fgText(j)) fgText(j).setAttribute("x", s.tx[j]);
		fgSetLabel(j, s.label[j]);
		s.moved[j] = 0;
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
	if (fgText(j)) fgText(j).setAttribute("x", (x + 3).toFixed(2));
}

function fgSetLabel(j, label) {
	fgOriginal(j);
	if (fg.cur[j] === label || !fgText(j)) return;
	fg.cur[j] = label;
	fg.moved[j] = 1;
	fgText(j).textContent = label;
}

// Refits the labels of the given frames to their current widths. Writes and reads are batched
// (all writes, one layout, all measurements, all writes) so the page is laid out once.
function fgRefit(list) {
	var s = fg, min = 2 * fontsize * fontwidth, need = [], i, j;
	for (i = 0; i < list.length; i++) {
		j = list[i];
		var room = s.cw[j] - 3;
		if (!fgText(j) || room < min) fgSetLabel(j, "");
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
		var t = fgText(j), room2 = s.cw[j] - 3;
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

function fgRestoreState(params) {
	var s = fgState(), x = fgGetParam(params, "x"), y = fgGetParam(params, "y");
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
