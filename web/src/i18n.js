// Chinese first. t('中文') returns the English text when English is chosen and
// a translation exists, else the Chinese. The choice is kept in localStorage.
const KEY = 'jiesu.lang';
let lang = 'zh';
try { lang = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'; } catch { /* private mode */ }
const listeners = new Set();
if (typeof document !== 'undefined') document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';

export function getLang() { return lang; }
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(KEY, lang); } catch { /* ignore */ }
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  listeners.forEach((f) => f(lang));
}
export function onLang(f) { listeners.add(f); return () => listeners.delete(f); }

// t('共 {n} 条', {n: 3})
export function t(zh, vars) {
  let s = lang === 'en' && EN[zh] !== undefined ? EN[zh] : zh;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

const EN = {
  // shell
  '接诉即办工作台': 'Jiesu workbench', '退出登录': 'Log out', 'English': 'English', '中文': '中文',
  '正在加载…': 'Loading…', '加载失败': 'Failed to load', '重试': 'Retry', '刷新': 'Refresh',
  '登录': 'Log in', '账号': 'Login', '密码': 'Password', '演示账号见 README；密码 jiesu-demo': 'Demo logins: see the README; password jiesu-demo',
  '请登录': 'Please log in', '登录已失效，请重新登录': 'Your session has ended, please log in again',
  // nav
  '受理登记': 'Intake', '回访队列': 'Callbacks', '工单查询': 'Cases', '派单台': 'Dispatch',
  '我的工单': 'My inbox', '督办台': 'Supervision', '考核排名': 'Rankings', '用户管理': 'Users',
  '单位管理': 'Units', '诉求分类': 'Categories', '节假日': 'Holidays', '工单': 'Case',
  // common
  '提交': 'Submit', '取消': 'Cancel', '保存': 'Save', '确定': 'OK', '关闭': 'Close', '搜索': 'Search',
  '上一页': 'Previous', '下一页': 'Next', '共 {n} 条': '{n} in all', '第 {p} / {n} 页': 'Page {p} of {n}',
  '暂无数据': 'Nothing here', '是': 'Yes', '否': 'No', '全部': 'All', '查看': 'Show', '编辑': 'Edit',
  '停用': 'Disable', '启用': 'Enable', '新增': 'Add', '删除': 'Delete', '已保存': 'Saved',
  '操作成功': 'Done', '原因': 'Reason', '备注': 'Note', '说明': 'Note',
  // case fields
  '工单编号': 'Case no.', '标题': 'Title', '状态': 'Status', '类型': 'Type', '渠道': 'Channel',
  '承办单位': 'Lead unit', '抄送': 'Copies', '属地': 'Place', '诉求内容': 'Content', '地址': 'Address',
  '分类': 'Category', '时限等级': 'Tier', '诉求人': 'Requester', '姓名': 'Name', '电话': 'Phone',
  '保密': 'Confidential', '受理时间': 'Received', '最近时限': 'Next deadline', '办理过程': 'Timeline',
  '可办理操作': 'Actions', '无可办理的操作': 'No action available to you now', '办理结果': 'Result',
  '吹哨任务': 'Whistle tasks', '督办': 'Supervision', '回访结果': 'Callback',
  '12345 市民服务热线 · 接诉即办': '12345 citizen service hotline', '{d}天': '{d}d ', '{u} 近六个月走势': '{u}: the last six months',
  '一级->二级->三级': 'level 1->level 2->level 3', '三率': 'Three rates', '上级': 'Parent', '下派': 'Sub-dispatch', '下派任务': 'Sub-dispatch task',
  '下载 CSV': 'Download CSV', '下载 Excel': 'Download Excel', '不参与排名': 'Not ranked', '不同意，退回原单位': 'Reject: back to the same unit',
  '不选则按分类确定': 'By the category when empty', '事发地址': 'Address', '仅考核响应率': 'Response rate only', '任务': 'Task', '修改': 'Change',
  '修改单位 {n}': 'Change unit {n}', '全口径': 'Full scope', '全市': 'Whole city', '写明区、街道（乡镇）、社区或小区，系统据此确定属地并自动派单': 'Name the district, street, community or compound: jiesu finds the place and dispatches at once',
  '分类路径': 'Category path', '创建时间': 'Created', '初始密码': 'Initial password', '删除 {d}？': 'Delete {d}?', '剔除（不计入考核）': 'Exclude from assessment',
  '剩余 {x}': '{x} left', '办理中': 'In progress', '办理时限': 'Deadlines', '办结': 'Close', '办结时间': 'Closed', '区 6 位、街乡 9 位、社区 12 位，以上级编码开头': 'District 6 digits, street 9, community 12, starting with the parent\'s code',
  '区级': 'District', '单位': 'Unit', '单位名称': 'Unit name', '单位树': 'Unit tree', '单位类别': 'Kind', '单位编码': 'Unit code', '受理日期从': 'Received from',
  '可信度': 'confidence', '同意退单，改派': 'Approve: re-dispatch', '名称': 'Name', '吹哨得分': 'Whistle score', '吹哨报到与下派任务': 'Whistle and sub-dispatch tasks',
  '周期 {a} 至 {b}；权重：响应率 {r}、解决率 {s}、满意率 {m}；基本满意折算 {k}；有效回访不少于 {n} 件参与排名。': 'Period {a} to {b}; weights: response {r}, resolution {s}, satisfaction {m}; basically satisfied counts {k}; ranked with at least {n} valid callbacks.',
  '响应率': 'Response', '响应率、解决率、满意率': 'Response, resolution and satisfaction rates', '回复时限': 'Answer by', '回访': 'Callback',
  '图中为带坐标的工单 {n} 件（共 {t} 件）；蓝点为办理中，红点为已超期。': '{n} of {t} cases carry coordinates; blue: open, red: overdue.',
  '在 {p} 下新增单位': 'New unit under {p}', '在左侧选择一个单位': 'Choose a unit on the left', '如 chengguan、zhujian、water，与分类的默认承办对应': 'e.g. chengguan, zhujian, water: matches the categories\' default handling',
  '如：供暖': 'e.g. heating', '如：春节': 'e.g. Spring Festival', '完成': 'Done', '审核': 'Decide', '属地未能识别': 'Place not found', '工单 #{id} 已回访': 'Case #{id} called back',
  '工单 #{id} 已派至 {u}': 'Case #{id} dispatched to {u}', '工单 #{id} 已签收': 'Case #{id} signed', '工单信息': 'Case facts',
  '工单尚未派出：咨询可直接答复，不予派单的情形请选择“不予派单”，其余请派单。': 'Not dispatched yet: answer a consultation, refer a case that is not dispatched, dispatch the rest.',
  '已{a}': 'Done: {a}', '已保存 {d}': 'Saved {d}', '已保存单位 {n}': 'Saved unit {n}', '已保存用户 {l}': 'Saved user {l}', '已停用': 'Disabled', '已停用 {l}': 'Disabled {l}',
  '已删除 {d}': 'Deleted {d}', '已受理，工单编号 #{id}': 'Recorded as case #{id}', '已合并至': 'Merged into', '已启用 {l}': 'Enabled {l}', '已回复': 'Answered',
  '已派单至{u}': 'Dispatched to {u}', '已解决': 'Solved', '已超期': 'Overdue', '已超期 {x}': 'Overdue by {x}', '已选': 'Chosen', '市级': 'City',
  '延期、剔除待审': 'Extensions and exclusions', '延期至 {d}': 'Extension to {d}', '待回复': 'Waiting for answer', '待审事项': 'Waiting', '待报到': 'Not reported',
  '待派单': 'To dispatch', '很好': 'very good', '很差': 'very poor', '得分': 'Score', '截止': 'Due', '所属单位': 'Unit', '所选单位': 'Chosen unit',
  '打开工单可督办或提级。': 'Open a case to supervise or escalate it.', '承办单位已反馈或已过反馈时限的工单，请致电诉求人回访：是否联系、是否解决、是否满意。': 'Cases replied to or past their feedback deadline: call the requester back — contacted? solved? satisfied?',
  '承办单位编码': 'Lead unit code', '报到': 'Reported', '报到时限': 'Report by', '挂账至': 'Parked until', '按分类': 'By category', '按时完成': 'On time',
  '排名': 'Rank', '排名明细': 'Ranking table', '提交受理': 'Record', '提级': 'Escalation', '搜索分类，如：噪音、供暖': 'Search categories, e.g. noise, heating',
  '搜索单位名称或编码': 'Search unit names or codes', '只显示前 {n} 个，请输入更多文字缩小范围': 'Only the first {n}: type more to narrow the search', '操作': 'Actions', '改名': 'Rename', '放假': 'Day off', '放假日不计工作日；周末调休上班的日子计为工作日。以工作日计的时限按此日历计算。': 'Days off are not working days; make-up working days on weekends are. Deadlines in working days follow this calendar.',
  '新增下级单位': 'Add a unit below', '新增分类': 'New category', '新增用户': 'New user', '新密码（不改请留空）': 'New password (empty: unchanged)', '日期': 'Date', '时限': 'Deadline',
  '是否同意': 'approve?', '是否联系': 'contacted', '是否解决': 'solved', '是否超期': 'Overdue', '最终得分': 'Final score', '有效回访': 'Valid callbacks', '未联系上': 'Not reached',
  '未能识别': 'not found', '未解决': 'Not solved', '未超期': 'Not overdue', '本区暂无边界数据': 'No boundary for this district', '本期暂无参与排名的单位（没有有效回访）。': 'No unit is ranked in this period (no valid callback).',
  '来源渠道': 'Channel', '查看原因': 'Reason', '查看将记入办理过程。请说明用途，如：电话联系诉求人核实情况。': 'Viewing is recorded in the history. Say why, e.g. to phone the requester.',
  '查看工单': 'Open the case', '查看诉求人联系方式': 'Requester\'s contact', '查询': 'Search', '正常': 'Active', '没有找到': 'Nothing found', '派单': 'Dispatch', '清空': 'Clear', '清除': 'Clear',
  '满意率': 'Satisfaction', '点击单位查看走势': 'click a unit for its trend', '申请': 'Applied', '申请延期至': 'Extension asked to', '申请延至': 'Extend to',
  '确认对工单 #{id}「{title}」执行“{a}”？': '{a}: case #{id} “{title}”?', '第 {n} 哨': 'Whistle {n}', '第 {n} 次督办': 'Supervision {n}', '答复': 'Answer', '筛选': 'Filter', '筛选部门': 'Filter',
  '签收': 'Sign', '类别': 'Kind', '系统': 'System', '继续受理': 'Record another', '综合得分排名': 'Score ranking', '编号': 'No.', '编码': 'Code', '编辑用户 {l}': 'Edit user {l}',
  '考核口径': 'Assessed', '考核周期': 'Period', '考核对象': 'Pool', '考核范围': 'Assessment scope', '职能部门': 'Departments', '职责领域': 'Sector', '职责领域标识（sector）': 'Sector key',
  '联系电话': 'Phone', '至': 'to', '范围': 'Within', '角色': 'Role', '解决率': 'Resolution', '评价': 'Rating', '识别属地': 'Place found', '诉求人姓名': 'Requester\'s name',
  '诉求人要求保密（承办单位只见脱敏信息）': 'Confidential (the handling unit sees masked data)', '诉求类型': 'Type', '请选择': 'Choose…', '调休上班': 'Make-up working day',
  '超时完成': 'Late', '超期工单': 'Overdue cases', '辖区工单分布': 'Cases on the map', '辖区工单分布图': 'Map of the district\'s cases', '近六个月走势': 'Six-month trend',
  '退单': 'Return', '退单审核': 'Decide return', '退单待审': 'Disputed', '重复诉求，原工单': 'Repeat of', '需派单员确认': 'the dispatcher must confirm', '默认承办': 'Default handling',
  '（到场）': ' (on site)', '（未报到）': ' (not reported)', '街道（乡镇）': 'Streets', '公共服务企业': 'Enterprises', '区': 'Districts',
  '坐标（网站、App、小程序来件带有坐标时填写）': 'Coordinates (when the request came with them)', '经度': 'Longitude', '纬度': 'Latitude', '坐标系': 'System',
  '已保存分类 {p}': 'Saved category {p}', '开源许可': 'Licenses',
  // action form labels
  '答复内容': 'Answer', '不予派单情形': 'Outcome', '告知诉求人的内容': 'What the requester was told', '承办单位（不选则按分类和属地自动确定）': 'Lead unit (empty: by category and place)',
  '是否联系上': 'Reached?', '联系方式': 'Method', '联系情况': 'Note', '备注内容': 'Note', '是否已解决': 'Solved?', '仍有未办结任务，说明原因': 'Tasks are still open: say why',
  '召集部门（可多选）': 'Departments to summon', '报到地点': 'Where to report', '报到时限（默认 2 小时）': 'Report by (default 2 h)', '吹哨事由': 'Why',
  '报到情况': 'Note', '评价对象': 'Unit to rate', '及时性': 'Timeliness', '态度': 'Attitude', '效果': 'Result', '退单原因': 'Cause', '依据和说明': 'Evidence',
  '审核意见': 'Decision', '改派单位': 'New unit', '不变': 'Unchanged', '延期理由': 'Reason', '督办要求': 'Instruction', '回复内容': 'Answer', '提级至': 'Escalate to',
  '提级理由': 'Reason', '下派社区': 'Community', '工作要求': 'Instruction', '计划解决时间': 'Planned date', '挂账理由': 'Reason', '合并至工单编号': 'Merge into case no.',
  '原工单编号': 'Original case no.', '是否联系上诉求人（有效回访）': 'Requester reached (valid callback)?', '承办单位是否联系过您': 'Were you contacted?', '问题是否解决': 'Solved?',
  '是否满意': 'Satisfied?', '回访记录': 'Comment', '重办理由': 'Reason', '申请事项': 'Apply for', '属地（选择区、街乡或社区）': 'Place (district, street or community)', '理由': 'Reason', '改派理由': 'Reason',
};
export default t;
