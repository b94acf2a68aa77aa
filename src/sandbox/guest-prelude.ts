/**
 * JavaScript that runs inside the QuickJS guest (never in Node) before the user's code.
 *
 * It is a function of two arguments: the host's log sink and the JSON text of the globals. It
 * installs `console` and the globals, then returns the function that turns the user's result into
 * JSON text, so that only strings ever cross between guest and host.
 * Builtins are captured up front, so user code that replaces JSON or Object cannot change how its
 * own output is read.
 */
export const GUEST_PRELUDE = String.raw`(function (hostLog, globalsJson) {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const keys = Object.keys;
  const join = Array.prototype.join;
  const toText = String;
  let accepting = true;

  function show(value) {
    try {
      switch (typeof value) {
        case 'string': return value;
        case 'undefined': return 'undefined';
        case 'function': return '[Function ' + (value.name || 'anonymous') + ']';
        case 'bigint': return toText(value) + 'n';
        case 'symbol': return value.toString();
        case 'object':
          if (value === null) return 'null';
          if (value instanceof Error) return value.name + ': ' + value.message;
          break;
        default: return toText(value);
      }
      const text = stringify(value);
      return text === undefined ? toText(value) : text;
    } catch (error) {
      return '[unprintable value]';
    }
  }

  function writer(level) {
    return function () {
      if (!accepting) return;
      const parts = [];
      for (let i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      accepting = hostLog(level, join.call(parts, ' '));
    };
  }

  globalThis.console = {
    log: writer('info'),
    info: writer('info'),
    debug: writer('debug'),
    warn: writer('warn'),
    error: writer('error'),
  };

  const globals = parse(globalsJson);
  for (const name of keys(globals)) globalThis[name] = globals[name];

  return function serialiseResult(value) {
    if (value === undefined) return 'null';
    const kind = typeof value;
    if (kind === 'function' || kind === 'symbol' || kind === 'bigint') return '!' + kind;
    const text = stringify(value);
    return text === undefined ? 'null' : text;
  };
})`;

/** Prefix put before the user's code on its first line, so line numbers in errors match theirs. */
export const USER_CODE_PREFIX = '(async function () {';
export const USER_CODE_SUFFIX = '\n})';
export const USER_CODE_FILENAME = 'code.js';
