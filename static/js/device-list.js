// The device list: select all rows, count the selected ones.
(function () {
  var all = document.getElementById("select-all");
  var boxes = document.querySelectorAll(".row-select");
  var count = document.getElementById("selected-count");
  if (!all || !count) { return; }
  function update() { count.textContent = document.querySelectorAll(".row-select:checked").length; }
  all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); update(); });
  boxes.forEach(function (b) { b.addEventListener("change", update); });
})();
