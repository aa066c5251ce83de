// Draws the coverage matrix from the embedded JSON. Only textContent and attributes are set from data:
// detection names and files come from pull requests and must never be parsed as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('coverage-data').textContent);
  var matrix = document.getElementById('matrix');
  var details = document.getElementById('details');
  var platformFilter = document.getElementById('platform-filter');
  var statusFilter = document.getElementById('status-filter');
  var coveredOnly = document.getElementById('covered-only');
  var expandAll = document.getElementById('expand-all');
  var selected = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function visibleDetections(key) {
    var platform = platformFilter.value;
    var status = statusFilter.value;
    return (data.cells[key] || []).map(function (i) { return data.detections[i]; }).filter(function (d) {
      if (platform !== 'all' && d.platforms.indexOf(platform) < 0) return false;
      if (status === 'production' && d.status !== 'production') return false;
      if (status === 'preproduction' && d.status === 'production') return false;
      return true;
    });
  }

  function shade(count) { return count >= 3 ? 'c3' : count === 2 ? 'c2' : count === 1 ? 'c1' : 'c0'; }

  function closeDetails() {
    if (selected) selected.classList.remove('selected');
    selected = null;
    details.classList.remove('open');
  }

  function showDetails(cell) {
    var key = cell.getAttribute('data-key');
    var list = visibleDetections(key);
    details.textContent = '';
    var close = el('button', { type: 'button', 'class': 'close', 'aria-label': 'close' }, '\u00d7');
    close.addEventListener('click', closeDetails);
    details.appendChild(close);
    details.appendChild(el('h3', null, cell.getAttribute('data-technique') + ' ' + cell.getAttribute('data-name')));
    details.appendChild(el('p', { 'class': 'muted' }, 'Tactic: ' + cell.getAttribute('data-tactic-name')));
    if (!list.length) details.appendChild(el('p', null, 'No detection covers this technique with the current filters.'));
    else {
      var ul = el('ul', { 'class': 'detection-list' });
      list.forEach(function (d) {
        var li = el('li');
        li.appendChild(el('strong', { 'class': 'detection-name' }, d.name));
        li.appendChild(el('br'));
        li.appendChild(el('span', { 'class': 'badge ' + d.status }, d.status));
        d.platforms.forEach(function (p) { li.appendChild(el('span', { 'class': 'badge' }, p)); });
        li.appendChild(el('div', { 'class': 'muted' }, d.file));
        ul.appendChild(li);
      });
      details.appendChild(ul);
    }
    details.classList.add('open');
  }

  // Long tactic names get soft hyphens so narrow columns break them at a syllable, not at an arbitrary letter.
  var SOFT = { Reconnaissance: 'Reconnais\u00adsance', Development: 'Develop\u00adment', Persistence: 'Persis\u00adtence',
    Escalation: 'Escala\u00adtion', Credential: 'Creden\u00adtial', Movement: 'Move\u00adment', Exfiltration: 'Exfil\u00adtration' };
  function hyphenate(name) { return name.split(' ').map(function (w) { return SOFT[w] || w; }).join(' '); }

  function techniqueCell(t, tactic, isSub) {
    var key = t.id + '|' + tactic.shortname;
    var cell = el('button', {
      type: 'button', 'class': 'cell' + (isSub ? ' sub' : ''), 'data-key': key, 'data-technique': t.id,
      'data-name': t.name, 'data-tactic-name': tactic.name, 'data-tactic': tactic.shortname,
    });
    if (newlyCovered[key]) cell.classList.add('new');
    cell.appendChild(el('span', { 'class': 'tid' }, t.id));
    cell.appendChild(document.createTextNode(t.name));
    // Hover shows the detection names as a tooltip (set in refresh); click pins them in the details drawer.
    cell.addEventListener('click', function () {
      if (selected === cell) { closeDetails(); return; }
      if (selected) selected.classList.remove('selected');
      selected = cell;
      cell.classList.add('selected');
      showDetails(cell);
    });
    return cell;
  }

  var newlyCovered = {};
  if (data.delta) data.delta.newlyCovered.forEach(function (c) { newlyCovered[c.technique + '|' + c.tactic] = true; });

  function build() {
    data.tactics.forEach(function (tactic) {
      var column = el('section', { 'class': 'tactic', 'data-tactic': tactic.shortname });
      var h2 = el('h2', { title: tactic.name }, hyphenate(tactic.name));
      var count = el('small', { 'class': 'tactic-count' });
      h2.appendChild(count);
      column.appendChild(h2);
      tactic.techniques.forEach(function (t) {
        var group = el('div', { 'class': 'group', 'data-technique': t.id });
        var parent = techniqueCell(t, tactic, false);
        group.appendChild(parent);
        if (t.subs.length) {
          var toggle = el('span', { 'class': 'toggle', role: 'button', 'aria-label': 'show sub-techniques of ' + t.id, tabindex: '0' }, '▸' + t.subs.length);
          parent.insertBefore(toggle, parent.firstChild);
          var subs = el('div', { 'class': 'subs hidden' });
          t.subs.forEach(function (s) { subs.appendChild(techniqueCell(s, tactic, true)); });
          group.appendChild(subs);
          toggle.addEventListener('keydown', function (e) {
            if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); e.stopPropagation(); toggle.click(); }
          });
          toggle.addEventListener('click', function (e) {
            e.stopPropagation();
            subs.classList.toggle('hidden');
            toggle.textContent = (subs.classList.contains('hidden') ? '▸' : '▾') + t.subs.length;
          });
        }
        column.appendChild(group);
      });
      matrix.appendChild(column);
    });
  }

  function refresh() {
    var covered = 0;
    document.querySelectorAll('.tactic').forEach(function (column) {
      var coveredHere = 0;
      column.querySelectorAll('.group').forEach(function (group) {
        var any = false;
        group.querySelectorAll('.cell').forEach(function (cell) {
          var list = visibleDetections(cell.getAttribute('data-key'));
          var n = list.length;
          var production = list.filter(function (d) { return d.status === 'production'; }).length;
          cell.classList.remove('c0', 'c1', 'c2', 'c3', 'trial');
          cell.classList.add(shade(n));
          if (n && !production) cell.classList.add('trial');
          cell.setAttribute('data-count', String(n));
          cell.setAttribute('title', cell.getAttribute('data-technique') + ' ' + cell.getAttribute('data-name') + ': ' + n + ' detection' + (n === 1 ? '' : 's') +
            (n ? ' (' + production + ' in production)\n' + list.map(function (d) { return '\u2022 ' + d.name + ' [' + d.status + ']'; }).join('\n') : '') +
            (newlyCovered[cell.getAttribute('data-key')] ? '\nnewly covered since ' + data.delta.baseRef : ''));
          if (n) any = true;
          if (n && cell.classList.contains('sub')) {
            var subs = cell.parentNode;
            subs.classList.remove('hidden');
            var toggle = group.querySelector('.toggle');
            if (toggle) toggle.textContent = '▾' + subs.children.length;
          }
        });
        if (any) coveredHere++;
        group.classList.toggle('hidden', coveredOnly.checked && !any);
      });
      column.querySelector('.tactic-count').textContent = coveredHere + ' / ' + column.querySelectorAll('.group').length + ' covered';
      covered += coveredHere;
    });
    document.getElementById('subtitle').textContent = 'MITRE ATT&CK Enterprise v' + data.attackVersion + ' · ' + data.generatedFrom +
      ' · ' + covered + ' techniques covered with the current filters (a technique counts once per tactic) · click a technique for its detections';
    if (selected) showDetails(selected);
  }

  function notes() {
    var section = document.getElementById('notes');
    function block(title, items) {
      if (!items.length) return;
      section.appendChild(el('h2', null, title));
      var ul = el('ul');
      items.forEach(function (s) { ul.appendChild(el('li', null, s)); });
      section.appendChild(ul);
    }
    block('ATT&CK problems (not counted)', data.problems);
    block('Detections not counted', data.notCounted);
    if (data.delta) {
      var d = data.delta;
      block('Newly covered since ' + d.baseRef, d.newlyCovered.map(function (c) { return c.technique + ' ' + c.name + ' (' + c.tactic + ')'; }));
      block('No longer covered since ' + d.baseRef, d.noLongerCovered.map(function (c) { return c.technique + ' ' + c.name + ' (' + c.tactic + ')'; }));
      block('Detections added', d.added.map(function (x) { return x.name; }));
      block('Detections removed', d.removed.map(function (x) { return x.name; }));
      block('Detections changed', d.changed.map(function (x) { return x.name; }));
    }
  }

  if (data.delta) document.body.classList.add('has-delta');
  build();
  refresh();
  notes();
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeDetails(); });
  [platformFilter, statusFilter, coveredOnly].forEach(function (c) { c.addEventListener('change', refresh); });
  expandAll.addEventListener('click', function () {
    var anyHidden = document.querySelector('.subs.hidden') !== null;
    document.querySelectorAll('.subs').forEach(function (s) { s.classList.toggle('hidden', !anyHidden); });
    expandAll.textContent = anyHidden ? 'Collapse sub-techniques' : 'Expand sub-techniques';
  });
})();
