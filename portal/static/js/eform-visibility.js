/* Conditional visibility in the browser: a progressive enhancement.
 *
 * Elements with data-visible-when hold the same JSON Logic rule the server
 * evaluates (forms_builder/rules.py); this file evaluates the same subset on
 * the values typed so far and hides what does not apply. Without JavaScript
 * every field stays visible and the server clears hidden ones at submit.
 */
(function () {
  "use strict";

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function ordered(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") { return false; }
    return (typeof a === "number" && typeof b === "number") ||
      (typeof a === "string" && typeof b === "string");
  }

  function truthy(v) {
    if (Array.isArray(v) || typeof v === "string") { return v.length > 0; }
    return !!v;
  }

  function compare(test) {
    return function (args) {
      for (var i = 0; i + 1 < args.length; i++) {
        if (!ordered(args[i], args[i + 1]) || !test(args[i], args[i + 1])) { return false; }
      }
      return args.length >= 2;
    };
  }

  function equal(args) {
    var a = args[0], b = args[1];
    return args.length === 2 && (ordered(a, b) || typeof a === typeof b) && a === b;
  }

  var CENTURY = { "0": 1900, "1": 1900, "2": 2000, "3": 2000 };
  var EAGER = {
    "==": equal,
    "!=": function (a) { return !equal(a); },
    "<": compare(function (a, b) { return a < b; }),
    "<=": compare(function (a, b) { return a <= b; }),
    ">": compare(function (a, b) { return a > b; }),
    ">=": compare(function (a, b) { return a >= b; }),
    "!": function (a) { return !truthy(a[0]); },
    "!!": function (a) { return truthy(a[0]); },
    "in": function (a) {
      if (Array.isArray(a[1])) { return a[1].indexOf(a[0]) >= 0; }
      return typeof a[1] === "string" && typeof a[0] === "string" && a[1].indexOf(a[0]) >= 0;
    },
    "year": function (a) {
      return typeof a[0] === "string" && /^\d{4}/.test(a[0]) ? parseInt(a[0].slice(0, 4), 10) : null;
    },
    "count": function (a) {
      return (Array.isArray(a[0]) || typeof a[0] === "string") ? a[0].length : null;
    },
    "id_birth_year": function (a) {
      var v = a[0];
      if (typeof v !== "string" || !/^\d{12}$/.test(v) || !(v[3] in CENTURY)) { return null; }
      return CENTURY[v[3]] + parseInt(v.slice(4, 6), 10);
    }
  };

  function evaluate(logic, scope) {
    if (Array.isArray(logic)) { return logic.map(function (x) { return evaluate(x, scope); }); }
    if (logic === null || typeof logic !== "object") { return logic; }
    var op = Object.keys(logic)[0];
    var args = Array.isArray(logic[op]) ? logic[op] : [logic[op]];
    if (op === "var") {
      var value = scope(String(evaluate(args[0], scope)));
      return value === null && args.length > 1 ? args[1] : value;
    }
    if (op === "missing") { return args.filter(function (n) { return scope(n) === null; }); }
    if (op === "today") { return today(); }
    if (op === "and" || op === "or") {
      var result = op === "and";
      for (var i = 0; i < args.length; i++) {
        result = evaluate(args[i], scope);
        if (truthy(result) !== (op === "and")) { return result; }
      }
      return result;
    }
    if (op === "if") {
      for (var j = 0; j + 1 < args.length; j += 2) {
        if (truthy(evaluate(args[j], scope))) { return evaluate(args[j + 1], scope); }
      }
      return args.length % 2 === 1 ? evaluate(args[args.length - 1], scope) : null;
    }
    if (op in EAGER) { return EAGER[op](args.map(function (x) { return evaluate(x, scope); })); }
    if (op === "+" || op === "-" || op === "*" || op === "/") {
      var nums = args.map(function (x) { return evaluate(x, scope); });
      if (!nums.every(function (n) { return typeof n === "number"; })) { return null; }
      return nums.slice(1).reduce(function (acc, n) {
        return op === "+" ? acc + n : op === "-" ? acc - n : op === "*" ? acc * n : (n === 0 ? null : acc / n);
      }, nums[0]);
    }
    return null;
  }

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || /-\d+-/.test(el.name)) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      var v = el.value.trim();
      if (v === "") { return; }
      if (el.type === "radio" && (v === "yes" || v === "no")) { v = v === "yes"; }
      else if (el.type === "number" && !isNaN(Number(v))) { v = Number(v); }
      out[el.name.replace(/-/g, ".")] = v;
    });
    return out;
  }

  function refresh(form) {
    var data = values(form);
    var nodes = form.querySelectorAll("[data-visible-when]");
    Array.prototype.forEach.call(nodes, function (node) {
      var rule = JSON.parse(node.getAttribute("data-visible-when"));
      var shown = truthy(evaluate(rule, function (name) {
        return Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null;
      }));
      node.hidden = !shown;
      if (!shown) {
        Array.prototype.forEach.call(node.querySelectorAll("[name]"), function (el) {
          delete data[el.name.replace(/-/g, ".")];
        });
      }
    });
  }

  document.querySelectorAll("form[data-eform]").forEach(function (form) {
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });
})();
