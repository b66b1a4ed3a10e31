let data = null, announcer = false, revealed = 0;
function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function rowHtml(rank, r, hidden){
  return `<div class="row ${hidden ? 'hidden' : ''}" data-reveal><div>${esc(rank)}</div><div>${esc(r.name)}</div>
  <div><div class="bar" style="width:${Math.max(0, Math.min(1, r.bar)) * 100}%"></div></div>
  <div class="num">${esc(r.label)}</div><div class="mark">${esc(r.mark || '')}</div></div>`;
}
function render(){
  if(!data) return;
  document.getElementById('title').textContent = data.title;
  const voids = data.rounds.filter(r => r.void);
  const v = document.getElementById('void');
  v.style.display = voids.length ? 'block' : 'none';
  v.textContent = voids.map(r => (r.reasons && r.reasons.length) ? r.reasons.join('；') : r.name + '：无效').join('；');
  let html = '';
  // the announcer (现场公布) reveals one list from the last place up to the first: the composite ranking when
  // there is one, else the first round's
  const hide = (i, n) => announcer && (n - 1 - i) >= revealed;
  if (data.ranking.length){
    const n = data.ranking.length;
    html += `<h2>${esc(data.composite)}</h2>`;
    data.ranking.forEach((r, i) => {
      html += rowHtml(r.rank + (r.tied ? '=' : ''), {name: r.name, bar: r.bar, label: r.composite,
                                                     mark: r.selected ? '拟选' : ''}, hide(i, n));
    });
  }
  data.rounds.forEach((rnd, k) => {
    const prog = rnd.groups.map(g => `${esc(g.group)} ${Number(g.read)}/${Number(g.returned)}/${Number(g.issued)}` +
      (g.pending ? ` · 待复核${Number(g.pending)}` : '')).join('　');
    html += `<h2>${esc(rnd.name)}${rnd.sealed ? ' <span class="sealed">已封存</span>' : ''}</h2>` +
      `<div class="progress" data-round="${esc(rnd.id)}">` +
      `${prog ? '已读/收回/发出：' + prog : ''}</div>`;
    const announced = !data.ranking.length && k === 0;
    rnd.rows.forEach((r, i) => { html += rowHtml(i + 1, r, announced && hide(i, rnd.rows.length)); });
  });
  document.getElementById('rounds').innerHTML = html;
  document.getElementById('notes').innerHTML = data.notes.map(n => '! ' + esc(n)).join('<br>');
}
async function refresh(){ data = await (await fetch('/api/board')).json(); render(); }
document.addEventListener('keydown', e => {
  if (e.key === 'a' || e.key === 'A'){ announcer = !announcer; revealed = 0; render(); }
  else if (announcer && (e.key === 'ArrowRight' || e.key === ' ')){ revealed += 1; render(); e.preventDefault(); }
  else if (e.key === 'Escape'){ announcer = false; render(); }
});
new EventSource('/events').onmessage = refresh;
refresh();
