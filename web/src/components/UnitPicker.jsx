// A searchable tree of units: children are fetched as a node opens
// (GET /units?parent=), the search looks through every unit's name.
import { useState, useEffect } from 'preact/hooks';
import { api, rememberUnit } from '../api.js';
import { t } from '../i18n.js';
import { KINDS, label } from '../labels.js';

const childCache = new Map();
function children(code) {
  if (!childCache.has(code)) {
    const p = api.get('/units', { parent: code }).then((r) => { r.units.forEach(rememberUnit); return r.units; });
    p.catch(() => childCache.delete(code));
    childCache.set(code, p);
  }
  return childCache.get(code);
}
let allUnits = null;
function everyUnit() {
  if (!allUnits) {
    allUnits = api.get('/units').then((r) => r.units);
    allUnits.catch(() => { allUnits = null; });
  }
  return allUnits;
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
  const [hits, setHits] = useState(null);
  const [picked, setPicked] = useState(null);
  useEffect(() => {
    const load = root ? children(root) : api.get('/units', { kind: 'centre' }).then((r) => children(r.units[0].code));
    load.then(setTop, setErr);
  }, [root]);
  useEffect(() => {
    const s = q.trim();
    if (!s) { setHits(null); return undefined; }
    const h = setTimeout(() => everyUnit().then((all) => {
      const rootPrefix = root || '';
      setHits(all.filter((u) => u.name.includes(s) && u.code.startsWith(rootPrefix === '12345' ? '' : rootPrefix)).slice(0, 50));
    }, setErr), 200);
    return () => clearTimeout(h);
  }, [q]);
  const pick = (u) => { setPicked(u); onChange(u); };
  return (
    <div class="picker" id={id}>
      <input type="search" class="picker-search" placeholder={t('搜索单位名称')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      {value && <div class="picked">{t('已选')}：{picked && picked.code === value ? picked.name : value} <button type="button" class="btn plain small" onClick={() => { setPicked(null); onChange(null); }}>{t('清除')}</button></div>}
      {err && <div class="field-error">{err.message}</div>}
      <div class="tree-box">
        {hits ? (
          hits.length ? <ul class="tree">{hits.map((u) => (
            <li key={u.code}><div class={'tree-row' + (value === u.code ? ' selected' : '')}>
              <button type="button" class="tree-name" disabled={selectable && !selectable(u)} onClick={() => pick(u)}>{u.name} <span class="muted small">{label(KINDS, u.kind)} · {u.code}</span></button>
            </div></li>))}</ul> : <p class="muted">{t('没有找到')}</p>
        ) : top ? <ul class="tree">{top.map((u) => <Node key={u.code} unit={u} depth={0} value={value} onPick={pick} selectable={selectable} />)}</ul> : null}
      </div>
    </div>
  );
}
