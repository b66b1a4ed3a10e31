const token = new URLSearchParams(location.search).get('token') || '';
const auth = {headers: {'Authorization': 'Bearer ' + token}};
let queue = [], current = null;
function pc(v){ return Math.max(0, Math.min(1, Number(v) || 0)) * 100; }
function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
async function loadQueue(){
  const r = await fetch('/api/review', auth);
  if (r.status === 401){ document.getElementById('queue').textContent = '需要会议口令：在网址后加 ?token=…'; return; }
  queue = await r.json();
  loadHistory();
  document.getElementById('queue').innerHTML = queue.map(q =>
    `<div data-id="${q.id}" class="${current && current.id === q.id ? 'sel' : ''}">#${q.id} ${esc(q.round)} · ${esc(q.group)}` +
    `${q.serial ? ' · No.' + esc(q.serial) : ''}<br><small>${(q.reason_words || q.reasons).map(esc).join('，')}</small></div>`).join('') ||
    '<div>没有待复核的选票</div>';
  document.querySelectorAll('#queue div[data-id]').forEach(d => d.onclick = () => open(+d.dataset.id));
  if (!current && queue.length) open(queue[0].id);
  if (!current && !queue.length){  // nothing to decide: no buttons, no stale sheet
    document.getElementById('decide').classList.add('hide');
    document.getElementById('head').textContent = '复核队列';
    document.getElementById('reasons').innerHTML = '';
    document.getElementById('result').innerHTML = '';
    document.getElementById('sheet').innerHTML = '';
  }
}
async function loadHistory(){
  const r = await fetch('/api/history', auth);
  if (!r.ok) return;
  const items = await r.json();
  document.getElementById('history').innerHTML = items.length ? '<h4>已处理（点击可重新打开）</h4>' + items.map(h =>
    `<div data-id="${Number(h.id)}">#${Number(h.id)} ${esc(h.round)} · ${esc(h.group)}：${esc(h.decision_words)}` +
    `<br><small>${esc(h.operator)}：${esc(h.reason)}</small></div>`).join('') : '';
  document.querySelectorAll('#history div[data-id]').forEach(d => d.onclick = () => open(+d.dataset.id));
}
function ballot(result, ch, boxes){
  // the machine's reading as the paper looks: rows in paper order, the read mark filled, doubtful boxes outlined
  const state = {}; boxes.forEach(b => state[b.id] = b.state);
  const cls = (id, read) => [read ? 'read' : '', state[id] === 'marginal' ? 'doubt' : '',
                             state[id] === 'struck' ? 'struck' : ''].join(' ');
  let html = '<table class="ballot">';
  if (result.votes){
    html += '<tr><th></th>' + ch.options.map(o => `<th>${esc(o[1])}</th>`).join('') + '</tr>';
    for (const [cid, v] of Object.entries(result.votes))
      html += `<tr><th>${esc(ch.candidates[cid] || cid)}</th>` + ch.options.map(o =>
        `<td class="${cls(cid + '/' + o[0], v === o[0])}">${v === o[0] ? '✓' : ''}</td>`).join('') + '</tr>';
    for (const w of (result.write_ins || []))
      html += `<tr><th>另选他人（${esc(w.section)} 第${esc(w.row)}行）</th><td colspan="${ch.options.length}">` +
        `${w.ticked ? '✓ 已划记' : '未划记'}${w.written ? ' · 写了姓名' : ''}</td></tr>`;
  } else if (result.grades){
    html += '<tr><th></th>' + ch.grades.map(g => `<th>${esc(g[1])}</th>`).join('') + '</tr>';
    for (const [cid, v] of Object.entries(result.grades))
      html += `<tr><th>${esc(ch.candidates[cid] || cid)}</th>` + ch.grades.map(g =>
        `<td class="${cls(cid + '/' + g[0], v === g[0])}">${v === g[0] ? '✓' : ''}</td>`).join('') + '</tr>';
  } else if (result.scores){
    const crits = Object.keys(ch.criteria);
    html += '<tr><th></th>' + crits.map(c => `<th>${esc(ch.criteria[c])}</th>`).join('') + '</tr>';
    for (const [cid, sc] of Object.entries(result.scores))
      html += `<tr><th>${esc(ch.candidates[cid] || cid)}</th>` + crits.map(c =>
        `<td class="${sc[c] == null ? 'doubt' : ''}">${esc(sc[c] ?? '—')}</td>`).join('') + '</tr>';
  } else if (result.answers){
    for (const [qid, chosen] of Object.entries(result.answers)){
      const q = ch.questions[qid] || {text: qid, options: []};
      html += `<tr><th>${esc(q.text)}</th>` + q.options.map(([id, label]) =>
        `<td class="${cls(qid + '/' + id, chosen.includes(id))}">${esc(label)}${chosen.includes(id) ? ' ✓' : ''}</td>`)
        .join('') + '</tr>';
    }
  }
  return html + '</table>';
}
async function open(id){
  current = await (await fetch('/api/readings/' + id, auth)).json();
  document.getElementById('head').textContent =
    `#${current.id} ${current.round_name || current.round} · ${current.group_name || current.group} 第${current.page}页`;
  document.getElementById('reasons').innerHTML = '<b>疑点：</b>' + (current.reason_words || current.reasons).map(esc).join('，');
  document.getElementById('result').innerHTML = ballot(current.result, current.choices, current.boxes);
  document.getElementById('decide').classList.remove('hide');
  document.getElementById('msg').textContent = '';
  fixForm(current.result, current.choices);
  writeIns(current.result, current.choices);
  const s = document.getElementById('sheet');
  s.innerHTML = `<img src="/api/readings/${id}/image?token=${encodeURIComponent(token)}">` +
    current.boxes.filter(b => b.state !== 'empty').map(b => `<div class="box ${esc(b.state)}" title="${esc(b.id)} ${esc(Number(b.fill).toFixed(3))}"
      style="left:${pc(b.x)}%;top:${pc(b.y)}%;width:${pc(b.w)}%;height:${pc(b.h)}%"></div>`).join('') +
    current.zones.filter(z => z.kind === 'write_in_name').map(z => `<div class="zone"
      style="left:${pc(z.x)}%;top:${pc(z.y)}%;width:${pc(z.w)}%;height:${pc(z.h)}%"></div>`).join('');
  loadQueue();
}
async function decide(kind){
  if (!current) return;
  const names = [...document.querySelectorAll('[data-wi]')].filter(el => el.value.trim()).map(el => {
    const [post, row] = el.dataset.wi.split('/'); return [post, +row, el.value.trim()];
  });
  const body = {decision: kind, reason: document.getElementById('reason').value,
                operator: document.getElementById('operator').value, write_in_names: names};
  if (kind === 'correct') body.result = readFix(current.result);
  const r = await fetch(`/api/readings/${current.id}/decision`, {method: 'POST', headers: {...auth.headers,
    'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const d = await r.json();
  if (!r.ok){ document.getElementById('msg').textContent = d.error; return; }  // beside the sheet it concerns
  const decided = current.id;
  document.getElementById('done').textContent = `#${decided} 已记录（决定 #${Number(d.decision)}）`;
  current = null; document.getElementById('reason').value = ''; document.getElementById('writeins').innerHTML = '';
  await loadQueue();
}
function select(name, value, pairs){
  return `<select data-fix="${esc(name)}"><option value="">（未选）</option>` + pairs.map(([id, label]) =>
    `<option value="${esc(id)}" ${id === value ? 'selected' : ''}>${esc(label)}</option>`).join('') + '</select>';
}
function fixForm(result, ch){
  let html = '<b>更正</b>（按纸面实际填写，然后点“更正后计入”）<table>';
  if (result.votes) for (const [cid, v] of Object.entries(result.votes))
    html += `<tr><td>${esc(ch.candidates[cid] || cid)}</td><td>${select('votes/' + cid, v, ch.options)}</td></tr>`;
  if (result.grades) for (const [cid, v] of Object.entries(result.grades))
    html += `<tr><td>${esc(ch.candidates[cid] || cid)}</td><td>${select('grades/' + cid, v, ch.grades)}</td></tr>`;
  if (result.scores) for (const [cid, crits] of Object.entries(result.scores))
    for (const [crit, v] of Object.entries(crits))
      html += `<tr><td>${esc(ch.candidates[cid] || cid)} ${esc(ch.criteria[crit] || crit)}</td><td>` +
        `<input data-fix="scores/${esc(cid)}/${esc(crit)}" value="${esc(v ?? '')}" inputmode="decimal"></td></tr>`;
  if (result.answers) for (const [qid, chosen] of Object.entries(result.answers)){
    const q = ch.questions[qid] || {text: qid, options: []};
    html += `<tr><td>${esc(q.text)}</td><td>` + q.options.map(([id, label]) => `<label style="display:inline">` +
      `<input type="checkbox" style="width:auto" data-fix="answers/${esc(qid)}/${esc(id)}" ${chosen.includes(id) ?
      'checked' : ''}>${esc(label)}</label>`).join(' ') + '</td></tr>';
  }
  document.getElementById('fix').innerHTML = html + '</table>';
}
function writeIns(result, ch){
  // a name field for each write-in row on this sheet (ticked rows first), offering the names typed before
  const rows = (result.write_ins || []).slice().sort((a, b) => (b.ticked === true) - (a.ticked === true));
  const post = id => (ch.write_ins.find(w => w[0] === id) || [id, id])[1];
  let html = rows.length ? '<b>另选他人姓名</b>（按纸面填写；已录入过的姓名可从列表选择）' : '';
  for (const w of rows)
    html += `<label>${esc(post(w.section))} 第${esc(w.row)}行${w.ticked ? '（已划记）' : ''}` +
      `<input data-wi="${esc(w.section)}/${esc(w.row)}" list="names-${esc(w.section)}" maxlength="40"></label>`;
  for (const [id, names] of Object.entries(ch.typed_names || {}))
    html += `<datalist id="names-${esc(id)}">` + names.map(n => `<option value="${esc(n)}">`).join('') + '</datalist>';
  document.getElementById('writeins').innerHTML = html;
}
function readFix(result){
  const out = JSON.parse(JSON.stringify(result));
  document.querySelectorAll('[data-fix]').forEach(el => {
    const [kind, a, b] = el.dataset.fix.split('/');
    if (kind === 'votes' || kind === 'grades') out[kind][a] = el.value || null;
    else if (kind === 'scores') out.scores[a][b] = el.value.trim() || null;
    else if (kind === 'answers'){
      const list = out.answers[a].filter(x => x !== b);
      if (el.checked) list.push(b);
      out.answers[a] = list;
    }
  });
  return out;
}
for (const k of ['accept', 'correct', 'void', 'duplicate']) document.getElementById(k).onclick = () => decide(k);
document.addEventListener('keydown', e => {
  if (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA') return;
  const k = {y: 'accept', c: 'correct', v: 'void', d: 'duplicate'}[e.key.toLowerCase()];
  if (k) decide(k);
});
new EventSource('/events').onmessage = loadQueue;
loadQueue();
