// The WebRL / WebAgent-R1 observation ("webrl" format): numbers elements the way the page
// scripts of VisualAgentBench's WebArena-Lite harness do, and serializes the page as that
// harness's parser reads it.
//
// Evaluated once per env step by webarena_gym.observation.observe_page as
// page.evaluate(<this function>, {attribute}). It does not change the page beyond the label
// attribute: the per-element data the harness writes into the live DOM (data-bbox, data-text,
// data-value, data-status) is written into a detached copy of the document instead, whose
// HTML is returned for webarena_gym.observation.webrl to parse.
//
// Which elements get a number:
//   clickable: onclick set, or computed cursor "pointer", or an img with a usable usemap, or
//     role button/tab/link/checkbox/menuitem/menuitemcheckbox/menuitemradio/radio, or
//     contenteditable ""/"true", or a jsaction click rule, or tag
//     input/textarea/select/button/a/iframe/video/object/embed/details, or a label whose
//     control is enabled, or an img with inline cursor zoom-in/zoom-out, or a class
//     attribute containing "button", or tabindex >= 0;
//   unoccluded and in the viewport: the sum, over the element's client rects whose centre
//     hit-tests (elementFromPoint) to the element or a descendant, of the rect's area clipped
//     to the viewport is at least 1 square pixel;
//   innermost: an element that contains another such element is not numbered (the
//     descendant is);
//   numbered from 0 in document order, when its first client rect clipped to the viewport
//     still has a positive width or height.
// Returns {html, tags, rawChars, window}: the copy's outerHTML, the tag of each number in
// order, the length of the page's own HTML, and [scrollX, scrollY, innerWidth, innerHeight].
(options) => {
  const ATTR = options.attribute;

  // -- forget the previous step's labels ------------------------------------------------
  const previous = window.__wagLabelled;
  if (Array.isArray(previous)) {
    for (const el of previous) el.removeAttribute(ATTR);
  }
  for (const el of document.querySelectorAll('[' + ATTR + ']')) el.removeAttribute(ATTR);
  window.__wagLabelled = [];

  const win = [window.scrollX, window.scrollY, window.innerWidth, window.innerHeight];
  const root = document.documentElement;
  if (!root) return { html: '', tags: [], rawChars: 0, window: win };
  const doctype = document.doctype ? ('<!DOCTYPE ' + document.doctype.name + '>').length : 0;
  const rawChars = root.outerHTML.length + doctype;

  const vw = Math.max(root.clientWidth || 0, window.innerWidth || 0);
  const vh = Math.max(root.clientHeight || 0, window.innerHeight || 0);
  const CLICKABLE_ROLES = new Set([
    'button', 'tab', 'link', 'checkbox', 'menuitem', 'menuitemcheckbox', 'menuitemradio',
    'radio',
  ]);
  const CLICKABLE_TAGS = new Set([
    'input', 'textarea', 'select', 'button', 'a', 'iframe', 'video', 'object', 'embed',
    'details',
  ]);
  const MULTI_WS = /\s{2,}/g;

  const hasJsactionClick = (el) => {
    for (const rule of el.getAttribute('jsaction').split(';')) {
      const parts = rule.trim().split(':');
      if (parts.length < 1 || parts.length > 2) continue;
      const event = parts.length === 1 ? 'click' : parts[0];
      const names = (parts.length === 1 ? parts[0] : parts[1]).trim().split('.');
      const namespace = names[0];
      const action = names.length > 1 ? names[1] : '_';
      if (event === 'click' && namespace !== 'none' && action !== '_') return true;
    }
    return false;
  };

  const isClickable = (el, tag) => {
    if (el.onclick != null || window.getComputedStyle(el).cursor === 'pointer') return true;
    if (tag === 'img') {
      let mapName = el.getAttribute('usemap');
      if (mapName && el.getClientRects().length > 0) {
        mapName = mapName.replace(/^#/, '').replace('"', '\\"');
        try {
          if (document.querySelector('map[name="' + mapName + '"]')) return true;
        } catch (e) {
          // a name that is no valid selector finds no map
        }
      }
    }
    const role = el.getAttribute('role');
    if (role != null && CLICKABLE_ROLES.has(role.toLowerCase())) return true;
    const editable = el.getAttribute('contentEditable');
    if (editable != null && ['', 'contenteditable', 'true'].includes(editable.toLowerCase())) {
      return true;
    }
    if (el.hasAttribute('jsaction') && hasJsactionClick(el)) return true;
    if (CLICKABLE_TAGS.has(tag)) return true;
    if (tag === 'label') {
      if (el.control != null && !el.control.disabled) return true;
    } else if (tag === 'img') {
      if (['zoom-in', 'zoom-out'].includes(el.style.cursor)) return true;
    }
    const className = el.getAttribute('class');
    if (className && className.toLowerCase().includes('button')) return true;
    const tabIndexValue = el.getAttribute('tabindex');
    const tabIndex = tabIndexValue ? parseInt(tabIndexValue, 10) : -1;
    return !(tabIndex < 0) && !isNaN(tabIndex);
  };

  // Visible area: rects whose centre hit-tests to the element (not covered), clipped.
  const visibleArea = (el) => {
    let area = 0;
    for (const bb of el.getClientRects()) {
      const hit = document.elementFromPoint(bb.left + bb.width / 2, bb.top + bb.height / 2);
      if (!hit || !(hit === el || el.contains(hit))) continue;
      const width = Math.min(vw, bb.right) - Math.max(0, bb.left);
      const height = Math.min(vh, bb.bottom) - Math.max(0, bb.top);
      area += width * height;
    }
    return area;
  };

  // -- layout reads: boxes and clickable candidates --------------------------------------
  const originals = [root, ...root.querySelectorAll('*')];
  const included = new Set();
  for (const el of originals) {
    const tag = (el.tagName && el.tagName.toLowerCase && el.tagName.toLowerCase()) || '';
    if (isClickable(el, tag) && visibleArea(el) >= 1) included.add(el);
  }
  // Innermost only: drop every included element that has an included descendant.
  const covering = new Set();
  for (const el of included) {
    for (let up = el.parentElement; up && !covering.has(up); up = up.parentElement) {
      covering.add(up);
    }
  }
  const labelled = [];
  const tags = [];
  const labelOf = new Map();
  for (const el of originals) {
    if (!included.has(el) || covering.has(el)) continue;
    const rects = el.getClientRects();
    if (rects.length === 0) continue;
    const bb = rects[0];
    const width = Math.min(vw, bb.right) - Math.max(0, bb.left);
    const height = Math.min(vh, bb.bottom) - Math.max(0, bb.top);
    if (!(width > 0 || height > 0)) continue;
    labelOf.set(el, String(labelled.length));
    labelled.push(el);
    tags.push(el.tagName.toLowerCase());
  }

  // -- the copy the parser reads ---------------------------------------------------------
  const annotate = (el, copy, copyOf) => {
    const tag = (el.tagName && el.tagName.toLowerCase && el.tagName.toLowerCase()) || '';
    const rects = el.getClientRects();
    if (rects.length > 0) {
      const bb = rects[0];
      const left = Math.round(bb.left);
      const top = Math.round(bb.top);
      const width = Math.round((Math.round(bb.right) - left) * 100) / 100;
      const height = Math.round((Math.round(bb.bottom) - top) * 100) / 100;
      copy.setAttribute('data-bbox', left + ',' + top + ',' + width + ',' + height);
    }
    if (el.hasChildNodes()) {
      const texts = [];
      for (const node of el.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        const text = node.textContent.trim().replace(MULTI_WS, ' ');
        if (text) texts.push(text);
      }
      copy.setAttribute('data-text', texts.join(','));
    }
    if (tag === 'select') {
      const option = el.options[el.selectedIndex];
      copy.setAttribute('data-value', el.value);
      copy.setAttribute('data-text', (option && option.text) || '');
      if (option && copyOf.has(option)) copyOf.get(option).setAttribute('data-status', 'selected');
    }
    if (tag === 'input' && (el.getAttribute('type') || '') === 'checkbox') {
      copy.setAttribute('data-status', el.checked ? 'checked' : 'not-checked');
    }
    if (tag === 'input' || tag === 'textarea') copy.setAttribute('data-value', el.value);
    const label = labelOf.get(el);
    if (label !== undefined) copy.setAttribute(ATTR, label);
  };

  let html;
  const clone = root.cloneNode(true);
  const copies = [clone, ...clone.querySelectorAll('*')];
  if (copies.length === originals.length
      && copies.every((c, i) => c.localName === originals[i].localName)) {
    const copyOf = new Map();
    for (let i = 0; i < originals.length; i++) copyOf.set(originals[i], copies[i]);
    for (let i = 0; i < originals.length; i++) annotate(originals[i], copies[i], copyOf);
    html = clone.outerHTML;
  } else {
    // The copy differs (a custom element built children when cloned): annotate the page
    // itself for the moment of serializing, then put its attributes back.
    const saved = [];
    const names = ['data-bbox', 'data-text', 'data-value', 'data-status', ATTR];
    for (const el of originals) saved.push(names.map((n) => el.getAttribute(n)));
    const copyOf = new Map(originals.map((el) => [el, el]));
    for (const el of originals) annotate(el, el, copyOf);
    html = root.outerHTML;
    originals.forEach((el, i) => names.forEach((n, j) => {
      if (saved[i][j] === null) el.removeAttribute(n);
      else el.setAttribute(n, saved[i][j]);
    }));
  }

  // -- write the labels on the live elements --------------------------------------------
  for (let i = 0; i < labelled.length; i++) labelled[i].setAttribute(ATTR, String(i));
  window.__wagLabelled = labelled;
  return { html, tags, rawChars, window: win };
}
