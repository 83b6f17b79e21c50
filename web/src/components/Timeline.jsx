// Every event of a case as a sentence in plain Chinese (or English).
import { useState, useEffect } from 'preact/hooks';
import { unitName, rememberUnit } from '../api.js';
import { t } from '../i18n.js';
import { eventSentence, eventUnitCodes, actionLabel, fmtTime } from '../labels.js';

export function Timeline({ events }) {
  const [names, setNames] = useState({});
  useEffect(() => {
    const codes = new Set();
    (events || []).forEach((e) => { rememberUnit(e.unit); eventUnitCodes(e).forEach((c) => codes.add(c)); });
    let live = true;
    Promise.all([...codes].map((c) => unitName(c).then((n) => [c, n]))).then((pairs) => { if (live) setNames(Object.fromEntries(pairs)); });
    return () => { live = false; };
  }, [events]);
  const name = (code) => names[code] || code;
  return (
    <ol class="timeline">
      {(events || []).slice().reverse().map((e) => (
        <li key={e.seq} class={'ev ev-' + e.action} data-action={e.action}>
          <div class="ev-head">
            <span class="ev-action">{actionLabel(e.action)}</span>
            <time>{fmtTime(e.at)}</time>
          </div>
          {(() => { const s = eventSentence(e, name); return s !== actionLabel(e.action) ? <div class="ev-text">{s}</div> : null; })()}
          <div class="ev-who muted small">{e.user === 'system' ? t('系统') : `${e.unit ? e.unit.name : ''} · ${e.user}`}{e.reason ? ` · ${t('原因')}：${e.reason}` : ''}</div>
        </li>
      ))}
    </ol>
  );
}
