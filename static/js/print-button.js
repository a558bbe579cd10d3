// Buttons marked data-print print the page (no inline onclick: the CSP refuses it).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
