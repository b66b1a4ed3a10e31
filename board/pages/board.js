// The projector board: every list fits the screen (type scaled down; pages turned on a timer when even that is not
// enough), one list per post with its seats and vote line, nothing ranked before counting starts, conclusions only
// once a round's returned ballots are all read, and in announcer mode (现场公布) every list hidden until revealed.
let data = null, announcer = false, revealed = 0, page = 0, pages = 1, timer = null;
const only = new URLSearchParams(location.search).get('round');
const MIN_SCALE = 0.55, PAGE_SECONDS = 8;
function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function pc(v){ return Math.max(0, Math.min(1, Number(v) || 0)) * 100; }
function rowHtml(rank, r, hidden, line){
  const mark = line == null ? '' : `<div class="line" style="left:${pc(line)}%"></div>`;
  return `<div class="row ${hidden ? 'hidden' : ''}" data-reveal><div>${esc(rank)}</div><div>${esc(r.name)}</div>
  <div class="track"><div class="bar" style="width:${pc(r.bar)}%"></div>${mark}</div>
  <div class="num">${esc(r.label)}</div><div class="mark">${esc(r.mark || '')}</div></div>`;
}
function announced(){
  // the list the announcer reveals, from the last place up: the composite ranking, else the first list counted
  if (data.ranking.length) return 'ranking';
  const first = data.rounds.find(r => r.started && r.rows.length && (!only || r.id === only));
  return first ? first.id + ':0' : null;
}
function listHtml(key, rows, line, rankOf){
  const target = announced();
  return rows.map((r, i) => {
    const hide = announcer && (key !== target || (rows.length - 1 - i) >= revealed);
    return rowHtml(rankOf(r, i), r, hide, line);
  }).join('');
}
function render(){
  if (!data) return;
  document.getElementById('title').textContent = data.title;
  const voids = data.rounds.filter(r => r.void && (!only || r.id === only));
  const v = document.getElementById('void');
  v.style.display = voids.length ? 'block' : 'none';
  v.textContent = voids.map(r => (r.reasons && r.reasons.length) ? r.reasons.join('；') : r.name + '：无效').join('；');
  let html = '';
  if (data.ranking.length && !only){
    html += `<div class="block" data-block="ranking"><h2>${esc(data.composite)}</h2>` +
      listHtml('ranking', data.ranking.map(r => ({name: r.name, bar: r.bar, label: r.composite,
                                                 mark: r.selected ? '拟选' : '', rank: r.rank, tied: r.tied})),
               null, r => r.rank + (r.tied ? '=' : '')) + '</div>';
  }
  data.rounds.forEach(rnd => {
    if (only && rnd.id !== only) return;
    const prog = rnd.groups.map(g => `${esc(g.group)} ${Number(g.read)}/${Number(g.returned)}/${Number(g.issued)}` +
      (g.pending ? ` · 待复核${Number(g.pending)}` : '')).join('　');
    html += `<div class="block" data-block="${esc(rnd.id)}"><h2>${esc(rnd.name)}` +
      `${rnd.sealed ? ' <span class="sealed">已封存</span>' : ''}</h2>` +
      `<div class="progress" data-round="${esc(rnd.id)}">${prog ? '已读/收回/发出：' + prog : ''}</div>`;
    if (!rnd.started){
      html += `<div class="wait">等待计票</div></div>`;
      return;
    }
    rnd.sections.forEach((sec, s) => {
      if (sec.post) html += `<h3>${esc(sec.post)}（应选 ${Number(sec.seats)} 人` +
        `${sec.line ? `，当选线 ${Number(sec.line)} 票` : ''}）</h3>`;
      html += listHtml(`${rnd.id}:${s}`, sec.rows, sec.line_at, (r, i) => i + 1);
    });
    html += '</div>';
  });
  const rounds = document.getElementById('rounds');
  rounds.innerHTML = html;
  document.getElementById('notes').innerHTML = data.notes.map(n => '! ' + esc(n)).join('<br>');
  fit();
}
function overflowing(){ return document.documentElement.scrollHeight > window.innerHeight + 1 ||
                                document.body.scrollHeight > window.innerHeight + 1; }
function fit(){
  // scale the type down until everything fits; below MIN_SCALE, turn pages of whole lists instead
  const rounds = document.getElementById('rounds');
  rounds.classList.remove('paged');
  let k = 1;
  document.documentElement.style.setProperty('--k', k);
  while (overflowing() && k > MIN_SCALE){
    k = Math.round((k - 0.05) * 100) / 100;
    document.documentElement.style.setProperty('--k', k);
  }
  const blocks = [...rounds.querySelectorAll('.block')];
  if (!overflowing() || blocks.length < 2){ pages = 1; showPage(); return; }
  // greedy pages: as many whole lists as fit under the header, banner and notes
  const room = window.innerHeight - rounds.getBoundingClientRect().top -
    document.getElementById('notes').getBoundingClientRect().height - 8;
  const heights = blocks.map(b => b.getBoundingClientRect().height);
  const of = []; let used = 0, n = 0;
  heights.forEach(h => { if (used > 0 && used + h > room){ n += 1; used = 0; } of.push(n); used += h; });
  blocks.forEach((b, i) => b.dataset.page = of[i]);
  pages = n + 1;
  page = page % pages;
  rounds.classList.add('paged');
  showPage();
}
function showPage(){
  const rounds = document.getElementById('rounds');
  if (announcer && pages > 1){  // the list being announced stays on screen
    const key = (announced() || '').split(':')[0];
    const block = rounds.querySelector(`.block[data-block="${CSS.escape(key)}"]`);
    if (block) page = Number(block.dataset.page || 0);
  }
  rounds.querySelectorAll('.block').forEach(b => b.classList.toggle('on', Number(b.dataset.page || 0) === page));
  document.getElementById('side-left').textContent = pages > 1 ? `第 ${page + 1}/${pages} 页` : '';
  if (timer) clearTimeout(timer);
  timer = pages > 1 && !announcer ? setTimeout(() => { page = (page + 1) % pages; showPage(); }, PAGE_SECONDS * 1000)
                                  : null;
}
async function refresh(){ data = await (await fetch('/api/board')).json(); render(); }
document.addEventListener('keydown', e => {
  if (e.key === 'a' || e.key === 'A'){ announcer = !announcer; revealed = 0; render(); }
  else if (announcer && (e.key === 'ArrowRight' || e.key === ' ')){ revealed += 1; render(); e.preventDefault(); }
  else if (e.key === 'Escape'){ announcer = false; render(); }
  else if (e.key === 'PageDown'){ page = (page + 1) % pages; showPage(); }
  else if (e.key === 'PageUp'){ page = (page + pages - 1) % pages; showPage(); }
});
window.addEventListener('resize', () => { if (data) fit(); });
new EventSource('/events').onmessage = refresh;
refresh();
