// 督办台 (district): the district's cases by state, the overdue list, and a map
// of the cases over the district's own boundary (no online tiles).
import { useState, useMemo } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { STATUS, label } from '../labels.js';
import { useAsync, Async, Pager, Tabs } from '../components/ui.jsx';
import { CaseList } from '../components/CaseList.jsx';
import { Chart, echarts } from '../components/Chart.jsx';
import { toGcj02 } from '../geo.js';

const STATES = ['dispatched', 'accepted', 'in_progress', 'returned', 'parked', 'replied', 'closed'];

function bbox(fc) {
  let x0 = 180, y0 = 90, x1 = -180, y1 = -90;
  const walk = (a) => { if (typeof a[0] === 'number') { x0 = Math.min(x0, a[0]); x1 = Math.max(x1, a[0]); y0 = Math.min(y0, a[1]); y1 = Math.max(y1, a[1]); } else a.forEach(walk); };
  fc.features.forEach((f) => f.geometry && walk(f.geometry.coordinates));
  const px = (x1 - x0) * 0.08, py = (y1 - y0) * 0.08;
  return [[x0 - px, y1 + py], [x1 + px, y0 - py]];
}

async function loadMap(district) {
  const [mine, city] = await Promise.all([
    api.get('/geo/boundaries', { level: 'district', unit: district }),
    api.get('/geo/boundaries', { level: 'district' }).catch(() => null),
  ]);
  if (!mine || !mine.features || !mine.features.length) throw new Error(t('本区暂无边界数据'));
  echarts.registerMap('jiesu-district-' + district, mine);
  if (city) echarts.registerMap('jiesu-city', city);
  // the district's cases that carry a coordinate
  const r = await api.get('/cases', { unit: district, per_page: 100 });
  const points = r.cases.filter((c) => c.location).map((c) => {
    const [lon, lat] = toGcj02(c.location);
    return { name: `#${c.id} ${c.title}`, value: [lon, lat], id: c.id, overdue: c.overdue };
  }).filter((p) => Number.isFinite(p.value[0]));
  return { mine, city, points, total: r.total };
}

function mapOption(district, m) {
  const box = bbox(m.mine);
  const common = { boundingCoords: box, roam: false, silent: true, layoutCenter: ['50%', '50%'], layoutSize: '100%', aspectScale: 0.85 };
  const geo = [];
  if (m.city) geo.push({ ...common, map: 'jiesu-city', itemStyle: { areaColor: '#f3f4f6', borderColor: '#c7ccd4', borderWidth: 0.6 }, label: { show: false }, z: 1 });
  geo.push({ ...common, map: 'jiesu-district-' + district, itemStyle: { areaColor: 'rgba(37,99,235,0.08)', borderColor: '#1d4ed8', borderWidth: 2 }, label: { show: true, color: '#1e3a8a' }, z: 2 });
  const gi = geo.length - 1;
  return {
    tooltip: { trigger: 'item', formatter: (p) => p.name },
    geo,
    series: [
      { type: 'scatter', coordinateSystem: 'geo', geoIndex: gi, name: t('工单'), data: m.points.filter((p) => !p.overdue), symbolSize: 9, itemStyle: { color: '#2563eb' }, z: 5 },
      { type: 'scatter', coordinateSystem: 'geo', geoIndex: gi, name: t('已超期'), data: m.points.filter((p) => p.overdue), symbolSize: 11, itemStyle: { color: '#dc2626' }, z: 6 },
    ],
  };
}

function CaseMap({ district }) {
  const st = useAsync(() => loadMap(district), [district]);
  const option = useMemo(() => (st.data ? mapOption(district, st.data) : null), [st.data]);
  return (
    <Async state={st}>{(m) => <>
      <Chart option={option} height={380} label={t('辖区工单分布图')} testid="district-map" />
      <p class="muted small">{t('图中为带坐标的工单 {n} 件（共 {t} 件）；蓝点为办理中，红点为已超期。', { n: m.points.length, t: m.total })}</p>
    </>}</Async>
  );
}

export function Supervisor({ user }) {
  const district = user.unit.kind === 'district' ? user.unit.code : '110107';
  const [tab, setTab] = useState('overdue');
  const [page, setPage] = useState(1);
  const counts = useAsync(() => Promise.all([
    ...STATES.map((s) => api.get('/cases', { unit: district, status: s, per_page: 1 }).then((r) => r.total)),
    api.get('/cases', { unit: district, overdue: 'true', per_page: 1 }).then((r) => r.total),
  ]), [district]);
  const list = useAsync(() => api.get('/cases', tab === 'overdue' ? { unit: district, overdue: 'true', page, per_page: 20 } : { unit: district, status: tab, page, per_page: 20 }), [tab, page]);
  const n = counts.data || [];
  return (
    <div class="page">
      <div class="page-head"><h1>{t('督办台')} · {user.unit.name}</h1><button type="button" class="btn" onClick={() => { counts.reload(); list.reload(); }}>{t('刷新')}</button></div>
      <div class="stat-grid">
        {STATES.map((s, i) => <button type="button" class={'stat' + (tab === s ? ' active' : '')} key={s} onClick={() => { setTab(s); setPage(1); }}><span class="stat-n">{n[i] ?? '…'}</span><span>{label(STATUS, s)}</span></button>)}
        <button type="button" class={'stat bad' + (tab === 'overdue' ? ' active' : '')} onClick={() => { setTab('overdue'); setPage(1); }}><span class="stat-n">{n[STATES.length] ?? '…'}</span><span>{t('已超期')}</span></button>
      </div>
      {counts.error && <div class="alert error">{counts.error.message}</div>}
      <section class="card">
        <h2>{tab === 'overdue' ? t('超期工单') : label(STATUS, tab)}</h2>
        <p class="muted small">{t('打开工单可督办或提级。')}</p>
        <Async state={list}>{(d) => <><CaseList cases={d.cases} /><Pager page={page} perPage={20} total={d.total} onPage={setPage} /></>}</Async>
      </section>
      <section class="card"><h2>{t('辖区工单分布')}</h2><CaseMap district={district} /></section>
    </div>
  );
}
