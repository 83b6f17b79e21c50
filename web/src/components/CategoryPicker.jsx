// The 12345 category tree (一级->二级->三级) with a search over the paths.
import { useState, useMemo } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useAsync } from './ui.jsx';

let cache = null;
export function categories() {
  if (!cache) { cache = api.get('/categories').then((r) => r.categories); cache.catch(() => { cache = null; }); }
  return cache;
}

function build(list) {
  const root = { name: '', children: new Map(), items: [] };
  for (const c of list) {
    const parts = c.path.split('->');
    let n = root;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!n.children.has(parts[i])) n.children.set(parts[i], { name: parts[i], children: new Map(), items: [] });
      n = n.children.get(parts[i]);
    }
    n.items.push({ ...c, leaf: parts[parts.length - 1] });
  }
  return root;
}

function Branch({ node, depth, value, onPick }) {
  const [open, setOpen] = useState(false);
  return (
    <li>
      <div class="tree-row" style={{ paddingLeft: depth * 14 + 'px' }}>
        <button type="button" class="tree-toggle" onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
        <button type="button" class="tree-name" onClick={() => setOpen(!open)}>{node.name}</button>
      </div>
      {open && <ul class="tree">
        {[...node.children.values()].map((c) => <Branch key={c.name} node={c} depth={depth + 1} value={value} onPick={onPick} />)}
        {node.items.map((c) => (
          <li key={c.id}><div class={'tree-row' + (value === c.id ? ' selected' : '')} style={{ paddingLeft: (depth + 1) * 14 + 'px' }}>
            <span class="tree-toggle" /><button type="button" class="tree-name" onClick={() => onPick(c)}>{c.leaf}</button>
          </div></li>))}
      </ul>}
    </li>
  );
}

export function CategoryPicker({ value, onChange, id }) {
  const st = useAsync(categories, []);
  const [q, setQ] = useState('');
  const tree = useMemo(() => (st.data ? build(st.data) : null), [st.data]);
  const chosen = st.data && value ? st.data.find((c) => c.id === value) : null;
  const s = q.trim();
  const hits = s && st.data ? st.data.filter((c) => c.path.includes(s)).slice(0, 40) : null;
  return (
    <div class="picker" id={id}>
      <input type="search" class="picker-search" placeholder={t('搜索分类，如：噪音、供暖')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      {chosen && <div class="picked">{t('已选')}：{chosen.path.replaceAll('->', ' › ')} <button type="button" class="btn plain small" onClick={() => onChange(null)}>{t('清除')}</button></div>}
      {st.error && <div class="field-error">{st.error.message}</div>}
      <div class="tree-box">
        {hits ? (hits.length ? <ul class="tree">{hits.map((c) => (
          <li key={c.id}><div class={'tree-row' + (value === c.id ? ' selected' : '')}>
            <button type="button" class="tree-name" onClick={() => { onChange(c); setQ(''); }}>{c.path.replaceAll('->', ' › ')}</button></div></li>))}</ul>
          : <p class="muted">{t('没有找到')}</p>)
          : tree ? <ul class="tree">{[...tree.children.values()].map((c) => <Branch key={c.name} node={c} depth={0} value={value} onPick={onChange} />)}</ul> : null}
      </div>
    </div>
  );
}
