// Round index: sort its tables (the leaderboard, the findings per criterion) by any column and
// filter the leaderboard by agency kind. Inlined into index.html and allowed by its sha256 in
// the page's CSP; nothing else runs. Without it every table is still complete, in its default
// order (the leaderboard by total, the findings by share of failing portals).
(function () {
  'use strict';

  function sortable(table) {
    var body = table.tBodies[0];
    var headers = table.querySelectorAll('th[data-sort]');
    var fallback = table.getAttribute('data-fallback') || 'rank';
    var current = {key: null, dir: 'descending'};
    headers.forEach(function (th) {
      if (th.getAttribute('aria-sort') !== 'none') {
        current = {key: th.getAttribute('data-sort'), dir: th.getAttribute('aria-sort')};
      }
    });

    function value(row, key) {
      return row.getAttribute('data-sort-' + key) || '';
    }

    function compare(key, dir, numeric) {
      return function (a, b) {
        var x = value(a, key);
        var y = value(b, key);
        var tie = Number(value(a, fallback)) - Number(value(b, fallback));
        // Rows without a value (portals not evaluated, groups without portals) stay last.
        if (x === '' && y === '') { return tie; }
        if (x === '') { return 1; }
        if (y === '') { return -1; }
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, document.documentElement.lang);
        if (key === 'grade') { order = -order; }  // band 0 is the best grade
        if (order === 0) { return tie; }
        return dir === 'ascending' ? order : -order;
      };
    }

    function sortBy(th, dir) {
      var key = th.getAttribute('data-sort');
      var numeric = !th.hasAttribute('data-sort-text') && key !== 'name';
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(compare(key, dir, numeric));
      rows.forEach(function (row) { body.appendChild(row); });
      headers.forEach(function (other) {
        other.setAttribute('aria-sort', other === th ? dir : 'none');
      });
      current = {key: key, dir: dir};
    }

    headers.forEach(function (th) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort-button';
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener('click', function () {
        var key = th.getAttribute('data-sort');
        var text = th.hasAttribute('data-sort-text') || key === 'name';
        var dir = key === current.key && current.dir === 'descending' ? 'ascending' : 'descending';
        if (text && key !== current.key) { dir = 'ascending'; }
        sortBy(th, dir);
      });
    });
  }

  document.querySelectorAll('table[data-sortable]').forEach(sortable);

  var leaderboard = document.querySelector('table[data-filterable]');
  var filter = document.getElementById('agency-filter');
  if (leaderboard && filter) {
    filter.hidden = false;
    filter.addEventListener('change', function (event) {
      var kind = event.target.value;
      Array.prototype.forEach.call(leaderboard.tBodies[0].rows, function (row) {
        row.hidden = kind !== 'all' && row.getAttribute('data-agency') !== kind;
      });
    });
  }
})();
