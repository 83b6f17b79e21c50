// End-to-end test of the workbench in a real browser (Debian's Chromium,
// headless) against a running jiesu with the demo data:
//
//   JIESU_URL=http://127.0.0.1:8090 [JIESU_NOW=2026-03-02T09:00:00+08:00] node web/tests/e2e.mjs
//
// The flow of issue 5: the agent records a complaint in 八宝山街道; the street
// signs, contacts and whistles two departments; each reports and finishes; the
// street replies; the agent calls back; the assessor sees the street in the
// ranking chart. Then one step per role page, a form error shown next to its
// field, and a 390 px pass. Any console error, page error or failed request
// the test did not provoke fails it. Screenshots go to docs/screenshots/.
import { chromium } from 'playwright-core';
import { fmtTime, eventSentence } from '../src/labels.js';
import { mkdirSync, statSync, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = (process.env.JIESU_URL || '').replace(/\/$/, '');
if (!BASE) { console.error('e2e: set JIESU_URL (e.g. http://127.0.0.1:8090)'); process.exit(2); }
const NOW = process.env.JIESU_NOW || '';
const SHOTS = process.env.JIESU_SHOTS || join(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'jiesu-demo';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const started = Date.now();

mkdirSync(SHOTS, { recursive: true });

const problems = [];
let stepName = 'start';
let shotNo = 0;
const passed = [];

function fail(msg) { throw new Error(`[${stepName}] ${msg}`); }
function check(cond, msg) { if (!cond) fail(msg); }
async function step(name, fn) {
  stepName = name;
  const t0 = Date.now();
  await fn();
  if (problems.length) fail('browser problems:\n  ' + problems.join('\n  '));
  passed.push(name);
  console.log(`ok ${passed.length} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// Chinese and Beijing time, as the users have them. The page's language and time
// zone come from the context (locale, timezoneId); native inputs (the month
// picker: “2026年03月”) follow the browser's own language, which on Linux comes
// from LANGUAGE/LANG and needs Chromium's zh-CN resources (Debian: chromium-l10n).
const LOCALE = 'zh-CN';
const TZ = 'Asia/Shanghai';
const localesDir = [join(dirname(realpathSync(CHROMIUM)), 'locales'), '/usr/lib/chromium/locales'].find(existsSync);
if (localesDir && !existsSync(join(localesDir, 'zh-CN.pak'))) {
  console.log(`note: ${localesDir} has no zh-CN.pak (apt-get install chromium-l10n): date inputs will read in English`);
}
const browserEnv = { ...process.env, LANGUAGE: 'zh_CN:zh', LANG: 'zh_CN.UTF-8', TZ };
delete browserEnv.LC_ALL;
delete browserEnv.LC_MESSAGES;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  env: browserEnv,
});

// One browser context per person: their own cookie jar.
async function open(login) {
  // The browser keeps its own clock: the pages count deadlines down from the server's (JIESU_NOW).
  const context = await browser.newContext({ viewport: DESKTOP, locale: LOCALE, timezoneId: TZ, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.allowed = []; // responses the test provokes on purpose: {method, path, status}
  const allowedUrl = (url, status, method) => {
    const u = new URL(url);
    return page.allowed.some((a) => u.pathname === a.path && (!status || a.status === status) && (!method || a.method === method));
  };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location() && m.location().url;
    if (/^Failed to load resource/.test(m.text()) && loc && allowedUrl(loc)) return;
    problems.push(`console error (${login}): ${m.text()} ${loc || ''}`);
  });
  page.on('pageerror', (e) => problems.push(`page error (${login}): ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure() && r.failure().errorText;
    if (f === 'net::ERR_ABORTED' && r.resourceType() === 'document') return; // a download link
    problems.push(`request failed (${login}): ${r.method()} ${r.url()} ${f}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (allowedUrl(r.url(), r.status(), r.request().method())) return;
    problems.push(`HTTP ${r.status()} (${login}): ${r.request().method()} ${r.url()}`);
  });
  page.unitRequests = []; // GET /api/v1/units…: the unit tree must never fetch every unit
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/units') page.unitRequests.push(new URL(r.url()).search); });
  page.allowed.push({ method: 'GET', path: '/api/v1/me', status: 401 }); // before login
  await page.goto(BASE + '/');
  await page.locator('#login-login').waitFor();
  await page.fill('#login-login', login);
  await page.fill('#login-password', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.locator('header.top').waitFor();
  page.allowed = [];
  page.signedInAt = Date.now(); // the page took the server's clock (GET /me) just before
  return page;
}

async function shot(page, name, opts = {}) {
  shotNo += 1;
  const file = join(SHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.waitForTimeout(150);
  if (opts.full) {
    const h = Math.min(await page.evaluate(() => document.documentElement.scrollHeight), opts.maxHeight || 1400);
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize().width, height: h }, animations: 'disabled' });
  } else {
    await page.screenshot({ path: file, animations: 'disabled' });
  }
  const kb = statSync(file).size / 1024;
  if (kb > 300) console.log(`note: ${file} is ${kb.toFixed(0)} KB`);
}

async function seeText(page, text, where = 'body') {
  await page.locator(where).getByText(text, { exact: false }).first().waitFor({ state: 'visible' })
    .catch(() => fail(`expected to see “${text}” in ${where}`));
}

// Open an action's dialog on the case page, fill it with fn, submit, wait for the page to reload.
async function act(page, action, fn) {
  await page.locator(`.actions-card button[data-action="${action}"]`).click();
  const form = page.locator(`form[data-action="${action}"]`);
  await form.waitFor();
  if (fn) await fn(form);
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached' }).catch(async () => {
    const err = await form.locator('.field-error, .alert.error').allTextContents();
    fail(`${action} was not accepted: ${err.join(' / ')}`);
  });
  await page.locator('.actions-card .alert.ok').waitFor();
}
async function openCase(page, id) {
  const url = `${BASE}/#/case/${id}`;
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.locator('.case-page h1').waitFor();
}
// A countdown's text in seconds: “剩余 1天 02:03:04” → +93784, “已超期 00:00:05” → -5.
function countdownSeconds(text) {
  const m = text.match(/(剩余|已超期)\s*(?:(\d+)天\s*)?(\d+):(\d\d):(\d\d)/);
  if (!m) fail(`not a countdown: “${text}”`);
  const s = Number(m[2] || 0) * 86400 + Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5]);
  return m[1] === '已超期' ? -s : s;
}
// The countdown counts from the server's clock (JIESU_NOW, fixed, taken at sign-in
// or at the last reload), not the browser's: it shows due − NOW, less the seconds
// since then, and its colour follows warn_at and due.
async function checkCountdown(page, cd, deadline) {
  const text = (await cd.textContent()).trim();
  check(/剩余|已超期/.test(text), `the countdown reads in Chinese: “${text}”`);
  if (!NOW) return;
  const shown = countdownSeconds(text);
  const full = Math.round((Date.parse(deadline.due) - Date.parse(NOW)) / 1000);
  const since = Math.ceil((Date.now() - page.signedInAt) / 1000) + 2;
  check(shown <= full && shown >= full - since,
    `the countdown “${text}” should show ${full} s less at most ${since} s (due ${deadline.due}, server clock ${NOW})`);
  const want = Date.parse(NOW) >= Date.parse(deadline.due) ? 'overdue' : deadline.warn_at && Date.parse(NOW) >= Date.parse(deadline.warn_at) ? 'warning' : 'fine';
  check(await cd.getAttribute('data-state') === want, `the countdown is coloured ${want} (due ${deadline.due}, warn at ${deadline.warn_at})`);
  await page.waitForTimeout(1100);
  check(countdownSeconds((await cd.textContent()).trim()) < shown, 'the countdown ticks');
}
// The case's nearest running deadline, as the page picks it (ui.jsx nearestDeadline).
async function nearestDeadline(page, id) {
  const res = await page.request.get(`${BASE}/api/v1/cases/${id}`);
  const c = await res.json();
  let best = null;
  for (const [k, d] of Object.entries(c.deadlines || {})) {
    if (!d || d.done_at || d.state === 'met' || d.state === 'met_late') continue;
    if (!best || Date.parse(d.due) < Date.parse(best.due)) best = { clock: k, ...d };
  }
  check(best, `case #${id} has a running deadline`);
  return best;
}

async function setPhone(page) { await page.setViewportSize(PHONE); await page.waitForTimeout(200); }
async function setDesk(page) { await page.setViewportSize(DESKTOP); await page.waitForTimeout(100); }

let caseId = null;
const TITLE = '小区门口占道经营，夜间噪音扰民';

try {
  await step('labels: times in event payloads, ISO strings (and Unix seconds of old)', async () => {
    const same = (a, b, what) => check(a === b, `${what}: “${a}”, expected “${b}”`);
    same(fmtTime('2026-04-01T18:00:00+08:00'), '2026-04-01 18:00', 'an ISO time');
    same(fmtTime('2026-04-01T10:00:00Z'), '2026-04-01 18:00', 'an ISO time in UTC, shown in Beijing time');
    same(fmtTime(1775037600), '2026-04-01 18:00', 'Unix seconds');
    same(fmtTime('1775037600'), '2026-04-01 18:00', 'Unix seconds as a string');
    const name = (c) => c;
    same(eventSentence({ action: 'park', payload: { until: '2026-04-01T18:00:00+08:00' } }, name), '挂账，计划 2026-04-01 18:00 前解决', 'park');
    same(eventSentence({ action: 'supervise', payload: { instruction: '今日回复', due: '2026-03-03T09:00:00+08:00' } }, name), '督办：今日回复（回复时限 2026-03-03 09:00）', 'supervise');
    same(eventSentence({ action: 'decide_extension', payload: { approve: true, due: '2026-03-20T09:00:00+08:00' } }, name), '延期审核：同意，反馈时限延至 2026-03-20 09:00', 'decide_extension');
  });

  // ---- the agent -----------------------------------------------------------
  const login = await browser.newPage({ viewport: DESKTOP, locale: LOCALE, timezoneId: TZ });
  await step('login page', async () => {
    login.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push('console error: ' + m.text()); });
    login.on('pageerror', (e) => problems.push('page error: ' + e.message));
    await login.goto(BASE + '/');
    await seeText(login, '接诉即办工作台');
    await seeText(login, '演示账号见 README；密码 jiesu-demo');
    await shot(login, 'login');
    // the libraries' licenses (the bundle drops their comments), linked from the footer
    const lic = await login.locator('[data-testid=licenses]').getAttribute('href');
    check(lic === '/assets/licenses.txt', `the footer links the licenses: ${lic}`);
    const res = await login.request.get(BASE + lic);
    const text = await res.text();
    check(res.status() === 200 && /^text\/plain/.test(res.headers()['content-type'] || ''), `licenses.txt is served as text: ${res.status()} ${res.headers()['content-type']}`);
    for (const want of ['echarts', 'Apache License', 'Apache ECharts', 'preact', 'MIT License', 'zrender']) check(text.includes(want), `licenses.txt names ${want}`);

    // a wrong password is shown on the form
    await login.fill('#login-login', 'agent');
    await login.fill('#login-password', 'wrong-password');
    await login.click('form.login button[type=submit]');
    await login.locator('form.login .alert.error, form.login .field-error').first().waitFor();
    await login.close();
  });

  const agent = await open('agent');
  await step('agent: intake form, an error shown next to its field', async () => {
    check(/#\/intake$/.test(agent.url()), `agent should land on the intake form, got ${agent.url()}`);
    await seeText(agent, '受理登记');
    await agent.fill('#in-title', TITLE);
    await agent.fill('#in-content', '每天晚上八点以后有流动摊贩在小区南门占道经营，噪音很大，影响居民休息。');
    await agent.fill('#in-name', '张三');
    await agent.fill('#in-phone', '123456789012345678901234567890');
    agent.allowed.push({ method: 'POST', path: '/api/v1/cases', status: 400 });
    await agent.click('form.form.grid button[type=submit]');
    const phoneErr = agent.locator('.field.has-error:has(#in-phone) .field-error');
    await phoneErr.waitFor().catch(() => fail('the phone error is not shown under the phone input'));
    const msg = await phoneErr.textContent();
    check(/电话|phone|位|digit/i.test(msg), `the phone error should speak of the phone: “${msg}”`);
    check(await agent.inputValue('#in-title') === TITLE, 'the title typed must be kept after the error');
    await shot(agent, 'intake-field-error');
    agent.allowed = [];
  });

  await step('agent: records a complaint in 八宝山街道 (resolved live, dispatched at once)', async () => {
    await agent.fill('#in-phone', '13812345678');
    await agent.fill('#in-address', '石景山区八宝山街道四季园社区南门');
    await agent.locator('[data-testid=resolved]').getByText('八宝山街道').waitFor()
      .catch(() => fail('the resolved place (八宝山街道) is not shown under the address'));
    await seeText(agent, '四季园社区', '[data-testid=resolved]');
    await agent.fill('#in-category input[type=search]', '占道经营');
    await agent.locator('#in-category .tree-name', { hasText: '城市管理 › 市容环境 › 占道经营' }).click();
    await seeText(agent, '已选', '#in-category');
    await shot(agent, 'intake-form', { full: true });
    await agent.click('form.form.grid button[type=submit]');
    const created = agent.locator('[data-testid=created]');
    await created.waitFor();
    const text = await created.textContent();
    const m = text.match(/#(\d+)/);
    check(m, 'the new case number is shown');
    caseId = Number(m[1]);
    check(/已派单至\s*八宝山街道/.test(text), `the case should be dispatched to 八宝山街道: “${text}”`);
    await shot(agent, 'intake-created');
  });

  await step('agent: a second request that came with coordinates (for the map)', async () => {
    await agent.locator('[data-testid=created] button', { hasText: '继续受理' }).click();
    await agent.locator('#in-title').waitFor();
    check(await agent.inputValue('#in-title') === '', 'a new intake form is empty');
    await agent.locator('#in-type').selectOption('report');
    await agent.locator('#in-channel').selectOption('miniprogram');
    await agent.fill('#in-title', '路边井盖缺失');
    await agent.fill('#in-content', '小程序来件：路边井盖缺失，存在安全隐患。');
    await agent.locator('details.more summary').click();
    await agent.fill('#in-lon', '116.2229');
    await agent.fill('#in-lat', '39.9063');
    await agent.click('form.form.grid button[type=submit]');
    const created = agent.locator('[data-testid=created]');
    await created.waitFor();
    check(/石景山区/.test(await created.textContent()), 'a point inside 石景山区 goes to the district');
  });

  // ---- the dispatcher --------------------------------------------------------
  await step('dispatcher: the dispatch desk', async () => {
    const p = await open('dispatcher');
    check(/#\/dispatch$/.test(p.url()), 'dispatcher lands on the dispatch desk');
    await seeText(p, '待派单');
    await seeText(p, '退单待审');
    await p.locator('.tabs .tab', { hasText: '退单待审' }).click();
    await p.locator('.tabs .tab.active', { hasText: '退单待审' }).waitFor();
    await p.locator('.tabs .tab', { hasText: '待派单' }).click();
    await shot(p, 'dispatcher');
    await p.context().close();
  });

  // ---- the street ------------------------------------------------------------
  const street = await open('babaoshan.handler');
  await step('street: the inbox with live countdowns (desktop and 390 px)', async () => {
    check(/#\/inbox/.test(street.url()), 'a handler lands on the inbox');
    await seeText(street, '待签收');
    await seeText(street, '吹哨报到');
    const row = street.locator(`tr[data-case="${caseId}"]`);
    await row.waitFor().catch(() => fail(`case #${caseId} is not in 八宝山街道's 待签收 tab`));
    const cd = row.locator('.cd');
    check(await cd.count() > 0, 'the row has a countdown');
    const state = await cd.first().getAttribute('data-state');
    check(['fine', 'warning', 'overdue'].includes(state), 'the countdown has a colour state');
    const nearest = await nearestDeadline(street, caseId);
    check(await cd.first().locator('.cd-clock').textContent() === { dispatch: '派单', sign: '签收', contact: '联系', feedback: '反馈' }[nearest.clock],
      `the countdown names the ${nearest.clock} clock`);
    await checkCountdown(street, cd.first(), nearest);
    await shot(street, 'inbox');
    await setPhone(street);
    await row.waitFor();
    const w = await street.evaluate(() => document.documentElement.scrollWidth);
    check(w <= 392, `the inbox fits 390 px (page is ${w} px wide)`);
    await shot(street, 'inbox-390px');
    await setDesk(street);
  });

  await step('street: signs, contacts the requester, whistles 城管委 and 住建委', async () => {
    await openCase(street, caseId);
    await seeText(street, TITLE);
    await seeText(street, '受理登记', '.timeline');
    await seeText(street, '派单至八宝山街道', '.timeline');
    await act(street, 'sign');
    await seeText(street, '已签收', '.case-title');
    // the feedback deadline's countdown on the case page
    const c = await (await street.request.get(`${BASE}/api/v1/cases/${caseId}`)).json();
    const fb = street.locator('table.clocks tr', { hasText: '反馈' }).locator('.cd');
    await fb.waitFor().catch(() => fail('the case page has no countdown to the feedback deadline'));
    await checkCountdown(street, fb, c.deadlines.feedback);
    // the requester: masked, revealed on request with a reason
    await seeText(street, '138****5678', '.requester');
    const reveal = street.locator('.requester button', { hasText: '查看' });
    await reveal.waitFor().catch(() => fail('the lead unit has no 查看 button for the masked requester'));
    await reveal.click();
    street.allowed.push({ method: 'POST', path: `/api/v1/cases/${caseId}/reveal`, status: 400 });
    await street.locator('.dialog button[type=submit]').click(); // no reason: refused next to the field
    await street.locator('.field.has-error:has(#reveal-reason) .field-error').waitFor()
      .catch(() => fail('revealing without a reason shows no error under the reason'));
    await street.fill('#reveal-reason', '电话联系诉求人核实占道经营情况');
    await street.locator('.dialog button[type=submit]').click();
    await street.locator('[data-testid=req-phone]', { hasText: '13812345678' }).waitFor();
    street.allowed = [];
    await seeText(street, '查看诉求人联系方式', '.timeline');
    await act(street, 'contact', async (f) => {
      await f.locator('#af-contact-note').fill('已电话联系张先生，约定今晚到现场查看。');
    });
    await seeText(street, '办理中', '.case-title');
    await act(street, 'whistle', async (f) => {
      await f.locator('.checklist label', { hasText: '石景山区城市管理委员会' }).locator('input').check();
      await f.locator('.checklist input[type=search]').fill('住房');
      await f.locator('.checklist label', { hasText: '石景山区住房和城乡建设委员会' }).locator('input').check();
      await f.locator('#af-whistle-place').fill('四季园社区南门');
      await f.locator('#af-whistle-reason').fill('占道经营涉及城管执法和小区周边施工管理，请到场协同处置');
    });
    await seeText(street, '吹哨（第 1 哨）：召集石景山区城市管理委员会、石景山区住房和城乡建设委员会报到', '.timeline');
    await seeText(street, '待报到', '.tasks');
    await shot(street, 'case-whistled', { full: true });
  });

  // ---- the two departments ---------------------------------------------------------
  for (const [login, name, shotName] of [['sjs.chengguan.handler', '石景山区城市管理委员会', 'department-report'], ['sjs.zhujian.handler', '石景山区住房和城乡建设委员会', null]]) {
    await step(`${name}: sees the whistle, reports and finishes`, async () => {
      const p = await open(login);
      await p.locator('.tabs .tab', { hasText: '吹哨报到' }).click();
      await p.locator(`tr[data-case="${caseId}"]`).waitFor().catch(() => fail(`case #${caseId} is not in ${name}'s 吹哨报到 tab`));
      if (shotName) await shot(p, 'department-inbox');
      await p.locator(`tr[data-case="${caseId}"] a`).first().click();
      await p.locator('.case-page h1').waitFor();
      await act(p, 'report', async (f) => { await f.locator('#af-report-note').fill('已到现场，与街道共同查看'); });
      await seeText(p, `${name}报到（到场）`, '.timeline');
      await act(p, 'finish', async (f) => { await f.locator('#af-finish-result').fill(login.includes('chengguan') ? '已依法劝离流动摊贩，夜间加强巡查' : '已督促周边工地规范围挡，清理占道物料'); });
      await seeText(p, `${name}任务办结`, '.timeline');
      if (shotName) await shot(p, shotName, { full: true });
      await p.context().close();
    });
  }

  await step('street: rates the departments and replies', async () => {
    await openCase(street, caseId);
    for (const [unit, score] of [['石景山区城市管理委员会', '5'], ['石景山区住房和城乡建设委员会', '4']]) {
      await act(street, 'rate', async (f) => {
        await f.locator('#af-rate-task').selectOption({ label: `${unit}（第 1 哨）` });
        await f.locator('#af-rate-result').selectOption(score);
      });
      await seeText(street, `评价${unit}`, '.timeline');
    }
    await act(street, 'reply', async (f) => {
      await f.locator('#af-reply-result').fill('经街道吹哨，城管委、住建委到场协同处置，摊贩已劝离，夜间加强巡查。');
    });
    await seeText(street, '已反馈', '.case-title');
    await seeText(street, '反馈办理结果（已解决）', '.timeline');
    await shot(street, 'case-replied', { full: true });
    await setPhone(street);
    await street.locator('.case-page h1').waitFor();
    const w = await street.evaluate(() => document.documentElement.scrollWidth);
    check(w <= 392, `the case page fits 390 px (page is ${w} px wide)`);
    await shot(street, 'case-390px');
    await setDesk(street);
  });

  // ---- the callback -----------------------------------------------------------
  await step('agent: the callback queue and a satisfied callback', async () => {
    await agent.goto(BASE + '/#/callbacks');
    await seeText(agent, '回访队列');
    const row = agent.locator(`tr[data-case="${caseId}"]`);
    await row.waitFor().catch(() => fail(`case #${caseId} is not in the callback queue`));
    await shot(agent, 'callbacks');
    await row.locator('button[data-action=callback]').click();
    const f = agent.locator('form[data-action=callback]');
    await f.waitFor();
    await f.locator('#af-callback-satisfaction').selectOption('satisfied');
    await f.locator('#af-callback-comment').fill('诉求人表示摊贩已不见，对处理结果满意');
    await f.locator('button[type=submit]').click();
    await f.waitFor({ state: 'detached' });
    await seeText(agent, `工单 #${caseId} 已回访`);
    await openCase(agent, caseId);
    await seeText(agent, '已办结', '.case-title');
    await seeText(agent, '回访：是否联系 是，是否解决 是，满意', '.timeline');
  });

  // ---- the assessor ---------------------------------------------------------------
  await step('assessor: 八宝山街道 in the ranking chart', async () => {
    const p = await open('centre.assessor');
    check(/#\/assess$/.test(p.url()), 'an assessor lands on the rankings');
    // the month defaults to the server's (JIESU_NOW), not the browser's
    if (NOW) check(await p.inputValue('#as-period') === NOW.slice(0, 7), `the period defaults to the server's month ${NOW.slice(0, 7)}, not ${await p.inputValue('#as-period')}`);
    await p.locator('#as-parent').selectOption('110107');
    const chart = p.locator('[data-testid=rank-score]');
    await chart.waitFor().catch(() => fail('no ranking chart'));
    await p.locator('[data-testid=rank-score] canvas').waitFor();
    const names = await chart.evaluate((el) => (el.__option ? el.__option.yAxis.data : []));
    check(names.includes('八宝山街道'), `八宝山街道 should be in the ranking chart, it shows: ${names.join(', ')}`);
    check((await chart.getAttribute('aria-label')).includes('八宝山街道'), 'the chart names 八宝山街道');
    await seeText(p, '响应率、解决率、满意率');
    await seeText(p, '全口径');
    const csv = await p.locator('a', { hasText: '下载 CSV' }).getAttribute('href');
    check(/format=csv/.test(csv), 'a CSV download link');
    const res = await p.request.get(BASE + csv);
    check(res.status() === 200 && /八宝山街道/.test(await res.text()), 'the CSV downloads with the cookie and lists 八宝山街道');
    await p.locator('.report button.link', { hasText: '八宝山街道' }).click();
    await p.locator('[data-testid=trend-chart] canvas').waitFor();
    await shot(p, 'assessor', { full: true });
    await p.context().close();
  });

  // ---- the supervisor --------------------------------------------------------------
  await step('supervisor: the district by state and the map over its outline', async () => {
    const p = await open('sjs.supervisor');
    check(/#\/supervisor$/.test(p.url()), 'a supervisor lands on the supervision desk');
    await seeText(p, '督办台');
    await seeText(p, '已超期', '.stat-grid');
    const map = p.locator('[data-testid=district-map]');
    await map.locator('canvas').waitFor().catch(() => fail('the district map is not drawn'));
    const geo = await map.evaluate((el) => (el.__option ? el.__option.geo.map((g) => g.map) : []));
    check(geo.includes('jiesu-district-110107'), `the map draws the district's own outline (maps: ${geo.join(', ')})`);
    const painted = await map.evaluate((el) => {
      const c = el.querySelector('canvas'); const ctx = c.getContext('2d');
      const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) n++;
      return n;
    });
    check(painted > 1000, 'the map canvas has the outline drawn on it');
    const points = await map.evaluate((el) => el.__option.series.reduce((n, s) => n + s.data.length, 0));
    check(points >= 1, 'the case recorded with coordinates is a point on the map');
    await shot(p, 'supervisor-map', { full: true });
    await p.context().close();
  });

  // ---- English --------------------------------------------------------------------------
  await step('language toggle: English, kept across a reload', async () => {
    await agent.goto(BASE + '/#/intake');
    await agent.locator('header .lang').click();
    await seeText(agent, 'Intake', 'header');
    await agent.reload();
    await seeText(agent, 'Intake', 'header');
    await agent.locator('header .lang').click();
    await seeText(agent, '受理登记', 'header');
  });

  // ---- the admin -------------------------------------------------------------------
  let admin = null;
  await step('admin: the users page lists users', async () => {
    const p = admin = await open('admin');
    check(/#\/admin\/users$/.test(p.url()), 'the admin lands on the users page');
    await p.locator('[data-testid=users]').waitFor().catch(async () => {
      const err = await p.locator('.alert.error').allTextContents();
      fail('the users list is not shown: ' + err.join(' '));
    });
    await seeText(p, 'babaoshan.handler', '[data-testid=users]');
    // a new account: a short password is refused next to the password field, then saved and disabled
    await p.locator('.page-head button', { hasText: '新增用户' }).click();
    await p.fill('#u-login', 'babaoshan.wang');
    await p.fill('#u-name', '王芳');
    await p.locator('#u-unit input[type=search]').fill('八宝山街道');
    await p.locator('#u-unit .tree-name', { hasText: '八宝山街道' }).filter({ hasText: '石景山区' }).first().click();
    await p.fill('#u-password', 'short');
    p.allowed.push({ method: 'POST', path: '/api/v1/users', status: 400 });
    await p.locator('.dialog button[type=submit]').click();
    await p.locator('.field.has-error:has(#u-password) .field-error').waitFor()
      .catch(() => fail('the password error is not shown under the password input'));
    check(await p.inputValue('#u-name') === '王芳', 'the name typed is kept after the error');
    await p.fill('#u-password', 'bbs-pass-2026');
    await p.locator('.dialog button[type=submit]').click();
    await seeText(p, '已保存用户 babaoshan.wang');
    p.allowed = [];
    await p.fill('#uf-unit', '110107001');
    await p.locator('form.filters button[type=submit]').click();
    const row = p.locator('[data-testid=users] tr', { hasText: 'babaoshan.wang' });
    await row.locator('button', { hasText: '停用' }).click();
    await seeText(p, '已停用 babaoshan.wang');
    await row.getByText('已停用').waitFor();
    await shot(p, 'admin-users');
  });

  await step('admin: the unit tree searched on the server, each hit under its district and street', async () => {
    const p = admin;
    await p.goto(BASE + '/#/admin/units');
    const picker = p.locator('.picker');
    await picker.locator('.tree-name', { hasText: '石景山区' }).waitFor(); // the first level, opened lazily
    p.unitRequests.length = 0;
    await picker.locator('input[type=search]').pressSequentially('四季', { delay: 60 });
    const hit = picker.locator('.hits .tree-name', { hasText: /^四季园社区/ }); // not 领峰四季园社区居委会
    await hit.waitFor().catch(() => fail('searching 四季 does not find 四季园社区'));
    await hit.locator('.unit-path', { hasText: '石景山区 › 八宝山街道' }).waitFor()
      .catch(() => fail('the hit does not show where it is (石景山区 › 八宝山街道)'));
    const searches = p.unitRequests.filter((q) => /[?&]q=/.test(q));
    check(searches.length === 1 && /limit=50/.test(searches[0]), `one search (debounced) with q= and limit=50 after typing, got: ${p.unitRequests.join(' ')}`);
    check(!p.unitRequests.some((q) => !/[?&](q|parent|kind)=/.test(q)), 'the unit tree never downloads every unit');
    check(await picker.locator('.hits .tree-name').count() > 1, 'other units named 四季… are listed too');
    await hit.click();
    await seeText(p, '110107001012', '.facts'); // the unit's details on the right
    await shot(p, 'admin-units');
    await picker.locator('input[type=search]').fill('社区');
    await seeText(p, '只显示前 50 个', '.picker'); // the city has thousands of 社区
    check(await picker.locator('.hits .tree-name').count() === 50, 'at most 50 hits');
    await picker.locator('input[type=search]').fill('没有这个单位名称');
    await seeText(p, '没有找到', '.picker');
    check(!p.unitRequests.some((q) => !/[?&](q|parent|kind)=/.test(q)), 'the unit tree never downloads every unit');
    await p.context().close();
  });

  await browser.close();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`e2e: ${passed.length} passed, 0 failed (${secs} s); case #${caseId}; screenshots in ${SHOTS}`);
  process.exit(0);
} catch (e) {
  console.error(`FAIL ${e.message}`);
  if (problems.length && !e.message.includes('browser problems')) console.error('  also: ' + problems.join('\n  '));
  try { await browser.close(); } catch { /* ignore */ }
  console.log(`e2e: ${passed.length} passed, 1 failed`);
  process.exit(1);
}
