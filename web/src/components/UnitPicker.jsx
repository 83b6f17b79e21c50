// A searchable tree of units: children are fetched as a node opens
// (GET /units?parent=); the search asks the server (GET /units?q=&limit=) as
// the user stops typing, and shows each hit under its district and street.
import { useState, useEffect, useRef } from 'preact/hooks';
import { api, rememberUnit, unitAncestors } from '../api.js';
import { t } from '../i18n.js';
import { KINDS, label } from '../labels.js';

const SEARCH_LIMIT = 50;
const SEARCH_DELAY = 250; // ms after the last key
const SEARCH_MAX = 64; // characters the server takes (a unit name's length)

const childCache = new Map();
function children(code) {
  if (!childCache.has(code)) {
    const p = api.get('/units', { parent: code }).then((r) => { r.units.forEach(rememberUnit); return r.units; });
    p.catch(() => childCache.delete(code));
    childCache.set(code, p);
  }
  return childCache.get(code);
}

// Units whose name contains s or whose code starts with it (the server's order is
// by code; here an exact name first, then names starting with s).
function search(s) {
  return api.get('/units', { q: s, limit: SEARCH_LIMIT }).then((r) => {
    r.units.forEach(rememberUnit);
    const rank = (u) => (u.name === s || u.code === s ? 0 : u.name.startsWith(s) ? 1 : 2);
    return { units: r.units.map((u, i) => [rank(u), i, u]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]), more: !!r.more };
  });
}

// Where a unit sits: 石景山区 › 八宝山街道 (to tell same-named units apart).
function UnitPath({ unit }) {
  const [path, setPath] = useState(null);
  useEffect(() => {
    let live = true;
    unitAncestors(unit).then((a) => { if (live) setPath(a.map((u) => u.name).join(' › ')); }, () => { if (live) setPath(unit.parent || ''); });
    return () => { live = false; };
  }, [unit.code]);
  return path ? <span class="unit-path">{path}</span> : null;
}

function Node({ unit, depth, value, onPick, selectable }) {
  const [open, setOpen] = useState(false);
  const [kids, setKids] = useState(null);
  const [err, setErr] = useState(null);
  const leaf = unit.kind === 'community' || unit.kind === 'department' || unit.kind === 'enterprise';
  const toggle = () => {
    if (!open && !kids) children(unit.code).then(setKids, setErr);
    setOpen(!open);
  };
  const can = !selectable || selectable(unit);
  return (
    <li>
      <div class={'tree-row' + (value === unit.code ? ' selected' : '')} style={{ paddingLeft: depth * 14 + 'px' }}>
        {leaf ? <span class="tree-toggle" /> : <button type="button" class="tree-toggle" aria-label={open ? '收起' : '展开'} onClick={toggle}>{open ? '▾' : '▸'}</button>}
        <button type="button" class="tree-name" disabled={!can} onClick={() => can && onPick(unit)}>
          {unit.name} <span class="muted small">{label(KINDS, unit.kind)}</span>
        </button>
      </div>
      {open && err && <div class="field-error">{err.message}</div>}
      {open && kids && (
        <ul class="tree">{kids.map((k) => <Node key={k.code} unit={k} depth={depth + 1} value={value} onPick={onPick} selectable={selectable} />)}</ul>
      )}
    </li>
  );
}

// root: the code whose children form the first level (default: the centre).
export function UnitPicker({ value, onChange, root, selectable, id }) {
  const [top, setTop] = useState(null);
  const [err, setErr] = useState(null);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState(null); // {units, more} for the text searched
  const [picked, setPicked] = useState(null);
  const seq = useRef(0);
  useEffect(() => {
    const load = root ? children(root) : api.get('/units', { kind: 'centre' }).then((r) => children(r.units[0].code));
    let live = true;
    load.then((u) => live && setTop(u), (e) => live && setErr(e));
    return () => { live = false; };
  }, [root]);
  useEffect(() => {
    const s = q.trim();
    const my = ++seq.current;
    if (!s) { setHits(null); return undefined; }
    const h = setTimeout(() => search(s).then(
      (r) => {
        if (my !== seq.current) return; // a later search is under way
        // under a root: only its own units (codes below the root's)
        if (root) r = { ...r, units: r.units.filter((u) => u.code.startsWith(root) && u.code !== root) };
        setErr(null);
        setHits(r);
      },
      (e) => { if (my === seq.current) setErr(e); }), SEARCH_DELAY);
    return () => clearTimeout(h);
  }, [q]);
  const pick = (u) => { setPicked(u); onChange(u); };
  return (
    <div class="picker" id={id}>
      <input type="search" class="picker-search" placeholder={t('搜索单位名称或编码')} maxLength={SEARCH_MAX} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      {value && <div class="picked">{t('已选')}：{picked && picked.code === value ? picked.name : value} <button type="button" class="btn plain small" onClick={() => { setPicked(null); onChange(null); }}>{t('清除')}</button></div>}
      {err && <div class="field-error">{err.message}</div>}
      <div class="tree-box">
        {hits ? (
          hits.units.length ? <>
            <ul class="tree hits">{hits.units.map((u) => (
              <li key={u.code}><div class={'tree-row' + (value === u.code ? ' selected' : '')}>
                <button type="button" class="tree-name" disabled={selectable && !selectable(u)} onClick={() => pick(u)} title={u.code}>
                  {u.name} <span class="muted small">{label(KINDS, u.kind)} <UnitPath unit={u} /></span>
                </button>
              </div></li>))}</ul>
            {hits.more && <p class="muted small">{t('只显示前 {n} 个，请输入更多文字缩小范围', { n: hits.units.length })}</p>}
          </> : <p class="muted">{t('没有找到')}</p>
        ) : top ? <ul class="tree">{top.map((u) => <Node key={u.code} unit={u} depth={0} value={value} onPick={pick} selectable={selectable} />)}</ul> : null}
      </div>
    </div>
  );
}
