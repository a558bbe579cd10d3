// The label print page.
(function () {
  // The start position only means something on a sheet: hide it for rolls, bound it otherwise.
  var layout = document.getElementById("id_layout");
  var field = document.getElementById("field-start");
  var start = document.getElementById("id_start");
  if (!layout || !field || !start) { return; }
  function update() {
    var option = layout.options[layout.selectedIndex];
    if (!option) { return; }
    field.style.display = option.dataset.kind === "sheet" ? "" : "none";
    start.max = option.dataset.lastStart;
  }
  layout.addEventListener("change", update);
  update();
})();
