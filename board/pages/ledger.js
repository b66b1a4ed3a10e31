// The year's ranking on the projector; fitted to the screen; A hides all, → reveals from the last place.
function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
let announcing = false, shown = 0, rows = [];
const quarter = new URLSearchParams(location.search).get('quarter') || '4';
function fit(){
  const stage = document.getElementById('stage');
  stage.style.transform = 'none';
  const s = Math.min(1, window.innerHeight / stage.scrollHeight, window.innerWidth / stage.scrollWidth);
  stage.style.transform = `scale(${s})`;
  stage.style.width = (100 / s) + 'vw';
}
function draw(){
  const body = document.getElementById('rows');
  body.innerHTML = rows.map((r, i) => {
    const hide = announcing && i < rows.length - shown;
    return `<tr class="${hide ? 'hidden' : ''}" data-i="${i}"><td>${Number(r.rank)}${r.tied ? '（' + esc(window.tieWord) + '）' : ''}</td>` +
      `<td>${esc(r.name)}</td><td>${esc(r.unit)}</td><td class="n">${esc(r.total)}</td><td class="lv">${esc(r.level)}</td></tr>`;
  }).join('');
  fit();
}
async function refresh(){
  try {
    const d = await (await fetch('/api/ranking?quarter=' + encodeURIComponent(quarter))).json();
    document.getElementById('title').textContent = d.title;
    document.getElementById('subtitle').textContent = d.subtitle;
    window.tieWord = d.tie_word;
    rows = d.rows;
    draw();
  } catch (e) { /* the next refresh tries again */ }
}
document.addEventListener('keydown', e => {
  if (e.key === 'a' || e.key === 'A') { announcing = true; shown = 0; draw(); }
  else if ((e.key === 'ArrowRight' || e.key === ' ') && announcing) { shown = Math.min(rows.length, shown + 1); draw(); }
  else if (e.key === 'Escape') { announcing = false; draw(); }
});
window.addEventListener('resize', fit);
refresh(); setInterval(refresh, 5000);
