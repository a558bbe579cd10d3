// The kanban: drag a card to another column to move the device to that status.
(function () {
  var form = document.getElementById("kanban-move");
  var dragged = null;
  document.querySelectorAll(".kcard").forEach(function (card) {
    card.addEventListener("dragstart", function (e) { dragged = card; e.dataTransfer.setData("text/plain", card.dataset.tag); });
  });
  document.querySelectorAll(".column").forEach(function (col) {
    col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("over"); });
    col.addEventListener("dragleave", function () { col.classList.remove("over"); });
    col.addEventListener("drop", function (e) {
      e.preventDefault(); col.classList.remove("over");
      if (!dragged || dragged.dataset.status === col.dataset.status) { return; }
      form.action = form.dataset.devicesUrl + encodeURIComponent(dragged.dataset.tag) + "/transition/" + col.dataset.status + "/";
      form.elements.seen_status.value = dragged.dataset.status;
      form.submit();
    });
  });
})();
