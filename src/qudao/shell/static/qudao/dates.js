/* Date fields read and type as yyyy-mm-dd in the page's language, whatever the browser's.
 *
 * Chromium draws its own date input in the browser's locale (mm/dd/yyyy in an English browser
 * on a Chinese page), so every date field is a text input marked data-qd-date
 * (qudao.core.forms.DateInput, shell/_date_input.html) that flatpickr gives a calendar. The
 * value stays ISO, so forms and services see what they always saw; typing 2026-11-29 works.
 */
(() => {
  "use strict";
  const live = new Set();

  // 2026-11-29, 2026/11/29, 2026.11.29 or 20261129; a day that does not exist (2026-11-31)
  // is no date, where flatpickr's own parser would roll it over into December.
  const TYPED = /^\s*(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|(\d{2})(\d{2}))\s*$/;

  function parse(text) {
    const parts = TYPED.exec(text);
    if (!parts) return undefined;
    const [year, month, day] = [parts[1], parts[2] || parts[4], parts[3] || parts[5]].map(Number);
    const date = new Date(year, month - 1, day);
    return date.getMonth() === month - 1 && date.getDate() === day ? date : undefined;
  }

  function options() {
    const chinese = document.documentElement.lang.toLowerCase().startsWith("zh");
    const words = chinese && window.flatpickr.l10ns.zh ? window.flatpickr.l10ns.zh : {};
    return {
      dateFormat: "Y-m-d",
      allowInput: true, // typed dates are read on Enter and when the field loses focus
      parseDate: parse,
      disableMobile: true, // a phone's own picker would show the browser's format again
      locale: { ...words, firstDayOfWeek: 1 }, // weeks start on Monday, as in China
    };
  }

  function keepWhatWasTyped(picker) {
    // flatpickr wipes a field whose text is no date (on Enter, on leaving it); keep the text
    // instead, so the form answers "Enter a valid date" rather than the typing vanishing
    const setDate = picker.setDate;
    picker.setDate = (date, ...rest) => {
      if (typeof date === "string" && date.trim() !== "" && parse(date) === undefined) return;
      setDate(date, ...rest);
    };
  }

  function enhance(root) {
    if (!window.flatpickr) return;
    for (const picker of live) {
      if (!picker.input.isConnected) {
        picker.destroy(); // its calendar hangs off <body>: drop it with the swapped-out field
        live.delete(picker);
      }
    }
    const inputs = root.matches && root.matches("input[data-qd-date]")
      ? [root]
      : root.querySelectorAll("input[data-qd-date]");
    for (const input of inputs) {
      if (input._flatpickr) continue;
      const picker = window.flatpickr(input, options());
      keepWhatWasTyped(picker);
      live.add(picker);
    }
  }

  if (window.htmx) {
    window.htmx.onLoad(enhance); // the page itself, then every fragment htmx swaps in
  } else {
    document.addEventListener("DOMContentLoaded", () => enhance(document.body));
  }
})();
