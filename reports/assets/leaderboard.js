// Round index: sort the leaderboard by any column and filter it by agency kind.
// Inlined into index.html and allowed by its sha256 in the page's CSP; nothing else runs.
// Without it the table is still complete, ranked by total.
(function () {
  'use strict';
  var table = document.querySelector('table.leaderboard');
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.querySelectorAll('th[data-sort]');
  var current = {key: 'total', dir: 'descending'};

  function value(row, key) {
    var raw = row.getAttribute('data-sort-' + key) || '';
    return raw;
  }

  function compare(key, dir) {
    var numeric = key !== 'name';
    return function (a, b) {
      var x = value(a, key);
      var y = value(b, key);
      // Rows without a value (portals not evaluated) always stay last.
      if (x === '' && y === '') { return Number(value(a, 'rank')) - Number(value(b, 'rank')); }
      if (x === '') { return 1; }
      if (y === '') { return -1; }
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, document.documentElement.lang);
      if (key === 'grade') { order = -order; }  // band 0 is the best grade
      if (order === 0) { return Number(value(a, 'rank')) - Number(value(b, 'rank')); }
      return dir === 'ascending' ? order : -order;
    };
  }

  function sortBy(key, dir) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(compare(key, dir));
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) {
      th.setAttribute('aria-sort', th.getAttribute('data-sort') === key ? dir : 'none');
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
      var dir = key === current.key && current.dir === 'descending' ? 'ascending' : 'descending';
      if (key === 'name' && key !== current.key) { dir = 'ascending'; }
      sortBy(key, dir);
    });
  });

  var filter = document.getElementById('agency-filter');
  if (filter) {
    filter.hidden = false;
    filter.addEventListener('change', function (event) {
      var kind = event.target.value;
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = kind !== 'all' && row.getAttribute('data-agency') !== kind;
      });
    });
  }
})();
