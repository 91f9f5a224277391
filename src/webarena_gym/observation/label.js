// Numbers the visible interactive elements of a page and serializes its visible DOM.
//
// Evaluated once per env step by webarena_gym.observation.observe_page as
// page.evaluate(<this function>, {attribute, viewportOnly}). Three phases, so that style and
// layout are computed once: (1) clear the labels of the previous step, (2) walk the rendered
// tree reading styles and boxes only, (3) write the new labels. Returns
// {html, tags, rawChars}: the visible DOM as well-formed XML carrying only whitelisted
// attributes (the label number as `id`), the tag of each label in order, and the length of
// the page's own HTML (without the labels).
(options) => {
  const ATTR = options.attribute;
  const viewportOnly = Boolean(options.viewportOnly);
  const VW = window.innerWidth;
  const VH = window.innerHeight;

  // Never rendered, or not content.
  const SKIP = new Set([
    'script', 'style', 'noscript', 'template', 'head', 'meta', 'link', 'title', 'base',
    'datalist', 'param', 'source', 'track', 'object', 'embed', 'map', 'area', 'math',
  ]);
  const VOID = new Set(['input', 'img', 'col', 'wbr']);
  // Shown only through their own attributes (their insides are not text for an agent).
  const OPAQUE = new Set(['svg', 'canvas', 'video', 'audio', 'textarea', 'select']);
  const INTERACTIVE_TAGS = new Set(['a', 'button', 'input', 'select', 'textarea', 'summary']);
  const ROLES = new Set([
    'button', 'link', 'checkbox', 'radio', 'tab', 'menuitem', 'menuitemcheckbox',
    'menuitemradio', 'option', 'switch', 'combobox', 'textbox', 'searchbox', 'treeitem',
    'slider', 'spinbutton',
  ]);
  const CHECK_ROLES = new Set([
    'checkbox', 'radio', 'switch', 'menuitemcheckbox', 'menuitemradio',
  ]);
  const SELECT_ROLES = new Set(['option', 'tab', 'treeitem', 'gridcell', 'row']);
  const FORM = new Set(['input', 'select', 'textarea']);
  // Formatting without meaning for an agent: its content is written without the tags when
  // it carries no attribute or label (simplify.py merges the same tags; this only saves work).
  const TRANSPARENT = new Set([
    'span', 'b', 'strong', 'i', 'em', 'font', 'small', 'big', 'u', 'mark', 'abbr', 'cite',
    'time', 'bdi', 'bdo', 'data', 'tbody', 'thead', 'tfoot',
  ]);
  const TAG_NAME = /^[a-z][a-z0-9_-]*$/;
  const WS = /\s+/g;
  const NON_WS = /\S/;

  // -- phase 1: forget the previous step's labels ----------------------------------------
  const previous = window.__wagLabelled;
  if (Array.isArray(previous)) {
    for (const el of previous) el.removeAttribute(ATTR);
  }
  // Catches labels copied by the page itself (cloneNode, innerHTML) as well.
  for (const el of document.querySelectorAll('[' + ATTR + ']')) el.removeAttribute(ATTR);

  // -- phase 2: walk the rendered tree (reads only) --------------------------------------
  const out = [];
  const candidates = []; // interactive elements in document order: {slot, el, tag, role, ok}

  const escText = (s) => (/[&<>]/.test(s)
    ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    : s);
  const escAttr = (s) => (/[&<"]/.test(s)
    ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')
    : s);
  const attr = (name, value) => {
    if (value === null || value === undefined) return '';
    const v = String(value).replace(WS, ' ').trim();
    return v ? ' ' + name + '="' + escAttr(v) + '"' : '';
  };

  // A text node's data, whitespace collapsed; true when it has more than whitespace.
  const emitText = (data) => {
    if (!data) return false;
    const text = data.replace(WS, ' ');
    out.push(escText(text));
    return NON_WS.test(text);
  };

  const ownAttributes = (el, tag, role) => {
    let s = attr('title', el.getAttribute('title'))
      + attr('aria-label', el.getAttribute('aria-label'));
    switch (tag) {
      case 'img':
        s += attr('alt', el.getAttribute('alt'));
        break;
      case 'svg':
        if (!el.hasAttribute('title')) {
          const t = el.querySelector(':scope > title');
          if (t) s += attr('title', t.textContent);
        }
        break;
      case 'input': {
        const type = el.type;
        s += ' type="' + escAttr(type) + '"' + attr('name', el.getAttribute('name'))
          + attr('placeholder', el.getAttribute('placeholder'));
        if (type === 'checkbox' || type === 'radio') {
          s += el.checked ? ' checked="true"' : ' checked="false"';
          if (el.value !== 'on') s += attr('value', el.value);
        } else if (type === 'image') {
          s += attr('alt', el.getAttribute('alt'));
        } else if (type === 'password') {
          s += attr('value', '*'.repeat(el.value.length));
        } else {
          s += attr('value', el.value);
        }
        break;
      }
      case 'textarea':
        s += attr('name', el.getAttribute('name'))
          + attr('placeholder', el.getAttribute('placeholder')) + attr('value', el.value);
        break;
      case 'select':
        s += attr('name', el.getAttribute('name')) + attr('value', el.value);
        break;
      default:
        break;
    }
    if (role) {
      if (CHECK_ROLES.has(role)) {
        const state = el.getAttribute('aria-checked');
        if (state !== null) {
          s += ' checked="' + (state === 'true' || state === 'mixed' ? state : 'false') + '"';
        }
      } else if (SELECT_ROLES.has(role) && el.getAttribute('aria-selected') === 'true') {
        s += ' selected="true"';
      }
    }
    return s;
  };

  const emitOptions = (select) => {
    let any = false;
    for (const option of select.options) {
      if (option.hidden) continue;
      out.push('<option' + (option.selected ? ' selected="true"' : '') + '>'
        + escText(option.text.replace(WS, ' ').trim()) + '</option>');
      any = true;
    }
    return any;
  };

  // Children in the flat tree (an open shadow root replaces the light children; slots
  // bring them back). Returns true when anything visible was written.
  const walkChildren = (parent, ctx, textVisible, pointer) => {
    let any = false;
    for (let node = parent.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 1) {
        if (walk(node, ctx, textVisible, pointer)) any = true;
      } else if (node.nodeType === 3 && textVisible) {
        if (emitText(node.data)) any = true;
      }
    }
    return any;
  };

  const walkSlot = (slot, ctx, textVisible, pointer) => {
    const assigned = slot.assignedNodes({ flatten: true });
    if (!assigned.length) return walkChildren(slot, ctx, textVisible, pointer);
    let any = false;
    for (const node of assigned) {
      if (node.nodeType === 1) {
        if (walk(node, ctx, textVisible, pointer)) any = true;
      } else if (node.nodeType === 3 && textVisible) {
        if (emitText(node.data)) any = true;
      }
    }
    return any;
  };

  // One element and its subtree. Returns true when anything visible was written.
  const walk = (el, ctx, parentTextVisible, parentPointer) => {
    const tag = el.localName;
    if (SKIP.has(tag)) return false;
    if (tag === 'slot') return walkSlot(el, ctx, parentTextVisible, parentPointer);
    if (tag === 'br') {
      out.push(' ');
      return false;
    }
    if (tag === 'hr') return false;
    if (tag === 'input' && el.type === 'hidden') return false;
    if (el.getAttribute('aria-hidden') === 'true') return false;

    const style = ctx.win.getComputedStyle(el);
    const display = style.display;
    if (display === 'none') return false;
    // Opacity hides a whole subtree; styled checkboxes and file inputs stay reachable.
    if (style.opacity === '0' && !FORM.has(tag)) return false;
    const visible = style.visibility === 'visible';
    let boxVisible = visible;
    let rect = null;
    if (display === 'contents') {
      boxVisible = false;
    } else {
      rect = el.getBoundingClientRect();
      const isRoot = tag === 'html' || tag === 'body';
      if (rect.width === 0 || rect.height === 0) {
        // A zero-size box that clips shows nothing; one that does not may overflow visibly.
        // (The root's overflow belongs to the viewport, so it never hides the page.)
        // (content-visibility: hidden gives a box without size, too.)
        if (!isRoot && (style.overflow !== 'visible' || style.contentVisibility === 'hidden')) {
          return false;
        }
        boxVisible = false;
      } else if (viewportOnly && !isRoot) {
        const top = rect.top + ctx.oy;
        const left = rect.left + ctx.ox;
        if (top + rect.height <= 0 || top >= VH || left + rect.width <= 0 || left >= VW) {
          return false;
        }
      }
    }

    const pointer = style.cursor === 'pointer';
    let role = el.getAttribute('role');
    role = role ? role.trim().split(WS)[0].toLowerCase() : '';
    let interactive = false;
    if (tag !== 'html' && tag !== 'body') {
      interactive = INTERACTIVE_TAGS.has(tag) || (pointer && !parentPointer) || ROLES.has(role)
        || el.hasAttribute('onclick');
      if (!interactive) {
        const tabindex = el.getAttribute('tabindex');
        interactive = tabindex !== null && parseInt(tabindex, 10) >= 0;
      }
      if (!interactive) {
        const editable = el.getAttribute('contenteditable');
        interactive = editable !== null && editable !== 'false'
          && !(el.parentElement && el.parentElement.isContentEditable);
      }
    }

    const start = out.length;
    const attributes = ownAttributes(el, tag, role);
    if (!interactive && !attributes && TRANSPARENT.has(tag) && !el.shadowRoot) {
      return walkChildren(el, ctx, visible, pointer);
    }
    const name = TAG_NAME.test(tag) ? tag : 'div';
    out.push('<' + name);
    let candidate = null;
    if (interactive) {
      candidate = { slot: out.length, el, tag: name, role, ok: false };
      candidates.push(candidate);
      out.push('');
    }
    out.push(attributes);

    let content = false;
    if (VOID.has(tag)) {
      out.push('/>');
    } else {
      out.push('>');
      if (tag === 'select') {
        content = emitOptions(el);
      } else if (tag === 'iframe' || tag === 'frame') {
        let doc = null;
        try {
          doc = el.contentDocument;
        } catch (e) {
          doc = null; // cross-origin
        }
        if (doc && doc.body && boxVisible && doc.defaultView) {
          const inner = {
            win: doc.defaultView,
            ox: ctx.ox + rect.left + el.clientLeft,
            oy: ctx.oy + rect.top + el.clientTop,
          };
          content = walkChildren(doc.body, inner, true, false);
        }
      } else if (tag === 'details' && !el.open) {
        for (let child = el.firstElementChild; child; child = child.nextElementSibling) {
          if (child.localName === 'summary') {
            content = walk(child, ctx, visible, pointer);
            break;
          }
        }
      } else if (!OPAQUE.has(tag)) {
        content = walkChildren(el.shadowRoot || el, ctx, visible, pointer);
      }
      out.push('</' + name + '>');
    }

    if (candidate && visible && (boxVisible || content)) {
      candidate.ok = true;
      return true;
    }
    if (content || (boxVisible && attributes)) return true;
    if (tag === 'html' || tag === 'body') return false; // an empty page still has its root
    out.length = start; // nothing visible here: drop the element
    return false;
  };

  const root = document.documentElement;
  if (root) walk(root, { win: window, ox: 0, oy: 0 }, true, false);

  // The page's own HTML (as page.content() returns it), before the new labels go in.
  const doctype = document.doctype ? ('<!DOCTYPE ' + document.doctype.name + '>').length : 0;
  const rawChars = root ? root.outerHTML.length + doctype : 0;

  // -- phase 3: write the labels ----------------------------------------------------------
  const labelled = [];
  const tags = [];
  for (const c of candidates) {
    if (!c.ok) continue;
    const n = labelled.length;
    out[c.slot] = ' id="' + n + '"' + (c.role ? ' role="' + escAttr(c.role) + '"' : '');
    labelled.push(c.el);
    tags.push(c.tag);
  }
  for (let i = 0; i < labelled.length; i++) labelled[i].setAttribute(ATTR, String(i));
  window.__wagLabelled = labelled;

  let html = out.join('');
  // XML cannot carry these; lxml would refuse the whole document.
  if (/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.test(html)) {
    html = html.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, '');
  }
  if (typeof html.toWellFormed === 'function') html = html.toWellFormed();
  return { html, tags, rawChars };
}
